//! A bare Diameter responder: CER gets a CEA advertising S6a, DWR a DWA, DPR a DPA, and
//! every other request one fixed answer (an AIA with success and pre-computed E-UTRAN
//! vectors) with only its identifiers patched. No crypto, no store, no plugin: what the
//! load generator reaches against it is the transport ceiling of the machine, and the
//! tests use it to check the generator's own protocol handling (watchdog, timeouts).

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use plughss_plugin_api::diameter::{Frame, Header, MessageBuilder, flags, frame_length};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app, base, cmd, s6a};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ORIGIN_HOST: &str = "responder.localdomain";
const ORIGIN_REALM: &str = "localdomain";

/// How the responder behaves.
#[derive(Debug, Clone, Copy)]
pub struct ResponderOptions {
    /// E-UTRAN vectors in the fixed AIA.
    pub vectors: u32,
    /// Send a DWR on each connection this often (RFC 3539 watchdog), if set.
    pub watchdog: Option<Duration>,
    /// Leave every n-th application request unanswered (0: answer all).
    pub ignore_every: u64,
}

impl Default for ResponderOptions {
    fn default() -> Self {
        ResponderOptions { vectors: 1, watchdog: None, ignore_every: 0 }
    }
}

/// What the responder saw, over all connections.
#[derive(Debug, Default)]
pub struct Counters {
    pub connections: AtomicU64,
    pub answered: AtomicU64,
    pub ignored: AtomicU64,
    pub dwr_sent: AtomicU64,
    pub dwa_received: AtomicU64,
    pub dpr_received: AtomicU64,
}

/// Accepts connections until the listener fails, one task per connection.
pub async fn serve(
    listener: TcpListener,
    opts: ResponderOptions,
    counters: Arc<Counters>,
) -> std::io::Result<()> {
    let aia = Arc::new(fixed_aia(opts.vectors));
    loop {
        let (stream, _) = listener.accept().await?;
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let (aia, counters) = (aia.clone(), counters.clone());
        tokio::spawn(async move {
            let _ = connection(stream, &aia, opts, &counters).await;
        });
    }
}

/// The fixed answer: Session-Id, Vendor-Specific-Application-Id, Auth-Session-State,
/// Result-Code 2001, Origin-Host/Realm, Authentication-Info with `vectors` vectors.
fn fixed_aia(vectors: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b =
        MessageBuilder::new(&mut buf, flags::PROXIABLE, cmd::AUTHENTICATION_INFORMATION, app::S6A, 0, 0);
    b.str(&base::SESSION_ID, "responder.localdomain;1;1")
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .result_code(2001)
        .origin(ORIGIN_HOST, ORIGIN_REALM)
        .grouped(&s6a::AUTHENTICATION_INFO, |g| {
            for i in 0..vectors {
                g.grouped(&s6a::E_UTRAN_VECTOR, |v| {
                    v.u32(&s6a::ITEM_NUMBER, i + 1)
                        .bytes(&s6a::RAND, &[0x11; 16])
                        .bytes(&s6a::XRES, &[0x22; 8])
                        .bytes(&s6a::AUTN, &[0x33; 16])
                        .bytes(&s6a::KASME, &[0x44; 32]);
                });
            }
        });
    b.finish();
    buf
}

fn base_answer(out: &mut Vec<u8>, req: &Header, local: IpAddr) {
    let mut b = MessageBuilder::answer(out, req);
    b.result_code(2001).origin(ORIGIN_HOST, ORIGIN_REALM);
    if req.command_code == cmd::CAPABILITIES_EXCHANGE {
        // RFC 6733 5.3.2: Host-IP-Address, Vendor-Id and Product-Name are required.
        b.address(&base::HOST_IP_ADDRESS, local)
            .u32(&base::VENDOR_ID, 0)
            .str(&base::PRODUCT_NAME, "fixed-answer responder")
            .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
                g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
            });
    }
    b.finish();
}

async fn connection(
    mut stream: TcpStream,
    aia: &[u8],
    opts: ResponderOptions,
    counters: &Counters,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let local = stream.local_addr()?.ip();
    let mut rbuf = vec![0u8; 256 * 1024];
    let (mut start, mut end) = (0usize, 0usize);
    let mut out: Vec<u8> = Vec::with_capacity(256 * 1024);
    let mut seen = 0u64;
    let mut watchdog = opts.watchdog.map(tokio::time::interval);
    if let Some(w) = watchdog.as_mut() {
        w.tick().await; // the first tick is immediate
    }
    let mut dwr_id = 0x7000_0000u32;
    loop {
        let n = match watchdog.as_mut() {
            Some(w) => tokio::select! {
                r = stream.read(&mut rbuf[end..]) => r?,
                _ = w.tick() => {
                    dwr_id += 1;
                    let mut b = MessageBuilder::new(&mut out, flags::REQUEST, cmd::DEVICE_WATCHDOG, 0, dwr_id, dwr_id);
                    b.origin(ORIGIN_HOST, ORIGIN_REALM);
                    b.finish();
                    counters.dwr_sent.fetch_add(1, Ordering::Relaxed);
                    stream.write_all(&out).await?;
                    out.clear();
                    continue;
                }
            },
            None => stream.read(&mut rbuf[end..]).await?,
        };
        if n == 0 {
            return Ok(());
        }
        end += n;
        let mut close = false;
        let mut answered = 0u64;
        loop {
            let avail = &rbuf[start..end];
            let len = match frame_length(avail, rbuf.len()) {
                Frame::Length(len) if avail.len() >= len => len,
                Frame::Length(_) | Frame::NeedHeader => break,
                Frame::Lost(_) | Frame::TooLarge(_) => return Ok(()),
            };
            let Some(h) = Header::parse(avail) else { break };
            start += len;
            if !h.is_request() {
                if h.command_code == cmd::DEVICE_WATCHDOG {
                    counters.dwa_received.fetch_add(1, Ordering::Relaxed);
                }
                continue;
            }
            match h.command_code {
                cmd::CAPABILITIES_EXCHANGE | cmd::DEVICE_WATCHDOG => base_answer(&mut out, &h, local),
                cmd::DISCONNECT_PEER => {
                    counters.dpr_received.fetch_add(1, Ordering::Relaxed);
                    base_answer(&mut out, &h, local);
                    close = true;
                }
                _ => {
                    seen += 1;
                    if opts.ignore_every > 0 && seen.is_multiple_of(opts.ignore_every) {
                        counters.ignored.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let at = out.len();
                    out.extend_from_slice(aia);
                    out[at + 12..at + 16].copy_from_slice(&h.hop_by_hop.to_be_bytes());
                    out[at + 16..at + 20].copy_from_slice(&h.end_to_end.to_be_bytes());
                    answered += 1;
                }
            }
        }
        counters.answered.fetch_add(answered, Ordering::Relaxed);
        rbuf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        if !out.is_empty() {
            stream.write_all(&out).await?;
            out.clear();
        }
        if close {
            return stream.shutdown().await;
        }
    }
}
