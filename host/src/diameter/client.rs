//! A Diameter client: dial, exchange capabilities, then send requests and await their
//! answers. Used by the tests and by anyone scripting a peer (`plughss bench` has its own
//! allocation-free connection loop, `bench::connection`).
//! It is the node's own connection state machine in the initiator role, so it answers
//! DWR, runs the watchdog and says DPR like any peer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use super::capabilities::LocalNode;
use super::connection::{self, CloseReason, Node, Role, Settings};
use super::peers::{PeerHandle, PeerTable, RequestError};
use super::pending::EndToEnd;
use super::router::{self, Application, Router};

/// How the client presents itself.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub origin_host: String,
    pub origin_realm: String,
    pub applications: Vec<Application>,
    pub settings: Settings,
}

impl ClientOptions {
    pub fn new(origin_host: &str, origin_realm: &str, applications: Vec<Application>) -> Self {
        ClientOptions {
            origin_host: origin_host.into(),
            origin_realm: origin_realm.into(),
            applications,
            settings: Settings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect: {0}")]
    Io(#[from] std::io::Error),
    #[error("capabilities exchange failed: {0:?}")]
    Rejected(CloseReason),
}

/// An open client connection.
pub struct Client {
    handle: PeerHandle,
    node: Arc<Node>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<CloseReason>,
}

impl Client {
    pub async fn connect(addr: SocketAddr, opts: ClientOptions) -> Result<Client, ConnectError> {
        let stream = TcpStream::connect(addr).await?;
        let node = Arc::new(Node {
            local: LocalNode {
                origin_host: opts.origin_host,
                origin_realm: opts.origin_realm,
                host_ips: Vec::new(),
                vendor_id: 0,
                product_name: "PlugHSS client".into(),
                origin_state_id: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as u32)
                    .unwrap_or(1),
                firmware_revision: LocalNode::firmware_from_version(env!("CARGO_PKG_VERSION")),
            },
            router: router::shared(Router::new()),
            peers: Arc::new(PeerTable::default()),
            settings: opts.settings,
            e2e: Arc::new(EndToEnd::new()),
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let stop = CancellationToken::new();
        let role = Role::Initiator { applications: opts.applications, expect_host: None };
        let task = tokio::spawn(connection::run(stream, role, node.clone(), Some(tx), stop.clone()));
        match rx.await {
            Ok(Ok(handle)) => Ok(Client { handle, node, stop, task }),
            Ok(Err(reason)) => Err(ConnectError::Rejected(reason)),
            Err(_) => Err(ConnectError::Rejected(task.await.unwrap_or(CloseReason::PeerClosed))),
        }
    }

    /// The server's side of the capabilities exchange.
    pub fn peer(&self) -> &PeerHandle {
        &self.handle
    }

    /// Sends a request and awaits its answer (Hop-by-Hop assigned here).
    pub async fn request(&self, msg: Vec<u8>) -> Result<Bytes, RequestError> {
        self.handle.request(msg).await
    }

    pub async fn request_within(&self, msg: Vec<u8>, timeout: Duration) -> Result<Bytes, RequestError> {
        self.handle.request_within(msg, timeout).await
    }

    /// A fresh End-to-End Identifier for hand-built requests.
    pub fn next_end_to_end(&self) -> u32 {
        self.node.e2e.next()
    }

    /// Says DPR, waits for DPA (bounded by the shutdown grace) and closes.
    pub async fn disconnect(self) -> CloseReason {
        self.stop.cancel();
        self.task.await.unwrap_or(CloseReason::PeerClosed)
    }

    /// Waits until the server closes the connection.
    pub async fn closed(self) -> CloseReason {
        self.task.await.unwrap_or(CloseReason::PeerClosed)
    }
}
