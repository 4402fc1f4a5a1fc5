//! Embedding the PlugHSS host with a native Rust handler instead of a WebAssembly plugin.
//! The node serves S6a (16777251) with a handler that answers every command with
//! DIAMETER_SUCCESS; command 999 answers after one second, which the shutdown test uses
//! to show in-flight requests finish before the node exits.
//!
//! Run: `cargo run --example native_handler -- --config plughss.toml`

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use plughss::app;
use plughss::config::Config;
use plughss::diameter::router::{Application, Router};
use plughss::diameter::testing::SuccessHandler;
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, cmd};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    config: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg = match args.config {
        Some(p) => Config::load(&p)?,
        None => Config::default(),
    };
    plughss::logging::init(cfg.log.format, &cfg.log.level);
    let s6a = Application { id: apps::S6A, vendor_id: VENDOR_3GPP };
    let host = cfg.diameter.origin_host.0.clone();
    let realm = cfg.diameter.origin_realm.0.clone();
    let quick = Arc::new(SuccessHandler {
        origin_host: host.clone(),
        origin_realm: realm.clone(),
        delay: Duration::ZERO,
    });
    let slow =
        Arc::new(SuccessHandler { origin_host: host, origin_realm: realm, delay: Duration::from_secs(1) });
    let mut router = Router::new();
    router
        .add(s6a, cmd::AUTHENTICATION_INFORMATION, quick.clone())
        .add(s6a, cmd::UPDATE_LOCATION, quick)
        .add(s6a, 999, slow);
    let running = app::start(&cfg, router).await?;
    // Tests read the bound addresses from this line.
    println!("diameter={} api={}", running.diameter_addrs[0], running.api_addr);
    app::termination_signal().await;
    running.shutdown();
    running.wait().await;
    Ok(())
}
