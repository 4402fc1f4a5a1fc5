//! The WebAssembly plugin runtime: each Diameter application is a sandboxed component
//! behind the WIT contract in `wit/`. This module loads plugins (built in or from a
//! path), keeps warm instances, enforces limits and grants, and swaps the router on
//! reload so requests in flight finish on the version they started on.

pub mod bindings;
pub mod builtin;
pub mod capability;
pub mod deadline;
pub mod engine;
mod host_impl;
pub mod message_checks;
pub mod plugin;
pub mod plugin_log;
pub mod profile;
pub mod sandbox;
pub mod services;
pub mod state;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};
use wasmtime::component::{HasSelf, Linker};

use self::bindings::Capability;
use self::engine::PluginEngine;
use self::plugin::{LoadedPlugin, PluginHandler};
use self::services::Services;
use self::state::{HostState, Limits, PluginMeta};
use crate::config::PluginConfig;
use crate::diameter::router::{Router, SharedRouter};

pub fn hex(b: &[u8]) -> String {
    plughss_plugin_api::subscriber::to_hex(b)
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Where a plugin's code comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Builtin(&'static [u8]),
    File(PathBuf),
}

/// A plugin to load, resolved from the configuration.
#[derive(Debug, Clone)]
pub struct PluginSpec {
    pub name: String,
    pub source: Source,
    pub sha256: Option<String>,
    /// `None`: grant what the plugin asks for (built-ins only).
    pub grants: Option<Vec<Capability>>,
    pub config_json: String,
    pub limits: Limits,
}

impl PluginSpec {
    /// Built-ins first (unless disabled or overridden), then the configured plugins.
    pub fn from_config(entries: &[PluginConfig]) -> Vec<PluginSpec> {
        let mut out = Vec::new();
        for (name, wasm) in builtin::BUILTINS {
            if entries.iter().any(|e| e.name == *name) {
                continue;
            }
            out.push(PluginSpec {
                name: (*name).to_string(),
                source: Source::Builtin(wasm),
                sha256: None,
                grants: None,
                config_json: "{}".into(),
                limits: Limits::default(),
            });
        }
        for e in entries.iter().filter(|e| e.enabled) {
            let source = match &e.path {
                Some(p) => Source::File(p.clone()),
                None => match builtin::BUILTINS.iter().find(|(n, _)| *n == e.name) {
                    Some((_, wasm)) => Source::Builtin(wasm),
                    // Reported when loading, naming the plugin.
                    None => Source::File(PathBuf::new()),
                },
            };
            out.push(PluginSpec {
                name: e.name.clone(),
                source,
                sha256: e.sha256.as_ref().map(|p| p.0.clone()),
                // A third-party plugin gets exactly what is granted (nothing by default);
                // a built-in without the key gets what it asks for.
                grants: match (&e.capabilities, &e.path) {
                    (Some(c), _) => Some(c.iter().filter_map(|n| capability::parse(&n.0)).collect()),
                    (None, Some(_)) => Some(Vec::new()),
                    (None, None) => None,
                },
                config_json: serde_json::to_string(&e.config).unwrap_or_else(|_| "{}".into()),
                limits: Limits {
                    memory_bytes: (e.limits.memory_mib.max(1) as usize) << 20,
                    deadline: Duration::from_millis(u64::from(e.limits.deadline_ms.max(1))),
                    // Never shorter than the deadline, which it contains.
                    timeout: Duration::from_millis(u64::from(
                        e.limits.timeout_ms.max(e.limits.deadline_ms).max(1),
                    )),
                    fuel: (e.limits.fuel > 0).then_some(e.limits.fuel),
                    instances: e.limits.instances.max(1) as usize,
                },
            });
        }
        out
    }

    fn read(&self) -> anyhow::Result<(Vec<u8>, String)> {
        match &self.source {
            Source::Builtin(b) => Ok((b.to_vec(), "builtin".into())),
            Source::File(p) if p.as_os_str().is_empty() => {
                bail!("plugin {}: no path given and no built-in plugin has this name", self.name)
            }
            Source::File(p) => {
                let b = std::fs::read(p)
                    .with_context(|| format!("plugin {}: cannot read {}", self.name, p.display()))?;
                Ok((b, p.display().to_string()))
            }
        }
    }
}

/// One line of `plughss plugin list` / `GET /api/v1/plugins`.
#[derive(Debug, Clone, Serialize)]
pub struct PluginStatus {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub source: String,
    pub applications: Vec<serde_json::Value>,
    pub capabilities: Vec<&'static str>,
    pub counters: HashMap<String, u64>,
    pub plugin_metrics: HashMap<String, u64>,
}

/// What a reload did, plugin by plugin.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadReport {
    pub loaded: Vec<String>,
    pub unchanged: Vec<String>,
    pub removed: Vec<String>,
    /// Plugins that failed to load, with the reason; their old version keeps serving.
    pub failed: Vec<(String, String)>,
}

pub struct PluginRuntime {
    engine: PluginEngine,
    linker: Linker<HostState>,
    services: Arc<Services>,
    plugins: Mutex<Vec<(PluginSpec, Arc<LoadedPlugin>)>>,
    base: Router,
    router: SharedRouter,
    reloading: tokio::sync::Mutex<()>,
}

impl PluginRuntime {
    /// `base` holds native handlers that plugins are added to; `router` is the node's.
    pub fn new(
        services: Arc<Services>,
        base: Router,
        router: SharedRouter,
        cache_dir: Option<PathBuf>,
        fuel: bool,
    ) -> anyhow::Result<Self> {
        let engine = PluginEngine::new(fuel, cache_dir)?;
        let mut linker = Linker::<HostState>::new(&engine.engine);
        // WASI is linked because a std guest imports it; the context is empty
        // (see sandbox.rs), so these imports reach nothing.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(anyhow::Error::from)
            .context("linking WASI")?;
        bindings::Application::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(anyhow::Error::from)
            .context("linking the PlugHSS imports")?;
        Ok(PluginRuntime {
            engine,
            linker,
            services,
            plugins: Mutex::new(Vec::new()),
            base,
            router,
            reloading: tokio::sync::Mutex::new(()),
        })
    }

    async fn load_one(&self, spec: &PluginSpec) -> anyhow::Result<Arc<LoadedPlugin>> {
        let (wasm, source) = spec.read()?;
        let sha = sha256_hex(&wasm);
        if let Some(pin) = &spec.sha256
            && *pin != sha
        {
            bail!("plugin {}: sha256 of {source} is {sha}, the configuration pins {pin}", spec.name);
        }
        let meta = Arc::new(PluginMeta {
            name: spec.name.clone(),
            grants: spec.grants.clone().unwrap_or_default(),
            config_json: spec.config_json.clone(),
            limits: spec.limits,
            counters: Default::default(),
            plugin_metrics: Default::default(),
            log_gate: Default::default(),
        });
        let loaded =
            LoadedPlugin::load(&self.engine, &self.linker, meta, &wasm, source, self.services.clone())
                .await
                .with_context(|| format!("plugin {}", spec.name))?;
        if spec.grants.is_none() {
            // A built-in gets what it asks for; reload so the grants are in force.
            let mut s = spec.clone();
            s.grants = Some(loaded.description.wanted.clone());
            return Box::pin(self.load_one(&s)).await;
        }
        let wanted: Vec<_> = loaded
            .description
            .wanted
            .iter()
            .filter(|c| !loaded.meta.grants.contains(c))
            .map(|c| capability::name(*c))
            .collect();
        if !wanted.is_empty() {
            tracing::warn!(plugin = %spec.name, missing = ?wanted, "plugin asks for capabilities that are not granted");
        }
        tracing::info!(
            plugin = %spec.name,
            version = %loaded.description.version,
            sha256 = %loaded.sha256,
            source = %loaded.source,
            "plugin loaded"
        );
        Ok(loaded)
    }

    /// Loads every plugin at start-up; any failure stops start-up.
    pub async fn start(&self, specs: Vec<PluginSpec>) -> anyhow::Result<()> {
        let mut loaded = Vec::new();
        for s in specs {
            let p = self.load_one(&s).await?;
            loaded.push((s, p));
        }
        let router = self.build_router(&loaded)?;
        *self.plugins.lock().unwrap_or_else(|p| p.into_inner()) = loaded;
        self.router.store(Arc::new(router));
        Ok(())
    }

    /// Replaces changed plugins. A plugin that fails to load keeps its old version;
    /// new requests go to new versions, requests in flight finish where they started.
    pub async fn reload(&self, specs: Vec<PluginSpec>) -> ReloadReport {
        let _guard = self.reloading.lock().await;
        let current = self.plugins.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut report = ReloadReport { loaded: vec![], unchanged: vec![], removed: vec![], failed: vec![] };
        let mut next = Vec::new();
        for spec in specs {
            let old = current.iter().find(|(s, _)| s.name == spec.name);
            let same_bytes =
                |p: &LoadedPlugin| spec.read().map(|(w, _)| sha256_hex(&w) == p.sha256).unwrap_or(false);
            if let Some((old_spec, old_p)) = old
                && same_settings(old_spec, &spec)
                && same_bytes(old_p)
            {
                report.unchanged.push(spec.name.clone());
                next.push((old_spec.clone(), old_p.clone()));
                continue;
            }
            match self.load_one(&spec).await {
                Ok(p) => {
                    report.loaded.push(spec.name.clone());
                    next.push((spec, p));
                }
                Err(e) => {
                    tracing::warn!(plugin = %spec.name, error = %format!("{e:#}"), "reload failed; the old version keeps serving");
                    report.failed.push((spec.name.clone(), format!("{e:#}")));
                    if let Some(o) = old {
                        next.push(o.clone());
                    }
                }
            }
        }
        for (s, _) in &current {
            if !next.iter().any(|(n, _)| n.name == s.name) {
                report.removed.push(s.name.clone());
            }
        }
        match self.build_router(&next) {
            Ok(router) => {
                *self.plugins.lock().unwrap_or_else(|p| p.into_inner()) = next;
                self.router.store(Arc::new(router));
            }
            Err(e) => {
                report.failed.push(("*".into(), format!("{e:#}")));
                report.loaded.clear();
            }
        }
        report
    }

    fn build_router(&self, plugins: &[(PluginSpec, Arc<LoadedPlugin>)]) -> anyhow::Result<Router> {
        let mut r = self.base.clone();
        let mut owner: HashMap<(u32, u32), &str> = HashMap::new();
        for (spec, p) in plugins {
            let h = Arc::new(PluginHandler(p.clone()));
            for (app, cmds) in &p.description.applications {
                for c in cmds {
                    if let Some(prev) = owner.insert((app.id, *c), &spec.name) {
                        bail!(
                            "plugins {prev} and {} both serve command {c} of application {}",
                            spec.name,
                            app.id
                        );
                    }
                    r.add(*app, *c, h.clone());
                }
            }
        }
        Ok(r)
    }

    pub fn plugins(&self) -> Vec<Arc<LoadedPlugin>> {
        self.plugins.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(_, p)| p.clone()).collect()
    }

    /// Tells the plugins granted `subscribers.read` about a subscriber change (the event
    /// carries the subscriber's profile, which that grant guards); each answers with a
    /// short report. The plugins are told at once, each bounded by its own limits, so
    /// this returns within about the longest of their deadlines (or timeouts, for
    /// plugins waiting on peers).
    pub async fn notify_all(
        &self,
        event: bindings::plughss::plugin::events::SubscriberEvent,
    ) -> Vec<(String, Result<String, String>)> {
        let told: Vec<_> = self
            .plugins()
            .into_iter()
            .filter(|p| p.meta.grants.contains(&Capability::SubscribersRead))
            .collect();
        // Spawned rather than joined in place, so plugins that compute run on all the
        // runtime's workers, not one after the other on this task.
        let tasks: Vec<_> = told
            .iter()
            .map(|p| {
                let (p, event) = (p.clone(), event.clone());
                tokio::spawn(async move { p.notify(event).await })
            })
            .collect();
        let mut out = Vec::with_capacity(told.len());
        for (p, task) in told.iter().zip(tasks) {
            let r = task.await.unwrap_or_else(|e| Err(format!("notify task failed: {e}")));
            out.push((p.meta.name.clone(), r));
        }
        out
    }

    pub fn status(&self) -> Vec<PluginStatus> {
        self.plugins().iter().map(|p| status_of(p)).collect()
    }
}

fn same_settings(a: &PluginSpec, b: &PluginSpec) -> bool {
    a.grants == b.grants && a.config_json == b.config_json && a.limits == b.limits && a.sha256 == b.sha256
}

fn status_of(p: &LoadedPlugin) -> PluginStatus {
    let c = &p.meta.counters;
    let counters = [
        ("requests", &c.requests),
        ("answered", &c.answered),
        ("plugin_errors", &c.plugin_errors),
        ("traps", &c.traps),
        ("deadline_exceeded", &c.deadline_exceeded),
        ("memory_exceeded", &c.memory_exceeded),
        ("denied", &c.denied),
        ("instances_created", &c.instances_created),
        ("timed_out", &c.timed_out),
        ("log_lines_dropped", &c.log_lines_dropped),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.load(Ordering::Relaxed)))
    .collect();
    PluginStatus {
        name: p.meta.name.clone(),
        version: p.description.version.clone(),
        sha256: p.sha256.clone(),
        source: p.source.clone(),
        applications: p
            .description
            .applications
            .iter()
            .map(|(a, cmds)| serde_json::json!({ "id": a.id, "vendor_id": a.vendor_id, "commands": cmds }))
            .collect(),
        capabilities: p.meta.grants.iter().map(|c| capability::name(*c)).collect(),
        counters,
        plugin_metrics: p.meta.plugin_metrics.lock().unwrap_or_else(|p| p.into_inner()).clone(),
    }
}
