//! Test harness: a node on 127.0.0.1 ephemeral ports, and a raw TCP peer that sends
//! hand-crafted bytes and reads framed answers.
#![allow(dead_code, unused_imports)]

pub mod capture;
mod fixtures;
pub mod mongo;
pub mod s6a_node;
pub mod s6a_requests;
pub mod serve;
pub use fixtures::fixture;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use plughss::app::{self, Running};
use plughss::config::Config;
use plughss::diameter::capabilities::{LocalNode, write_cer};
use plughss::diameter::codec::DiameterCodec;
use plughss::diameter::router::{Application, Router};
use plughss::diameter::testing::{FailingHandler, PanickingHandler, SuccessHandler};
use plughss_plugin_api::diameter::{Message, MessageBuilder, flags};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::codec::Decoder;

pub const HSS_HOST: &str = "hss.test.local";
pub const HSS_REALM: &str = "test.local";
pub const S6A: Application = Application { id: apps::S6A, vendor_id: VENDOR_3GPP };
pub const CX: Application = Application { id: apps::CX, vendor_id: VENDOR_3GPP };
pub const SH: Application = Application { id: apps::SH, vendor_id: VENDOR_3GPP };
/// S6a command answered after 300 ms.
pub const SLOW_CMD: u32 = 999;
pub const FAIL_CMD: u32 = 998;
pub const PANIC_CMD: u32 = 997;

/// A config listening on ephemeral loopback ports.
pub fn test_config() -> Config {
    let mut c = Config::default();
    c.diameter.origin_host.0 = HSS_HOST.into();
    c.diameter.origin_realm.0 = HSS_REALM.into();
    c.diameter.listen = vec!["127.0.0.1:0".parse().unwrap()];
    c.api.listen = "127.0.0.1:0".parse().unwrap();
    c.diameter.shutdown_grace = Duration::from_secs(2);
    c.data_dir = Some(scratch_dir("node"));
    // The built-in S6a plugin would take AIR/ULR from the native test handlers.
    c.plugin = vec![toml::from_str("name = \"s6a\"\nenabled = false").unwrap()];
    c
}

/// A fresh directory under cargo's per-target scratch space, unique per call.
pub fn scratch_dir(what: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// S6a (AIR, ULR, slow, failing, panicking) and Cx (MAR) handlers.
pub fn test_router() -> Router {
    let ok = |delay| {
        Arc::new(SuccessHandler { origin_host: HSS_HOST.into(), origin_realm: HSS_REALM.into(), delay })
    };
    let mut r = Router::new();
    r.add(S6A, cmd::AUTHENTICATION_INFORMATION, ok(Duration::ZERO))
        .add(S6A, cmd::UPDATE_LOCATION, ok(Duration::ZERO))
        .add(S6A, SLOW_CMD, ok(Duration::from_millis(300)))
        .add(S6A, FAIL_CMD, Arc::new(FailingHandler))
        .add(S6A, PANIC_CMD, Arc::new(PanickingHandler))
        .add(CX, cmd::MULTIMEDIA_AUTH, ok(Duration::ZERO));
    r
}

pub async fn start_node(cfg: Config) -> Running {
    app::start(&cfg, test_router()).await.expect("node starts")
}

pub fn client_node(host: &str) -> LocalNode {
    LocalNode {
        origin_host: host.into(),
        origin_realm: "client.local".into(),
        host_ips: vec!["127.0.0.1".parse().unwrap()],
        vendor_id: 0,
        product_name: "raw-test-peer".into(),
        origin_state_id: 1,
        firmware_revision: 1,
    }
}

pub fn cer_bytes(host: &str, apps: &[Application]) -> Vec<u8> {
    let mut buf = Vec::new();
    write_cer(&mut buf, &client_node(host), None, apps, 0x1111, 0x2222);
    buf
}

/// A request for `app`/`command` with Session-Id, Origin-Host/Realm and Destination-Realm.
pub fn request(app: u32, command: u32, hbh: u32, session: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, command, app, hbh, hbh ^ 0xffff);
    b.str(&base::SESSION_ID, session)
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme.client.local", "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM);
    b.finish();
    buf
}

/// A TCP peer that speaks raw bytes.
pub struct RawPeer {
    pub stream: TcpStream,
    buf: BytesMut,
    codec: DiameterCodec,
}

impl RawPeer {
    pub async fn connect(addr: SocketAddr) -> RawPeer {
        Self::from_stream(TcpStream::connect(addr).await.expect("connect"))
    }

    pub fn from_stream(stream: TcpStream) -> RawPeer {
        stream.set_nodelay(true).unwrap();
        RawPeer { stream, buf: BytesMut::new(), codec: DiameterCodec::new(1 << 20) }
    }

    /// Connects and completes CER/CEA advertising S6a.
    pub async fn open(addr: SocketAddr) -> RawPeer {
        let mut p = Self::connect(addr).await;
        p.send(&cer_bytes("mme.client.local", &[S6A])).await;
        let cea = p.recv().await.expect("CEA");
        assert_eq!(Message::parse(&cea).unwrap().result(), Some((0, 2001)));
        p
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// The next message, or None when the server closed; panics after 5 s of silence.
    pub async fn recv(&mut self) -> Option<Bytes> {
        self.recv_within(Duration::from_secs(5)).await.expect("a message or close within 5 s")
    }

    /// Ok(None) on close, Err on timeout.
    pub async fn recv_within(&mut self, d: Duration) -> Result<Option<Bytes>, ()> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            if let Some(m) = self.codec.decode(&mut self.buf).expect("server framing") {
                return Ok(Some(m));
            }
            let mut chunk = [0u8; 8192];
            match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(()),
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(None),
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Reads until the next message that is an answer (answering DWRs on the way).
    pub async fn recv_answer(&mut self) -> Bytes {
        loop {
            let m = self.recv().await.expect("an answer, not a close");
            let msg = Message::parse(&m).unwrap();
            if msg.header.is_request() && msg.header.command_code == cmd::DEVICE_WATCHDOG {
                self.answer_base(&msg).await;
                continue;
            }
            assert!(!msg.header.is_request(), "expected an answer, got request {}", msg.header.command_code);
            return m;
        }
    }

    /// Answers a DWR or DPR from the server with success.
    pub async fn answer_base(&mut self, req: &Message<'_>) {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::answer(&mut buf, &req.header);
        b.result_code(2001).origin("mme.client.local", "client.local");
        b.finish();
        self.send(&buf).await;
    }

    /// True when the server closes the connection within `d`, skipping any messages.
    pub async fn closed_within(&mut self, d: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.recv_within(left).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(()) => return false,
            }
        }
    }
}

/// A DWR, DPR or other base request from the client side.
pub fn base_request(command: u32, hbh: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, flags::REQUEST, command, 0, hbh, hbh);
    b.origin("mme.client.local", "client.local");
    if command == cmd::DISCONNECT_PEER {
        b.enumerated(&base::DISCONNECT_CAUSE, 0);
    }
    b.finish();
    buf
}

/// Whether this run must fail rather than skip when an external tool is missing.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A `[[plugin]]` entry for a fixture, parsed from TOML like an operator writes it.
pub fn plugin_entry(toml_text: &str) -> plughss::config::PluginConfig {
    toml::from_str(toml_text).expect("plugin entry")
}

mod c_plugin;
pub use c_plugin::*;
pub mod hostile_wat;
