//! A node running the built-in S6a plugin with one provisioned subscriber (TS 35.208
//! test set 1 keys, two APNs, an MSISDN), shared by the S6a, interop and tshark tests.

use plughss::app::{self, Running};
use plughss::diameter::router::Router;
use plughss_plugin_api::store::PutMode;
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp, Session, Subscriber, UeAddress, parse_hex};

use super::test_config;

pub const IMSI: &str = "001010000000001";
pub const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
pub const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";
pub const PLMN: [u8; 3] = [0x00, 0xf1, 0x10];

pub async fn s6a_node() -> Running {
    s6a_node_with(test_config()).await
}

/// [`s6a_node`] with `cfg` (its plugins replaced by the built-in ones).
pub async fn s6a_node_with(mut cfg: plughss::config::Config) -> Running {
    cfg.plugin.clear();
    let node = app::start(&cfg, Router::new()).await.expect("node with the built-in S6a plugin");
    let mut sub = Subscriber { imsi: IMSI.into(), msisdn: vec!["491721234567".into()], ..Default::default() };
    let ims = Session {
        name: "ims".into(),
        session_type: 1,
        ue: Some(UeAddress { ipv4: Some("10.45.0.7".into()), ipv6: None }),
        ..Default::default()
    };
    sub.slice[0].session.push(ims);
    sub.slice[0].session[1].qos.index = 5;
    sub.slice[0].session[1].qos.arp.priority_level = 1;
    sub.slice[0].session[1].qos.arp.pre_emption_capability = 2;
    let auth = AuthData {
        k: parse_hex("k", K).unwrap(),
        opc: OpcOrOp::Opc(parse_hex("opc", OPC).unwrap()),
        amf: [0x80, 0x00],
        sqn: 64,
        digest_ha1: None,
    };
    node.store.put(sub, Some(auth), PutMode::Create).await.unwrap();
    node
}

/// Replaces the subscriber through the API with its profile minus the `ims` APN and the
/// MSISDN: what a serving MME must be told to delete (TS 29.272 5.2.2.2 DSR).
pub async fn remove_ims_apn_and_msisdn(node: &Running) {
    let url = format!("http://{}/api/v1/subscribers/{IMSI}", node.api_addr);
    let http = reqwest::Client::new();
    let mut doc: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    let sessions = doc["slice"][0]["session"].as_array_mut().expect("sessions");
    assert_eq!(sessions.remove(1)["name"], "ims");
    doc["msisdn"] = serde_json::json!([]);
    let r = http.put(&url).json(&doc).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}
