//! Assembling a running node from a configuration: bind the sockets, start the
//! Diameter server and the API, and stop them together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::api;
use crate::config::Config;
use crate::diameter::capabilities::LocalNode;
use crate::diameter::connection::{Node, Settings};
use crate::diameter::peers::PeerTable;
use crate::diameter::pending::EndToEnd;
use crate::diameter::router::{self, Router};
use crate::diameter::server::{self, Outbound};

/// A started node.
pub struct Running {
    pub diameter_addrs: Vec<SocketAddr>,
    pub api_addr: SocketAddr,
    pub node: Arc<Node>,
    shutdown: CancellationToken,
    diameter: JoinHandle<()>,
    api: JoinHandle<()>,
}

impl Running {
    /// Starts the graceful stop (DPR to every peer).
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Waits until everything has stopped.
    pub async fn wait(self) {
        let _ = self.diameter.await;
        let _ = self.api.await;
    }
}

/// Binds everything first (so a port in use fails start-up), then serves.
pub async fn start(cfg: &Config, router: Router) -> anyhow::Result<Running> {
    let d = &cfg.diameter;
    let listeners = server::bind(&d.listen).await?;
    let diameter_addrs = listeners.iter().filter_map(|l| l.local_addr().ok()).collect::<Vec<_>>();
    let api_listener = tokio::net::TcpListener::bind(cfg.api.listen)
        .await
        .with_context(|| format!("cannot listen for the API on {}", cfg.api.listen))?;
    let api_addr = api_listener.local_addr()?;

    let known: Vec<String> = d.peer.iter().map(|p| p.host.0.clone()).collect();
    let node = Arc::new(Node {
        local: LocalNode {
            origin_host: d.origin_host.0.clone(),
            origin_realm: d.origin_realm.0.clone(),
            host_ips: d.host_ip_addresses.clone(),
            vendor_id: d.vendor_id,
            product_name: d.product_name.clone(),
            // RFC 6733 8.16: a value that increases with each restart.
            origin_state_id: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|t| t.as_secs() as u32)
                .unwrap_or(1),
            firmware_revision: LocalNode::firmware_from_version(env!("CARGO_PKG_VERSION")),
        },
        router: router::shared(router),
        peers: PeerTable::default(),
        settings: Settings {
            watchdog_interval: d.watchdog_interval,
            max_message_size: d.max_message_size.0,
            request_timeout: d.request_timeout,
            shutdown_grace: d.shutdown_grace,
            cer_timeout: d.cer_timeout,
            allowed_hosts: d.accept_only_known.then_some(known),
        },
        e2e: Arc::new(EndToEnd::new()),
    });
    let outbound = d
        .peer
        .iter()
        .filter_map(|p| p.connect.map(|connect| Outbound { host: p.host.0.clone(), connect }))
        .collect();

    let shutdown = CancellationToken::new();
    let diameter = tokio::spawn(server::run(listeners, outbound, node.clone(), shutdown.clone()));
    let app = api::router(api::ApiState { node: node.clone() });
    let api_stop = shutdown.clone();
    let api = tokio::spawn(async move {
        let _ = axum::serve(api_listener, app)
            .with_graceful_shutdown(async move { api_stop.cancelled().await })
            .await;
    });
    for a in &diameter_addrs {
        info!(addr = %a, origin_host = %d.origin_host, "Diameter listening (TCP)");
    }
    info!(addr = %api_addr, "REST API listening");
    Ok(Running { diameter_addrs, api_addr, node, shutdown, diameter, api })
}

/// Resolves on SIGTERM or SIGINT.
pub async fn termination_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("installing a SIGINT handler");
    tokio::select! {
        _ = term.recv() => info!("SIGTERM: disconnecting peers"),
        _ = int.recv() => info!("SIGINT: disconnecting peers"),
    }
}
