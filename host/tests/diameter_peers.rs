//! Configured outbound peers: dialling, re-dialling, and host-originated requests
//! matched by Hop-by-Hop Identifier, against a real TCP peer played by the test.

mod common;

use std::time::Duration;

use common::*;
use plughss::config::PeerConfig;
use plughss::diameter::capabilities::write_cea;
use plughss::diameter::peers::RequestError;
use plughss_plugin_api::diameter::{Message, MessageBuilder};
use plughss_plugin_api::dictionary::{app as apps, base, cmd};
use tokio::net::TcpListener;

/// Accepts the node's connection, checks its CER and answers CEA advertising S6a.
async fn accept_and_answer_cer(l: &TcpListener) -> RawPeer {
    let (stream, _) =
        tokio::time::timeout(Duration::from_secs(10), l.accept()).await.expect("node dials").unwrap();
    let mut p = RawPeer::from_stream(stream);
    let cer = p.recv().await.expect("CER");
    let m = Message::parse(&cer).unwrap();
    assert!(m.header.is_request() && m.header.command_code == cmd::CAPABILITIES_EXCHANGE);
    assert_eq!(m.origin_host(), Some(HSS_HOST));
    let apps_offered: Vec<u32> = m
        .find_all(&base::VENDOR_SPECIFIC_APPLICATION_ID)
        .filter_map(|v| v.child(258, 0).and_then(|a| a.as_u32().ok()))
        .collect();
    assert!(apps_offered.contains(&apps::S6A) && apps_offered.contains(&apps::CX), "{apps_offered:?}");
    let mut buf = Vec::new();
    write_cea(&mut buf, &m.header, &client_node("mme.out"), None, 2001, &[S6A], None, None);
    p.send(&buf).await;
    p
}

fn clr(dest: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::CANCEL_LOCATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, "hss.test.local;1;clr")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(HSS_HOST, HSS_REALM)
        .str(&base::DESTINATION_HOST, dest)
        .str(&base::DESTINATION_REALM, "client.local");
    b.finish();
    buf
}

#[tokio::test]
async fn dials_configured_peer_originates_requests_and_redials() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut cfg = test_config();
    cfg.diameter.request_timeout = Duration::from_millis(300);
    cfg.diameter.peer = vec![PeerConfig {
        host: toml::Value::String("mme.out".into()).try_into().unwrap(),
        realm: toml::Value::String("client.local".into()).try_into().unwrap(),
        connect: Some(l.local_addr().unwrap()),
        relay: false,
    }];
    let node = start_node(cfg).await;
    let mut p = accept_and_answer_cer(&l).await;
    // Wait for the node to register the peer.
    for _ in 0..50 {
        if node.node.peers.is_connected("mme.out") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(node.node.peers.is_connected("mme.out"));

    // A request by Destination-Host reaches the peer; its answer is matched back.
    let peers = &node.node.peers;
    let (answer, ()) = tokio::join!(peers.request("mme.out", clr("mme.out")), async {
        let req = p.recv().await.unwrap();
        let m = Message::parse(&req).unwrap();
        assert_eq!(m.header.command_code, cmd::CANCEL_LOCATION);
        assert_ne!(m.header.end_to_end, 0, "End-to-End assigned");
        // Send an unrelated answer first: it must be discarded, not delivered.
        let mut stray = Vec::new();
        let mut hdr = m.header;
        hdr.hop_by_hop = hdr.hop_by_hop.wrapping_add(7);
        let mut b = MessageBuilder::answer(&mut stray, &hdr);
        b.result_code(5012);
        b.finish();
        p.send(&stray).await;
        let mut buf = Vec::new();
        let mut b = MessageBuilder::answer(&mut buf, &m.header);
        b.str(&base::SESSION_ID, m.session_id().unwrap()).result_code(2001).origin("mme.out", "client.local");
        b.finish();
        p.send(&buf).await;
    });
    let answer = answer.expect("answer matched by hop-by-hop");
    assert_eq!(Message::parse(&answer).unwrap().result(), Some((0, 2001)));

    // An unanswered request times out.
    let r = tokio::join!(peers.request("mme.out", clr("mme.out")), p.recv()).0;
    assert!(matches!(r, Err(RequestError::Timeout(_))), "{r:?}");
    // An unknown destination is refused at once.
    assert!(matches!(
        peers.request("mme.nowhere", clr("mme.nowhere")).await,
        Err(RequestError::UnknownPeer(_))
    ));

    // The peer drops the connection: the node dials again (backoff starts at 1 s).
    drop(p);
    let _p2 = accept_and_answer_cer(&l).await;
    node.shutdown();
}
