//! Serving the API's router over HTTP/1.1 with bounds on what a client can hold: how
//! long it may take to send a request's headers, and how many connections are served
//! at once. `axum::serve` has neither (hyper's header timeout needs a timer it does not
//! set), so a client could keep any number of connections open by sending nothing, or
//! a byte now and then.
//!
//! Beyond `max_connections`, the accept loop stops accepting until a connection closes:
//! new connections wait in the kernel's listen backlog rather than being refused, so a
//! burst of legitimate clients is served late, not failed, while slow clients each give
//! their place up after `header_read_timeout` at most.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{debug, error, warn};

/// See `[api]` in the configuration.
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// hyper's HTTP/1 header read timeout: from the moment it waits for a request (a new
    /// connection, or an idle keep-alive one) until the request's headers are complete.
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// On shutdown, how long requests in progress may take before their connections
    /// are dropped.
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `shutdown`, then stops accepting, lets requests in
/// progress finish (closing idle connections at once) for up to `shutdown_grace`.
pub async fn serve(listener: TcpListener, app: Router, limits: ServeLimits, shutdown: CancellationToken) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        // A slot first, then the connection: while all slots are taken, new connections
        // queue in the backlog instead of being accepted and held.
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
            _ = shutdown.cancelled() => break,
        };
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let conn = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone())));
        connections.spawn(async move {
            if let Err(e) = conn.await {
                // Header timeouts, resets, malformed requests: the client's doing.
                debug!(%remote, error = %e, "API connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        warn!(grace = ?limits.shutdown_grace, "API connections still busy at shutdown were dropped");
    }
    connections.shutdown().await;
}

/// An accept error: one about the connection itself is the client's; anything else
/// (EMFILE, ENFILE, ENOBUFS) would fail again at once, so wait a moment first, as
/// hyper's and axum's accept loops do.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(e.kind(), ConnectionAborted | ConnectionReset | ConnectionRefused) {
        return;
    }
    error!(error = %e, "cannot accept an API connection");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
