//! What a plugin instance's store holds: the (empty) WASI context, resource limits,
//! the plugin's grants, the host services, and per-call accounting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{Capability, HostError};
use super::capability::Import;
use super::services::Services;

/// Per-call limits of one plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: usize,
    /// Wall time the plugin's own code may run per call; time spent waiting in host
    /// calls is not counted.
    pub deadline: Duration,
    /// Optional fuel per call (needs an engine with fuel enabled).
    pub fuel: Option<u64>,
    /// Warm instances kept per plugin.
    pub instances: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 64 << 20,
            deadline: Duration::from_millis(200),
            fuel: None,
            instances: crate::config::DEFAULT_INSTANCES as usize,
        }
    }
}

/// Counters shown by `GET /api/v1/plugins`.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub answered: AtomicU64,
    pub plugin_errors: AtomicU64,
    pub traps: AtomicU64,
    pub deadline_exceeded: AtomicU64,
    pub memory_exceeded: AtomicU64,
    pub denied: AtomicU64,
    pub instances_created: AtomicU64,
}

impl Counters {
    pub fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// What is fixed for a loaded plugin and shared by its instances.
#[derive(Debug)]
pub struct PluginMeta {
    pub name: String,
    pub grants: Vec<Capability>,
    /// The plugin's `config = { .. }` table as JSON.
    pub config_json: String,
    pub limits: Limits,
    pub counters: Counters,
    /// Counters the plugin reports through `metrics.counter-add`.
    pub plugin_metrics: Mutex<HashMap<String, u64>>,
}

/// At most this many distinct metric names per plugin, so a plugin cannot grow host
/// memory without bound.
pub const MAX_PLUGIN_METRICS: usize = 128;

pub struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limits: StoreLimits,
    pub meta: Arc<PluginMeta>,
    pub services: Arc<Services>,
    /// Start of the current call, and the time spent inside async host calls.
    pub call_started: Instant,
    pub host_wait: Duration,
    /// Set when the plugin called an import it was not granted: the request is answered
    /// 5012 whatever the plugin returns (fail closed).
    pub denied: Option<&'static str>,
    /// Set by the resource limiter when the plugin tried to grow past its memory cap.
    pub memory_exceeded: bool,
}

impl HostState {
    pub fn new(meta: Arc<PluginMeta>, services: Arc<Services>) -> Self {
        HostState {
            wasi: super::sandbox::wasi_context(),
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(meta.limits.memory_bytes)
                .instances(64)
                .tables(64)
                .memories(16)
                .trap_on_grow_failure(true)
                .build(),
            meta,
            services,
            call_started: Instant::now(),
            host_wait: Duration::ZERO,
            denied: None,
            memory_exceeded: false,
        }
    }

    pub fn begin_call(&mut self) {
        self.call_started = Instant::now();
        self.host_wait = Duration::ZERO;
        self.denied = None;
    }

    /// Time the plugin's own code has run in this call.
    pub fn guest_time(&self) -> Duration {
        self.call_started.elapsed().saturating_sub(self.host_wait)
    }

    /// Checks a grant; on refusal records it and logs the plugin and the import.
    pub fn check(&mut self, import: Import) -> Result<(), HostError> {
        let need = import.required();
        if self.meta.grants.contains(&need) {
            return Ok(());
        }
        Counters::bump(&self.meta.counters.denied);
        self.denied = Some(import.name());
        tracing::warn!(
            plugin = %self.meta.name,
            import = import.name(),
            capability = super::capability::name(need),
            "plugin called an import it is not granted; the request will be answered 5012"
        );
        Err(HostError::AccessDenied(format!(
            "{} needs the {} capability",
            import.name(),
            super::capability::name(need)
        )))
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
