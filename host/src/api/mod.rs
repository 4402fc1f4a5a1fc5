//! The operator's HTTP API: health, peers, plugins and subscriber provisioning
//! ([`subscribers`]); metrics join here as they land. Errors are JSON
//! `{ "error": reason }` with a 4xx/5xx (plus `"field"` for a 400 about one field).
//!
//! Every request, to any route (and to none), first passes [`guard`]: its `Host`,
//! `Origin` and `Content-Type` must not be what a web page could have sent (DNS
//! rebinding, cross-site requests). Then access control ([`auth`]): with a token
//! configured, every `/api/v1` route but `/api/v1/health` requires `Authorization:
//! Bearer <token>` (RFC 6750); health stays open for probes and reports whether the
//! store answers ([`health`]). [`server`] serves it all with bounds on slow and
//! numerous connections.

pub mod auth;
pub mod body_deadline;
pub mod guard;
pub mod health;
pub mod provision;
pub mod server;
pub mod subscribers;

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde_json::json;

use self::auth::BearerAuth;
use self::guard::RequestGuard;
use self::health::{HealthState, StoreProbe};
use crate::diameter::connection::Node;
use crate::store::StoreHandle;

#[derive(Clone)]
pub struct ApiState {
    pub node: Arc<Node>,
    pub plugins: Arc<crate::app::Plugins>,
}

/// What the API serves beyond the node's own status.
#[derive(Clone)]
pub struct ApiOptions {
    /// The subscriber store: mounts `/api/v1/subscribers` when given.
    pub store: Option<StoreHandle>,
    /// The bearer token every route but health requires (`[api] token`).
    pub token: Option<String>,
    /// The `Host` and `Origin` values accepted (`[api] allowed_hosts`, `allowed_origins`).
    pub guard: RequestGuard,
    /// How long a request's body may take to arrive (`[api] body_read_timeout`).
    pub body_read_timeout: std::time::Duration,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            store: None,
            token: None,
            guard: RequestGuard::default(),
            body_read_timeout: crate::config::DEFAULT_API_BODY_READ_TIMEOUT,
        }
    }
}

impl std::fmt::Debug for ApiOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiOptions")
            .field("store", &self.store)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("guard", &self.guard)
            .field("body_read_timeout", &self.body_read_timeout)
            .finish()
    }
}

/// The API without subscribers and without access control.
pub fn router(state: ApiState) -> Router {
    router_with(state, ApiOptions::default())
}

pub fn router_with(state: ApiState, options: ApiOptions) -> Router {
    let mut protected = Router::new()
        .route("/api/v1/peers", get(peers))
        .route("/api/v1/plugins", get(plugins))
        .route("/api/v1/plugins/reload", post(reload_plugins))
        .with_state(state.clone());
    let bearer = BearerAuth::new(options.token.as_deref());
    let probe =
        options.store.clone().map(|store| Arc::new(StoreProbe::new(store, health::STORE_PROBE_TIMEOUT)));
    if let Some(store) = options.store {
        let events = subscribers::Events(Some(state.plugins.clone()));
        protected = protected.merge(subscribers::routes(subscribers::SubscribersState { store, events }));
    }
    health::routes(HealthState { api: state, probe, auth: bearer.clone() })
        .merge(protected.route_layer(middleware::from_fn_with_state(bearer, auth::require_bearer)))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            body_deadline::BodyDeadline(options.body_read_timeout),
            body_deadline::body_deadline,
        ))
        // Outermost, so that it runs first and for every route, the fallback included.
        .layer(middleware::from_fn_with_state(options.guard, guard::guard))
}

/// A JSON error body with its status.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such endpoint".into())
}

async fn peers(State(s): State<ApiState>) -> Json<serde_json::Value> {
    let list: Vec<_> = s
        .node
        .peers
        .all()
        .into_iter()
        .map(|h| {
            let i = h.info();
            json!({
                "origin_host": i.origin_host,
                "origin_realm": i.origin_realm,
                "remote": i.remote.to_string(),
                "product_name": i.caps.product_name,
                "applications": i.applications.iter().map(|a| a.id).collect::<Vec<_>>(),
                "connected_at": i.connected_at.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
                "outstanding_requests": h.outstanding(),
            })
        })
        .collect();
    Json(json!({ "peers": list }))
}

async fn plugins(State(s): State<ApiState>) -> Json<serde_json::Value> {
    Json(json!({ "plugins": s.plugins.runtime.status() }))
}

/// Reloads plugins; 200 with the report, or 422 when the configuration cannot be read
/// (nothing changes then).
async fn reload_plugins(State(s): State<ApiState>) -> Result<Json<serde_json::Value>, ApiError> {
    match s.plugins.reload().await {
        Ok(r) => Ok(Json(serde_json::to_value(r).unwrap_or_default())),
        Err(e) => Err(ApiError(StatusCode::UNPROCESSABLE_ENTITY, format!("{e:#}"))),
    }
}
