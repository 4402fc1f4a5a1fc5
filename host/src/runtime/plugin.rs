//! One loaded plugin: its compiled component, a pool of warm instances, the per-call
//! limits, and the router handler that runs a request through it.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, bail};
use bytes::Bytes;
use tokio::sync::{Semaphore, SemaphorePermit, TryAcquireError};
use wasmtime::component::{Component, Linker};
use wasmtime::{ResourceLimiter, Store, Trap, UpdateDeadline};

use super::bindings::plughss::plugin::events::SubscriberEvent;
use super::bindings::plughss::plugin::types::PluginInfo;
use super::bindings::{Application as Bindings, ApplicationPre, Capability};
use super::deadline::{CallClock, Overrun, WATCHDOG_SLACK, bounded};
use super::engine::PluginEngine;
use super::message_checks::check_answer;
use super::services::Services;
use super::state::{
    Counters, HostState, Limits, MAX_CORE_INSTANCES, MAX_MEMORIES, MAX_TABLE_ELEMENTS, MAX_TABLES,
    PluginMeta, TABLE_ELEMENT_BYTES,
};
use crate::diameter::router::{Application, Handler, HandlerError, HandlerFuture, RequestContext};

/// What the plugin said about itself.
#[derive(Debug, Clone)]
pub struct Description {
    pub name: String,
    pub version: String,
    pub applications: Vec<(Application, Vec<u32>)>,
    pub wanted: Vec<Capability>,
}

impl From<PluginInfo> for Description {
    fn from(i: PluginInfo) -> Self {
        Description {
            name: i.name,
            version: i.version,
            applications: i
                .applications
                .into_iter()
                .map(|a| (Application { id: a.id, vendor_id: a.vendor_id }, a.commands))
                .collect(),
            wanted: i.capabilities,
        }
    }
}

struct Warm {
    store: Store<HostState>,
    app: Bindings,
    /// The store's call clock, kept beside the store so the watchdog can read it while
    /// the call holds the store.
    clock: Arc<CallClock>,
}

pub struct LoadedPlugin {
    pub meta: Arc<PluginMeta>,
    pub description: Description,
    pub sha256: String,
    /// "builtin" or the file path.
    pub source: String,
    engine: wasmtime::Engine,
    /// Whether the engine meters fuel (then `limits.fuel` applies).
    fuel: bool,
    pre: ApplicationPre<HostState>,
    services: Arc<Services>,
    idle: Mutex<Vec<Warm>>,
    slots: Semaphore,
}

/// Why a call failed, for the log and the counters.
enum Failure {
    Deadline,
    Timeout,
    Memory,
    Fuel,
    Trap(String),
}

/// The memory cap covers every linear memory and table of the instance together: a
/// component may define several of each, and checking each on its own would let it
/// hold the cap many times over.
impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow_by(desired.saturating_sub(current))?;
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory_used -= std::mem::take(&mut self.last_growth);
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            // `table.grow` answers -1, as the spec allows; no trap.
            return Ok(false);
        }
        self.grow_by(desired.saturating_sub(current).saturating_mul(TABLE_ELEMENT_BYTES))?;
        Ok(true)
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory_used -= std::mem::take(&mut self.last_growth);
        Ok(())
    }

    // wasmtime reads these once, when the limiter is installed: without them a store
    // may hold 10,000 of each.
    fn instances(&self) -> usize {
        MAX_CORE_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}

impl HostState {
    /// Grants `bytes` more of memory or table, or refuses with an error, which traps
    /// the guest (rather than failing the grow quietly), so a plugin that allocates
    /// past its cap stops at once.
    fn grow_by(&mut self, bytes: usize) -> wasmtime::Result<()> {
        let total = self.memory_used.saturating_add(bytes);
        if total > self.meta.limits.memory_bytes {
            self.memory_exceeded = true;
            wasmtime::bail!(
                "memory limit of {} MiB exceeded (memories and tables of the instance together)",
                self.meta.limits.memory_bytes >> 20
            );
        }
        self.memory_used = total;
        self.last_growth = bytes;
        Ok(())
    }
}

impl From<Overrun> for Failure {
    fn from(o: Overrun) -> Self {
        match o {
            Overrun::Deadline => Failure::Deadline,
            Overrun::Timeout => Failure::Timeout,
        }
    }
}

impl LoadedPlugin {
    /// Compiles (or loads from cache), links, instantiates once and asks `describe`.
    pub async fn load(
        engine: &PluginEngine,
        linker: &Linker<HostState>,
        meta: Arc<PluginMeta>,
        wasm: &[u8],
        source: String,
        services: Arc<Services>,
    ) -> anyhow::Result<Arc<LoadedPlugin>> {
        let sha256 = super::sha256_hex(wasm);
        let component: Component = {
            let (eng, cache, w, h) =
                (engine.engine.clone(), engine.cache_dir(), wasm.to_vec(), sha256.clone());
            tokio::task::spawn_blocking(move || super::engine::compile_cached(&eng, cache.as_deref(), &w, &h))
                .await
                .context("compile task")??
        };
        let pre = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .context("linking the plugin's imports")?;
        let pre = ApplicationPre::new(pre)
            .map_err(anyhow::Error::from)
            .context("the component is not a PlugHSS application (world plughss:plugin/application@0.1.0)")?;
        let instances = meta.limits.instances.max(1);
        let plugin = LoadedPlugin {
            meta: meta.clone(),
            description: Description {
                name: meta.name.clone(),
                version: String::new(),
                applications: Vec::new(),
                wanted: Vec::new(),
            },
            sha256,
            source,
            engine: engine.engine.clone(),
            fuel: engine.fuel,
            pre,
            services,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(instances),
        };
        // Loading is bounded like a request, so a plugin that blocks in WASI while
        // instantiating or describing itself fails to load rather than hanging start-up.
        let arrived = Instant::now();
        let mut w =
            match tokio::time::timeout_at(own_deadline(arrived, &meta.limits), plugin.instantiate()).await {
                Ok(w) => w?,
                Err(_) => bail!("instantiating took longer than the deadline of {:?}", meta.limits.deadline),
            };
        plugin.prepare(&mut w, arrived)?;
        let info = match bounded(&w.clock, &meta.limits, w.app.call_describe(&mut w.store)).await {
            Ok(r) => r.map_err(anyhow::Error::from).context("calling describe")?,
            Err(o) => bail!("describe did not return: {}", plugin.overrun_reason(o)),
        };
        let description = Description::from(info);
        if description.applications.is_empty() || description.applications.iter().any(|(_, c)| c.is_empty()) {
            bail!("describe names no application or an application with no command");
        }
        let plugin = LoadedPlugin { description, ..plugin };
        plugin.idle.lock().unwrap_or_else(|p| p.into_inner()).push(w);
        Ok(Arc::new(plugin))
    }

    /// On an engine that meters fuel every call starts with the plugin's allowance (or
    /// unlimited fuel when it has none), so instantiation and calls never starve.
    fn refuel(&self, store: &mut Store<HostState>) -> anyhow::Result<()> {
        if self.fuel {
            store.set_fuel(self.meta.limits.fuel.unwrap_or(u64::MAX)).map_err(anyhow::Error::from)?;
        }
        Ok(())
    }

    async fn instantiate(&self) -> anyhow::Result<Warm> {
        let mut store = Store::new(&self.engine, HostState::new(self.meta.clone(), self.services.clone()));
        self.refuel(&mut store)?;
        store.limiter(|s| s as &mut dyn ResourceLimiter);
        // At every tick of guest execution, stop the plugin if its own time is up (time
        // spent waiting in PlugHSS host calls does not count; time blocked in WASI does,
        // and the watchdog in deadline.rs catches a plugin that stays blocked there);
        // otherwise yield, so a long call shares its connection's task with the requests
        // behind it.
        store.epoch_deadline_callback(|ctx| {
            let st = ctx.data();
            let used = st.guest_time();
            let limit = st.meta.limits.deadline;
            if used >= limit { Ok(UpdateDeadline::Interrupt) } else { Ok(UpdateDeadline::Yield(1)) }
        });
        let app = self
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(anyhow::Error::from)
            .context("instantiating the plugin")?;
        Counters::bump(&self.meta.counters.instances_created);
        let clock = store.data().clock.clone();
        Ok(Warm { store, app, clock })
    }

    fn checkin(&self, w: Warm) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.meta.limits.instances {
            idle.push(w);
        }
    }

    /// Waits for a free slot and takes an instance (warm, or a new one), within the
    /// plugin's deadline counted from the request's arrival: a plugin whose instances
    /// are all stuck must not make the requests behind them wait for ever.
    async fn acquire(
        &self,
        arrived: Instant,
        what: &str,
    ) -> Result<(SemaphorePermit<'_>, Warm), HandlerError> {
        let by = own_deadline(arrived, &self.meta.limits);
        let busy = |doing: &str| {
            Counters::bump(&self.meta.counters.deadline_exceeded);
            tracing::warn!(plugin = %self.meta.name, call = what, "{doing} took longer than the plugin's deadline");
            HandlerError::unable_to_comply(format!(
                "plugin {}: {doing} took longer than the deadline of {:?}",
                self.meta.name, self.meta.limits.deadline
            ))
        };
        // The uncontended path (a free slot, a warm instance) arms no timer.
        let slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            Err(TryAcquireError::Closed) => return Err(HandlerError::unable_to_comply("plugin unloaded")),
            Err(TryAcquireError::NoPermits) => {
                match tokio::time::timeout_at(by, self.slots.acquire()).await {
                    Ok(Ok(slot)) => slot,
                    Ok(Err(_)) => return Err(HandlerError::unable_to_comply("plugin unloaded")),
                    Err(_) => return Err(busy("waiting for a free instance")),
                }
            }
        };
        let warm = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(w) = warm {
            return Ok((slot, w));
        }
        match tokio::time::timeout_at(by, self.instantiate()).await {
            Ok(Ok(w)) => Ok((slot, w)),
            Ok(Err(e)) => {
                tracing::warn!(plugin = %self.meta.name, error = %format!("{e:#}"), "cannot instantiate plugin");
                Err(HandlerError::unable_to_comply(format!(
                    "plugin {} cannot be instantiated",
                    self.meta.name
                )))
            }
            Err(_) => Err(busy("instantiating")),
        }
    }

    fn prepare(&self, w: &mut Warm, arrived: Instant) -> anyhow::Result<()> {
        w.store.data_mut().begin_call(arrived);
        self.refuel(&mut w.store)?;
        // Slices of one tick (see the epoch callback in `instantiate`).
        w.store.set_epoch_deadline(1);
        Ok(())
    }

    /// After every call, even a failed one: a flood of log lines is reported.
    fn after_call(&self, w: &Warm) {
        if w.store.data().log_dropped {
            self.meta.report_dropped_logs();
        }
    }

    fn classify(&self, w: &Warm, e: &wasmtime::Error) -> Failure {
        if w.store.data().memory_exceeded {
            return Failure::Memory;
        }
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Failure::Deadline,
            Some(Trap::OutOfFuel) => Failure::Fuel,
            _ => Failure::Trap(format!("{e:#}")),
        }
    }

    fn overrun_reason(&self, o: Overrun) -> String {
        match o {
            Overrun::Deadline => format!("deadline of {:?} exceeded", self.meta.limits.deadline),
            Overrun::Timeout => {
                format!("timeout of {:?} (host calls included) exceeded", self.meta.limits.timeout)
            }
        }
    }

    /// Counts and logs a failed call; the instance is dropped by the caller.
    fn record_failure(&self, f: &Failure, what: &str) -> HandlerError {
        let c = &self.meta.counters;
        Counters::bump(&c.traps);
        let reason = match f {
            Failure::Deadline => {
                Counters::bump(&c.deadline_exceeded);
                self.overrun_reason(Overrun::Deadline)
            }
            Failure::Timeout => {
                Counters::bump(&c.timed_out);
                self.overrun_reason(Overrun::Timeout)
            }
            Failure::Memory => {
                Counters::bump(&c.memory_exceeded);
                format!("memory limit of {} MiB exceeded", self.meta.limits.memory_bytes >> 20)
            }
            Failure::Fuel => "fuel exhausted".to_string(),
            Failure::Trap(t) => format!("trapped: {t}"),
        };
        tracing::warn!(plugin = %self.meta.name, call = what, %reason, "plugin call failed; instance discarded");
        HandlerError::unable_to_comply(format!("plugin {}: {reason}", self.meta.name))
    }

    /// Runs `handle` for one request and checks that what comes back is an answer to it.
    /// Exactly one outcome within the plugin's limits: an overrun is answered 5012 and
    /// the instance, dropped wherever it was, is never used again.
    pub async fn handle_request(&self, request: Bytes) -> Result<Bytes, HandlerError> {
        Counters::bump(&self.meta.counters.requests);
        let arrived = Instant::now();
        let (_slot, mut w) = self.acquire(arrived, "handle").await?;
        self.prepare(&mut w, arrived).map_err(|e| HandlerError::unable_to_comply(e.to_string()))?;
        let outcome = bounded(&w.clock, &self.meta.limits, w.app.call_handle(&mut w.store, &request)).await;
        self.after_call(&w);
        let answer = match outcome {
            Err(o) => return Err(self.record_failure(&Failure::from(o), "handle")),
            Ok(Err(e)) => {
                let f = self.classify(&w, &e);
                return Err(self.record_failure(&f, "handle"));
            }
            Ok(Ok(r)) => r,
        };
        let denied = w.store.data().denied;
        self.checkin(w);
        if let Some(import) = denied {
            // Fail closed: whatever the plugin answered, an ungranted call means 5012.
            Counters::bump(&self.meta.counters.plugin_errors);
            return Err(HandlerError::unable_to_comply(format!(
                "plugin {} called {import} without the capability",
                self.meta.name
            )));
        }
        match answer {
            Ok(bytes) => {
                check_answer(&request, &bytes, &self.services.identity).map_err(|why| {
                    Counters::bump(&self.meta.counters.plugin_errors);
                    tracing::warn!(plugin = %self.meta.name, why, "plugin returned an invalid answer");
                    HandlerError::unable_to_comply(format!(
                        "plugin {} returned an invalid answer",
                        self.meta.name
                    ))
                })?;
                Counters::bump(&self.meta.counters.answered);
                Ok(Bytes::from(bytes))
            }
            Err(he) => {
                Counters::bump(&self.meta.counters.plugin_errors);
                Err(HandlerError { result_code: he.result_code, reason: he.message })
            }
        }
    }

    /// Tells the plugin about a subscriber change, within the same limits as a request.
    pub async fn notify(&self, event: SubscriberEvent) -> Result<String, String> {
        let arrived = Instant::now();
        let (_slot, mut w) = self.acquire(arrived, "notify").await.map_err(|e| e.reason)?;
        self.prepare(&mut w, arrived).map_err(|e| e.to_string())?;
        let outcome = bounded(&w.clock, &self.meta.limits, w.app.call_notify(&mut w.store, &event)).await;
        self.after_call(&w);
        match outcome {
            Ok(Ok(r)) => {
                self.checkin(w);
                r
            }
            Ok(Err(e)) => {
                let f = self.classify(&w, &e);
                Err(self.record_failure(&f, "notify").reason)
            }
            Err(o) => Err(self.record_failure(&Failure::from(o), "notify").reason),
        }
    }
}

/// The instant by which a call that arrived at `arrived` must have an instance.
fn own_deadline(arrived: Instant, limits: &Limits) -> tokio::time::Instant {
    (arrived + limits.deadline + WATCHDOG_SLACK).into()
}

/// Routes the plugin's commands to it.
pub struct PluginHandler(pub Arc<LoadedPlugin>);

impl Handler for PluginHandler {
    fn handle(&self, _ctx: RequestContext, request: Bytes) -> HandlerFuture {
        let p = self.0.clone();
        Box::pin(async move { p.handle_request(request).await })
    }
}
