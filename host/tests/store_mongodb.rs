//! The MongoDB store (plugins/store-mongodb), loaded through the loader as the shared
//! library `backend = "mongodb"` names, against a real MongoDB wire-protocol server
//! (nx-27017, started per test on an ephemeral port with its own data directory).
//! Documents are written and read back with pymongo (tests/interop/open5gs_db.py), an
//! independent client, in the shapes the Open5GS tools write; S6a runs end to end over
//! Diameter with vectors verified by an independent Milenage (common/s6a_requests.rs).
//!
//! What nx-27017 cannot show, and how it is covered: it keeps documents as JSON, so a
//! whole number below 2^31 reads back as Int32 whatever type was written, and a boolean
//! written by `$set` reads back as 0/1. Type checks on what PlugHSS writes therefore use
//! SQNs and timestamps above 2^31 (which nx returns as Int64 only if they were stored as
//! integers), and the exact BSON types of every field PlugHSS writes are asserted on the
//! update documents themselves in plugins/store-mongodb/src/write.rs.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::mongo::{self, Mongo};
use common::s6a_node::{K, OPC};
use common::s6a_requests::*;
use common::*;
use plughss::app::{self, Running};
use plughss::diameter::router::Router;
use plughss::store::StoreHandle;
use plughss::store::conformance::{self, plain_profile, sample_auth};
use plughss::store::loader::{StoreSelection, open_store};
use plughss_plugin_api::diameter::result_code::experimental as x;
use plughss_plugin_api::diameter::{Avp, Message, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, s6a};
use plughss_plugin_api::store::{PutMode, StoreError};
use plughss_plugin_api::subscriber::{
    Ambr, Arp, AuthData, BitRate, OpcOrOp, Qos, Session, Slice, Subscriber, UeAddress, parse_hex,
};
use serde_json::{Value, json};

const DB: &str = "open5gs";
/// The documents open5gs_db.py `fixtures` inserts, one per tool and shape.
const DBCTL: &str = "001010000000101";
const WEBUI: &str = "001010000000102";
const DOUBLES: &str = "001010000000103";
const INT64: &str = "001010000000104";
const PYLIB: &str = "001010000000105";
const NEXTEPC: &str = "001010000000106";
/// SQNs the fixtures store (above 2^31, so the server keeps them Int64).
const WEBUI_SQN: u64 = 0x0123_4567_89a0;
const NEXTEPC_SQN: u64 = 0x0100_0000_0040;
/// What one AIR reserves: a block of 1024 SEQ values with IND 5 bits (`[auc]` defaults).
const BLOCK: u64 = 1024 * 32;

/// The store as an operator configures it: `backend = "mongodb"`, found by the loader
/// beside the running executable.
fn open(m: &Mongo, database: &str) -> StoreHandle {
    let sel = StoreSelection {
        backend: "mongodb".into(),
        plugin: None,
        settings: json!({ "uri": m.uri(), "database": database }),
    };
    open_store(&sel, Path::new("/nonexistent")).expect("load and open the MongoDB store library")
}

/// A node with the built-in S6a plugin on the MongoDB store, with IND `ind`.
async fn node(m: &Mongo, database: &str, ind: u32) -> Running {
    let mut cfg = test_config();
    cfg.plugin.clear();
    cfg.store.backend = "mongodb".into();
    cfg.store.settings.insert("uri".into(), toml::Value::String(m.uri()));
    cfg.store.settings.insert("database".into(), toml::Value::String(database.into()));
    cfg.auc.ind = ind;
    app::start(&cfg, Router::new()).await.expect("node on the MongoDB store")
}

fn kbps(v: u64) -> BitRate {
    BitRate { value: v, unit: 1 }
}

/// The WebUI fixture as the model reads it (also the all-Double and all-Int64 copies).
fn webui_expected(imsi: &str) -> Subscriber {
    let session =
        |name: &str, t: u8, qci: u8, arp: (u8, u8, u8), ambr: Ambr, ue: Option<UeAddress>| Session {
            name: name.into(),
            session_type: t,
            qos: Qos {
                index: qci,
                arp: Arp {
                    priority_level: arp.0,
                    pre_emption_capability: arp.1,
                    pre_emption_vulnerability: arp.2,
                },
            },
            ambr,
            ue,
        };
    let v4 = |a: &str| Some(UeAddress { ipv4: Some(a.into()), ipv6: None });
    Subscriber {
        imsi: imsi.into(),
        msisdn: vec!["491721234567".into(), "491721234568".into()],
        ambr: Ambr { downlink: BitRate { value: 2, unit: 3 }, uplink: BitRate { value: 500, unit: 2 } },
        slice: vec![
            Slice {
                sst: 1,
                sd: None,
                default_indicator: true,
                session: vec![
                    session("internet", 3, 9, (8, 1, 1), Ambr::gbps(1), None),
                    session(
                        "ims",
                        1,
                        5,
                        (1, 2, 1),
                        Ambr { downlink: kbps(3850), uplink: kbps(1530) },
                        v4("10.45.0.7"),
                    ),
                ],
            },
            Slice {
                sst: 2,
                sd: Some("000080".into()),
                default_indicator: false,
                session: vec![session(
                    "iot",
                    2,
                    7,
                    (3, 2, 2),
                    Ambr { downlink: kbps(64), uplink: kbps(32) },
                    Some(UeAddress { ipv4: Some("10.46.0.9".into()), ipv6: Some("2001:db8::9".into()) }),
                )],
            },
        ],
        security: plughss_plugin_api::subscriber::SecurityInfo { amf: "8000".into(), sqn: WEBUI_SQN },
        ..Subscriber::default()
    }
}

/// Each fixture as the model must read it.
fn expected(imsi: &str) -> Subscriber {
    match imsi {
        DBCTL => {
            let mut s = plain_profile(imsi);
            let bps = |v| BitRate { value: v, unit: 0 };
            s.ambr = Ambr { downlink: bps(1_000_000_000), uplink: bps(1_000_000_000) };
            let sess = &mut s.slice[0].session[0];
            sess.ambr = s.ambr;
            sess.qos.arp.pre_emption_vulnerability = 2;
            s
        }
        WEBUI | DOUBLES | INT64 => webui_expected(imsi),
        PYLIB => plain_profile(imsi),
        NEXTEPC => {
            let mut s = plain_profile(imsi);
            s.security.sqn = NEXTEPC_SQN;
            s.ambr = Ambr { downlink: kbps(1_024_000), uplink: kbps(1_024_001) };
            s.network_access_mode = 2;
            let internet =
                Session { ambr: Ambr { downlink: kbps(1234), uplink: kbps(1234) }, ..Session::default() };
            let ims = Session {
                name: "ims".into(),
                session_type: 1,
                qos: Qos {
                    index: 5,
                    arp: Arp { priority_level: 1, pre_emption_capability: 2, pre_emption_vulnerability: 2 },
                },
                ambr: Ambr { downlink: kbps(2048), uplink: kbps(1024) },
                ue: Some(UeAddress { ipv4: Some("10.45.0.8".into()), ipv6: None }),
            };
            s.slice = vec![Slice { sst: 1, sd: None, default_indicator: true, session: vec![internet, ims] }];
            s
        }
        other => panic!("no fixture {other}"),
    }
}

fn fixture_auth(imsi: &str) -> AuthData {
    let opc = match imsi {
        INT64 => OpcOrOp::Op(parse_hex("op", "cdc202d5123e20f62b6d676ac72cb318").unwrap()),
        _ => OpcOrOp::Opc(parse_hex("opc", OPC).unwrap()),
    };
    AuthData {
        k: parse_hex("k", K).unwrap(),
        opc,
        amf: [0x80, 0],
        sqn: expected(imsi).security.sqn,
        digest_ha1: None,
    }
}

/// `(value, bson type)` of a path in what open5gs_db.py `get` printed.
fn field(got: &Value, path: &str) -> (Value, String) {
    let mut v = &got["doc"];
    for p in path.split('.') {
        v = match p.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[p],
        };
    }
    let key = path.split('.').fold(String::new(), |acc, p| match p.parse::<usize>() {
        Ok(i) => format!("{acc}[{i}]"),
        Err(_) if acc.is_empty() => p.to_owned(),
        Err(_) => format!("{acc}.{p}"),
    });
    let ty = got["types"][&key].as_str().unwrap_or("absent").to_owned();
    (v.clone(), ty)
}

/// The value of a canonical Extended JSON number as u64.
fn number(v: &Value) -> u64 {
    for k in ["$numberLong", "$numberInt"] {
        if let Some(s) = v[k].as_str() {
            return s.parse().unwrap();
        }
    }
    panic!("not an integer: {v}")
}

/// The field an `Invalid` names.
fn invalid<T>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid { field, .. }) => field,
        Err(e) => panic!("expected Invalid, got {e}"),
        Ok(_) => panic!("expected Invalid, got a value"),
    }
}

async fn result_of(
    c: &plughss::diameter::client::Client,
    req: Vec<u8>,
) -> (Option<(u32, u32)>, bytes::Bytes) {
    let a = c.request(req).await.expect("an answer");
    (Message::parse(&a).unwrap().result(), a)
}

fn child<'a>(a: &Avp<'a>, def: &plughss_plugin_api::dictionary::AvpDef) -> Avp<'a> {
    a.child(def.code, def.vendor).unwrap_or_else(|| panic!("AVP {} missing", def.code))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_through_the_loader() {
    if !mongo::available("conformance_through_the_loader") {
        return;
    }
    let m = Mongo::start();
    let store = open(&m, "conformance");
    assert_eq!(store.name(), "plughss-store-mongodb");
    let t = Instant::now();
    conformance::run(&store).await;
    eprintln!("conformance suite against nx-27017: {:?}", t.elapsed());
    store.close().await;
}

/// Documents as `open5gs-dbctl add`, the WebUI, the Open5GS and NextEPC Python libraries
/// write them (numbers as Int32, Int64 and Double) read field by field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open5gs_documents_read_field_by_field() {
    if !mongo::available("open5gs_documents_read_field_by_field") {
        return;
    }
    let m = Mongo::start();
    let inserted = m.py(DB, "fixtures", &[]);
    let store = open(&m, DB);
    for imsi in [DBCTL, WEBUI, DOUBLES, INT64, PYLIB, NEXTEPC] {
        assert!(inserted["inserted"].as_array().unwrap().contains(&json!(imsi)));
        let got = store.get(imsi).await.unwrap_or_else(|e| panic!("{imsi}: {e}"));
        assert_eq!(got, Some(expected(imsi)), "profile of {imsi}");
        assert_eq!(store.get_auth(imsi).await.unwrap(), Some(fixture_auth(imsi)), "keys of {imsi}");
    }
    let listed: Vec<String> = store.list(None, 10).await.unwrap().into_iter().map(|s| s.imsi).collect();
    assert_eq!(listed, [DBCTL, WEBUI, DOUBLES, INT64, PYLIB, NEXTEPC]);
    assert_eq!(store.count().await.unwrap(), 6);
    store.close().await;
}

/// A malformed document is `Invalid` naming the field, for that subscriber only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_document_names_the_field_and_spares_the_others() {
    if !mongo::available("a_malformed_document_names_the_field_and_spares_the_others") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let bad = [
        (
            "001010000000201",
            r#"{"imsi": "001010000000201", "security": {"k": "00", "opc": "00"}, "slice": [{"sst": 1, "session": [{"name": "internet", "qos": {"index": "nine"}}]}]}"#,
        ),
        (
            "001010000000202",
            r#"{"imsi": "001010000000202", "security": {"k": "465b5ce8b199b49faa5f0a2ee238a6bc", "opc": "cd63cb71954a9f4e48a5994e37a02baf", "sqn": {"$numberDouble": "1.5"}}}"#,
        ),
        (
            "001010000000203",
            r#"{"imsi": "001010000000203", "msisdn": [{"$numberInt": "5"}], "security": {"k": "465b5ce8b199b49faa5f0a2ee238a6bc"}}"#,
        ),
        (
            "001010000000204",
            r#"{"imsi": "001010000000204", "security": "none", "ambr": {"downlink": "fast"}}"#,
        ),
    ];
    for (_, doc) in bad {
        m.py(DB, "insert", &[doc]);
    }
    let store = open(&m, DB);
    assert_eq!(invalid(store.get("001010000000201").await), "slice[0].session[0].qos.index");
    assert_eq!(invalid(store.get_auth("001010000000201").await), "security.k");
    assert_eq!(invalid(store.get_auth("001010000000202").await), "security.sqn");
    assert_eq!(invalid(store.get("001010000000203").await), "msisdn[0]");
    assert_eq!(invalid(store.get_auth("001010000000203").await), "security.opc");
    assert_eq!(invalid(store.get("001010000000204").await), "security");
    // "security" from the document read back; a server that refuses the `$inc` itself
    // (MongoDB: PathNotViable) gives "security.sqn".
    assert!(invalid(store.reserve_sqn("001010000000204", 1, 32).await).starts_with("security"));
    // The others are untouched: listed (the bad ones skipped), read, served.
    let listed: Vec<String> = store.list(None, 100).await.unwrap().into_iter().map(|s| s.imsi).collect();
    assert_eq!(listed, [DBCTL, WEBUI, DOUBLES, INT64, PYLIB, NEXTEPC]);
    let paged: Vec<String> =
        store.list(Some(NEXTEPC), 1).await.unwrap().into_iter().map(|s| s.imsi).collect();
    assert!(paged.is_empty(), "nothing valid after the last good IMSI: {paged:?}");
    assert_eq!(store.get(WEBUI).await.unwrap(), Some(expected(WEBUI)));
    store.close().await;

    let node = node(&m, DB, 0).await;
    let c = mme(&node, "mme1.client.local").await;
    // The S6a plugin answers a store's Invalid with 5004 (its mapping of HostError::Invalid).
    let (r, _) = result_of(&c, air("001010000000201", "mme1.client.local", 1, None)).await;
    assert_eq!(r, Some((0, rc::DIAMETER_INVALID_AVP_VALUE)), "a subscriber whose keys do not read");
    let (r, a) = result_of(&c, air(WEBUI, "mme1.client.local", 1, None)).await;
    assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)));
    verify_vector(&vectors(&Message::parse(&a).unwrap())[0]);
}

/// What PlugHSS writes is what the WebUI writes, with the types Open5GS reads; an update
/// of a document made by the WebUI or NextEPC keeps what PlugHSS does not model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_have_the_webui_shape_and_keep_foreign_fields() {
    if !mongo::available("writes_have_the_webui_shape_and_keep_foreign_fields") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let store = open(&m, DB);
    let imsi = "001010000000301";
    let mut sub = plain_profile(imsi);
    sub.msisdn = vec!["491720000301".into()];
    sub.security.amf = "8002".into(); // the keys' AMF: nothing for `plughss.amf` to keep
    let sqn = 0x0222_0000_0020;
    store.put(sub.clone(), Some(sample_auth(2, sqn)), PutMode::Create).await.unwrap();
    let got = m.py(DB, "get", &[imsi]);
    for (path, ty) in [
        ("_id", "objectId"),
        ("schema_version", "int32"),
        ("imsi", "string"),
        ("msisdn.0", "string"),
        ("imeisv", "array"),
        ("mme_host", "array"),
        ("security.k", "string"),
        ("security.opc", "string"),
        ("security.op", "null"),
        ("security.amf", "string"),
        ("security.sqn", "int64"),
        ("ambr.downlink.value", "int32"),
        ("ambr.uplink.unit", "int32"),
        ("slice.0._id", "objectId"),
        ("slice.0.sst", "int32"),
        ("slice.0.default_indicator", "bool"),
        ("slice.0.session.0._id", "objectId"),
        ("slice.0.session.0.name", "string"),
        ("slice.0.session.0.type", "int32"),
        ("slice.0.session.0.qos.index", "int32"),
        ("slice.0.session.0.qos.arp.priority_level", "int32"),
        ("slice.0.session.0.pcc_rule", "array"),
        ("access_restriction_data", "int32"),
        ("subscribed_rau_tau_timer", "int32"),
        ("purge_flag", "bool"),
        ("__v", "int32"),
    ] {
        assert_eq!(field(&got, path).1, ty, "{path} in {}", got["doc"]);
    }
    assert_eq!(number(&field(&got, "security.sqn").0), sqn);
    assert_eq!(field(&got, "security.k").0, json!(hex::encode(sample_auth(2, 0).k)));
    assert_eq!(field(&got, "slice.0.session.0.name").0, json!("internet"));
    assert!(got["doc"].get("plughss").is_none(), "nothing PlugHSS-specific to keep: {}", got["doc"]);

    // Update the WebUI's document: its _ids, SMF, imeisv-like extras and rand survive.
    m.py(
        DB,
        "set",
        &[WEBUI, r#"{"imeisv": ["3534900698733190"], "security.rand": "00112233445566778899aabbccddeeff"}"#],
    );
    let before = m.py(DB, "get", &[WEBUI]);
    let mut changed = expected(WEBUI);
    changed.slice[0].session[1].qos.index = 6;
    changed.msisdn.pop();
    store.put(changed.clone(), None, PutMode::Update).await.unwrap();
    let after = m.py(DB, "get", &[WEBUI]);
    for path in [
        "_id",
        "slice.0._id",
        "slice.0.session.1._id",
        "slice.1.session.0._id",
        "slice.0.session.1.smf",
        "imeisv",
        "security",
    ] {
        assert_eq!(field(&after, path), field(&before, path), "{path} kept");
    }
    assert_eq!(number(&field(&after, "slice.0.session.1.qos.index").0), 6);
    assert_eq!(after["doc"]["msisdn"], json!(["491721234567"]));
    assert_eq!(store.get(WEBUI).await.unwrap(), Some(changed));

    // A NextEPC document rewritten by PlugHSS is in the new schema, keys and SQN kept.
    let nextepc = expected(NEXTEPC);
    store.put(nextepc.clone(), None, PutMode::Update).await.unwrap();
    let after = m.py(DB, "get", &[NEXTEPC]);
    assert!(after["doc"].get("pdn").is_none(), "pdn[] replaced: {}", after["doc"]);
    assert_eq!(field(&after, "schema_version").1, "int32");
    assert_eq!(field(&after, "slice.0.session.1.name").0, json!("ims"));
    assert_eq!(field(&after, "slice.0.session.1.ue.ipv4").0, json!("10.45.0.8"));
    assert_eq!(number(&field(&after, "security.sqn").0), NEXTEPC_SQN);
    assert_eq!(store.get(NEXTEPC).await.unwrap(), Some(nextepc));
    store.close().await;
}

/// AIR and ULR over Diameter for a document of each schema; the SQN lands in
/// `security.sqn` as an Int64 and the ULR records the MME as Open5GS does, both read
/// back with pymongo.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn air_and_ulr_end_to_end_on_each_schema() {
    if !mongo::available("air_and_ulr_end_to_end_on_each_schema") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let node = node(&m, DB, 0).await;
    let c = mme(&node, "mme1.client.local").await;
    // DOUBLES keeps its SQN as a Double, which `$inc` would keep a Double and Open5GS
    // would not read: after the AIR it must be an Int64.
    for (imsi, stored) in [(DBCTL, 0), (WEBUI, WEBUI_SQN), (DOUBLES, WEBUI_SQN), (NEXTEPC, NEXTEPC_SQN)] {
        let (r, a) = result_of(&c, air(imsi, "mme1.client.local", 2, None)).await;
        assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)), "AIR {imsi}");
        let msg = Message::parse(&a).unwrap();
        let sqns: Vec<u64> = vectors(&msg).iter().map(verify_vector).collect();
        // SQN = SEQ || IND with IND 0 (TS 33.102 C.3.2): the block starts at the stored SEQ.
        assert_eq!(sqns, [stored, stored + 32], "vector SQNs of {imsi}");
        let got = m.py(DB, "get", &[imsi]);
        let (v, ty) = field(&got, "security.sqn");
        assert_eq!(number(&v), stored + BLOCK, "{imsi}: one block reserved");
        if stored + BLOCK > i32::MAX as u64 {
            assert_eq!(ty, "int64", "{imsi}: security.sqn is an Int64, as Open5GS reads it");
        } else {
            // nx-27017 hands any small integer back as Int32; the Int64 written is
            // asserted on the update document in the store's unit tests.
            assert!(ty == "int64" || ty == "int32", "{imsi}: {ty}");
        }

        let t0 =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as u64;
        let (r, a) = result_of(&c, ulr(imsi, "mme1.client.local", 0)).await;
        assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)), "ULR {imsi}");
        let ula = Message::parse(&a).unwrap();
        let sd = ula.find(&s6a::SUBSCRIPTION_DATA).expect("Subscription-Data");
        let want = expected(imsi);
        let ambr = child(&sd, &s6a::AMBR);
        assert_eq!(
            child(&ambr, &s6a::MAX_REQUESTED_BANDWIDTH_DL).as_u32(),
            Ok(want.ambr.downlink.bps() as u32),
            "{imsi}: AMBR"
        );
        assert_eq!(
            child(&ambr, &s6a::MAX_REQUESTED_BANDWIDTH_UL).as_u32(),
            Ok(want.ambr.uplink.bps() as u32)
        );
        assert_eq!(child(&sd, &s6a::NETWORK_ACCESS_MODE).as_enum(), Ok(want.network_access_mode as i32));
        let prof = child(&sd, &s6a::APN_CONFIGURATION_PROFILE);
        let apns: Vec<_> =
            prof.grouped().flatten().filter(|a| a.is(s6a::APN_CONFIGURATION.code, VENDOR_3GPP)).collect();
        let sessions: Vec<&Session> = want.slice.iter().flat_map(|s| &s.session).collect();
        assert_eq!(apns.len(), sessions.len(), "{imsi}: one APN configuration per session");
        for (apn, sess) in apns.iter().zip(sessions) {
            assert_eq!(child(apn, &s6a::SERVICE_SELECTION).as_str(), Ok(sess.name.as_str()));
            // S6a PDN-Type (TS 29.272 7.3.62) is Open5GS's session type minus one.
            assert_eq!(
                child(apn, &s6a::PDN_TYPE).as_enum(),
                Ok(i32::from(sess.session_type) - 1),
                "{}",
                sess.name
            );
            let qos = child(apn, &s6a::EPS_SUBSCRIBED_QOS_PROFILE);
            assert_eq!(child(&qos, &s6a::QOS_CLASS_IDENTIFIER).as_enum(), Ok(i32::from(sess.qos.index)));
            let arp = child(&qos, &s6a::ALLOCATION_RETENTION_PRIORITY);
            assert_eq!(
                child(&arp, &s6a::PRIORITY_LEVEL).as_u32(),
                Ok(u32::from(sess.qos.arp.priority_level))
            );
            // S6a: 0 ENABLED, 1 DISABLED; Open5GS: 2 enabled, 1 disabled.
            let s6a_flag = |v: u8| if v == 2 { 0 } else { 1 };
            assert_eq!(
                child(&arp, &s6a::PRE_EMPTION_CAPABILITY).as_enum(),
                Ok(s6a_flag(sess.qos.arp.pre_emption_capability))
            );
            if let (1, Some(v4)) = (sess.session_type, sess.ue.as_ref().and_then(|u| u.ipv4.as_deref())) {
                assert_eq!(child(apn, &s6a::SERVED_PARTY_IP_ADDRESS).as_address().unwrap().to_string(), v4);
            }
        }
        let got = m.py(DB, "get", &[imsi]);
        assert_eq!(field(&got, "mme_host"), (json!("mme1.client.local"), "string".into()), "{imsi}");
        assert_eq!(field(&got, "mme_realm"), (json!("client.local"), "string".into()));
        let (ts, ty) = field(&got, "mme_timestamp");
        assert_eq!(ty, "int64", "mme_timestamp is Int64 microseconds, as Open5GS writes it");
        let ts = number(&ts);
        assert!(ts >= t0 / 1_000_000 * 1_000_000 && ts < t0 + 60_000_000, "{ts} µs vs now {t0} µs");
        // nx-27017 stores a `$set` boolean as 0/1, so only the value is checked here.
        let (purge, _) = field(&got, "purge_flag");
        assert!(purge == json!(false) || purge == json!({"$numberInt": "0"}), "purge_flag {purge}");
    }
}

/// The server is killed in the middle of a bounded AIR load and comes back on the same
/// port and data: meanwhile every AIR is answered 5012 within 3 s, and service resumes
/// by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_restart_answers_5012_quickly_and_service_resumes() {
    if !mongo::available("a_server_restart_answers_5012_quickly_and_service_resumes") {
        return;
    }
    let mut m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let node = node(&m, DB, 0).await;
    let c = mme(&node, "mme1.client.local").await;
    let (r, _) = result_of(&c, air(WEBUI, "mme1.client.local", 1, None)).await;
    assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)), "before the outage");

    drop(c);

    // Four MMEs send AIRs (one in flight each, one subscriber each: the AuC serialises
    // requests per IMSI) for 14 s, while the server is killed at 1 s and started again
    // (same port, same data) 4 s later.
    let start = Instant::now();
    let node = Arc::new(node);
    let mut load = tokio::task::JoinSet::new();
    for (i, imsi) in [DBCTL, WEBUI, PYLIB, NEXTEPC].into_iter().enumerate() {
        let node = Arc::clone(&node);
        load.spawn(async move {
            let host = format!("mme{i}.client.local");
            let c = mme(&node, &host).await;
            // (sent at, latency, Result-Code) of each AIR.
            let mut seen = Vec::new();
            while start.elapsed() < Duration::from_secs(14) {
                let t = Instant::now();
                let a = c.request_within(air(imsi, &host, 1, None), Duration::from_secs(10)).await;
                let code = a.ok().and_then(|a| Message::parse(&a).ok().and_then(|m| m.result())).map(|r| r.1);
                seen.push((t - start, t.elapsed(), code));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut m = tokio::task::spawn_blocking(move || {
        m.kill();
        m
    })
    .await
    .unwrap();
    let killed = start.elapsed();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let restarting = start.elapsed();
    let m = tokio::task::spawn_blocking(move || {
        m.restart();
        m
    })
    .await
    .unwrap();
    let up = start.elapsed();
    let mut seen: Vec<_> = load.join_all().await.into_iter().flatten().collect();
    seen.sort_by_key(|s| s.0);

    let worst = seen.iter().map(|s| s.1).max().unwrap();
    let unanswered: Vec<_> = seen.iter().filter(|s| s.2.is_none()).collect();
    assert!(unanswered.is_empty(), "every AIR is answered: {unanswered:?}");
    let slow: Vec<_> = seen.iter().filter(|s| s.1 >= Duration::from_secs(3)).collect();
    assert!(slow.is_empty(), "every AIR is answered within 3 s: {slow:?}");
    // Sent after the kill and answered before the restart began: the store cannot reach
    // MongoDB, the AIR is answered DIAMETER_UNABLE_TO_COMPLY.
    let during: Vec<_> = seen.iter().filter(|s| s.0 > killed && s.0 + s.1 < restarting).collect();
    assert!(during.len() >= 4, "AIRs during the outage: {during:?}");
    assert!(
        during.iter().all(|s| s.2 == Some(rc::DIAMETER_UNABLE_TO_COMPLY)),
        "5012 during the outage: {during:?}"
    );
    // Nothing is done to the node: the driver reconnects by itself.
    let back = seen.iter().find(|s| s.0 > up && s.2 == Some(rc::DIAMETER_SUCCESS)).map(|s| s.0);
    let back = back.unwrap_or_else(|| {
        panic!("no success after the restart: {:?}", &seen[seen.len().saturating_sub(20)..])
    });
    assert!(back < up + Duration::from_secs(5), "service back {back:?}, server up at {up:?}");
    let tail: Vec<_> = seen.iter().filter(|s| s.0 > back + Duration::from_secs(1)).collect();
    let failed: Vec<_> = tail.iter().filter(|s| s.2 != Some(rc::DIAMETER_SUCCESS)).collect();
    assert!(!tail.is_empty() && failed.is_empty(), "after recovery: {failed:?}");
    eprintln!(
        "outage {killed:?}..{up:?}: {} AIRs answered 5012 meanwhile, slowest answer {worst:?}; \
         first success {:?} after the server listened again",
        during.len(),
        back.saturating_sub(up)
    );
    drop(m);
}

/// Two PlugHSS instances (IND 1 and 2) share one database under concurrent load: the
/// stored SQN is reserved atomically, so no SEQ value is issued twice; the same holds for
/// two store handles (two connection pools) reserving directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sharing_the_database_issue_distinct_sqns() {
    if !mongo::available("two_instances_sharing_the_database_issue_distinct_sqns") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);

    // Store level: two handles, 4 tasks each, 100 reservations per task.
    let a = open(&m, DB);
    let b = open(&m, DB);
    let start = a.get_auth(PYLIB).await.unwrap().unwrap().sqn;
    let mut tasks = tokio::task::JoinSet::new();
    for store in [a.clone(), b.clone()] {
        for _ in 0..4 {
            let store = store.clone();
            tasks.spawn(async move {
                let mut got = Vec::new();
                for _ in 0..100 {
                    got.push(store.reserve_sqn(PYLIB, 2, 32).await.unwrap());
                }
                got
            });
        }
    }
    let mut all: Vec<u64> = tasks.join_all().await.into_iter().flatten().collect();
    all.sort_unstable();
    let want: Vec<u64> = (0..800).map(|i| start + i * 64).collect();
    assert!(all == want, "reservations through two pools are exactly start + 64 i");
    a.close().await;
    b.close().await;

    // Diameter: two nodes, each with 3 MMEs sending 20 AIRs of 3 vectors for one IMSI.
    let nodes = [Arc::new(node(&m, DB, 1).await), Arc::new(node(&m, DB, 2).await)];
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, node) in nodes.iter().enumerate() {
        for i in 0..3 {
            let node = Arc::clone(node);
            tasks.spawn(async move {
                let host = format!("mme{i}.node{n}.client.local");
                let c = mme(&node, &host).await;
                let mut sqns = Vec::new();
                for _ in 0..20 {
                    let (r, a) = result_of(&c, air(WEBUI, &host, 3, None)).await;
                    assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)));
                    sqns.extend(vectors(&Message::parse(&a).unwrap()).iter().map(verify_vector));
                }
                (n as u64 + 1, sqns)
            });
        }
    }
    let results = tasks.join_all().await;
    let elapsed = t.elapsed();
    let mut seqs = HashSet::new();
    let mut max = 0;
    for (ind, sqns) in &results {
        for &s in sqns {
            assert_eq!(s & 31, *ind, "each node puts its own IND in the SQN");
            assert!(seqs.insert(s >> 5), "SEQ {} issued twice", s >> 5);
            max = max.max(s);
        }
    }
    assert_eq!(seqs.len(), 2 * 3 * 20 * 3);
    let got = m.py(DB, "get", &[WEBUI]);
    assert!(number(&field(&got, "security.sqn").0) > max, "the stored SQN is past every issued one");
    eprintln!("two nodes, 6 MMEs: 120 AIRs (360 vectors) in {elapsed:?}");
}

/// Changes made with pymongo while PlugHSS runs are seen by the next request: AMBR,
/// keys, SQN, deletion. Also an informal AIR throughput figure.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_made_by_other_tools_are_seen_by_the_next_request() {
    if !mongo::available("changes_made_by_other_tools_are_seen_by_the_next_request") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let node = node(&m, DB, 0).await;
    let c = mme(&node, "mme1.client.local").await;
    let dl = |a: &bytes::Bytes| {
        let m = Message::parse(a).unwrap();
        let ambr = child(&m.find(&s6a::SUBSCRIPTION_DATA).unwrap(), &s6a::AMBR);
        child(&ambr, &s6a::MAX_REQUESTED_BANDWIDTH_DL).as_u32().unwrap()
    };
    let (_, a) = result_of(&c, ulr(PYLIB, "mme1.client.local", 0)).await;
    assert_eq!(dl(&a), 1_000_000_000);
    m.py(DB, "set", &[PYLIB, r#"{"ambr.downlink": {"value": 7, "unit": 2}}"#]);
    let (_, a) = result_of(&c, ulr(PYLIB, "mme1.client.local", 0)).await;
    assert_eq!(dl(&a), 7_000_000, "the AMBR changed by pymongo");

    let (_, a) = result_of(&c, air(PYLIB, "mme1.client.local", 1, None)).await;
    verify_vector(&vectors(&Message::parse(&a).unwrap())[0]);
    // New keys (TS 35.208 test set 2) and an SQN far ahead, as a SIM swap would set them.
    let (k2, opc2) = ("0396eb317b6d1c36f19c1c84cd6ffd16", "53c15671c60a4b731c55b4a441c0bde2");
    let sqn2: u64 = 0x0300_0000_0000;
    m.py(DB, "set", &[PYLIB, &format!(r#"{{"security.k": "{k2}", "security.opc": "{opc2}", "security.sqn": {{"$numberLong": "{sqn2}"}}}}"#)]);
    let (_, a) = result_of(&c, air(PYLIB, "mme1.client.local", 1, None)).await;
    let sqn = verify_vector_with(&vectors(&Message::parse(&a).unwrap())[0], k2, opc2);
    assert_eq!(sqn, sqn2, "the keys and SQN set by pymongo are used at once");

    m.py(DB, "delete", &[PYLIB]);
    let (r, _) = result_of(&c, air(PYLIB, "mme1.client.local", 1, None)).await;
    assert_eq!(r, Some((VENDOR_3GPP, x::DIAMETER_ERROR_USER_UNKNOWN)), "AIR after the delete");
    let (r, _) = result_of(&c, ulr(PYLIB, "mme1.client.local", 0)).await;
    assert_eq!(r, Some((VENDOR_3GPP, x::DIAMETER_ERROR_USER_UNKNOWN)), "ULR after the delete");

    // Informal throughput: one MME, one request in flight, then 8 MMEs.
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        let (r, _) = result_of(&c, air(WEBUI, "mme1.client.local", 1, None)).await;
        assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)));
    }
    let serial = t.elapsed();
    let node = Arc::new(node);
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let node = Arc::clone(&node);
        tasks.spawn(async move {
            let host = format!("mme{i}.client.local");
            let c = mme(&node, &host).await;
            for _ in 0..n / 8 {
                let (r, _) = result_of(&c, air(if i % 2 == 0 { WEBUI } else { DBCTL }, &host, 1, None)).await;
                assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)));
            }
        });
    }
    tasks.join_all().await;
    let parallel = t.elapsed();
    eprintln!(
        "AIR on nx-27017: {n} in {serial:?} with one in flight ({:.0}/s), {n} in {parallel:?} from 8 MMEs ({:.0}/s)",
        n as f64 / serial.as_secs_f64(),
        n as f64 / parallel.as_secs_f64()
    );
}

/// With no server at the URI, or a server that accepts connections and never answers,
/// operations fail as `Unavailable` within the bounds, not after the driver's 30 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_silent_server_is_unavailable_within_the_bounds() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    // Accepts and holds every connection, reading nothing.
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    for addr in [closed, silent_addr] {
        let sel = StoreSelection {
            backend: "mongodb".into(),
            plugin: None,
            settings: json!({ "uri": format!("mongodb://{addr}"), "server_selection_timeout_ms": 1000 }),
        };
        let store = open_store(&sel, Path::new("/nonexistent")).expect("opening does not need the server");
        let t = Instant::now();
        let r = store.get_auth(WEBUI).await;
        assert!(matches!(&r, Err(StoreError::Unavailable(_))), "{addr}: {r:?}");
        assert!(t.elapsed() < Duration::from_secs(4), "{addr}: answered after {:?}", t.elapsed());
        let t = Instant::now();
        let r = store.reserve_sqn(WEBUI, 1, 32).await;
        assert!(matches!(&r, Err(StoreError::Unavailable(_))), "{addr}: {r:?}");
        assert!(t.elapsed() < Duration::from_secs(4), "{addr}: answered after {:?}", t.elapsed());
        store.close().await;
    }
    holder.abort();
}

/// Bad settings are refused at start-up naming the setting.
#[test]
fn bad_settings_name_the_setting() {
    let open_with = |settings| {
        let sel = StoreSelection { backend: "mongodb".into(), plugin: None, settings };
        match open_store(&sel, Path::new("/nonexistent")) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened with bad settings"),
        }
    };
    let e = open_with(json!({ "uri": "postgres://x" }));
    assert!(e.contains("store.uri"), "{e}");
    let e = open_with(json!({ "url": "mongodb://127.0.0.1" }));
    assert!(e.contains("unknown field `url`"), "{e}");
    let e = open_with(json!({ "operation_timeout_ms": 0 }));
    assert!(e.contains("store.operation_timeout_ms"), "{e}");
}

/// The operator's path: `plughss serve` with `[store] backend = "mongodb"` finds the
/// library beside itself and serves a subscriber `open5gs-dbctl add` wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plughss_serve_with_backend_mongodb_serves_dbctl_subscribers() {
    use std::io::{BufRead, BufReader};
    if !mongo::available("plughss_serve_with_backend_mongodb_serves_dbctl_subscribers") {
        return;
    }
    let m = Mongo::start();
    m.py(DB, "fixtures", &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("plughss.toml");
    let toml = format!(
        "[diameter]\norigin_host = \"{HSS_HOST}\"\norigin_realm = \"{HSS_REALM}\"\n\n\
         [store]\nbackend = \"mongodb\"\nuri = \"{}\"\ndatabase = \"{DB}\"\n",
        m.uri()
    );
    std::fs::write(&config, toml).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plughss"))
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr to the end (the server must not write into a closed pipe), passing on
    // the Diameter address it logs.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("Diameter listening").and_then(|_| line.find("addr=")) {
                let rest = &line[at + 5..];
                let end = rest.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(rest.len());
                let _ = tx.send(rest[..end].trim_matches('"').parse::<std::net::SocketAddr>().ok());
            }
        }
        let _ = tx.send(None);
    });
    let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)).ok().flatten())
        .await
        .unwrap();
    let Some(addr) = addr else {
        let _ = child.kill();
        panic!("plughss serve did not start on the MongoDB store");
    };
    let opts = plughss::diameter::client::ClientOptions::new("mme1.client.local", "client.local", vec![S6A]);
    let c = plughss::diameter::client::Client::connect(addr, opts).await.unwrap();
    let (r, a) = result_of(&c, air(DBCTL, "mme1.client.local", 1, None)).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r, Some((0, rc::DIAMETER_SUCCESS)));
    assert_eq!(verify_vector(&vectors(&Message::parse(&a).unwrap())[0]), 0, "dbctl writes no SQN: 0");
}
