//! What a plugin instance's store holds: the (empty) WASI context, resource limits,
//! the plugin's grants, the host services, and per-call accounting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{Capability, HostError};
use super::capability::Import;
use super::deadline::CallClock;
use super::plugin_log::LogGate;
use super::services::Services;

/// Per-call limits of one plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// All linear memories and tables of one instance together.
    pub memory_bytes: usize,
    /// Wall time the plugin's own code may take per call: running, blocked in WASI
    /// (`poll`, a sleep) and waiting for a free instance all count. Time spent waiting
    /// in PlugHSS host calls (store, AuC, peers) is not counted: those are bounded
    /// by themselves and by `timeout`.
    pub deadline: Duration,
    /// Wall time a call may take in all, host calls included: past it the request is
    /// answered 5012 whatever the plugin is doing. At least `deadline`.
    pub timeout: Duration,
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
            timeout: Duration::from_millis(u64::from(crate::config::DEFAULT_TIMEOUT_MS)),
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
    /// Calls stopped at `limits.timeout` (host calls included).
    pub timed_out: AtomicU64,
    /// Log lines the plugin wrote past its log limits, not logged.
    pub log_lines_dropped: AtomicU64,
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
    /// The plugin's log budget, shared by its instances.
    pub log_gate: Mutex<LogGate>,
}

impl PluginMeta {
    /// Logs how many of the plugin's lines were dropped, if a summary is due.
    pub fn report_dropped_logs(&self) {
        let n = self.log_gate.lock().unwrap_or_else(|p| p.into_inner()).summary(Instant::now());
        if let Some(n) = n {
            tracing::warn!(plugin = %self.name, dropped = n, "{n} plugin log lines dropped");
        }
    }
}

/// At most this many distinct metric names per plugin, so a plugin cannot grow host
/// memory without bound.
pub const MAX_PLUGIN_METRICS: usize = 128;

/// Core instances, tables and linear memories one plugin instance (one store) may
/// create. A Rust or C component needs a handful of each; wasmtime's own default is
/// 10,000, which would let a component allocate that many.
pub const MAX_CORE_INSTANCES: usize = 64;
pub const MAX_TABLES: usize = 64;
pub const MAX_MEMORIES: usize = 16;
/// Elements of one table.
pub const MAX_TABLE_ELEMENTS: usize = 100_000;
/// What wasmtime stores per table element (a pointer), counted against `memory_bytes`.
pub const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

pub struct HostState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub meta: Arc<PluginMeta>,
    pub services: Arc<Services>,
    /// The current call's clock, shared with the watchdog of the call.
    pub clock: Arc<CallClock>,
    /// Set when the plugin called an import it was not granted: the request is answered
    /// 5012 whatever the plugin returns (fail closed).
    pub denied: Option<&'static str>,
    /// Set by the resource limiter when the plugin tried to grow past its memory cap.
    pub memory_exceeded: bool,
    /// Bytes of all linear memories and tables of this instance, as granted by the
    /// resource limiter, and the last growth (undone if wasmtime then fails it).
    pub memory_used: usize,
    pub last_growth: usize,
    /// Log lines this call has written (or tried to), and whether any were dropped.
    pub log_lines: u32,
    pub log_dropped: bool,
}

impl HostState {
    pub fn new(meta: Arc<PluginMeta>, services: Arc<Services>) -> Self {
        let clock = Arc::new(CallClock::default());
        clock.begin(Instant::now());
        HostState {
            wasi: super::sandbox::wasi_context(),
            table: ResourceTable::new(),
            meta,
            services,
            clock,
            denied: None,
            memory_exceeded: false,
            memory_used: 0,
            last_growth: 0,
            log_lines: 0,
            log_dropped: false,
        }
    }

    /// Starts a call for a request that arrived at `arrived`.
    pub fn begin_call(&mut self, arrived: Instant) {
        self.clock.begin(arrived);
        self.denied = None;
        self.log_lines = 0;
        self.log_dropped = false;
    }

    /// The plugin's own time in this call (PlugHSS host calls excluded).
    pub fn guest_time(&self) -> Duration {
        self.clock.own_time(Instant::now())
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
