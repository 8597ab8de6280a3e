//! The `shopgraph` binary. All logic lives in the library (`lib.rs`) so that tests can start
//! the same server in-process; this file only parses the command line and reports failure.

use clap::Parser;

// Profiles of the storefront queries spent about a third of the server's time in glibc's
// malloc/free (arena lock contention, consolidation); mimalloc's thread-local free lists
// remove most of it. Only the binary sets it, so the library stays allocator-neutral.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    keep_memory_in_small_pages();
    let cli = shopgraph::config::Cli::parse();
    match shopgraph::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("shopgraph: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Turns transparent huge pages off for this process, unless `MIMALLOC_ALLOW_THP` asks for
/// them. mimalloc advises the kernel to back its arenas with 2 MiB pages, so one live object
/// keeps a whole 2 MiB resident: with 1,000 products indexed at start the process held
/// 144–162 MiB before any load, 111–120 MiB with small pages, and 10,000 websocket
/// subscribers cost the same per connection either way (docs/performance.md). The kernel
/// applies the setting to later page faults of the whole process, existing mappings included.
#[cfg(target_os = "linux")]
fn keep_memory_in_small_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    if let Err(err) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("shopgraph: could not turn transparent huge pages off: {err}");
    }
}

/// Elsewhere the operating system's default stands.
#[cfg(not(target_os = "linux"))]
fn keep_memory_in_small_pages() {}
