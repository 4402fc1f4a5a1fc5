//! The `plughss` command line.

pub mod api_client;
mod bench;
mod plugin;
mod serve;
mod subscriber;
mod vectors;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "plughss", version, about = "PlugHSS: a plugin-driven Home Subscriber Server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HSS: Diameter peers, plugins and the REST API.
    Serve(serve::ServeArgs),
    /// Inspect and reload the plugins of a running server.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Provision subscribers on a running server (add, get, list, delete, import CSV).
    Subscriber(subscriber::SubscriberArgs),
    /// Compute an authentication vector, or recover SQN_MS from an AUTS, locally.
    Vectors(vectors::VectorsArgs),
    /// Load-test a Diameter server with AIR or ULR and report throughput and latency.
    Bench(crate::bench::options::BenchArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Plugin(cmd) => client_command(plugin::run(cmd)),
        Command::Subscriber(args) => client_command(subscriber::run(args)),
        Command::Vectors(args) => vectors::run(args),
        Command::Bench(args) => bench::run(args),
    }
}

/// Runs a command that talks to a running server; errors print and exit 1.
fn client_command(fut: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plughss: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plughss: {e:#}");
            ExitCode::FAILURE
        }
    }
}
