//! Wireshark's Diameter dissector as an independent judge of the built-in S6a
//! WebAssembly plugin's bytes: a session against a node running the plugin (CER/CEA; AIR
//! for 1 and 3 vectors, with a valid Re-Synchronization-Info, and for an unknown IMSI;
//! ULR; an API change answered with DSA and IDA; a second MME's ULR that makes the HSS
//! send CLR to the first, answered with CLA; PUR; NOR; DPR/DPA) is captured on lo with tshark, and every frame must decode as
//! Diameter with no malformed packet and no Expert Info of severity Error.

mod common;

use std::fmt;
use std::path::Path;
use std::time::Duration;

use common::capture::{Capture, read_capture, tshark_present};
use common::s6a_node::*;
use common::*;
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::connection::CloseReason;
use plughss_plugin_api::diameter::result_code::experimental as x;
use plughss_plugin_api::diameter::{Message, MessageBuilder};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd, s6a};

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

/// The raw MME (RawPeer's Origin-Host) and the second MME (our own client).
const MME1: &str = "mme.client.local";
const MME2: &str = "mme2.client.local";

fn air(imsi: &str, origin: &str, hbh: u32, vectors: u32, resync: Option<&[u8; 30]>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, hbh, hbh);
    b.str(&base::SESSION_ID, &format!("{origin};air;{hbh}"))
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(origin, "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, imsi)
        .grouped(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, vectors).u32(&s6a::IMMEDIATE_RESPONSE_PREFERRED, 0);
            if let Some(r) = resync {
                g.bytes(&s6a::RE_SYNCHRONIZATION_INFO, r);
            }
        })
        .bytes(&s6a::VISITED_PLMN_ID, &PLMN);
    b.finish();
    buf
}

fn ulr(origin: &str, hbh: u32, flags: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::UPDATE_LOCATION, apps::S6A, hbh, hbh);
    b.str(&base::SESSION_ID, &format!("{origin};ulr;{hbh}"))
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(origin, "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, IMSI)
        .enumerated(&s6a::RAT_TYPE, 1004)
        .u32(&s6a::ULR_FLAGS, flags)
        .bytes(&s6a::VISITED_PLMN_ID, &PLMN);
    b.finish();
    buf
}

/// PUR or NOR: the common mandatory AVPs and User-Name.
fn simple(command: u32, origin: &str, what: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, command, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, &format!("{origin};{what}"))
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(origin, "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, IMSI);
    b.finish();
    buf
}

/// The raw MME's success answer to an HSS-initiated request (CLA, DSA, IDA: TS 29.272
/// 7.2.8, 7.2.10, 7.2.12).
async fn answer_from_mme1(mme1: &mut RawPeer, req: &Message<'_>) {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::answer(&mut buf, &req.header);
    b.bytes(&base::SESSION_ID, req.find(&base::SESSION_ID).unwrap().payload())
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::S6A);
        })
        .result_code(2001)
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(MME1, "client.local");
    b.finish();
    mme1.send(&buf).await;
}

fn vector_count(m: &Message<'_>) -> usize {
    m.find(&s6a::AUTHENTICATION_INFO)
        .map(|i| i.grouped().flatten().filter(|a| a.is(s6a::E_UTRAN_VECTOR.code, VENDOR_3GPP)).count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tshark_decodes_s6a_with_no_malformed_packet_and_no_expert_error() {
    require!(tshark_present());
    let node = s6a_node().await;
    let addr = node.diameter_addrs[0];
    let port = addr.port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s6a.pcapng");
    let capture = require!(Capture::start(port, &file).await);

    // (command, request) of every Diameter message expected on the wire.
    let mut expected: Vec<(u32, bool)> = Vec::new();
    let mut both = |c: u32| {
        expected.push((c, true));
        expected.push((c, false));
    };

    // Stream 0: the raw MME, CER/CEA.
    let mut mme1 = RawPeer::open(addr).await;
    both(cmd::CAPABILITIES_EXCHANGE);
    let exchange = async |p: &mut RawPeer, req: Vec<u8>| -> bytes::Bytes {
        p.send(&req).await;
        p.recv_answer().await
    };
    // AIR for 1 and 3 vectors.
    for (hbh, n) in [(1, 1), (2, 3)] {
        let a = exchange(&mut mme1, air(IMSI, MME1, hbh, n, None)).await;
        let m = Message::parse(&a).unwrap();
        assert_eq!(m.result(), Some((0, 2001)), "AIR for {n}");
        assert_eq!(vector_count(&m), n as usize);
        both(cmd::AUTHENTICATION_INFORMATION);
    }
    // AIR with a valid Re-Synchronization-Info.
    let r = common::s6a_requests::resync_info(std::array::from_fn(|i| i as u8 * 7 + 1), 64 + 32_000_000);
    let a = exchange(&mut mme1, air(IMSI, MME1, 3, 2, Some(&r))).await;
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, 2001)), "AIR with a valid AUTS");
    assert_eq!(vector_count(&m), 2);
    both(cmd::AUTHENTICATION_INFORMATION);
    // AIR for an unknown IMSI: Experimental-Result 5001.
    let a = exchange(&mut mme1, air("001019999999999", MME1, 4, 1, None)).await;
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((VENDOR_3GPP, x::DIAMETER_ERROR_USER_UNKNOWN)));
    both(cmd::AUTHENTICATION_INFORMATION);
    // ULR from the raw MME (initial attach, S6a indicator): full Subscription-Data.
    let a = exchange(&mut mme1, ulr(MME1, 5, 0b10_0010)).await;
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, 2001)), "ULR");
    assert!(m.find(&s6a::SUBSCRIPTION_DATA).is_some());
    both(cmd::UPDATE_LOCATION);
    // The operator removes the ims APN and the MSISDN: DSR then IDR to the raw MME,
    // which answers DSA and IDA.
    let ((), ()) = tokio::join!(remove_ims_apn_and_msisdn(&node), async {
        for command in [cmd::DELETE_SUBSCRIBER_DATA, cmd::INSERT_SUBSCRIBER_DATA] {
            let req = mme1.recv().await.expect("HSS-initiated request");
            let m = Message::parse(&req).unwrap();
            assert_eq!((m.header.command_code, m.header.is_request()), (command, true));
            answer_from_mme1(&mut mme1, &m).await;
        }
    });
    both(cmd::DELETE_SUBSCRIBER_DATA);
    both(cmd::INSERT_SUBSCRIBER_DATA);

    // Stream 1: a second MME. Its ULR makes the HSS send CLR to the raw MME, which
    // answers CLA.
    let mme2 = Client::connect(addr, ClientOptions::new(MME2, "client.local", vec![S6A])).await.unwrap();
    both(cmd::CAPABILITIES_EXCHANGE);
    let (ula, ()) = tokio::join!(mme2.request(ulr(MME2, 0, 0b10_0010)), async {
        let clr = mme1.recv().await.expect("CLR to the previous MME");
        let m = Message::parse(&clr).unwrap();
        assert!(m.header.is_request());
        assert_eq!(m.header.command_code, cmd::CANCEL_LOCATION);
        answer_from_mme1(&mut mme1, &m).await;
    });
    assert_eq!(Message::parse(&ula.unwrap()).unwrap().result(), Some((0, 2001)), "ULR from MME2");
    both(cmd::UPDATE_LOCATION);
    both(cmd::CANCEL_LOCATION);
    let st = node.plugins.runtime.status();
    let s6a_status = st.iter().find(|p| p.name == "s6a").unwrap();
    assert_eq!(s6a_status.plugin_metrics.get("clr_ok"), Some(&1), "the CLA reached the plugin");
    // PUR and NOR from the serving MME.
    let a = mme2.request(simple(cmd::PURGE_UE, MME2, "pur")).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!((m.result(), m.u32(&s6a::PUA_FLAGS)), (Some((0, 2001)), Some(1)), "PUR");
    both(cmd::PURGE_UE);
    let a = mme2.request(simple(cmd::NOTIFY, MME2, "nor")).await.unwrap();
    assert_eq!(Message::parse(&a).unwrap().result(), Some((0, 2001)), "NOR");
    both(cmd::NOTIFY);
    // DPR/DPA on both connections.
    assert_eq!(mme2.disconnect().await, CloseReason::Disconnected(None));
    both(cmd::DISCONNECT_PEER);
    mme1.send(&base_request(cmd::DISCONNECT_PEER, 99)).await;
    let a = mme1.recv_answer().await;
    assert_eq!(Message::parse(&a).unwrap().result(), Some((0, 2001)), "DPA");
    both(cmd::DISCONNECT_PEER);
    assert!(mme1.closed_within(Duration::from_secs(3)).await, "closed after DPA");
    capture.stop().await;
    node.shutdown();
    if let Some(keep) = std::env::var_os("PLUGHSS_KEEP_PCAP") {
        std::fs::copy(&file, &keep).expect("copy the capture to PLUGHSS_KEEP_PCAP");
        eprintln!("capture kept at {}", Path::new(&keep).display());
    }

    // Every TCP frame carrying payload decodes as Diameter, and the messages are
    // exactly the ones exchanged (DWR/DWA aside, whose timing is the node's).
    let out = read_capture(
        &file,
        port,
        &[
            "-Y",
            "tcp.len > 0",
            "-T",
            "fields",
            "-E",
            "separator=/t",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
            "-e",
            "frame.number",
            "-e",
            "diameter.cmd.code",
            "-e",
            "diameter.flags.request",
        ],
    )
    .await;
    let mut decoded: Vec<(u32, bool)> = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "tshark line {line:?}");
        let codes: Vec<&str> = f[1].split('|').filter(|s| !s.is_empty()).collect();
        let reqs: Vec<&str> = f[2].split('|').filter(|s| !s.is_empty()).collect();
        assert!(!codes.is_empty(), "frame {} is not decoded as Diameter:\n{out}", f[0]);
        assert_eq!(codes.len(), reqs.len(), "{line}");
        for (c, r) in codes.iter().zip(&reqs) {
            let code: u32 = c.parse().unwrap_or_else(|_| panic!("command code {c:?} in {line:?}"));
            if code != cmd::DEVICE_WATCHDOG {
                decoded.push((code, matches!(*r, "1" | "True")));
            }
        }
    }
    let sorted = |v: &[(u32, bool)]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    assert_eq!(decoded.len(), expected.len(), "Diameter messages decoded:\n{out}");
    assert_eq!(sorted(&decoded), sorted(&expected), "tshark's reading of the session:\n{out}");

    // The dissector went into the S6a AVPs: the 1 + 3 + 2 KASMEs, the resync AUTS, 5001,
    // both ULAs' APNs and MSISDN, and the CLR's Cancellation-Type.
    let content = read_capture(
        &file,
        port,
        &[
            "-Y",
            "diameter",
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
            "-e",
            "diameter.KASME",
            "-e",
            "diameter.Re-Synchronization-Info",
            "-e",
            "diameter.Experimental-Result-Code",
            "-e",
            "diameter.Service-Selection",
            "-e",
            "diameter.MSISDN",
            "-e",
            "diameter.Cancellation-Type",
            "-e",
            "diameter.DSR-Flags",
        ],
    )
    .await;
    let column = |i: usize| -> Vec<String> {
        content
            .lines()
            .flat_map(|l| {
                l.split('\t').nth(i).unwrap_or("").split('|').map(str::to_owned).collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    assert_eq!(column(0).len(), 6, "KASMEs tshark decoded:\n{content}");
    assert_eq!(column(1), [hex::encode(r)], "Re-Synchronization-Info:\n{content}");
    assert_eq!(column(2), ["5001"], "Experimental-Result-Code:\n{content}");
    // ULA to MME1 with both APNs, IDR and ULA to MME2 without the removed one.
    assert_eq!(column(3), ["internet", "ims", "internet", "internet"], "Service-Selection:\n{content}");
    assert_eq!(column(4), ["947112325476"], "MSISDN, only before its withdrawal:\n{content}");
    assert_eq!(column(5), ["0"], "Cancellation-Type MME_UPDATE_PROCEDURE:\n{content}");
    // PDN subscription contexts (bit 3) and MSISDN (bit 23) Withdrawal.
    assert_eq!(column(6), [((1u32 << 3) | (1 << 23)).to_string()], "DSR-Flags:\n{content}");

    // No malformed packet, and no Expert Info of severity Error, in any frame.
    let bad =
        read_capture(&file, port, &["-Y", "_ws.malformed || _ws.expert.severity == error", "-T", "pdml"])
            .await;
    let problems = pdml_problems(&bad);
    let malformed = read_capture(&file, port, &["-Y", "_ws.malformed"]).await;
    let errors = read_capture(&file, port, &["-Y", "_ws.expert.severity == error"]).await;
    assert!(
        problems.is_empty() && malformed.trim().is_empty() && errors.trim().is_empty(),
        "tshark finds problems:\n{}\nmalformed frames:\n{malformed}\nexpert errors:\n{errors}",
        problems.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>().join("\n")
    );
    // Warnings are reported, not failed on.
    let warn = read_capture(
        &file,
        port,
        &["-Y", "_ws.expert", "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"],
    )
    .await;
    if !warn.trim().is_empty() {
        eprintln!("tshark expert info (not errors):\n{warn}");
    }
    tokio::time::timeout(Duration::from_secs(5), node.wait()).await.expect("node stops");
}
