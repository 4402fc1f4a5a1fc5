//! The RFC 6733 base protocol against a running node over real TCP on 127.0.0.1.

mod common;

use std::time::Duration;

use common::*;
use plughss::diameter::client::{Client, ClientOptions, ConnectError};
use plughss::diameter::connection::CloseReason;
use plughss_plugin_api::diameter::{
    HEADER_LEN, Message, MessageBuilder, avp_flags, flags, result_code as rc,
};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd};

fn parse(b: &[u8]) -> Message<'_> {
    Message::parse(b).expect("the server's answer is well formed")
}

#[tokio::test]
async fn cea_advertises_only_the_common_applications() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    // We serve S6a and Cx; the peer offers S6a and Sh.
    p.send(&cer_bytes("mme.a", &[S6A, SH])).await;
    let cea = p.recv().await.unwrap();
    let m = parse(&cea);
    assert!(!m.header.is_request() && m.header.command_code == cmd::CAPABILITIES_EXCHANGE);
    assert_eq!((m.header.hop_by_hop, m.header.end_to_end), (0x1111, 0x2222));
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    assert_eq!(m.origin_host(), Some(HSS_HOST));
    assert_eq!(m.origin_realm(), Some(HSS_REALM));
    for def in [
        &base::HOST_IP_ADDRESS,
        &base::VENDOR_ID,
        &base::PRODUCT_NAME,
        &base::ORIGIN_STATE_ID,
        &base::FIRMWARE_REVISION,
    ] {
        assert!(m.find(def).is_some(), "CEA lacks {}", def.name);
    }
    assert_eq!(m.find(&base::HOST_IP_ADDRESS).unwrap().as_address().unwrap().to_string(), "127.0.0.1");
    let vsai: Vec<_> = m.find_all(&base::VENDOR_SPECIFIC_APPLICATION_ID).collect();
    assert_eq!(vsai.len(), 1, "only S6a is common");
    assert_eq!(vsai[0].child(258, 0).unwrap().as_u32(), Ok(apps::S6A));
    assert_eq!(vsai[0].child(266, 0).unwrap().as_u32(), Ok(VENDOR_3GPP));
    assert_eq!(m.u32(&base::SUPPORTED_VENDOR_ID), Some(VENDOR_3GPP));
    node.shutdown();
}

#[tokio::test]
async fn no_common_application_is_5010_and_disconnect() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    p.send(&cer_bytes("mme.b", &[SH])).await;
    let cea = p.recv().await.unwrap();
    let m = parse(&cea);
    assert_eq!(m.result(), Some((0, rc::DIAMETER_NO_COMMON_APPLICATION)));
    assert!(!m.header.is_error(), "5xxx is not a protocol error");
    assert!(m.find(&base::VENDOR_SPECIFIC_APPLICATION_ID).is_none());
    assert!(p.closed_within(Duration::from_secs(3)).await);
}

#[tokio::test]
async fn relay_peer_gets_every_application() {
    let node = start_node(test_config()).await;
    let relay = plughss::diameter::router::Application { id: apps::RELAY, vendor_id: 0 };
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    p.send(&cer_bytes("dra.c", &[relay])).await;
    let cea = p.recv().await.unwrap();
    let m = parse(&cea);
    assert_eq!(m.result(), Some((0, 2001)));
    assert_eq!(m.find_all(&base::VENDOR_SPECIFIC_APPLICATION_ID).count(), 2);
}

#[tokio::test]
async fn unknown_peer_is_3010_when_only_known_peers_are_accepted() {
    let mut cfg = test_config();
    cfg.diameter.accept_only_known = true;
    cfg.diameter.peer = vec![toml::from_str("host = \"mme.known\"\nrealm = \"client.local\"").unwrap()];
    let node = start_node(cfg).await;
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    p.send(&cer_bytes("mme.stranger", &[S6A])).await;
    let cea = p.recv().await.unwrap();
    let m = parse(&cea);
    assert_eq!(m.result(), Some((0, rc::DIAMETER_UNKNOWN_PEER)));
    assert!(m.header.is_error(), "3xxx answers carry the E bit");
    assert!(p.closed_within(Duration::from_secs(3)).await);
    // The known peer is let in.
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    p.send(&cer_bytes("mme.known", &[S6A])).await;
    assert_eq!(parse(&p.recv().await.unwrap()).result(), Some((0, 2001)));
}

#[tokio::test]
async fn first_message_other_than_cer_closes() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::connect(node.diameter_addrs[0]).await;
    p.send(&request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;1")).await;
    assert!(p.closed_within(Duration::from_secs(3)).await);
}

#[tokio::test]
async fn dwr_is_answered_with_dwa() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    p.send(&base_request(cmd::DEVICE_WATCHDOG, 77)).await;
    let dwa = p.recv_answer().await;
    let m = parse(&dwa);
    assert_eq!((m.header.command_code, m.header.hop_by_hop), (cmd::DEVICE_WATCHDOG, 77));
    assert_eq!(m.result(), Some((0, 2001)));
    assert!(m.u32(&base::ORIGIN_STATE_ID).is_some());
}

#[tokio::test]
async fn idle_node_sends_dwr_and_closes_a_silent_peer() {
    let mut cfg = test_config();
    cfg.diameter.watchdog_interval = Duration::from_millis(300);
    let node = start_node(cfg).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    // Answer two watchdogs: the connection stays up.
    for _ in 0..2 {
        let dwr = p.recv().await.unwrap();
        let m = parse(&dwr);
        assert!(m.header.is_request() && m.header.command_code == cmd::DEVICE_WATCHDOG);
        assert_eq!(m.origin_host(), Some(HSS_HOST));
        p.answer_base(&m).await;
    }
    // Then go silent: RFC 3539 says the node suspects after Tw and closes after 2 Tw.
    let t = tokio::time::Instant::now();
    assert!(p.closed_within(Duration::from_secs(3)).await, "silent peer must be closed");
    assert!(t.elapsed() >= Duration::from_millis(400), "closed too early: {:?}", t.elapsed());
}

#[tokio::test]
async fn dpr_is_answered_then_closed() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    p.send(&base_request(cmd::DISCONNECT_PEER, 5)).await;
    let dpa = p.recv_answer().await;
    let m = parse(&dpa);
    assert_eq!((m.header.command_code, m.result()), (cmd::DISCONNECT_PEER, Some((0, 2001))));
    assert!(p.closed_within(Duration::from_secs(3)).await);
}

#[tokio::test]
async fn client_disconnect_gets_dpa() {
    let node = start_node(test_config()).await;
    let c = Client::connect(
        node.diameter_addrs[0],
        ClientOptions::new("mme.client.local", "client.local", vec![S6A]),
    )
    .await
    .unwrap();
    assert_eq!(c.peer().info().origin_host, HSS_HOST);
    assert_eq!(c.peer().info().applications, vec![S6A]);
    let answer = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;d")).await.unwrap();
    assert_eq!(parse(&answer).result(), Some((0, 2001)));
    assert_eq!(c.disconnect().await, CloseReason::Disconnected(None));
}

#[tokio::test]
async fn client_reports_rejection() {
    let node = start_node(test_config()).await;
    let r =
        Client::connect(node.diameter_addrs[0], ClientOptions::new("mme.e", "client.local", vec![SH])).await;
    assert!(matches!(r, Err(ConnectError::Rejected(CloseReason::Rejected(5010)))), "{:?}", r.err());
}

/// Sends `msg` on an open connection and returns the answer, checking what every error
/// answer must carry (RFC 6733 7.2).
async fn error_answer_for(msg: &[u8], expect_code: u32) -> Vec<u8> {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    p.send(msg).await;
    let a = p.recv_answer().await.to_vec();
    let m = parse(&a);
    assert_eq!(m.result(), Some((0, expect_code)));
    assert_eq!(m.header.is_error(), rc::is_protocol_error(expect_code), "E bit for {expect_code}");
    assert_eq!(m.origin_host(), Some(HSS_HOST));
    assert_eq!(m.origin_realm(), Some(HSS_REALM));
    // Identifiers are echoed.
    assert_eq!(&a[12..20], &msg[12..20]);
    // The connection survives the error.
    p.send(&base_request(cmd::DEVICE_WATCHDOG, 9)).await;
    assert_eq!(parse(&p.recv_answer().await).header.command_code, cmd::DEVICE_WATCHDOG);
    a
}

fn failed_avp_code(answer: &[u8]) -> u32 {
    let m = parse(answer);
    let f = m.find(&base::FAILED_AVP).expect("Failed-AVP");
    f.grouped().next().unwrap().unwrap().code
}

#[tokio::test]
async fn unknown_command_is_3001() {
    let a = error_answer_for(&request(apps::S6A, 4242, 1, "s;3001"), rc::DIAMETER_COMMAND_UNSUPPORTED).await;
    assert_eq!(parse(&a).session_id(), Some("s;3001"));
}

#[tokio::test]
async fn unserved_application_is_3007() {
    error_answer_for(&request(apps::SH, cmd::USER_DATA, 1, "s;3007"), rc::DIAMETER_APPLICATION_UNSUPPORTED)
        .await;
    // Cx is served but was not negotiated on this S6a-only connection.
    error_answer_for(
        &request(apps::CX, cmd::MULTIMEDIA_AUTH, 2, "s;3007b"),
        rc::DIAMETER_APPLICATION_UNSUPPORTED,
    )
    .await;
}

#[tokio::test]
async fn request_with_e_bit_is_3008() {
    let mut m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;3008");
    m[4] |= flags::ERROR;
    error_answer_for(&m, rc::DIAMETER_INVALID_HDR_BITS).await;
}

#[tokio::test]
async fn reserved_avp_flag_is_3009_with_failed_avp() {
    let mut buf = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;3009");
    // Set a reserved bit on the Session-Id AVP.
    buf[HEADER_LEN + 4] |= 0x02;
    let a = error_answer_for(&buf, rc::DIAMETER_INVALID_AVP_BITS).await;
    assert_eq!(failed_avp_code(&a), base::SESSION_ID.code);
    // Session-Id is still echoed, first (RFC 6733 6.2, 8.8).
    assert_eq!(parse(&a).avps().next().unwrap().unwrap().code, base::SESSION_ID.code);
    assert_eq!(parse(&a).session_id(), Some("s;3009"));
}

#[tokio::test]
async fn invalid_utf8_is_5004() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 1, 1);
    b.str(&base::SESSION_ID, "s;5004").origin("mme.client.local", "client.local");
    b.avp_raw(base::USER_NAME.code, avp_flags::MANDATORY, 0, &[0xc3, 0x28]);
    b.finish();
    let a = error_answer_for(&buf, rc::DIAMETER_INVALID_AVP_VALUE).await;
    assert_eq!(failed_avp_code(&a), base::USER_NAME.code);
}

#[tokio::test]
async fn missing_origin_realm_is_5005_naming_it() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 1, 1);
    b.str(&base::SESSION_ID, "s;5005").str(&base::ORIGIN_HOST, "mme.client.local");
    b.finish();
    let a = error_answer_for(&buf, rc::DIAMETER_MISSING_AVP).await;
    assert_eq!(failed_avp_code(&a), base::ORIGIN_REALM.code);
}

#[tokio::test]
async fn version_2_is_5011() {
    let mut m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;5011");
    m[0] = 2;
    error_answer_for(&m, rc::DIAMETER_UNSUPPORTED_VERSION).await;
}

#[tokio::test]
async fn overlong_avp_is_5014_with_failed_avp() {
    let mut m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;5014");
    // Auth-Session-State follows Session-Id ("s;5014" pads to 16 octets): claim 255 octets.
    let at = HEADER_LEN + 16;
    assert_eq!(&m[at..at + 4], &277u32.to_be_bytes());
    m[at + 7] = 255;
    let a = error_answer_for(&m, rc::DIAMETER_INVALID_AVP_LENGTH).await;
    assert_eq!(failed_avp_code(&a), 277);
}

#[tokio::test]
async fn unaligned_message_length_is_5015() {
    let mut m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;5015");
    m.extend_from_slice(&[0, 0]);
    let len = m.len() as u32;
    m[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    error_answer_for(&m, rc::DIAMETER_INVALID_MESSAGE_LENGTH).await;
}

#[tokio::test]
async fn handler_failure_and_panic_are_5012_and_the_node_lives_on() {
    error_answer_for(&request(apps::S6A, FAIL_CMD, 1, "s;fail"), rc::DIAMETER_UNABLE_TO_COMPLY).await;
    error_answer_for(&request(apps::S6A, PANIC_CMD, 2, "s;panic"), rc::DIAMETER_UNABLE_TO_COMPLY).await;
}

#[tokio::test]
async fn other_realm_is_3003() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 1, 1);
    b.str(&base::SESSION_ID, "s;3003")
        .origin("mme.client.local", "client.local")
        .str(&base::DESTINATION_REALM, "elsewhere");
    b.finish();
    error_answer_for(&buf, rc::DIAMETER_REALM_NOT_SERVED).await;
}

#[tokio::test]
async fn message_split_across_three_writes() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    let m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 42, "s;split");
    let (a, rest) = m.split_at(3);
    let (b, c) = rest.split_at(25);
    for part in [a, b, c] {
        p.send(part).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let ans = p.recv_answer().await;
    let m = parse(&ans);
    assert_eq!((m.header.hop_by_hop, m.result()), (42, Some((0, 2001))));
    assert_eq!(m.session_id(), Some("s;split"));
}

#[tokio::test]
async fn hundred_messages_in_one_write_get_hundred_answers() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    let mut batch = Vec::new();
    for i in 0..100u32 {
        batch.extend(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1000 + i, &format!("s;{i}")));
    }
    p.send(&batch).await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..100 {
        let a = p.recv_answer().await;
        let m = parse(&a);
        assert_eq!(m.result(), Some((0, 2001)));
        assert_eq!(m.session_id(), Some(format!("s;{}", m.header.hop_by_hop - 1000).as_str()));
        seen.insert(m.header.hop_by_hop);
    }
    assert_eq!(seen, (1000..1100).collect());
}

#[tokio::test]
async fn oversize_length_closes_the_connection() {
    let mut cfg = test_config();
    cfg.diameter.max_message_size = plughss::config::MessageSize(4096);
    let node = start_node(cfg).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    // A header claiming 1 MiB: refused from the length field alone.
    let mut m = request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 1, "s;big");
    m[1..4].copy_from_slice(&(1u32 << 20).to_be_bytes()[1..]);
    p.send(&m[..HEADER_LEN]).await;
    assert!(p.closed_within(Duration::from_secs(3)).await);
    // The node keeps serving others.
    let _ = RawPeer::open(node.diameter_addrs[0]).await;
}

#[tokio::test]
async fn nonsense_length_closes_the_connection() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    p.send(&[1, 0, 0, 8, 0x80, 0, 1, 62, 0, 0, 0, 0]).await;
    assert!(p.closed_within(Duration::from_secs(3)).await);
}

#[tokio::test]
async fn shutdown_sends_dpr_after_in_flight_requests() {
    let node = start_node(test_config()).await;
    let mut p = RawPeer::open(node.diameter_addrs[0]).await;
    p.send(&request(apps::S6A, SLOW_CMD, 31, "s;slow")).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    node.shutdown();
    // The DPR and the slow answer both arrive, in either order.
    let (mut got_dpr, mut got_answer) = (false, false);
    while !(got_dpr && got_answer) {
        let m = p.recv().await.expect("DPR and the in-flight answer before close");
        let msg = parse(&m);
        if msg.header.is_request() {
            assert_eq!(msg.header.command_code, cmd::DISCONNECT_PEER);
            assert_eq!(msg.find(&base::DISCONNECT_CAUSE).unwrap().as_enum(), Ok(0), "REBOOTING");
            got_dpr = true;
            p.answer_base(&msg).await;
        } else {
            assert_eq!((msg.header.hop_by_hop, msg.result()), (31, Some((0, 2001))));
            got_answer = true;
        }
    }
    assert!(p.closed_within(Duration::from_secs(3)).await);
    tokio::time::timeout(Duration::from_secs(5), node.wait()).await.expect("node stops");
}
