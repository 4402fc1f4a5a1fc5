//! Listening for peers, dialling configured peers, and the graceful stop: on shutdown
//! every connection says DPR, finishes what is in flight (bounded), and closes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

use super::connection::{self, CloseReason, Node, Role, disconnect_cause};

/// A peer we dial and keep connected.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub host: String,
    pub connect: SocketAddr,
}

/// Binds every listen address before anything else starts, so a port in use stops
/// start-up with a clear error.
pub async fn bind(addrs: &[SocketAddr]) -> std::io::Result<Vec<TcpListener>> {
    let mut out = Vec::new();
    for a in addrs {
        let l = TcpListener::bind(a)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen for Diameter on {a}: {e}")))?;
        out.push(l);
    }
    Ok(out)
}

/// Serves until `shutdown` is cancelled, then waits for every connection to finish
/// its DPR exchange.
pub async fn run(
    listeners: Vec<TcpListener>,
    outbound: Vec<Outbound>,
    node: Arc<Node>,
    shutdown: CancellationToken,
) {
    let tasks = TaskTracker::new();
    for l in listeners {
        tasks.spawn(accept_loop(l, node.clone(), shutdown.clone(), tasks.clone()));
    }
    for o in outbound {
        tasks.spawn(dial_loop(o, node.clone(), shutdown.clone()));
    }
    shutdown.cancelled().await;
    tasks.close();
    // Each connection bounds its own DPR and in-flight waits; this bound is a backstop.
    let bound = node.settings.shutdown_grace * 2 + Duration::from_secs(3);
    if tokio::time::timeout(bound, tasks.wait()).await.is_err() {
        warn!("some connections did not close in time");
    }
}

async fn accept_loop(
    listener: TcpListener,
    node: Arc<Node>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
) {
    let addr = listener.local_addr().ok();
    loop {
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    warn!(error = %e, ?addr, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => return,
        };
        info!(%remote, "connection accepted");
        tasks.spawn(connection::run(stream, Role::Responder, node.clone(), None, shutdown.clone()));
    }
}

/// Dials a configured peer and re-dials with exponential backoff (1 s to 30 s) while the
/// node runs. A peer that said DO_NOT_WANT_TO_TALK_TO_YOU is left alone for the longest
/// backoff (RFC 6733 5.4.3).
async fn dial_loop(peer: Outbound, node: Arc<Node>, shutdown: CancellationToken) {
    let mut backoff = Duration::from_secs(1);
    let max = Duration::from_secs(30);
    while !shutdown.is_cancelled() {
        if node.peers.is_connected(&peer.host) {
            // The peer connected to us first; check again later.
            sleep_or_stop(Duration::from_secs(5), &shutdown).await;
            continue;
        }
        let reason =
            match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(peer.connect)).await {
                Ok(Ok(stream)) => {
                    info!(host = %peer.host, addr = %peer.connect, "connected to peer");
                    let apps = node.router.load().applications().collect();
                    let role = Role::Initiator { applications: apps, expect_host: Some(peer.host.clone()) };
                    let r = connection::run(stream, role, node.clone(), None, shutdown.clone()).await;
                    if !matches!(r, CloseReason::Rejected(_)) {
                        backoff = Duration::from_secs(1);
                    }
                    Some(r)
                }
                Ok(Err(e)) => {
                    warn!(host = %peer.host, addr = %peer.connect, error = %e, "cannot connect to peer");
                    None
                }
                Err(_) => {
                    warn!(host = %peer.host, addr = %peer.connect, "connect timed out");
                    None
                }
            };
        let wait = if reason
            == Some(CloseReason::Disconnected(Some(disconnect_cause::DO_NOT_WANT_TO_TALK_TO_YOU)))
        {
            max
        } else {
            backoff
        };
        sleep_or_stop(wait, &shutdown).await;
        backoff = (backoff * 2).min(max);
    }
}

async fn sleep_or_stop(d: Duration, shutdown: &CancellationToken) {
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = shutdown.cancelled() => {}
    }
}
