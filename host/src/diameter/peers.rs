//! Open peer connections by Origin-Host, and the handle through which the host (and the
//! client) originates requests on a connection and awaits their answers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::capabilities::PeerCapabilities;
use super::pending::{EndToEnd, Pending};
use super::router::Application;

/// A peer with an open connection, as learned in the capabilities exchange.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    pub connection_id: u64,
    pub origin_host: String,
    pub origin_realm: String,
    pub remote: SocketAddr,
    pub caps: PeerCapabilities,
    /// Applications both sides support on this connection.
    pub applications: Vec<Application>,
    pub connected_at: SystemTime,
    /// Configured as a relay or proxy (`relay = true`): its requests may carry another
    /// node's Origin-Host (RFC 6733 2.8).
    pub relay: bool,
}

impl PeerInfo {
    pub fn supports(&self, application_id: u32) -> bool {
        self.applications.iter().any(|a| a.id == application_id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("no open connection to peer {0}")]
    UnknownPeer(String),
    #[error("the connection closed before the answer arrived")]
    Closed,
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("not a Diameter request: {0}")]
    NotARequest(&'static str),
}

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

pub fn next_connection_id() -> u64 {
    NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed)
}

/// Sends on one open connection. Cheap to clone.
#[derive(Clone)]
pub struct PeerHandle {
    pub(crate) info: Arc<PeerInfo>,
    pub(crate) tx: mpsc::Sender<Bytes>,
    pub(crate) pending: Arc<Pending>,
    pub(crate) e2e: Arc<EndToEnd>,
    pub(crate) timeout: Duration,
    /// Cancel to ask the connection to disconnect with DPR.
    pub(crate) disconnect: CancellationToken,
    /// Cancelled by the connection when it has ended.
    pub(crate) closed: CancellationToken,
}

impl PeerHandle {
    pub fn info(&self) -> &Arc<PeerInfo> {
        &self.info
    }

    /// Sends a request (any Hop-by-Hop value; it is replaced) and awaits the answer
    /// within the configured request timeout. An End-to-End of 0 is replaced too.
    pub async fn request(&self, msg: Vec<u8>) -> Result<Bytes, RequestError> {
        self.request_within(msg, self.timeout).await
    }

    pub async fn request_within(&self, mut msg: Vec<u8>, timeout: Duration) -> Result<Bytes, RequestError> {
        if msg.len() < 20 {
            return Err(RequestError::NotARequest("shorter than a header"));
        }
        if msg[4] & 0x80 == 0 {
            return Err(RequestError::NotARequest("the R bit is clear"));
        }
        let (hbh, rx) = self.pending.register();
        msg[12..16].copy_from_slice(&hbh.to_be_bytes());
        if msg[16..20] == [0, 0, 0, 0] {
            msg[16..20].copy_from_slice(&self.e2e.next().to_be_bytes());
        }
        if self.tx.send(Bytes::from(msg)).await.is_err() {
            self.pending.cancel(hbh);
            return Err(RequestError::Closed);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(RequestError::Closed),
            Err(_) => {
                self.pending.cancel(hbh);
                Err(RequestError::Timeout(timeout))
            }
        }
    }

    /// Sends an already complete message (an answer, or a request whose answer the
    /// caller does not await) as is.
    pub async fn send_raw(&self, msg: Bytes) -> Result<(), RequestError> {
        self.tx.send(msg).await.map_err(|_| RequestError::Closed)
    }

    /// Asks the connection to say DPR and close.
    pub fn disconnect(&self) {
        self.disconnect.cancel();
    }

    /// Resolves when the connection has ended.
    pub async fn closed(&self) {
        self.closed.cancelled().await
    }

    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    /// Requests sent and not yet answered.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }
}

/// Every open connection, by the peer's Origin-Host.
#[derive(Default)]
pub struct PeerTable {
    by_host: RwLock<HashMap<String, PeerHandle>>,
}

impl PeerTable {
    pub fn insert(&self, handle: PeerHandle) -> Option<PeerHandle> {
        let host = handle.info.origin_host.clone();
        self.by_host.write().unwrap_or_else(|p| p.into_inner()).insert(host, handle)
    }

    /// Removes the entry for `host` only if it is still connection `connection_id`.
    pub fn remove(&self, host: &str, connection_id: u64) {
        let mut m = self.by_host.write().unwrap_or_else(|p| p.into_inner());
        if m.get(host).is_some_and(|h| h.info.connection_id == connection_id) {
            m.remove(host);
        }
    }

    pub fn get(&self, host: &str) -> Option<PeerHandle> {
        self.by_host.read().unwrap_or_else(|p| p.into_inner()).get(host).cloned()
    }

    pub fn is_connected(&self, host: &str) -> bool {
        self.get(host).is_some_and(|h| !h.is_closed())
    }

    pub fn all(&self) -> Vec<PeerHandle> {
        self.by_host.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }

    /// Originates a request to the peer named by `destination_host` (RFC 6733 6.1.5: the
    /// peer table is consulted for a direct connection).
    pub async fn request(&self, destination_host: &str, msg: Vec<u8>) -> Result<Bytes, RequestError> {
        let h = self
            .get(destination_host)
            .ok_or_else(|| RequestError::UnknownPeer(destination_host.to_owned()))?;
        h.request(msg).await
    }
}
