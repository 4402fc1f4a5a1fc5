//! Wireshark's Diameter dissector as an independent judge of our bytes on the wire: a
//! session against the node (CER/CEA, AIR/AIA, DWR/DWA, malformed requests and their
//! RFC 6733 error answers, DPR/DPA) is captured on the loopback interface with tshark,
//! and tshark's decoding must agree with what the test sent and received.

mod common;

use std::fmt;
use std::path::Path;
use std::time::Duration;

use common::capture::{Capture, read_capture, tshark_present};
use common::*;
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::connection::CloseReason;
use plughss_plugin_api::diameter::{HEADER_LEN, Message, MessageBuilder, avp_flags, result_code as rc};
use plughss_plugin_api::dictionary::{app as apps, base, cmd};

const UNKNOWN_CMD: u32 = 4242;

/// tshark's Expert Info severity "Error" (epan/proto.h PI_ERROR).
const PI_ERROR: u32 = 0x0080_0000;

/// Skips (or fails in CI) when tshark is missing.
macro_rules! require {
    ($what:expr) => {
        match $what {
            Ok(v) => v,
            Err(why) if in_ci() => panic!("tshark is required in CI: {why}"),
            Err(why) => {
                eprintln!("skipped: {why}");
                return;
            }
        }
    };
}

/// One Diameter message on the wire.
#[derive(Clone, PartialEq, Eq)]
struct Wire {
    /// tshark's TCP stream index: 0 for the first connection, 1 for the second.
    stream: u32,
    command: u32,
    request: bool,
    result: Option<u32>,
}

impl fmt::Debug for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.request { "R" } else { "A" };
        write!(f, "s{}:{}{}", self.stream, self.command, kind)?;
        if let Some(r) = self.result {
            write!(f, "={r}")?;
        }
        Ok(())
    }
}

/// What the test sent and received, in order.
#[derive(Default)]
struct Log(Vec<Wire>);

impl Log {
    fn sent(&mut self, stream: u32, bytes: &[u8]) {
        // From the header: the malformed requests do not all parse as a whole.
        assert_ne!(bytes[4] & 0x80, 0, "a request");
        let command = u32::from_be_bytes([0, bytes[5], bytes[6], bytes[7]]);
        self.0.push(Wire { stream, command, request: true, result: None });
    }

    fn received(&mut self, stream: u32, bytes: &[u8]) -> u32 {
        let m = Message::parse(bytes).expect("the node's answer parses");
        assert!(!m.header.is_request(), "the node sent a request {}", m.header.command_code);
        let (_, code) = m.result().expect("Result-Code");
        self.0.push(Wire { stream, command: m.header.command_code, request: false, result: Some(code) });
        code
    }
}

const FIELDS: &[&str] = &[
    "frame.number",
    "tcp.stream",
    "tcp.srcport",
    "diameter.cmd.code",
    "diameter.flags.request",
    "diameter.Result-Code",
    "_ws.expert.severity",
    "_ws.expert.message",
];

/// One output line of `-T fields`: the Diameter messages of one frame.
struct Frame {
    number: u32,
    stream: u32,
    srcport: u16,
    messages: Vec<Wire>,
    severities: Vec<u32>,
    line: String,
}

fn parse_frames(out: &str) -> Vec<Frame> {
    let list =
        |s: &str| -> Vec<String> { s.split('|').filter(|x| !x.is_empty()).map(str::to_owned).collect() };
    let num = |s: &str, line: &str| -> u32 {
        s.parse().unwrap_or_else(|_| panic!("not a number {s:?} in tshark line {line:?}"))
    };
    let mut frames = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), FIELDS.len(), "tshark line {line:?}");
        let stream = num(f[1], line);
        let codes = list(f[3]);
        let reqs = list(f[4]);
        let mut results = list(f[5]).into_iter();
        assert_eq!(codes.len(), reqs.len(), "{line}");
        let mut messages = Vec::new();
        for (c, r) in codes.iter().zip(&reqs) {
            let request = match r.as_str() {
                "1" | "True" => true,
                "0" | "False" => false,
                other => panic!("request flag {other:?} in {line:?}"),
            };
            let result = if request { None } else { results.next().map(|r| num(&r, line)) };
            messages.push(Wire { stream, command: num(c, line), request, result });
        }
        assert!(results.next().is_none(), "more Result-Codes than answers in {line:?}");
        frames.push(Frame {
            number: num(f[0], line),
            stream,
            srcport: f[2].parse().unwrap(),
            messages,
            severities: list(f[6]).iter().map(|s| num(s, line)).collect(),
            line: line.to_owned(),
        });
    }
    frames
}

/// An Expert Info of severity Error, or a malformation, in tshark's PDML.
struct Problem {
    frame: u32,
    /// Offset from the start of the Diameter message (the frame offset if unknown).
    offset: usize,
    what: String,
    /// The hex value of the enclosing Failed-AVP's data, if inside one.
    failed_avp: Option<String>,
}

impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "frame {} at Diameter offset {}: {}", self.frame, self.offset, self.what)?;
        if let Some(v) = &self.failed_avp {
            write!(f, " (inside Failed-AVP {v})")?;
        }
        Ok(())
    }
}

/// Walks PDML (one element a line, as tshark writes it) and lists every `_ws.malformed`
/// and every Expert Info of severity Error, with where it sits.
fn pdml_problems(pdml: &str) -> Vec<Problem> {
    fn attr(line: &str, key: &str) -> String {
        let pat = format!(" {key}=\"");
        let Some(i) = line.find(&pat).map(|i| i + pat.len()) else { return String::new() };
        line[i..].find('"').map(|j| line[i..i + j].to_owned()).unwrap_or_default()
    }
    struct El {
        name: String,
        value: String,
        showname: String,
        pos: usize,
    }
    let mut out = Vec::new();
    let mut stack: Vec<El> = Vec::new();
    let mut frame = 0;
    for line in pdml.lines().map(str::trim) {
        if line.starts_with("<packet") {
            stack.clear();
            continue;
        }
        if line.starts_with("</field") || line.starts_with("</proto") {
            stack.pop();
            continue;
        }
        if !(line.starts_with("<field") || line.starts_with("<proto")) {
            continue;
        }
        let el = El {
            name: attr(line, "name"),
            value: attr(line, "value"),
            showname: attr(line, "showname"),
            pos: attr(line, "pos").parse().unwrap_or(0),
        };
        let show = attr(line, "show");
        if el.name == "frame.number" {
            frame = show.parse().unwrap_or(0);
        }
        let error = el.name == "_ws.expert.severity" && show.parse::<u32>().is_ok_and(|s| s >= PI_ERROR);
        if error || el.name == "_ws.malformed" {
            // The expert item's own position is 0; its parent `_ws.expert` has the place.
            let at = if el.pos > 0 {
                el.pos
            } else {
                stack.iter().rev().map(|e| e.pos).find(|p| *p > 0).unwrap_or(0)
            };
            let what = if error {
                stack
                    .iter()
                    .rev()
                    .find(|e| e.name == "_ws.expert")
                    .map(|e| e.showname.clone())
                    .unwrap_or_default()
            } else {
                el.showname.clone()
            };
            let diameter = stack.iter().rev().find(|e| e.name == "diameter").map(|e| e.pos).unwrap_or(0);
            out.push(Problem {
                frame,
                offset: at.saturating_sub(diameter),
                what,
                failed_avp: stack
                    .iter()
                    .rev()
                    .find(|e| e.name == "diameter.Failed-AVP")
                    .map(|e| e.value.clone()),
            });
        }
        if !line.ends_with("/>") {
            stack.push(el);
        }
    }
    out
}

fn air_with_bad_utf8_user_name(hbh: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, hbh, hbh);
    b.str(&base::SESSION_ID, "s;5004")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme.client.local", "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM);
    b.avp_raw(base::USER_NAME.code, avp_flags::MANDATORY, 0, &[0xc3, 0x28]);
    b.finish();
    buf
}

fn air_without_origin_realm(hbh: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, hbh, hbh);
    b.str(&base::SESSION_ID, "s;5005").str(&base::ORIGIN_HOST, "mme.client.local");
    b.finish();
    buf
}

fn air_with_reserved_avp_flag(hbh: u32) -> Vec<u8> {
    let mut buf = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, hbh, "s;3009");
    // A reserved bit on the Session-Id AVP's flags.
    buf[HEADER_LEN + 4] |= 0x02;
    buf
}

#[tokio::test]
async fn tshark_decodes_a_session_and_agrees_with_us() {
    require!(tshark_present());
    let node = start_node(test_config()).await;
    let addr = node.diameter_addrs[0];
    let port = addr.port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.pcapng");
    let capture = require!(Capture::start(port, &file).await);

    let mut log = Log::default();
    // Stream 0: our own client: CER/CEA, AIR/AIA, DPR/DPA.
    let c = Client::connect(addr, ClientOptions::new("mme.client.local", "client.local", vec![S6A]))
        .await
        .unwrap();
    let air = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;tshark-air");
    let answer = c.request(air.clone()).await.unwrap();
    assert_eq!(c.disconnect().await, CloseReason::Disconnected(None));
    // The client's CER/CEA and DPR/DPA are not visible to us as bytes; connect and
    // disconnect succeeding mean they happened, with 2001.
    let base = |command, request| Wire { stream: 0, command, request, result: (!request).then_some(2001) };
    log.0.push(base(cmd::CAPABILITIES_EXCHANGE, true));
    log.0.push(base(cmd::CAPABILITIES_EXCHANGE, false));
    log.sent(0, &air);
    assert_eq!(log.received(0, &answer), rc::DIAMETER_SUCCESS);
    log.0.push(base(cmd::DISCONNECT_PEER, true));
    log.0.push(base(cmd::DISCONNECT_PEER, false));

    // Stream 1: raw bytes, one request at a time, every answer read.
    let mut p = RawPeer::connect(addr).await;
    let exchanges: Vec<(Vec<u8>, u32)> = vec![
        (cer_bytes("mme.client.local", &[S6A]), rc::DIAMETER_SUCCESS),
        (base_request(cmd::DEVICE_WATCHDOG, 2), rc::DIAMETER_SUCCESS),
        (request(apps::S6A, UNKNOWN_CMD, 3, "s;3001"), rc::DIAMETER_COMMAND_UNSUPPORTED),
        (air_with_bad_utf8_user_name(4), rc::DIAMETER_INVALID_AVP_VALUE),
        (air_without_origin_realm(5), rc::DIAMETER_MISSING_AVP),
        (air_with_reserved_avp_flag(6), rc::DIAMETER_INVALID_AVP_BITS),
        (request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 7, "s;ok"), rc::DIAMETER_SUCCESS),
        (base_request(cmd::DISCONNECT_PEER, 8), rc::DIAMETER_SUCCESS),
    ];
    for (msg, want) in &exchanges {
        p.send(msg).await;
        log.sent(1, msg);
        let a = p.recv().await.expect("an answer before close");
        assert_eq!(log.received(1, &a), *want, "answer to {:?}", log.0.last());
    }
    assert!(p.closed_within(Duration::from_secs(3)).await, "closed after DPA");
    capture.stop().await;
    node.shutdown();
    if let Some(keep) = std::env::var_os("PLUGHSS_KEEP_PCAP") {
        std::fs::copy(&file, &keep).expect("copy the capture to PLUGHSS_KEEP_PCAP");
        eprintln!("capture kept at {}", Path::new(&keep).display());
    }

    // What tshark decoded, frame by frame.
    let mut args =
        vec!["-Y", "tcp", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"];
    for f in FIELDS {
        args.extend(["-e", f]);
    }
    let out = read_capture(&file, port, &args).await;
    let frames = parse_frames(&out);
    let decoded: Vec<Wire> = frames.iter().flat_map(|f| f.messages.clone()).collect();
    let ctx = format!("tshark:\n{out}\nsent and received: {:?}", log.0);

    // (a) Every message we sent or received, and nothing else, in order.
    assert_eq!(decoded.len(), log.0.len(), "number of Diameter messages decoded\n{ctx}");
    assert_eq!(decoded, log.0, "tshark's reading of the session\n{ctx}");

    // (b) No frame is malformed, except the requests crafted malformed on purpose and,
    // in the node's answers, bytes of those requests echoed in a Failed-AVP (RFC 6733
    // 7.5: it carries the offending AVP as received), checked under (d).
    let crafted: [u32; 4] = [3, 4, 5, 6];
    let malformed = read_capture(
        &file,
        port,
        &[
            "-Y",
            "_ws.malformed",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "tcp.srcport",
            "-e",
            "diameter.hopbyhopid",
        ],
    )
    .await;
    for line in malformed.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let hbh: Vec<u32> = f[2]
            .split(',')
            .map(|h| u32::from_str_radix(h.trim_start_matches("0x"), 16).expect("hop-by-hop"))
            .collect();
        if f[1] == port.to_string() {
            eprintln!("tshark marks node frame {} malformed (hop-by-hop {hbh:?}); located under (d)", f[0]);
        } else {
            assert!(
                hbh.iter().all(|h| crafted.contains(h)),
                "tshark marks a well-formed request malformed: {line}\n{ctx}"
            );
        }
    }

    // (c) The Result-Codes tshark reads in the node's answers.
    let from_node: Vec<&Frame> =
        frames.iter().filter(|f| f.srcport == port && !f.messages.is_empty()).collect();
    assert!(from_node.iter().flat_map(|f| &f.messages).all(|m| !m.request), "the node sent a request\n{ctx}");
    let results: Vec<u32> = from_node.iter().flat_map(|f| &f.messages).filter_map(|m| m.result).collect();
    assert_eq!(
        results,
        [2001, 2001, 2001, 2001, 2001, 3001, 5004, 5005, 3009, 2001, 2001],
        "Result-Codes in the node's answers\n{ctx}"
    );

    // (d) No Expert Info of severity Error (and no malformation) in what the node sent,
    // except inside a Failed-AVP whose bytes are exactly an offending AVP the test sent.
    // (Our malformed requests may carry any; they are the client's, not ours.)
    let bad_user_name = air_with_bad_utf8_user_name(4);
    let bad_flags = air_with_reserved_avp_flag(6);
    let echoed: [String; 2] = [
        hex::encode(&bad_user_name[bad_user_name.len() - 12..]),
        hex::encode(&bad_flags[HEADER_LEN..HEADER_LEN + 16]),
    ];
    let pdml = read_capture(
        &file,
        port,
        &[
            "-Y",
            &format!("tcp.srcport == {port} && (_ws.malformed || _ws.expert.severity == error)"),
            "-T",
            "pdml",
        ],
    )
    .await;
    let problems = pdml_problems(&pdml);
    let ours: Vec<&Problem> =
        problems.iter().filter(|p| !p.failed_avp.as_ref().is_some_and(|v| echoed.contains(v))).collect();
    assert!(
        ours.is_empty(),
        "tshark finds errors in the node's answers:\n{}\n{ctx}",
        ours.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join("\n")
    );
    for p in &problems {
        eprintln!("tolerated, inside an echoed Failed-AVP: {p:?}");
    }
    // Warnings are reported, not failed on.
    for f in &from_node {
        if f.severities.iter().any(|s| *s > 0) {
            eprintln!("tshark expert info in node frame {} (stream {}): {}", f.number, f.stream, f.line);
        }
    }
    tokio::time::timeout(Duration::from_secs(5), node.wait()).await.expect("node stops");
}
