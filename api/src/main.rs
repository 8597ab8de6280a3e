//! The `shopgraph` binary. All logic lives in the library (`lib.rs`) so that tests can start
//! the same server in-process; this file only parses the command line and reports failure.

use clap::Parser;

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
