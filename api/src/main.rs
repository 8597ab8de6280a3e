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
    let cli = shopgraph::config::Cli::parse();
    match shopgraph::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("shopgraph: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
