//! A request's body must arrive within `[api] body_read_timeout` of its headers.
//! hyper bounds only the headers (`header_read_timeout`); a client that announces a
//! body and then sends a byte now and then would hold its connection, one of
//! `max_connections`, for as long as it liked. The deadline is for the whole body, not
//! between reads, so trickling does not extend it. Past it the request is answered
//! 408 (RFC 9110 15.5.9) and hyper closes the connection, since the body was not read
//! to its end.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONNECTION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use serde_json::json;
use tokio::time::{Instant, Sleep, sleep_until};

/// The deadline, as the middleware's state.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
struct TooSlow(Duration);

/// A body that fails once its deadline has passed.
struct Deadlined {
    inner: Body,
    sleep: Pin<Box<Sleep>>,
    limit: Duration,
    expired: Arc<AtomicBool>,
}

impl HttpBody for Deadlined {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        // Data already here is taken even at the deadline; only a wait is cut short.
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(TooSlow(self.limit)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Middleware: gives the request's body its deadline, and turns the handler's answer to
/// a body cut short into 408.
pub async fn body_deadline(
    State(BodyDeadline(limit)): State<BodyDeadline>,
    req: Request,
    next: Next,
) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let expired = Arc::new(AtomicBool::new(false));
    let sleep = Box::pin(sleep_until(Instant::now() + limit));
    let flag = expired.clone();
    let req = req.map(|inner| Body::new(Deadlined { inner, sleep, limit, expired: flag }));
    let response = next.run(req).await;
    if !expired.load(Ordering::Relaxed) {
        return response;
    }
    tracing::info!(?limit, "request refused: body not received in time");
    let reason =
        format!("the request body did not arrive within {} s (api.body_read_timeout)", limit.as_secs_f64());
    (StatusCode::REQUEST_TIMEOUT, [(CONNECTION, "close")], axum::Json(json!({ "error": reason })))
        .into_response()
}
