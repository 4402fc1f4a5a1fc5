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
use crate::auc::service::Auc;
use crate::auc::sqn::SqnPolicy;
use crate::config::Config;
use crate::diameter::capabilities::LocalNode;
use crate::diameter::connection::{Node, Settings};
use crate::diameter::peers::PeerTable;
use crate::diameter::pending::EndToEnd;
use crate::diameter::router::{self, Router};
use crate::diameter::server::{self, Outbound};
use crate::runtime::services::{NodeIdentity, Services};
use crate::runtime::{PluginRuntime, PluginSpec, ReloadReport};
use crate::store::StoreHandle;
use crate::store::loader::{StoreSelection, open_store};

/// A started node.
pub struct Running {
    pub diameter_addrs: Vec<SocketAddr>,
    pub api_addr: SocketAddr,
    pub node: Arc<Node>,
    pub store: StoreHandle,
    pub auc: Arc<Auc>,
    pub plugins: Arc<Plugins>,
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

/// The plugin runtime and where its configuration comes from, for reloads.
pub struct Plugins {
    pub runtime: PluginRuntime,
    /// The configuration file to re-read on reload; without one, the plugins' files are
    /// re-read with the settings given at start.
    pub config_path: Option<std::path::PathBuf>,
    pub specs: std::sync::Mutex<Vec<PluginSpec>>,
}

impl Plugins {
    /// Re-reads the configuration (if any) and reloads changed plugins.
    pub async fn reload(&self) -> anyhow::Result<ReloadReport> {
        let specs = match &self.config_path {
            Some(p) => {
                let cfg = Config::load(p)?;
                PluginSpec::from_config(&cfg.plugin)
            }
            None => self.specs.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        };
        *self.specs.lock().unwrap_or_else(|p| p.into_inner()) = specs.clone();
        Ok(self.runtime.reload(specs).await)
    }
}

/// Binds everything first (so a port in use fails start-up), loads the plugins, then
/// serves. `router` holds native handlers (the plugins' routes are added to it).
pub async fn start(cfg: &Config, router: Router) -> anyhow::Result<Running> {
    start_with(cfg, router, None).await
}

pub async fn start_with(
    cfg: &Config,
    base: Router,
    config_path: Option<std::path::PathBuf>,
) -> anyhow::Result<Running> {
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
        router: router::shared(Router::new()),
        peers: Arc::new(PeerTable::default()),
        settings: Settings {
            watchdog_interval: d.watchdog_interval,
            max_message_size: d.max_message_size.0,
            request_timeout: d.request_timeout,
            shutdown_grace: d.shutdown_grace,
            cer_timeout: d.cer_timeout,
            max_cer_size: d.max_cer_size as usize,
            max_connections: d.max_connections as usize,
            max_connections_per_address: d.max_connections_per_address as usize,
            allowed_hosts: d.accept_only_known.then_some(known),
            relay_hosts: d.peer.iter().filter(|p| p.relay).map(|p| p.host.0.clone()).collect(),
        },
        e2e: Arc::new(EndToEnd::new()),
    });
    let data_dir = cfg.data_dir();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let selection = StoreSelection {
        backend: cfg.store.backend.clone(),
        plugin: cfg.store.plugin.clone(),
        settings: serde_json::to_value(&cfg.store.settings).unwrap_or_default(),
    };
    let store = {
        let dir = data_dir.clone();
        tokio::task::spawn_blocking(move || open_store(&selection, &dir))
            .await
            .context("opening the store")??
            .with_auth_cache(cfg.auc.key_cache)
            .with_profile_cache(cfg.store.profile_cache)
    };
    info!(
        backend = store.name(),
        keys_in_memory = store.caches_auth(),
        profiles_in_memory = store.caches_profiles(),
        "subscriber store open"
    );
    let policy = SqnPolicy::new(cfg.auc.ind_bits).map_err(|e| anyhow::anyhow!("auc.ind_bits: {e}"))?;
    let auc = Arc::new(Auc::new(store.clone(), policy, cfg.auc.ind, cfg.auc.sqn_block));
    let services = Arc::new(Services {
        identity: NodeIdentity {
            origin_host: d.origin_host.0.clone(),
            origin_realm: d.origin_realm.0.clone(),
            mcc: cfg.plmn.mcc.0.clone(),
            mnc: cfg.plmn.mnc.0.clone(),
        },
        peers: node.peers.clone(),
        store: Some(store.clone()),
        auc: Some(auc.clone()),
    });
    let specs = PluginSpec::from_config(&cfg.plugin);
    let fuel = specs.iter().any(|s| s.limits.fuel.is_some());
    let cache = data_dir.join("plugin-cache");
    let runtime = PluginRuntime::new(services, base, node.router.clone(), Some(cache), fuel)?;
    runtime.start(specs.clone()).await?;
    let plugins = Arc::new(Plugins { runtime, config_path, specs: std::sync::Mutex::new(specs) });
    let outbound = d
        .peer
        .iter()
        .filter_map(|p| p.connect.map(|connect| Outbound { host: p.host.0.clone(), connect }))
        .collect();

    let shutdown = CancellationToken::new();
    let diameter = tokio::spawn(server::run(listeners, outbound, node.clone(), shutdown.clone()));
    let app = api::router_with(
        api::ApiState { node: node.clone(), plugins: plugins.clone() },
        api::ApiOptions {
            store: Some(store.clone()),
            token: cfg.api.token.clone(),
            guard: api::guard::RequestGuard::new(
                api_addr.ip(),
                cfg.api.allowed_hosts.clone(),
                cfg.api.allowed_origins.clone(),
            ),
            body_read_timeout: cfg.api.body_read_timeout,
        },
    );
    let limits = api::server::ServeLimits {
        header_read_timeout: cfg.api.header_read_timeout,
        max_connections: cfg.api.max_connections,
        shutdown_grace: d.shutdown_grace,
    };
    let api = tokio::spawn(api::server::serve(api_listener, app, limits, shutdown.clone()));
    for a in &diameter_addrs {
        info!(addr = %a, origin_host = %d.origin_host, "Diameter listening (TCP)");
    }
    info!(addr = %api_addr, "REST API listening");
    Ok(Running { diameter_addrs, api_addr, node, store, auc, plugins, shutdown, diameter, api })
}

/// Reloads plugins on every SIGHUP until the process ends.
pub fn reload_on_sighup(plugins: Arc<Plugins>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot install a SIGHUP handler; reload through the API instead");
        return;
    };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            info!("SIGHUP: reloading plugins");
            match plugins.reload().await {
                Ok(r) => {
                    info!(loaded = ?r.loaded, unchanged = ?r.unchanged, removed = ?r.removed, failed = ?r.failed, "reload done")
                }
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "reload failed; nothing changed"),
            }
        }
    });
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
