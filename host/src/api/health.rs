//! `GET /api/v1/health`: whether this node can serve, for load balancers and liveness
//! probes. It asks the store for one subscriber (a cheap read on every backend, unlike
//! a count, which sled answers by a scan) within [`STORE_PROBE_TIMEOUT`]; 200 when the
//! store answered, 503 `{"status": "unavailable", "store": reason}` (RFC 9110 15.6.4)
//! when it failed or did not answer in time.
//!
//! Health needs no token, so the reason a stranger sees is only the kind of failure;
//! with no token configured or a valid one sent, it is the store's own message (which
//! may name the database's address). The server log has it either way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use plughss_plugin_api::store::StoreError;
use serde_json::json;

use super::ApiState;
use super::auth::BearerAuth;
use crate::store::StoreHandle;

/// How long health waits for the store. Probes are usually polled every few seconds
/// with a timeout of their own; a store slower than this is as good as down to them.
pub const STORE_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What `/api/v1/health` needs.
#[derive(Clone)]
pub struct HealthState {
    pub api: ApiState,
    pub probe: Option<Arc<StoreProbe>>,
    /// Decides who sees the store's own reason (see the module documentation).
    pub auth: BearerAuth,
}

pub fn routes(state: HealthState) -> Router {
    Router::new().route("/api/v1/health", get(health)).with_state(state)
}

/// A store round trip's outcome: the full reason, and the kind for strangers.
type Outcome = Result<(), (String, &'static str)>;

/// Probes the store, at most one round trip at a time: a store operation cannot be
/// cancelled (it runs to its end on the blocking pool, see [`StoreHandle`]), so health
/// polled often while the store hangs joins the probe in flight rather than taking
/// another blocking thread each time.
pub struct StoreProbe {
    store: StoreHandle,
    timeout: Duration,
    in_flight: Mutex<Option<InFlight>>,
    /// Whether the last probe failed, to log the change rather than every probe.
    failing: AtomicBool,
}

struct InFlight {
    outcome: Shared<BoxFuture<'static, Outcome>>,
    done: Arc<AtomicBool>,
}

impl StoreProbe {
    pub fn new(store: StoreHandle, timeout: Duration) -> Self {
        StoreProbe { store, timeout, in_flight: Mutex::new(None), failing: AtomicBool::new(false) }
    }

    /// Ok when the store answered within the timeout.
    async fn check(&self) -> Outcome {
        let outcome = {
            let mut slot = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            match &*slot {
                Some(p) if !p.done.load(Ordering::Acquire) => p.outcome.clone(),
                _ => {
                    let p = self.start();
                    let outcome = p.outcome.clone();
                    *slot = Some(p);
                    outcome
                }
            }
        };
        let result = match tokio::time::timeout(self.timeout, outcome).await {
            Ok(r) => r,
            Err(_) => Err((format!("the store did not answer within {:?}", self.timeout), "timeout")),
        };
        let was_failing = self.failing.swap(result.is_err(), Ordering::Relaxed);
        match &result {
            Err((reason, _)) if !was_failing => tracing::warn!(%reason, "health: the store does not answer"),
            Ok(()) if was_failing => tracing::info!("health: the store answers again"),
            _ => {}
        }
        result
    }

    fn start(&self) -> InFlight {
        let store = self.store.clone();
        let done = Arc::new(AtomicBool::new(false));
        let finished = done.clone();
        // Spawned, so the read completes (and `done` is set) even when every caller
        // has stopped waiting for it.
        let task = tokio::spawn(async move {
            let r = store.list(None, 1).await.map(drop).map_err(|e| {
                let kind = match e {
                    StoreError::Unavailable(_) => "unavailable",
                    _ => "error",
                };
                (e.to_string(), kind)
            });
            finished.store(true, Ordering::Release);
            r
        });
        let outcome =
            async move { task.await.unwrap_or_else(|e| Err((format!("store probe failed: {e}"), "error"))) }
                .boxed()
                .shared();
        InFlight { outcome, done }
    }
}

async fn health(State(s): State<HealthState>, headers: HeaderMap) -> Response {
    let node = &s.api.node;
    let mut body = json!({
        "status": "ok",
        "origin_host": node.local.origin_host,
        "origin_realm": node.local.origin_realm,
        "version": env!("CARGO_PKG_VERSION"),
        "applications": node.router.load().applications().map(|a| a.id).collect::<Vec<_>>(),
    });
    let Some(probe) = &s.probe else { return Json(body).into_response() };
    match probe.check().await {
        Ok(()) => {
            body["store"] = json!("ok");
            Json(body).into_response()
        }
        Err((reason, kind)) => {
            let trusted = s.auth.check(headers.get(AUTHORIZATION)).is_ok();
            body["status"] = json!("unavailable");
            body["store"] = json!(if trusted { reason } else { format!("store {kind}") });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
