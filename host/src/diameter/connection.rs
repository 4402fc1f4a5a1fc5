//! One transport connection to one peer (RFC 6733 5): capabilities exchange, then
//! requests in both directions, the RFC 3539 watchdog, and disconnection with DPR/DPA.
//! The same state machine serves accepted connections, dialled peers and the client.

use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use plughss_plugin_api::diameter::answer::{Origin, answer_decode_error, error_answer};
use plughss_plugin_api::diameter::{
    Frame, Header, Message, MessageBuilder, flags, frame_length, result_code as rc,
};
use plughss_plugin_api::dictionary::{app, base, cmd};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, info, info_span, warn};

use super::capabilities::{LocalNode, common_applications, read_capabilities, write_cea, write_cer};
use super::codec::DiameterCodec;
use super::escape::{Escaped, escaped};
use super::peers::{PeerHandle, PeerInfo, PeerTable, next_connection_id};
use super::pending::{EndToEnd, Pending};
use super::router::{Application, RequestContext, Route, SharedRouter};
use super::watchdog::{Action, Watchdog};

/// Timers and limits of the peer state machine.
#[derive(Debug, Clone)]
pub struct Settings {
    pub watchdog_interval: Duration,
    pub max_message_size: usize,
    pub request_timeout: Duration,
    pub shutdown_grace: Duration,
    pub cer_timeout: Duration,
    /// The largest message read before the capabilities exchange has completed.
    pub max_cer_size: usize,
    /// Accepted connections at once, those still before CER included.
    pub max_connections: usize,
    /// Accepted connections at once from one remote IP address.
    pub max_connections_per_address: usize,
    /// When set, only these Origin-Hosts may connect (3010 otherwise).
    pub allowed_hosts: Option<Vec<String>>,
    /// Peers configured as relays or proxies (RFC 6733 2.8): their requests may carry
    /// any Origin-Host and Origin-Realm.
    pub relay_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            watchdog_interval: Duration::from_secs(30),
            max_message_size: 64 * 1024,
            request_timeout: Duration::from_secs(5),
            shutdown_grace: Duration::from_secs(5),
            cer_timeout: Duration::from_secs(10),
            max_cer_size: 4096,
            max_connections: 1024,
            max_connections_per_address: 64,
            allowed_hosts: None,
            relay_hosts: Vec::new(),
        }
    }
}

/// What every connection of one node shares.
pub struct Node {
    pub local: LocalNode,
    pub router: SharedRouter,
    pub peers: Arc<PeerTable>,
    pub settings: Settings,
    pub e2e: Arc<EndToEnd>,
}

/// Which side speaks first.
#[derive(Debug, Clone)]
pub enum Role {
    /// We accepted the connection and wait for CER.
    Responder,
    /// We dialled: we send CER advertising `applications` and expect a CEA, optionally
    /// from a known Origin-Host.
    Initiator { applications: Vec<Application>, expect_host: Option<String> },
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The capabilities exchange failed with this Result-Code (0 when no CEA/CER came).
    Rejected(u32),
    /// We or the peer disconnected with DPR; the Disconnect-Cause if the peer sent it.
    Disconnected(Option<i32>),
    PeerClosed,
    WatchdogExpired,
    FramingLost,
}

/// RFC 6733 5.4.3 Disconnect-Cause values.
pub mod disconnect_cause {
    pub const REBOOTING: i32 = 0;
    pub const BUSY: i32 = 1;
    pub const DO_NOT_WANT_TO_TALK_TO_YOU: i32 = 2;
}

type Reader = FramedRead<tokio::net::tcp::OwnedReadHalf, DiameterCodec>;

/// Read buffer of a connection before the capabilities exchange: a CER fits, and a
/// connection that never sends one holds no more than this (plus what it does send, up
/// to `max_cer_size`).
const PRE_CER_READ_BUFFER: usize = 1024;
/// Read buffer once the peer is known (tokio-util's default): room for a burst of
/// requests per read.
const OPEN_READ_BUFFER: usize = 8 * 1024;

/// Gives an open connection a fresh `OPEN_READ_BUFFER`, keeping what was read past the
/// CER. A `reserve` on the pre-CER buffer would not do: `BytesMut` remembers the capacity
/// it was created with, and once frames split off it are alive it reallocates at that
/// size, so every read would stay at 1 KiB (measured: 40% fewer AIRs per second).
fn open_read_buffer(buf: &mut BytesMut) {
    let mut fresh = BytesMut::with_capacity(OPEN_READ_BUFFER.max(buf.len()));
    fresh.extend_from_slice(buf);
    *buf = fresh;
}

/// Runs a connection to its end. `ready` learns the handle once the capabilities exchange
/// succeeds (or the failure); `shutdown` starts a graceful DPR disconnect.
pub async fn run(
    stream: TcpStream,
    role: Role,
    node: Arc<Node>,
    ready: Option<tokio::sync::oneshot::Sender<Result<PeerHandle, CloseReason>>>,
    shutdown: CancellationToken,
) -> CloseReason {
    let remote = stream.peer_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let local_ip = stream.local_addr().ok().map(|a| a.ip());
    let _ = stream.set_nodelay(true);
    let span = info_span!("peer", %remote, host = tracing::field::Empty);
    async move {
        let (rd, wr) = stream.into_split();
        // Until the capabilities exchange completes the peer is unauthenticated, so its
        // first frame is held to `max_cer_size`; a longer one loses the connection
        // (RFC 6733 5.3: nothing but CER/CEA is read before it).
        let pre_cer = node.settings.max_cer_size.min(node.settings.max_message_size);
        let codec = DiameterCodec::new(pre_cer);
        let mut reader = FramedRead::with_capacity(rd, codec, PRE_CER_READ_BUFFER);
        let (tx, rx) = mpsc::channel::<Bytes>(4096);
        let stop_writer = CancellationToken::new();
        let wr: Writer = Arc::new(tokio::sync::Mutex::new(wr));
        let writer = tokio::spawn(write_loop(wr.clone(), rx, stop_writer.clone()));

        let opened = open(&mut reader, &tx, &role, &node, remote, local_ip).await;
        let reason = match opened {
            Err(reason) => {
                if let Some(r) = ready {
                    let _ = r.send(Err(reason.clone()));
                }
                reason
            }
            Ok(info) => {
                reader.decoder_mut().set_max_message_size(node.settings.max_message_size);
                open_read_buffer(reader.read_buffer_mut());
                let info = Arc::new(info);
                tracing::Span::current().record("host", tracing::field::display(Escaped(&info.origin_host)));
                info!(
                    realm = %Escaped(&info.origin_realm),
                    product = %Escaped(&info.caps.product_name),
                    relay = info.relay,
                    apps = ?info.applications,
                    "peer open"
                );
                let handle = PeerHandle {
                    info: info.clone(),
                    tx: tx.clone(),
                    pending: Arc::new(Pending::new()),
                    e2e: node.e2e.clone(),
                    timeout: node.settings.request_timeout,
                    disconnect: CancellationToken::new(),
                    closed: CancellationToken::new(),
                };
                if let Some(old) = node.peers.insert(handle.clone())
                    && !old.is_closed()
                {
                    warn!(
                        previous = old.info.connection_id,
                        "a second connection from the same Origin-Host replaces the first for routing"
                    );
                }
                if let Some(r) = ready {
                    let _ = r.send(Ok(handle.clone()));
                }
                let reason = serve(&mut reader, &tx, &wr, &node, &handle, shutdown).await;
                node.peers.remove(&info.origin_host, info.connection_id);
                handle.pending.fail_all();
                handle.closed.cancel();
                info!(?reason, "peer closed");
                reason
            }
        };
        drop(tx);
        stop_writer.cancel();
        let _ = timeout(Duration::from_secs(2), writer).await;
        reason
    }
    .instrument(span)
    .await
}

/// The write half of the socket, shared by the connection task (which writes the
/// answers it produced itself, with no hand-off) and the writer task (everything sent
/// through the peer's channel). Each writes whole messages under the lock, so the two
/// never interleave within a message.
type Writer = Arc<tokio::sync::Mutex<OwnedWriteHalf>>;

/// At most this many bytes are gathered from the channel into one write.
const WRITE_BATCH: usize = 256 * 1024;

/// Writes queued messages, batching whatever is queued into one write.
async fn write_loop(wr: Writer, mut rx: mpsc::Receiver<Bytes>, stop: CancellationToken) {
    let mut buf = BytesMut::new();
    loop {
        let first = tokio::select! {
            biased;
            m = rx.recv() => m,
            _ = stop.cancelled() => None,
        };
        let Some(first) = first else { break };
        buf.extend_from_slice(&first);
        while buf.len() < WRITE_BATCH
            && let Ok(m) = rx.try_recv()
        {
            buf.extend_from_slice(&m);
        }
        if wr.lock().await.write_all(&buf).await.is_err() {
            return;
        }
        buf.clear();
    }
    // Write what was queued before the stop (e.g. the DPA), then shut the write side.
    while let Ok(m) = rx.try_recv() {
        buf.extend_from_slice(&m);
    }
    let mut w = wr.lock().await;
    if w.write_all(&buf).await.is_ok() {
        let _ = w.shutdown().await;
    }
}

fn origin(local: &LocalNode) -> Origin<'_> {
    Origin { host: &local.origin_host, realm: &local.origin_realm }
}

/// The capabilities exchange (RFC 6733 5.3).
async fn open(
    reader: &mut Reader,
    tx: &mpsc::Sender<Bytes>,
    role: &Role,
    node: &Node,
    remote: SocketAddr,
    local_ip: Option<IpAddr>,
) -> Result<PeerInfo, CloseReason> {
    let local = &node.local;
    match role {
        Role::Responder => {
            let first = next_frame(reader, node.settings.cer_timeout).await?;
            let header = Header::parse(&first).ok_or(CloseReason::FramingLost)?;
            if !(header.is_request() && header.command_code == cmd::CAPABILITIES_EXCHANGE) {
                // RFC 6733 5.3: CER is the first message on a connection.
                warn!(command = header.command_code, "first message is not a CER; closing");
                return Err(CloseReason::Rejected(0));
            }
            let msg = match Message::parse(&first).and_then(|m| m.check_types().map(|_| m)) {
                Ok(m) => m,
                Err(e) => {
                    warn!(error = %e, "malformed CER");
                    let mut buf = Vec::new();
                    answer_decode_error(&mut buf, &first, origin(local), &e);
                    let _ = tx.send(buf.into()).await;
                    return Err(CloseReason::Rejected(e.result_code()));
                }
            };
            let reject = |code: u32, text: String, failed: Option<Vec<u8>>| async move {
                warn!(result_code = code, reason = %Escaped(&text), "CER rejected");
                let mut buf = Vec::new();
                write_cea(&mut buf, &header, local, local_ip, code, &[], Some(&text), failed.as_deref());
                let _ = tx.send(buf.into()).await;
                Err(CloseReason::Rejected(code))
            };
            let caps = match read_capabilities(&msg) {
                Ok(c) => c,
                Err(e) => {
                    return reject(e.result_code(), e.to_string(), e.failed_avp().map(<[u8]>::to_vec)).await;
                }
            };
            if let Some(allowed) = &node.settings.allowed_hosts {
                // RFC 6733 5.3 / 7.1.3: an unknown peer is refused with 3010.
                if !allowed.iter().any(|h| h.eq_ignore_ascii_case(&caps.origin_host)) {
                    let text = format!("peer {} is not configured", caps.origin_host);
                    return reject(rc::DIAMETER_UNKNOWN_PEER, text, None).await;
                }
            }
            let router = node.router.load();
            let apps = common_applications(router.applications(), &caps);
            if apps.is_empty() {
                let text = "no application in common".to_owned();
                return reject(rc::DIAMETER_NO_COMMON_APPLICATION, text, None).await;
            }
            let mut buf = Vec::new();
            write_cea(&mut buf, &header, local, local_ip, rc::DIAMETER_SUCCESS, &apps, None, None);
            tx.send(buf.into()).await.map_err(|_| CloseReason::PeerClosed)?;
            Ok(peer_info(caps, apps, remote, &node.settings))
        }
        Role::Initiator { applications, expect_host } => {
            let hbh = rand::random();
            let mut buf = Vec::new();
            write_cer(&mut buf, local, local_ip, applications, hbh, node.e2e.next());
            tx.send(buf.into()).await.map_err(|_| CloseReason::PeerClosed)?;
            let answer = next_frame(reader, node.settings.cer_timeout).await?;
            let msg = Message::parse(&answer).map_err(|e| {
                warn!(error = %e, "malformed CEA");
                CloseReason::Rejected(0)
            })?;
            if msg.header.is_request()
                || msg.header.command_code != cmd::CAPABILITIES_EXCHANGE
                || msg.header.hop_by_hop != hbh
            {
                warn!("expected a CEA to our CER");
                return Err(CloseReason::Rejected(0));
            }
            let code = msg.result().map(|(_, c)| c).unwrap_or(0);
            if code != rc::DIAMETER_SUCCESS {
                warn!(result_code = code, error = %escaped(msg.str(&base::ERROR_MESSAGE)), "CER refused by peer");
                return Err(CloseReason::Rejected(code));
            }
            let caps = read_capabilities(&msg).map_err(|e| {
                warn!(error = %e, "CEA lacks required AVPs");
                CloseReason::Rejected(e.result_code())
            })?;
            if let Some(h) = expect_host
                && !h.eq_ignore_ascii_case(&caps.origin_host)
            {
                warn!(expected = %h, got = %Escaped(&caps.origin_host), "peer answered with another Origin-Host");
            }
            let apps = common_applications(applications.iter().copied(), &caps);
            Ok(peer_info(caps, apps, remote, &node.settings))
        }
    }
}

fn peer_info(
    caps: super::capabilities::PeerCapabilities,
    applications: Vec<Application>,
    remote: SocketAddr,
    settings: &Settings,
) -> PeerInfo {
    PeerInfo {
        connection_id: next_connection_id(),
        relay: settings.relay_hosts.iter().any(|h| h.eq_ignore_ascii_case(&caps.origin_host)),
        origin_host: caps.origin_host.clone(),
        origin_realm: caps.origin_realm.clone(),
        remote,
        caps,
        applications,
        connected_at: SystemTime::now(),
    }
}

async fn next_frame(reader: &mut Reader, within: Duration) -> Result<Bytes, CloseReason> {
    match timeout(within, reader.next()).await {
        Err(_) => {
            warn!("capabilities exchange timed out");
            Err(CloseReason::Rejected(0))
        }
        Ok(None) => Err(CloseReason::PeerClosed),
        Ok(Some(Err(e))) => {
            warn!(error = %e, "closing");
            Err(CloseReason::FramingLost)
        }
        Ok(Some(Ok(b))) => Ok(b),
    }
}

/// The open state: until DPR/DPA, watchdog failure, framing loss or the peer closing.
async fn serve(
    reader: &mut Reader,
    tx: &mpsc::Sender<Bytes>,
    wr: &Writer,
    node: &Arc<Node>,
    handle: &PeerHandle,
    shutdown: CancellationToken,
) -> CloseReason {
    let settings = &node.settings;
    let mut s = Session {
        tx,
        wr,
        node,
        handle,
        pending: FuturesUnordered::new(),
        wd: Watchdog::new(settings.watchdog_interval, Instant::now()),
        outbox: BytesMut::new(),
    };
    // Set once we have sent DPR: the deadline for its DPA.
    let mut dpr_deadline: Option<Instant> = None;
    let far = Instant::now() + Duration::from_secs(86400 * 365);
    // One timer for the watchdog, re-armed lazily: every received message pushes the
    // watchdog's deadline back (RFC 3539 3.4.1), and moving a timer per message costs
    // more than waking once at the old deadline to re-arm it. The jitter can make a new
    // deadline up to two jitter spans earlier than the armed one; the DWR is then that
    // much later, within RFC 3539's tolerance for Tw.
    let wd_timer = sleep_until(s.wd.deadline());
    tokio::pin!(wd_timer);
    let reason = loop {
        tokio::select! {
            frame = reader.next() => {
                // Handle this frame and every further one already in the read buffer,
                // then send the answers produced on the spot in one write.
                let mut frame = frame;
                let closed = loop {
                    if let Some(reason) = s.on_frame(frame, reader, dpr_deadline.is_some()).await {
                        break Some(reason);
                    }
                    if !frame_buffered(reader) {
                        break None;
                    }
                    frame = reader.next().await;
                };
                s.send_outbox().await;
                if let Some(reason) = closed {
                    break reason;
                }
            }
            Some(answer) = s.pending.next(), if !s.pending.is_empty() => {
                // Every other answer that is ready too goes out in the same write.
                s.outbox.extend_from_slice(&answer);
                while let Some(Some(answer)) = s.pending.next().now_or_never() {
                    s.outbox.extend_from_slice(&answer);
                }
                s.send_outbox().await;
            }
            () = &mut wd_timer => {
                let now = Instant::now();
                if now < s.wd.deadline() {
                    wd_timer.as_mut().reset(s.wd.deadline());
                    continue;
                }
                let action = s.wd.on_timeout(now);
                wd_timer.as_mut().reset(s.wd.deadline());
                match action {
                    Action::SendDwr => {
                        let mut buf = Vec::new();
                        let mut b = MessageBuilder::new(&mut buf, flags::REQUEST, cmd::DEVICE_WATCHDOG, app::COMMON, rand::random(), node.e2e.next());
                        b.origin(&node.local.origin_host, &node.local.origin_realm).u32(&base::ORIGIN_STATE_ID, node.local.origin_state_id);
                        b.finish();
                        let _ = tx.send(buf.into()).await;
                    }
                    Action::Close => {
                        warn!("watchdog: no answer to DWR for two intervals; closing (RFC 3539 3.4.1)");
                        break CloseReason::WatchdogExpired;
                    }
                    Action::None => debug!("watchdog: peer suspect"),
                }
            }
            _ = shutdown.cancelled(), if dpr_deadline.is_none() => {
                dpr_deadline = Some(send_dpr(node, tx, disconnect_cause::REBOOTING).await);
            }
            _ = handle.disconnect.cancelled(), if dpr_deadline.is_none() => {
                dpr_deadline = Some(send_dpr(node, tx, disconnect_cause::DO_NOT_WANT_TO_TALK_TO_YOU).await);
            }
            _ = sleep_until(dpr_deadline.unwrap_or(far)), if dpr_deadline.is_some() => {
                warn!("no DPA in time; closing");
                break CloseReason::Disconnected(None);
            }
        }
    };
    if !s.finish_pending(settings.shutdown_grace).await {
        warn!(left = s.pending.len(), "in-flight requests still running at close");
    }
    reason
}

/// Whether the reader holds a whole frame (or a framing error) that it can yield
/// without reading the socket.
fn frame_buffered(reader: &Reader) -> bool {
    let buf = reader.read_buffer();
    match frame_length(buf, reader.decoder().max_message_size()) {
        Frame::NeedHeader => false,
        Frame::Length(len) => buf.len() >= len,
        Frame::Lost(_) | Frame::TooLarge(_) => true,
    }
}

/// The state of an open connection that handling one received frame touches.
struct Session<'a> {
    tx: &'a mpsc::Sender<Bytes>,
    wr: &'a Writer,
    node: &'a Arc<Node>,
    handle: &'a PeerHandle,
    /// Requests whose handler had to wait, polled by this task as they become ready, so
    /// their answers too join the outbox without a task or a thread hand-off each.
    pending: FuturesUnordered<PendingAnswer>,
    wd: Watchdog,
    /// Answers produced while handling a burst of frames, written by this task in one
    /// write (instead of a wake-up and a write per answer).
    outbox: BytesMut,
}

/// A request's answer still being worked out.
type PendingAnswer = std::pin::Pin<Box<dyn Future<Output = Bytes> + Send>>;

/// Above this many queued answer bytes the outbox is written mid-burst.
const OUTBOX_HIGH_WATER: usize = 64 * 1024;

impl Session<'_> {
    /// Handles one frame from the reader; `Some` ends the connection.
    async fn on_frame(
        &mut self,
        frame: Option<Result<Bytes, super::codec::FramingError>>,
        reader: &mut Reader,
        dpr_sent: bool,
    ) -> Option<CloseReason> {
        let (node, tx) = (self.node, self.tx);
        let bytes = match frame {
            None => return Some(CloseReason::PeerClosed),
            Some(Err(e)) => {
                // RFC 6733 3: with the length field unusable there is no next message.
                warn!(error = %e, "closing the connection");
                return Some(CloseReason::FramingLost);
            }
            Some(Ok(b)) => b,
        };
        let Some(h) = Header::parse(&bytes) else { return Some(CloseReason::FramingLost) };
        let base_cmd = h.application_id == app::COMMON;
        self.wd.on_receive(
            !h.is_request() && base_cmd && h.command_code == cmd::DEVICE_WATCHDOG,
            Instant::now(),
        );
        if !h.is_request() {
            if base_cmd && h.command_code == cmd::DISCONNECT_PEER && dpr_sent {
                return Some(CloseReason::Disconnected(None));
            }
            let is_dwa = base_cmd && h.command_code == cmd::DEVICE_WATCHDOG;
            if !is_dwa && !self.handle.pending.complete(h.hop_by_hop, bytes) {
                // RFC 6733 6.2.1: an answer matching no request is discarded.
                debug!(hop_by_hop = h.hop_by_hop, "discarding an unexpected answer");
            }
            return None;
        }
        if base_cmd && h.command_code == cmd::DEVICE_WATCHDOG {
            self.outbox.extend_from_slice(&base_answer(&node.local, &bytes, &h));
        } else if base_cmd && h.command_code == cmd::DISCONNECT_PEER {
            // RFC 6733 5.4: answer, finish what is in flight, and let the sender close.
            let cause = Message::parse(&bytes)
                .ok()
                .and_then(|m| m.find(&base::DISCONNECT_CAUSE))
                .and_then(|a| a.as_enum().ok());
            info!(?cause, "peer sent DPR");
            self.send_outbox().await;
            self.finish_pending(node.settings.shutdown_grace).await;
            let _ = tx.send(base_answer(&node.local, &bytes, &h)).await;
            // Give the peer a moment to close first, as RFC 6733 5.4 has it.
            let _ = timeout(Duration::from_secs(1), drain_until_closed(reader)).await;
            return Some(CloseReason::Disconnected(cause));
        } else if base_cmd && h.command_code == cmd::CAPABILITIES_EXCHANGE {
            // A second CER on an open connection (RFC 6733 5.6 R-Open: error).
            let mut buf = Vec::new();
            let msg = Message::parse(&bytes).ok();
            error_answer(
                &mut buf,
                &h,
                msg.as_ref(),
                origin(&node.local),
                rc::DIAMETER_UNABLE_TO_COMPLY,
                Some("capabilities already exchanged"),
                None,
            );
            self.outbox.extend_from_slice(&buf);
        } else {
            self.dispatch(bytes);
        }
        if self.outbox.len() >= OUTBOX_HIGH_WATER {
            self.send_outbox().await;
        }
        None
    }

    /// Runs a request's handler on this task as far as it goes without waiting: most
    /// answers (an AIR served from memory) are ready at once and join the outbox, with
    /// no task spawned and no hand-off between threads. A handler that has to wait (a
    /// store write, a request to another peer) joins `pending`. Plugins yield at every
    /// epoch tick, so a long-running one cannot hold the connection's other requests.
    fn dispatch(&mut self, bytes: Bytes) {
        let mut answer: PendingAnswer =
            Box::pin(process_request(self.node.clone(), self.handle.info.clone(), bytes));
        // A no-op waker: `pending` polls the handler again at once with its own waker,
        // which every resource it waits on then wakes.
        let mut cx = Context::from_waker(Waker::noop());
        match answer.as_mut().poll(&mut cx) {
            Poll::Ready(a) => self.outbox.extend_from_slice(&a),
            Poll::Pending => self.pending.push(answer),
        }
    }

    /// Answers what is in flight, within `grace`; whether all of it was answered.
    async fn finish_pending(&mut self, grace: Duration) -> bool {
        let all = timeout(grace, async {
            while let Some(answer) = self.pending.next().await {
                self.outbox.extend_from_slice(&answer);
            }
        })
        .await
        .is_ok();
        self.send_outbox().await;
        all
    }

    /// Writes the queued answers to the socket from this task: no hand-off to the
    /// writer task and no wake-up for it. A failed write means the peer is gone, which
    /// the reader sees next.
    async fn send_outbox(&mut self) {
        if !self.outbox.is_empty() {
            let _ = self.wr.lock().await.write_all(&self.outbox).await;
            self.outbox.clear();
        }
    }
}

async fn drain_until_closed(reader: &mut Reader) {
    while let Some(Ok(_)) = reader.next().await {}
}

async fn send_dpr(node: &Node, tx: &mpsc::Sender<Bytes>, cause: i32) -> Instant {
    info!(cause, "sending DPR");
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(
        &mut buf,
        flags::REQUEST,
        cmd::DISCONNECT_PEER,
        app::COMMON,
        rand::random(),
        node.e2e.next(),
    );
    b.origin(&node.local.origin_host, &node.local.origin_realm).enumerated(&base::DISCONNECT_CAUSE, cause);
    b.finish();
    let _ = tx.send(buf.into()).await;
    Instant::now() + node.settings.shutdown_grace
}

/// DWA (RFC 6733 5.5.2) or DPA (5.4.2): Result-Code, Origin-Host/Realm, and for DWA our
/// Origin-State-Id.
fn base_answer(local: &LocalNode, _req: &[u8], h: &Header) -> Bytes {
    let mut buf = Vec::with_capacity(128);
    let mut b = MessageBuilder::answer(&mut buf, h);
    b.result_code(rc::DIAMETER_SUCCESS).origin(&local.origin_host, &local.origin_realm);
    if h.command_code == cmd::DEVICE_WATCHDOG {
        b.u32(&base::ORIGIN_STATE_ID, local.origin_state_id);
    }
    b.finish();
    buf.into()
}

/// Checks a request and hands it to its handler. Every path returns exactly one answer.
async fn process_request(node: Arc<Node>, peer: Arc<PeerInfo>, bytes: Bytes) -> Bytes {
    let local = &node.local;
    let fail = |h: &Header, m: Option<&Message<'_>>, code: u32, text: &str, failed: Option<&[u8]>| {
        let mut buf = Vec::new();
        error_answer(&mut buf, h, m, origin(local), code, Some(text), failed);
        Bytes::from(buf)
    };
    let msg = match Message::parse(&bytes).and_then(|m| m.check_types().map(|_| m)) {
        Ok(m) => m,
        Err(e) => {
            debug!(error = %e, "malformed request");
            let mut buf = Vec::new();
            answer_decode_error(&mut buf, &bytes, origin(local), &e);
            return buf.into();
        }
    };
    let h = msg.header;
    // RFC 6733 6.1: every request carries Origin-Host and Origin-Realm.
    for def in [&base::ORIGIN_HOST, &base::ORIGIN_REALM] {
        if let Err(e) = msg.require(def) {
            return fail(&h, Some(&msg), e.result_code(), &e.to_string(), e.failed_avp());
        }
    }
    if let Some((text, failed)) = check_origin(&peer, &msg) {
        return fail(&h, Some(&msg), rc::DIAMETER_INVALID_AVP_VALUE, text, Some(failed));
    }
    // RFC 6733 6.1.4: we are not a relay; a request for another realm or host is refused.
    if let Some(realm) = msg.str(&base::DESTINATION_REALM)
        && !realm.eq_ignore_ascii_case(&local.origin_realm)
    {
        return fail(
            &h,
            Some(&msg),
            rc::DIAMETER_REALM_NOT_SERVED,
            "Destination-Realm is not served here",
            None,
        );
    }
    if let Some(host) = msg.destination_host()
        && !host.eq_ignore_ascii_case(&local.origin_host)
    {
        return fail(
            &h,
            Some(&msg),
            rc::DIAMETER_UNABLE_TO_DELIVER,
            "Destination-Host is not this node",
            None,
        );
    }
    let router = node.router.load();
    let handler = match router.route(h.application_id, h.command_code) {
        _ if !peer.supports(h.application_id) => {
            return fail(
                &h,
                Some(&msg),
                rc::DIAMETER_APPLICATION_UNSUPPORTED,
                "application not negotiated on this connection",
                None,
            );
        }
        Route::NoApplication => {
            return fail(
                &h,
                Some(&msg),
                rc::DIAMETER_APPLICATION_UNSUPPORTED,
                "application not served",
                None,
            );
        }
        Route::NoCommand => {
            return fail(
                &h,
                Some(&msg),
                rc::DIAMETER_COMMAND_UNSUPPORTED,
                "command not served by this application",
                None,
            );
        }
        Route::Found(handler) => handler.clone(),
    };
    drop(router);
    let ctx = RequestContext { peer };
    let outcome = AssertUnwindSafe(handler.handle(ctx, bytes.clone())).catch_unwind().await;
    match outcome {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            // The reason may quote the request (a plugin's text): escaped.
            warn!(command = h.command_code, error = %Escaped(&e.to_string()), "handler failed");
            fail(&h, Some(&msg), e.result_code, &e.reason, None)
        }
        Err(_) => {
            warn!(command = h.command_code, "handler panicked");
            fail(&h, Some(&msg), rc::DIAMETER_UNABLE_TO_COMPLY, "internal error", None)
        }
    }
}

/// Binds a request to the peer it came from. RFC 6733 6.3: Origin-Host names the node
/// that originated the message, and only an agent (RFC 6733 2.8) forwards requests
/// originated elsewhere; so on a connection whose peer is not configured as a relay or
/// proxy, Origin-Host and Origin-Realm must be what the peer said in its CER (or CEA).
/// Otherwise a peer admitted under one identity could act under any other one, e.g.
/// record itself as the serving MME under another MME's name.
///
/// Returns the Error-Message and the offending AVP for a 5004 DIAMETER_INVALID_AVP_VALUE
/// answer (RFC 6733 7.1.5, with the AVP in Failed-AVP per 7.5): the value is not
/// acceptable from this sender, and Failed-AVP tells the peer exactly which one. 3010
/// DIAMETER_UNKNOWN_PEER (7.1.3) is defined for a CER from an unknown peer, and this peer
/// is known. The request never reaches a handler.
fn check_origin<'m>(peer: &PeerInfo, msg: &Message<'m>) -> Option<(&'static str, &'m [u8])> {
    if peer.relay {
        return None;
    }
    let checks = [
        (&base::ORIGIN_HOST, &peer.origin_host, "Origin-Host is not the identity this peer gave in its CER"),
        (&base::ORIGIN_REALM, &peer.origin_realm, "Origin-Realm is not the realm this peer gave in its CER"),
    ];
    for (def, expected, text) in checks {
        // Present (required before) and UTF-8 (check_types).
        let avp = msg.find(def)?;
        if !avp.as_str().is_ok_and(|v| v.eq_ignore_ascii_case(expected)) {
            debug!(
                avp = def.name,
                got = %Escaped(&String::from_utf8_lossy(avp.payload())),
                "request refused: its origin is not the peer's"
            );
            return Some((text, avp.raw()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a read sees once the buffer is full: frames split off and still in flight,
    /// a partial frame left, then the reader's `reserve(1)` (tokio-util FramedRead).
    fn room_for_next_read(mut buf: BytesMut) -> usize {
        buf.resize(buf.capacity(), 0);
        let in_flight = buf.split_to(buf.len() - 4).freeze();
        buf.reserve(1);
        drop(in_flight);
        buf.capacity()
    }

    /// A pre-CER buffer after the CER was split off, with the start of a request in it.
    fn after_cer() -> BytesMut {
        let mut buf = BytesMut::with_capacity(PRE_CER_READ_BUFFER);
        buf.extend_from_slice(&[7u8; 300]);
        let _cer = buf.split_to(300).freeze();
        buf.extend_from_slice(b"next");
        buf
    }

    #[test]
    fn an_open_connection_reads_in_full_sized_chunks() {
        // The trap this guards against: a reserve leaves the buffer with its 1 KiB origin.
        let mut reserved = after_cer();
        reserved.reserve(OPEN_READ_BUFFER);
        assert!(room_for_next_read(reserved) < 2 * PRE_CER_READ_BUFFER);

        let mut fresh = after_cer();
        open_read_buffer(&mut fresh);
        assert_eq!(&fresh[..], b"next");
        assert!(room_for_next_read(fresh) >= OPEN_READ_BUFFER);
    }
}
