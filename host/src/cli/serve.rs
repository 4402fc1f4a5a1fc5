//! `plughss serve`: load the configuration, start the node, stop it on SIGTERM/SIGINT.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tracing::{error, info, warn};

use crate::config::{Config, LogFormat};
use crate::diameter::router::Router;
use crate::{app, logging};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// TOML configuration file; without it the embedded defaults apply.
    #[arg(long, short, env = "PLUGHSS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Diameter listen address (repeatable); replaces `diameter.listen`.
    #[arg(long = "diameter-listen", value_name = "ADDR")]
    pub diameter_listen: Vec<SocketAddr>,
    /// Let a Diameter listen address other than loopback accept any peer, with no
    /// allow-list of peers; sets `diameter.allow_unknown_peers_off_loopback`.
    #[arg(long = "allow-unknown-peers-off-loopback")]
    pub allow_unknown_peers_off_loopback: bool,
    /// REST API listen address; replaces `api.listen`.
    #[arg(long = "api-listen", value_name = "ADDR")]
    pub api_listen: Option<SocketAddr>,
    /// Data directory; replaces `data_dir`.
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long = "log-json")]
    pub log_json: bool,
}

pub fn run(args: ServeArgs) -> ExitCode {
    let mut cfg = match &args.config {
        Some(p) => match Config::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("plughss: configuration error: {e}");
                return ExitCode::from(2);
            }
        },
        None => Config::default(),
    };
    if !args.diameter_listen.is_empty() {
        cfg.diameter.listen = args.diameter_listen.clone();
    }
    if args.allow_unknown_peers_off_loopback {
        cfg.diameter.allow_unknown_peers_off_loopback = true;
    }
    if let Some(a) = args.api_listen {
        cfg.api.listen = a;
    }
    if let Some(d) = &args.data_dir {
        cfg.data_dir = Some(d.clone());
    }
    if args.log_json {
        cfg.log.format = LogFormat::Json;
    }
    if let Err(e) = cfg.validate() {
        eprintln!("plughss: configuration error: {e}");
        return ExitCode::from(2);
    }
    logging::init(cfg.log.format, &cfg.log.level);
    for a in cfg.diameter.open_listen_addrs() {
        // Allowed by the operator (validate refuses it otherwise), still worth a line.
        warn!(
            addr = %a,
            "Diameter accepts unknown peers on an address other than loopback \
             (diameter.allow_unknown_peers_off_loopback)"
        );
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plughss: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let data_dir = cfg.data_dir();
        if let Err(e) = std::fs::create_dir_all(&data_dir) {
            error!(dir = %data_dir.display(), error = %e, "cannot create the data directory");
            return ExitCode::FAILURE;
        }
        let running = match app::start_with(&cfg, Router::new(), args.config.clone()).await {
            Ok(r) => r,
            Err(e) => {
                error!("{e:#}");
                return ExitCode::FAILURE;
            }
        };
        info!(data_dir = %data_dir.display(), "PlugHSS {} started", env!("CARGO_PKG_VERSION"));
        app::reload_on_sighup(running.plugins.clone());
        app::termination_signal().await;
        running.shutdown();
        running.wait().await;
        info!("stopped");
        ExitCode::SUCCESS
    })
}
