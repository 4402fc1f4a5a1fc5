//! Subscriber provisioning over REST:
//!
//! | route | success | errors |
//! |---|---|---|
//! | `POST /api/v1/subscribers` | 201 + `Location`, the document | 400, 409 |
//! | `GET /api/v1/subscribers?limit=N&after=IMSI` | 200 `{subscribers, next}` | 400 |
//! | `POST /api/v1/subscribers/import` (JSON array, create-or-replace) | 200 `{imported}` | 400, 413 |
//! | `GET /api/v1/subscribers/{imsi}` | 200, the document | 400, 404 |
//! | `PUT /api/v1/subscribers/{imsi}` (replace; absent keys kept) | 200 | 400, 404 |
//! | `PATCH /api/v1/subscribers/{imsi}` (RFC 7396 merge patch) | 200 | 400, 404 |
//! | `DELETE /api/v1/subscribers/{imsi}` | 204 | 400, 404 |
//!
//! Documents are described in [`super::provision`]. Errors are JSON
//! `{"error": reason, "field": name}` (`field` for 400s about one field). K, OP, OPc and
//! the digest HA1 are write-only: no response and no log line carries them; logs name
//! the IMSI and the operation only.

use axum::extract::rejection::{BytesRejection, QueryRejection};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRef, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use plughss_plugin_api::store::{PutMode, StoreError};
use plughss_plugin_api::subscriber::{FieldError, Subscriber, validate_imsi};
use serde_json::{Value, json};
use tracing::info;

use super::provision::{self, security_info};
use crate::runtime::bindings::plughss::plugin::events::{ProfileChange, SubscriberEvent};
use crate::runtime::bindings::plughss::plugin::subscribers::ServingNode;
use crate::store::StoreHandle;

/// Documents per import request; more is 413.
pub const MAX_IMPORT: usize = 10_000;
/// Body size of an import request (10,000 documents of up to ~3 KiB each).
pub const MAX_IMPORT_BYTES: usize = 32 << 20;
/// Page size of a listing without `limit`, and the largest `limit`.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

/// Why a provisioning request failed; each variant has one status.
#[derive(Debug, thiserror::Error)]
pub enum SubscriberError {
    /// 400 naming the field.
    #[error("{0}")]
    Field(#[from] FieldError),
    /// 400: the body is not JSON.
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("subscriber {0} not found")]
    NotFound(String),
    #[error("subscriber {0} already exists")]
    Conflict(String),
    /// 413.
    #[error("too many subscribers in one import: {0}, at most {MAX_IMPORT} per request")]
    TooMany(usize),
    /// The body could not be read (413 when over the size limit).
    #[error("{1}")]
    Body(StatusCode, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SubscriberError {
    fn status(&self) -> StatusCode {
        match self {
            SubscriberError::Field(_) | SubscriberError::Json(_) => StatusCode::BAD_REQUEST,
            SubscriberError::NotFound(_) => StatusCode::NOT_FOUND,
            SubscriberError::Conflict(_) => StatusCode::CONFLICT,
            SubscriberError::TooMany(_) => StatusCode::PAYLOAD_TOO_LARGE,
            SubscriberError::Body(s, _) => *s,
            SubscriberError::Store(e) => match e {
                StoreError::NotFound => StatusCode::NOT_FOUND,
                StoreError::Conflict => StatusCode::CONFLICT,
                StoreError::Invalid { .. } => StatusCode::BAD_REQUEST,
                StoreError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                StoreError::Unsupported => StatusCode::NOT_IMPLEMENTED,
                StoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            SubscriberError::Field(f) => Some(&f.field),
            SubscriberError::Store(StoreError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    /// A store error about one subscriber, with `NotFound`/`Conflict` naming it.
    fn about(imsi: &str) -> impl FnOnce(StoreError) -> SubscriberError + '_ {
        move |e| match e {
            StoreError::NotFound => SubscriberError::NotFound(imsi.to_string()),
            StoreError::Conflict => SubscriberError::Conflict(imsi.to_string()),
            e => SubscriberError::Store(e),
        }
    }
}

impl IntoResponse for SubscriberError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(error = %self, "subscriber request failed");
        }
        let body = match self.field() {
            Some(f) => json!({ "error": self.to_string(), "field": f }),
            None => json!({ "error": self.to_string() }),
        };
        (status, Json(body)).into_response()
    }
}

type Result<T> = std::result::Result<T, SubscriberError>;

/// Tells the application plugins about subscriber changes, so they can run the
/// HSS-initiated procedures (S6a IDR on a change, CLR on delete or cancel-location).
#[derive(Clone, Default)]
pub struct Events(pub Option<Arc<crate::app::Plugins>>);

impl Events {
    /// The profile of `imsi` changed; `previous` is how it was before.
    fn updated(&self, imsi: &str, previous: &Subscriber) {
        let change =
            ProfileChange { imsi: imsi.to_owned(), previous: crate::runtime::profile::to_wit(previous) };
        self.fire(SubscriberEvent::Updated(change));
    }

    /// Fire and forget: the API answers without waiting for the peers.
    fn fire(&self, event: SubscriberEvent) {
        if let Some(p) = self.0.clone() {
            tokio::spawn(async move {
                for (plugin, r) in p.runtime.notify_all(event).await {
                    match r {
                        Ok(report) => info!(plugin, report, "subscriber event handled"),
                        Err(e) => tracing::warn!(plugin, error = e, "subscriber event failed"),
                    }
                }
            });
        }
    }
}

#[derive(Clone)]
pub struct SubscribersState {
    pub store: StoreHandle,
    pub events: Events,
}

impl FromRef<SubscribersState> for StoreHandle {
    fn from_ref(s: &SubscribersState) -> StoreHandle {
        s.store.clone()
    }
}

impl FromRef<SubscribersState> for Events {
    fn from_ref(s: &SubscribersState) -> Events {
        s.events.clone()
    }
}

/// The subscriber routes, ready to merge into the API router.
pub fn routes(state: SubscribersState) -> Router {
    Router::new()
        .route("/api/v1/subscribers", get(list).post(create))
        .route("/api/v1/subscribers/import", post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/api/v1/subscribers/{imsi}", get(read).put(replace).patch(patch).delete(remove))
        .route("/api/v1/subscribers/{imsi}/cancel-location", post(cancel_location))
        .with_state(state)
}

/// Asks the plugins to cancel the subscriber's location (S6a: CLR with
/// SUBSCRIPTION_WITHDRAWAL to the serving MME) and reports what each did.
async fn cancel_location(
    State(store): State<StoreHandle>,
    State(events): State<Events>,
    Path(imsi): Path<String>,
) -> Result<Json<Value>> {
    path_imsi(&imsi)?;
    store.get(&imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.clone()))?;
    let mut reports = Vec::new();
    if let Some(p) = &events.0 {
        for (plugin, r) in p.runtime.notify_all(SubscriberEvent::CancelLocation(imsi.clone())).await {
            reports.push(match r {
                Ok(report) => json!({ "plugin": plugin, "report": report }),
                Err(e) => json!({ "plugin": plugin, "error": e }),
            });
        }
    }
    info!(imsi = %imsi, "cancel-location requested");
    Ok(Json(json!({ "imsi": imsi, "reports": reports })))
}

/// The body as JSON, with a JSON error (axum's own rejections are plain text).
fn json_body(body: std::result::Result<Bytes, BytesRejection>) -> Result<Value> {
    let bytes = body.map_err(|r| SubscriberError::Body(r.status(), r.body_text()))?;
    serde_json::from_slice(&bytes).map_err(|e| SubscriberError::Json(e.to_string()))
}

fn path_imsi(imsi: &str) -> Result<()> {
    Ok(validate_imsi(imsi)?)
}

async fn create(
    State(store): State<StoreHandle>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Response> {
    let doc = json_body(body)?;
    let (sub, auth) = provision::parse_new(&doc)?;
    let imsi = sub.imsi.clone();
    store.put(sub.clone(), Some(auth), PutMode::Create).await.map_err(SubscriberError::about(&imsi))?;
    info!(imsi = %imsi, "subscriber created");
    let location = format!("/api/v1/subscribers/{imsi}");
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(provision::render(&sub))).into_response())
}

async fn read(State(store): State<StoreHandle>, Path(imsi): Path<String>) -> Result<Json<Value>> {
    path_imsi(&imsi)?;
    let sub = store.get(&imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.clone()))?;
    Ok(Json(provision::render(&sub)))
}

/// `limit` (1..=1000, default 100) and `after` (an IMSI: the `next` of the previous
/// page). `next` is set when more subscribers follow.
async fn list(
    State(store): State<StoreHandle>,
    query: std::result::Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Value>> {
    let Query(params) = query.map_err(|r| SubscriberError::Body(StatusCode::BAD_REQUEST, r.body_text()))?;
    let mut limit = DEFAULT_LIMIT;
    let mut after = None;
    for (name, value) in &params {
        match name.as_str() {
            "limit" => {
                limit = value.parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    FieldError::new("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))
                })?;
            }
            "after" => {
                validate_imsi(value)
                    .map_err(|_| FieldError::new("after", "must be an IMSI (6 to 15 digits)"))?;
                after = Some(value.clone());
            }
            other => return Err(FieldError::new(other, "unknown query parameter (limit, after)").into()),
        }
    }
    let mut page: Vec<Subscriber> = store.list(after.as_deref(), limit + 1).await?;
    let next = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|s| s.imsi.clone())
    } else {
        None
    };
    let subscribers: Vec<Value> = page.iter().map(provision::render).collect();
    Ok(Json(json!({ "subscribers": subscribers, "next": next })))
}

/// Full replacement; keys not given are kept. The state fields are the store's to
/// keep ([`provision::StateFields`]); an SQN given is a floor, never a rollback
/// ([`PutMode::Update`]). The answer is the subscriber as stored afterwards.
async fn replace(
    State(store): State<StoreHandle>,
    State(events): State<Events>,
    Path(imsi): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    path_imsi(&imsi)?;
    let doc = json_body(body)?;
    let (mut sub, security, state) = provision::parse_replacement(&doc, &imsi)?;
    let current = store.get(&imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.clone()))?;
    state.check(Some(&current))?;
    let keys = new_keys(&store, &imsi, &security).await?;
    sub.security = keys.as_ref().map_or_else(|| current.security.clone(), security_info);
    store.put(sub, keys, PutMode::Update).await.map_err(SubscriberError::about(&imsi))?;
    info!(imsi = %imsi, keys_changed = !security.is_empty(), "subscriber replaced");
    events.updated(&imsi, &current);
    stored(&store, &imsi).await
}

/// The keys a write stores: the stored ones with `security` applied, or `None` (keep
/// them) when it changes nothing secret. Their SQN is the one read here or the one
/// given, either way only a floor for the store (never lower than a reservation made
/// meanwhile).
async fn new_keys(
    store: &StoreHandle,
    imsi: &str,
    security: &provision::SecurityPatch,
) -> Result<Option<plughss_plugin_api::subscriber::AuthData>> {
    if security.is_empty() {
        return Ok(None);
    }
    let mut auth = store.get_auth(imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.to_owned()))?;
    security.apply(&mut auth);
    Ok(Some(auth))
}

/// The subscriber as stored now, for the answer to a write.
async fn stored(store: &StoreHandle, imsi: &str) -> Result<Json<Value>> {
    let sub = store.get(imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.to_owned()))?;
    Ok(Json(provision::render(&sub)))
}

/// RFC 7396 merge patch of the document. Changes under `security` (and
/// `ims.digest_ha1`) go to the keys: read, modified, and written back with the profile,
/// the SQN only ever raised (as for `PUT`).
async fn patch(
    State(store): State<StoreHandle>,
    State(events): State<Events>,
    Path(imsi): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    path_imsi(&imsi)?;
    let doc = json_body(body)?;
    let patch = provision::parse_patch(&doc)?;
    let current = store.get(&imsi).await?.ok_or_else(|| SubscriberError::NotFound(imsi.clone()))?;
    patch.state.check(Some(&current))?;
    let mut sub = provision::patch_profile(&current, &patch, &imsi)?;
    let keys = new_keys(&store, &imsi, &patch.security).await?;
    if let Some(k) = &keys {
        sub.security = security_info(k);
    }
    let keys_changed = keys.is_some();
    store.put(sub, keys, PutMode::Update).await.map_err(SubscriberError::about(&imsi))?;
    info!(imsi = %imsi, keys_changed, "subscriber patched");
    events.updated(&imsi, &current);
    stored(&store, &imsi).await
}

async fn remove(
    State(store): State<StoreHandle>,
    State(events): State<Events>,
    Path(imsi): Path<String>,
) -> Result<StatusCode> {
    path_imsi(&imsi)?;
    // The serving MME is needed after the record is gone, for the CLR.
    let serving = store.get(&imsi).await?.map(|s| ServingNode {
        mme_host: s.mme_host,
        mme_realm: s.mme_realm,
        mme_timestamp: s.mme_timestamp,
        purge_flag: s.purge_flag,
    });
    if store.delete(&imsi).await? {
        info!(imsi = %imsi, "subscriber deleted");
        if let Some(node) = serving {
            events.fire(SubscriberEvent::Deleted((imsi.clone(), node)));
        }
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(SubscriberError::NotFound(imsi))
    }
}

/// Bulk create-or-replace of up to [`MAX_IMPORT`] documents, all or nothing: a bad
/// document rejects the request naming it (`[index].field`) before anything is written.
/// An existing subscriber keeps its state and its SQN never goes back (see
/// [`plughss_plugin_api::store::Store::put_many`]); state fields in the documents are
/// ignored.
async fn import(
    State(store): State<StoreHandle>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    let doc = json_body(body)?;
    let Value::Array(docs) = doc else {
        return Err(FieldError::new("", "the body must be a JSON array of subscriber documents").into());
    };
    if docs.len() > MAX_IMPORT {
        return Err(SubscriberError::TooMany(docs.len()));
    }
    let mut subs = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let parsed = provision::parse_import(d).map_err(|e| {
            let field = if e.field.is_empty() { format!("[{i}]") } else { format!("[{i}].{}", e.field) };
            FieldError { field, reason: e.reason }
        })?;
        subs.push(parsed);
    }
    let n = subs.len();
    if n > 0 {
        store.put_many(subs).await?;
    }
    info!(count = n, "subscribers imported");
    Ok(Json(json!({ "imported": n })))
}
