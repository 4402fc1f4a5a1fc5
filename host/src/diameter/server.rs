//! Listening for peers, dialling configured peers, and the graceful stop: on shutdown
//! every connection says DPR, finishes what is in flight (bounded), and closes.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let limits = Arc::new(ConnectionLimits::new(
        node.settings.max_connections,
        node.settings.max_connections_per_address,
    ));
    for l in listeners {
        tasks.spawn(accept_loop(l, node.clone(), limits.clone(), shutdown.clone(), tasks.clone()));
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
    limits: Arc<ConnectionLimits>,
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
        let slot = match limits.admit(remote.ip()) {
            Ok(slot) => slot,
            Err(refusal) => {
                // Closed before anything is read: the peer is not known yet, so there is
                // no CER to answer (RFC 6733 5.3), and a connection over the limit gets
                // no buffer, task or timer.
                drop(stream);
                limits.warn_refused(remote, refusal);
                continue;
            }
        };
        info!(%remote, "connection accepted");
        let (node, shutdown) = (node.clone(), shutdown.clone());
        tasks.spawn(async move {
            connection::run(stream, Role::Responder, node, None, shutdown).await;
            drop(slot);
        });
    }
}

/// Caps on accepted connections, counted from accept to close (so those that have not
/// sent their CER yet count too): in total, and per remote IP address. Without them a
/// host could open connections until the node runs out of file descriptors or memory
/// before anyone is authenticated.
pub struct ConnectionLimits {
    max_total: usize,
    max_per_address: usize,
    open: Mutex<OpenConnections>,
    /// When a refusal was last logged (ms since `started`), so a flood logs once a second.
    last_warned_ms: AtomicU64,
    started: Instant,
}

#[derive(Default)]
struct OpenConnections {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Which limit refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Total,
    PerAddress,
}

/// One admitted connection; dropping it frees the place.
pub struct Slot {
    limits: Arc<ConnectionLimits>,
    ip: IpAddr,
}

impl ConnectionLimits {
    pub fn new(max_total: usize, max_per_address: usize) -> Self {
        ConnectionLimits {
            max_total,
            max_per_address,
            open: Mutex::new(OpenConnections::default()),
            last_warned_ms: AtomicU64::new(u64::MAX),
            started: Instant::now(),
        }
    }

    /// Takes a place for a connection from `ip`, or says which limit is reached.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
        let ip = counted_as(ip);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.total >= self.max_total {
            return Err(Refusal::Total);
        }
        let n = open.by_address.entry(ip).or_insert(0);
        if *n >= self.max_per_address {
            return Err(Refusal::PerAddress);
        }
        *n += 1;
        open.total += 1;
        Ok(Slot { limits: self.clone(), ip })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    fn release(&self, ip: IpAddr) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&ip);
            }
        }
    }

    /// Logs a refusal, at most once a second.
    fn warn_refused(&self, remote: SocketAddr, refusal: Refusal) {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_warned_ms.load(Ordering::Relaxed);
        if (last != u64::MAX && now.saturating_sub(last) < 1000)
            || self.last_warned_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let (limit, max) = match refusal {
            Refusal::Total => ("diameter.max_connections", self.max_total),
            Refusal::PerAddress => ("diameter.max_connections_per_address", self.max_per_address),
        };
        warn!(%remote, limit, max, "connection refused: limit reached (further refusals within 1 s not logged)");
    }
}

/// The address a connection counts against. An IPv4 peer reaching a dual-stack socket
/// shows as ::ffff:a.b.c.d and counts as the IPv4 address it is. An IPv6 host is
/// usually given a whole /64 (RFC 7421) and can pick a new address in it for every
/// connection, so IPv6 addresses count by their /64.
fn counted_as(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.limits.release(self.ip);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_count_by_their_slash_64_and_mapped_ipv4_as_ipv4() {
        let limits = Arc::new(ConnectionLimits::new(100, 2));
        let a = limits.admit(ip("2001:db8:1:2::1")).unwrap();
        let _b = limits.admit(ip("2001:db8:1:2:ffff::9")).unwrap();
        assert_eq!(limits.admit(ip("2001:db8:1:2:abcd::1")).err(), Some(Refusal::PerAddress));
        // Another /64 is another host.
        let _c = limits.admit(ip("2001:db8:1:3::1")).unwrap();
        drop(a);
        let _d = limits.admit(ip("2001:db8:1:2::7")).unwrap();

        let _e = limits.admit(ip("192.0.2.1")).unwrap();
        let _f = limits.admit(ip("::ffff:192.0.2.1")).unwrap();
        assert_eq!(limits.admit(ip("192.0.2.1")).err(), Some(Refusal::PerAddress));
        assert_eq!(limits.open(), 5);
    }

    #[test]
    fn the_total_is_capped_and_freed_on_drop() {
        let limits = Arc::new(ConnectionLimits::new(2, 10));
        let a = limits.admit(ip("192.0.2.1")).unwrap();
        let _b = limits.admit(ip("192.0.2.2")).unwrap();
        assert_eq!(limits.admit(ip("192.0.2.3")).err(), Some(Refusal::Total));
        drop(a);
        assert!(limits.admit(ip("192.0.2.3")).is_ok());
    }
}
