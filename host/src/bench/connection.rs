//! One connection of the load generator: CER/CEA, then a single task that keeps up to
//! `inflight` requests outstanding, answers the server's own requests (DWR, DPR, CLR...),
//! and ends with DPR/DPA (RFC 6733 5.3, 5.4, 5.5).
//!
//! The task owns its socket and all its state, so nothing is locked or sent between
//! tasks. Requests are patched from a [`Template`] into one write buffer and leave in as
//! few `write` calls as the socket accepts; answers are framed in place in one read
//! buffer. Outstanding requests live in a fixed table of slots whose index is the low
//! bits of the Hop-by-Hop Identifier, so matching an answer is an index and two compares
//! (Hop-by-Hop and End-to-End, RFC 6733 6.2).

use std::future::poll_fn;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use plughss_plugin_api::diameter::{Frame, Header, Message, MessageBuilder, frame_length, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app, base, cmd};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::options::ImsiRange;
use super::pacer::Pacer;
use super::request::{Identity, RequestKind, Template};
use super::stats::Stats;
use crate::diameter::capabilities::{LocalNode, write_cer};

/// Largest message accepted from the server.
const MAX_MESSAGE: usize = 1 << 20;
/// Initial read buffer: many answers per `read`.
const READ_BUFFER: usize = 256 * 1024;
/// How long DPA is awaited at the end.
const DPA_WAIT: Duration = Duration::from_secs(2);

/// A byte stream framed into Diameter messages in place (RFC 6733 3: the header's
/// length field delimits messages). Nothing is allocated per message.
pub struct FrameReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for FrameReader {
    fn default() -> Self {
        FrameReader::new()
    }
}

impl FrameReader {
    pub fn new() -> FrameReader {
        FrameReader { buf: vec![0; READ_BUFFER], start: 0, end: 0 }
    }

    /// Room to read into, after moving a partial message to the front.
    pub fn spare(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // A message larger than the buffer (checked against MAX_MESSAGE first).
            self.buf.resize(self.buf.len() * 2, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Marks `n` more octets as read.
    pub fn filled(&mut self, n: usize) {
        self.end += n;
    }

    /// The next complete message, if buffered.
    pub fn next_frame(&mut self) -> anyhow::Result<Option<&[u8]>> {
        let avail = &self.buf[self.start..self.end];
        match frame_length(avail, MAX_MESSAGE) {
            Frame::NeedHeader => Ok(None),
            Frame::Lost(len) => bail!("framing lost: message length {len} is below the header size"),
            Frame::TooLarge(len) => bail!("message length {len} exceeds {MAX_MESSAGE}"),
            Frame::Length(len) if avail.len() >= len => {
                let at = self.start;
                self.start += len;
                Ok(Some(&self.buf[at..at + len]))
            }
            Frame::Length(len) => {
                if len > self.buf.len() - self.start {
                    self.buf.resize(len.max(self.buf.len()), 0);
                }
                Ok(None)
            }
        }
    }
}

/// A connection after a successful capabilities exchange.
pub struct Open {
    stream: TcpStream,
    reader: FrameReader,
    pub identity: Identity,
    /// The server's Origin-Host, from its CEA.
    pub server_host: String,
}

/// What [`open`] needs to present itself.
pub struct Hello<'a> {
    pub origin_host: String,
    pub origin_realm: &'a str,
    pub destination_realm: Option<&'a str>,
    pub visited_plmn: [u8; 3],
    pub session_high: u32,
}

/// Dials `addr` and completes CER/CEA advertising `kind`'s application (RFC 6733 5.3).
pub async fn open(
    addr: SocketAddr,
    kind: &dyn RequestKind,
    hello: Hello<'_>,
    within: Duration,
) -> anyhow::Result<Open> {
    tokio::time::timeout(within, open_inner(addr, kind, hello))
        .await
        .with_context(|| format!("{addr}: no capabilities exchange within {within:?}"))?
}

async fn open_inner(addr: SocketAddr, kind: &dyn RequestKind, hello: Hello<'_>) -> anyhow::Result<Open> {
    let mut stream = TcpStream::connect(addr).await.with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let local_ip: Option<IpAddr> = stream.local_addr().ok().map(|a| a.ip());
    let node = LocalNode {
        origin_host: hello.origin_host.clone(),
        origin_realm: hello.origin_realm.to_string(),
        host_ips: Vec::new(),
        vendor_id: 0,
        product_name: "plughss bench".into(),
        origin_state_id: hello.session_high,
        firmware_revision: LocalNode::firmware_from_version(env!("CARGO_PKG_VERSION")),
    };
    let mut cer = Vec::new();
    write_cer(&mut cer, &node, local_ip, &[kind.application()], 1, hello.session_high << 20);
    stream.write_all(&cer).await.with_context(|| format!("{addr}: sending CER"))?;

    let mut reader = FrameReader::new();
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut stream, reader.spare()).await?;
        if n == 0 {
            bail!("{addr} closed the connection before answering CER");
        }
        reader.filled(n);
        while let Some(frame) = reader.next_frame()? {
            let m = Message::parse(frame).map_err(|e| anyhow::anyhow!("{addr}: malformed CEA: {e}"))?;
            if m.header.command_code != cmd::CAPABILITIES_EXCHANGE || m.header.is_request() {
                continue;
            }
            let result = m.result().map(|(_, c)| c).unwrap_or(0);
            if result != rc::DIAMETER_SUCCESS {
                let why = m.str(&base::ERROR_MESSAGE).map(|e| format!(" ({e})")).unwrap_or_default();
                bail!("{addr} refused the capabilities exchange: Result-Code {result}{why}");
            }
            let server_realm = m.origin_realm().unwrap_or_default().to_string();
            let identity = Identity {
                origin_host: hello.origin_host,
                origin_realm: hello.origin_realm.to_string(),
                destination_realm: hello.destination_realm.map(str::to_owned).unwrap_or(server_realm),
                visited_plmn: hello.visited_plmn,
                session_high: hello.session_high,
            };
            let server_host = m.origin_host().unwrap_or_default().to_string();
            return Ok(Open { stream, reader, identity, server_host });
        }
    }
}

/// When and what one connection sends.
#[derive(Debug, Clone)]
pub struct Plan {
    /// This connection's number and how many there are (IMSIs are split between them).
    pub index: u32,
    pub connections: u32,
    pub inflight: u32,
    pub timeout: Duration,
    /// Open loop: the gap between this connection's sends. Closed loop: `None`.
    pub interval: Option<Duration>,
    /// The first scheduled send.
    pub start: Instant,
    /// Requests scheduled before this are warm-up: sent, answered, not counted.
    pub measure_from: Instant,
    /// No request is scheduled at or after this.
    pub stop_at: Instant,
    pub imsi: ImsiRange,
}

/// What a connection reports when it ends.
pub struct Finished {
    pub stats: Stats,
    /// When the last counted answer arrived.
    pub last_answer: Option<Instant>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    active: bool,
    counted: bool,
    hop_by_hop: u32,
    end_to_end: u32,
    /// Scheduled send time (open loop) or the time it was queued (closed loop).
    scheduled: Option<Instant>,
}

/// The state of the send/receive loop, apart from the socket and the read buffer.
struct Flow<'k> {
    kind: &'k dyn RequestKind,
    template: Template,
    identity: Identity,
    plan: Plan,
    slots: Vec<Slot>,
    free: Vec<u32>,
    outstanding: usize,
    slot_bits: u32,
    /// Requests built so far (Session-Id counter, Hop-by-Hop generation).
    seq: u64,
    e2e_high: u32,
    /// This connection's next IMSI index.
    imsi_index: u64,
    /// Open loop: the next scheduled send.
    next_due: Instant,
    wbuf: Vec<u8>,
    wpos: usize,
    stats: Stats,
    last_answer: Option<Instant>,
    /// The server sent DPR: finish and close.
    server_disconnect: bool,
}

impl Flow<'_> {
    fn hop_by_hop(&self, slot: u32) -> u32 {
        if self.slot_bits >= 32 { slot } else { ((self.seq as u32) << self.slot_bits) | slot }
    }

    fn slot_of(&self, hop_by_hop: u32) -> usize {
        (hop_by_hop & ((1u64 << self.slot_bits) - 1) as u32) as usize
    }

    /// Builds one request into the write buffer, scheduled at `at`.
    fn send(&mut self, slot: u32, at: Instant) {
        let hbh = self.hop_by_hop(slot);
        // RFC 6733 3: End-to-End = low 12 bits of the start time, then a sequence.
        let e2e = self.e2e_high | (self.seq as u32 & 0xf_ffff);
        let imsi = self.plan.imsi.nth(self.imsi_index);
        self.template.write(&mut self.wbuf, hbh, e2e, self.seq, imsi);
        self.seq += 1;
        // Connection i takes IMSI indices i, i+C, i+2C...: an IMSI stays with one
        // Origin-Host, so a ULR run does not make the HSS cancel the location at
        // another of our connections (TS 29.272 5.2.1.1.3) unless there are fewer
        // IMSIs than connections.
        self.imsi_index += self.plan.connections as u64;
        if self.imsi_index >= self.plan.imsi.count {
            self.imsi_index = self.plan.index as u64 % self.plan.imsi.count;
        }
        let counted = at >= self.plan.measure_from;
        if counted {
            self.stats.sent += 1;
        }
        self.slots[slot as usize] =
            Slot { active: true, counted, hop_by_hop: hbh, end_to_end: e2e, scheduled: Some(at) };
        self.outstanding += 1;
    }

    /// Fills free slots with requests that are due.
    fn generate(&mut self, now: Instant) {
        match self.plan.interval {
            None => {
                while let Some(slot) = self.free.pop() {
                    self.send(slot, now);
                }
            }
            Some(gap) => {
                while self.next_due <= now && self.next_due < self.plan.stop_at {
                    let Some(slot) = self.free.pop() else { break };
                    let at = self.next_due;
                    self.send(slot, at);
                    if at >= self.plan.measure_from {
                        self.stats.send_lag(now.saturating_duration_since(at));
                    }
                    self.next_due += gap;
                }
            }
        }
    }

    fn release(&mut self, slot: usize) {
        self.slots[slot].active = false;
        self.free.push(slot as u32);
        self.outstanding -= 1;
    }

    /// Counts requests unanswered for longer than the timeout, and frees their slots.
    fn expire(&mut self, now: Instant) {
        for i in 0..self.slots.len() {
            let s = self.slots[i];
            if s.active && s.scheduled.is_some_and(|t| now.saturating_duration_since(t) >= self.plan.timeout)
            {
                if s.counted {
                    self.stats.timeouts += 1;
                }
                self.release(i);
            }
        }
    }

    /// Counts the requests still outstanding as lost with the connection.
    fn lose_outstanding(&mut self) {
        for i in 0..self.slots.len() {
            if self.slots[i].active {
                if self.slots[i].counted {
                    self.stats.lost += 1;
                }
                self.release(i);
            }
        }
    }

    /// One message from the server, received at `now`.
    fn receive(&mut self, frame: &[u8], now: Instant) {
        let Some(h) = Header::parse(frame) else {
            self.stats.unmatched += 1;
            return;
        };
        if h.is_request() {
            self.answer_server(frame, &h);
            return;
        }
        let i = self.slot_of(h.hop_by_hop);
        let matched = self
            .slots
            .get(i)
            .is_some_and(|s| s.active && s.hop_by_hop == h.hop_by_hop && s.end_to_end == h.end_to_end);
        if !matched {
            // A late answer to a request that timed out, or one we never sent.
            self.stats.unmatched += 1;
            return;
        }
        let s = self.slots[i];
        if s.counted {
            let latency = s.scheduled.map(|t| now.saturating_duration_since(t)).unwrap_or_default();
            self.stats.answer(latency, self.kind.classify(frame));
            self.last_answer = Some(now);
        }
        self.release(i);
    }

    /// Answers a request the server sent: DWA to DWR (RFC 6733 5.5), DPA to DPR (5.4),
    /// and success to anything else (CLR, IDR...) so the server's procedures complete.
    fn answer_server(&mut self, frame: &[u8], h: &Header) {
        self.stats.server_request(h.command_code);
        let session = Message::parse(frame).ok().and_then(|m| m.session_id().map(str::to_owned));
        let mut b = MessageBuilder::answer(&mut self.wbuf, h);
        if let Some(sid) = &session {
            b.str(&base::SESSION_ID, sid);
        }
        if h.application_id != app::COMMON {
            b.grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
                g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, h.application_id);
            })
            .u32(&base::AUTH_SESSION_STATE, 1);
        }
        b.result_code(rc::DIAMETER_SUCCESS).origin(&self.identity.origin_host, &self.identity.origin_realm);
        b.finish();
        if h.command_code == cmd::DISCONNECT_PEER {
            self.server_disconnect = true;
        }
    }

    fn unsent(&self) -> &[u8] {
        &self.wbuf[self.wpos..]
    }

    fn wrote(&mut self, n: usize) {
        self.wpos += n;
        if self.wpos == self.wbuf.len() {
            self.wbuf.clear();
            self.wpos = 0;
        }
    }
}

/// What one wake-up of the I/O loop brought.
#[derive(Default)]
struct Step {
    wrote: Option<std::io::Result<usize>>,
    read: Option<std::io::Result<usize>>,
    timer: bool,
}

/// Runs the load on an open connection until the plan's end, then says DPR.
pub async fn run(conn: Open, kind: &dyn RequestKind, plan: Plan) -> Finished {
    let Open { mut stream, mut reader, identity, .. } = conn;
    let template = Template::new(kind, &identity, plan.imsi.width);
    let n = plan.inflight as usize;
    let slot_bits = u32::BITS - (plan.inflight.saturating_sub(1)).leading_zeros();
    let mut flow = Flow {
        kind,
        template,
        slots: vec![Slot::default(); n],
        free: (0..plan.inflight).rev().collect(),
        outstanding: 0,
        slot_bits,
        seq: 0,
        e2e_high: (identity.session_high & 0xfff) << 20,
        imsi_index: plan.index as u64 % plan.imsi.count,
        next_due: plan.start,
        wbuf: Vec::with_capacity(n * 512 + 4096),
        wpos: 0,
        stats: Stats::new(),
        last_answer: None,
        server_disconnect: false,
        identity,
        plan,
    };
    let mut pacer = match Pacer::new() {
        Ok(p) => p,
        Err(e) => {
            flow.stats.connection_failed(format!("{}: no timer: {e}", flow.identity.origin_host));
            return Finished { stats: flow.stats, last_answer: None };
        }
    };
    let scan_every = (flow.plan.timeout / 4).clamp(Duration::from_millis(1), Duration::from_millis(100));
    let mut next_scan = Instant::now() + scan_every;
    let drain_until = flow.plan.stop_at + flow.plan.timeout;
    let mut failure: Option<String> = None;

    loop {
        let now = Instant::now();
        // Closed loop stops at the end; open loop once every request scheduled before the
        // end has left, however late (a late send is charged to its latency).
        let sent_all = match flow.plan.interval {
            None => now >= flow.plan.stop_at,
            Some(_) => flow.next_due >= flow.plan.stop_at,
        };
        let stopping = sent_all || flow.server_disconnect;
        if !stopping {
            flow.generate(now);
        }
        if now >= next_scan {
            flow.expire(now);
            next_scan = now + scan_every;
        }
        let settled = flow.outstanding == 0 || now >= drain_until || flow.server_disconnect;
        if stopping && settled && flow.unsent().is_empty() {
            break;
        }
        if now >= drain_until + DPA_WAIT {
            // The socket would not take our last bytes.
            break;
        }

        let mut wake = next_scan.min(drain_until + DPA_WAIT);
        if !stopping {
            match flow.plan.interval {
                None => wake = wake.min(flow.plan.stop_at),
                // With no free slot, an answer (or a timeout) is what lets the next go.
                Some(_) if !flow.free.is_empty() => wake = wake.min(flow.next_due),
                Some(_) => {}
            }
        }
        let step = {
            let want_write = !flow.unsent().is_empty();
            let spare = reader.spare();
            poll_fn(|cx| {
                let mut step = Step::default();
                if want_write
                    && let Poll::Ready(r) = Pin::new(&mut stream).poll_write(cx, &flow.wbuf[flow.wpos..])
                {
                    step.wrote = Some(r);
                }
                let mut rb = ReadBuf::new(spare);
                if let Poll::Ready(r) = Pin::new(&mut stream).poll_read(cx, &mut rb) {
                    step.read = Some(r.map(|()| rb.filled().len()));
                }
                if pacer.poll_until(cx, wake).is_ready() {
                    step.timer = true;
                }
                if step.wrote.is_some() || step.read.is_some() || step.timer {
                    Poll::Ready(step)
                } else {
                    Poll::Pending
                }
            })
            .await
        };
        match step.wrote {
            Some(Ok(n)) => flow.wrote(n),
            Some(Err(e)) => {
                failure = Some(format!("write failed: {e}"));
                break;
            }
            None => {}
        }
        match step.read {
            Some(Ok(0)) => {
                if !flow.server_disconnect {
                    failure = Some("the server closed the connection".into());
                }
                break;
            }
            Some(Ok(n)) => {
                reader.filled(n);
                let now = Instant::now();
                loop {
                    match reader.next_frame() {
                        Ok(Some(frame)) => flow.receive(frame, now),
                        Ok(None) => break,
                        Err(e) => {
                            failure = Some(format!("{e:#}"));
                            break;
                        }
                    }
                }
                if failure.is_some() {
                    break;
                }
            }
            Some(Err(e)) => {
                failure = Some(format!("read failed: {e}"));
                break;
            }
            None => {}
        }
    }

    if failure.is_none() && flow.server_disconnect && Instant::now() < flow.plan.stop_at {
        failure = Some("the server sent DPR before the end of the run".into());
    }
    if let Some(why) = failure {
        flow.stats.connection_failed(format!("{}: {why}", flow.identity.origin_host));
        flow.lose_outstanding();
    } else if flow.server_disconnect {
        flow.lose_outstanding();
    } else {
        // Whatever is still outstanding has waited past the timeout.
        flow.stats.timeouts += flow.slots.iter().filter(|s| s.active && s.counted).count() as u64;
        disconnect(&mut stream, &mut reader, &flow.identity).await;
    }
    Finished { stats: flow.stats, last_answer: flow.last_answer }
}

/// DPR (RFC 6733 5.4), then DPA awaited for a bounded time; answers to requests that
/// were still in flight are ignored.
async fn disconnect(stream: &mut TcpStream, reader: &mut FrameReader, id: &Identity) {
    let mut dpr = Vec::new();
    let mut b = MessageBuilder::new(
        &mut dpr,
        plughss_plugin_api::diameter::flags::REQUEST,
        cmd::DISCONNECT_PEER,
        app::COMMON,
        u32::MAX,
        u32::MAX,
    );
    // RFC 6733 5.4.3: Disconnect-Cause REBOOTING (0): we may come back.
    b.origin(&id.origin_host, &id.origin_realm).enumerated(&base::DISCONNECT_CAUSE, 0);
    b.finish();
    let wait = async {
        stream.write_all(&dpr).await.ok()?;
        loop {
            let n = tokio::io::AsyncReadExt::read(stream, reader.spare()).await.ok()?;
            if n == 0 {
                return Some(());
            }
            reader.filled(n);
            while let Some(frame) = reader.next_frame().ok()? {
                if let Some(h) = Header::parse(frame)
                    && h.command_code == cmd::DISCONNECT_PEER
                    && !h.is_request()
                {
                    return Some(());
                }
            }
        }
    };
    let _ = tokio::time::timeout(DPA_WAIT, wait).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_split_in_place_across_reads() {
        let msg = |len: usize, tag: u8| {
            let mut m = vec![tag; len];
            m[0] = 1;
            m[1..4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
            m
        };
        let stream = [msg(24, 7), msg(20, 8), msg(300_000, 9)].concat();
        let mut r = FrameReader::new();
        let mut got = Vec::new();
        for chunk in stream.chunks(10_001) {
            let spare = r.spare();
            spare[..chunk.len()].copy_from_slice(chunk);
            r.filled(chunk.len());
            while let Some(f) = r.next_frame().unwrap() {
                got.push((f.len(), f[4]));
            }
        }
        assert_eq!(got, vec![(24, 7), (20, 8), (300_000, 9)]);

        let mut r = FrameReader::new();
        r.spare()[..4].copy_from_slice(&[1, 0, 0, 8]);
        r.filled(4);
        assert!(r.next_frame().is_err(), "a length below the header loses framing");
    }

    #[test]
    fn hop_by_hop_carries_the_slot() {
        for inflight in [1u32, 2, 3, 32, 1000, 65536] {
            let bits = u32::BITS - (inflight - 1).leading_zeros();
            assert!((1u64 << bits) >= inflight as u64);
            let mask = ((1u64 << bits) - 1) as u32;
            for slot in [0, inflight - 1] {
                for seq in [0u32, 1, 12345, u32::MAX] {
                    let hbh = if bits >= 32 { slot } else { (seq << bits) | slot };
                    assert_eq!(hbh & mask, slot);
                }
            }
        }
    }
}
