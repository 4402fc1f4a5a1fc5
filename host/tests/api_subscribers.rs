//! Subscriber provisioning end to end: the REST API over real HTTP against a node with a
//! sled store, the `plughss subscriber` and `plughss vectors` commands of the real
//! binary, bearer-token access control, and the rule that no key ever leaves the server:
//! every response body these tests receive is checked for the provisioned K/OP/OPc, and
//! the server's debug log is checked too.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};

use common::*;
use plughss::app::Running;
use plughss_plugin_api::subscriber::{OpcOrOp, to_hex};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// TS 35.208 test set 1.
const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";
const OP: &str = "cdc202d5123e20f62b6d676ac72cb318";
const RAND: &str = "23553cbe9637a89d218ae64dae47bf35";
/// TS 35.208 test set 3's K, used as a replacement key.
const K2: &str = "fec86ba6eb707ed08905757b1bb44b8f";
const HA1: &str = "5f8e1c2b9a7d4e3f6a0b1c2d3e4f5a6b";
/// Every secret the tests provision: no response body or log line may contain one.
const SECRETS: &[&str] = &[K, OPC, OP, K2, HA1];
/// At least 32 characters, as `serve` requires of a token.
const TOKEN: &str = "pl5-test-token-7c1e-58d2a9f03b64e1c7";

fn assert_no_secret(what: &str, text: &str) {
    let t = text.to_ascii_lowercase().replace(' ', "");
    for s in SECRETS {
        assert!(!t.contains(s), "{what} contains the secret {s}:\n{text}");
    }
}

/// A client of the node's API that checks every response body for secrets.
struct Api {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

struct Reply {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Api {
    fn new(running: &Running, token: Option<&str>) -> Api {
        Api {
            base: format!("http://{}", running.api_addr),
            http: reqwest::Client::new(),
            token: token.map(str::to_owned),
        }
    }

    async fn raw(&self, method: Method, path: &str, body: Option<Vec<u8>>, auth: Option<&str>) -> Reply {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b);
        }
        let resp = r.send().await.expect("the API answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        assert_no_secret(&format!("the response to {path}"), &text);
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("a JSON body") };
        Reply { status, body, headers }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        self.raw(method, path, body.map(|b| b.to_string().into_bytes()), auth.as_deref()).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, imsi: &str, body: Value) -> Reply {
        self.call(Method::PATCH, &format!("/api/v1/subscribers/{imsi}"), Some(body)).await
    }
}

fn minimal(imsi: &str) -> Value {
    json!({ "imsi": imsi, "security": { "k": K, "opc": OPC } })
}

async fn node(token: Option<&str>) -> Running {
    let mut cfg = test_config();
    cfg.api.token = token.map(str::to_owned);
    start_node(cfg).await
}

async fn stop(running: Running) {
    running.shutdown();
    running.wait().await;
}

fn plughss() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plughss"));
    c.env_remove("PLUGHSS_API_TOKEN").env_remove("PLUGHSS_API").env("NO_COLOR", "1");
    c
}

/// Runs the binary to completion with stdout/stderr captured (stdout is not a terminal).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out: Output = cmd.stdin(Stdio::null()).output().expect("plughss runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn crud_status_codes_and_open5gs_dbctl_defaults() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let imsi = "001010000000001";

    let created = api.post("/api/v1/subscribers", minimal(imsi)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.headers["location"], "/api/v1/subscribers/001010000000001");
    // What `open5gs-dbctl add IMSI K OPC` writes (open5gs misc/db/open5gs-dbctl).
    let expected = json!({
        "imsi": imsi,
        "msisdn": [],
        "security": { "amf": "8000", "sqn": 0 },
        "ambr": { "downlink": { "value": 1, "unit": 3 }, "uplink": { "value": 1, "unit": 3 } },
        "slice": [{
            "sst": 1,
            "default_indicator": true,
            "session": [{
                "name": "internet",
                "type": 3,
                "qos": { "index": 9, "arp": { "priority_level": 8, "pre_emption_capability": 1,
                    "pre_emption_vulnerability": 1 } },
                "ambr": { "downlink": { "value": 1, "unit": 3 }, "uplink": { "value": 1, "unit": 3 } }
            }]
        }],
        "access_restriction_data": 32,
        "subscriber_status": 0,
        "operator_determined_barring": 0,
        "network_access_mode": 0,
        "subscribed_rau_tau_timer": 12,
        "purge_flag": false
    });
    assert_eq!(created.body, expected);

    let got = api.get(&format!("/api/v1/subscribers/{imsi}")).await;
    assert_eq!((got.status, &got.body), (200, &expected));
    for secret_key in ["k", "opc", "op"] {
        assert!(got.body["security"].get(secret_key).is_none(), "{secret_key} is write-only");
    }
    let auth = running.store.get_auth(imsi).await.unwrap().expect("keys stored");
    assert_eq!(to_hex(&auth.k), K);
    assert!(matches!(auth.opc, OpcOrOp::Opc(o) if to_hex(&o) == OPC));

    let dup = api.post("/api/v1/subscribers", minimal(imsi)).await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.body["error"], "subscriber 001010000000001 already exists");

    let path = format!("/api/v1/subscribers/{imsi}");
    assert_eq!(api.get("/api/v1/subscribers/001010000000002").await.status, 404);
    assert_eq!(api.patch("001010000000002", json!({ "subscriber_status": 1 })).await.status, 404);
    let put = api.call(Method::PUT, "/api/v1/subscribers/001010000000002", Some(json!({}))).await;
    assert_eq!(put.status, 404);
    let deleted = api.call(Method::DELETE, &path, None).await;
    assert_eq!((deleted.status, deleted.body), (204, Value::Null));
    assert_eq!(api.get(&path).await.status, 404);
    let again = api.call(Method::DELETE, &path, None).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.body["error"], "subscriber 001010000000001 not found");
    assert!(running.store.get_auth(imsi).await.unwrap().is_none(), "keys deleted with the profile");
    stop(running).await;
}

#[tokio::test]
async fn bad_input_is_400_naming_the_field() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = minimal("001010000000001");
        f(&mut d);
        d
    };
    let cases: Vec<(Value, &str)> = vec![
        (with(&|d| d["security"]["k"] = json!("465b5ce8")), "security.k"),
        (with(&|d| d["security"]["k"] = json!("zz5b5ce8b199b49faa5f0a2ee238a6bc")), "security.k"),
        (with(&|d| d["security"]["op"] = json!(OP)), "security.op"),
        (json!({ "imsi": "001010000000001", "security": { "k": K } }), "security.opc"),
        (with(&|d| d["imsi"] = json!("12345")), "imsi"),
        (with(&|d| d["imsi"] = json!("00101000000000X")), "imsi"),
        (with(&|d| d["msisdn"] = json!(["+8190"])), "msisdn[0]"),
        (with(&|d| d["security"]["sqn"] = json!(1u64 << 48)), "security.sqn"),
        (with(&|d| d["security"]["amf"] = json!("80000")), "security.amf"),
        (with(&|d| d["colour"] = json!("blue")), "colour"),
        (
            with(&|d| d["slice"] = json!([{ "sst": 1, "session": [{ "name": "internet", "type": 7 }] }])),
            "slice[0].session[0].type",
        ),
        (with(&|d| d["slice"] = json!([{ "sst": "one" }])), "slice[0].sst"),
        // Unknown keys at any depth are named, not silently dropped.
        (
            with(&|d| d["slice"] = json!([{ "sst": 1, "session": [{ "name": "internet", "sesion": 1 }] }])),
            "slice[0].session[0].sesion",
        ),
        (with(&|d| d["ambr"] = json!({ "downlink": { "value": 1, "unit": 3, "u": 1 } })), "ambr.downlink.u"),
        // Bounded lists: Open5GS aborts on a third MSISDN, a ninth slice, a fifth session.
        (with(&|d| d["msisdn"] = json!(["1", "2", "3"])), "msisdn"),
        (with(&|d| d["msisdn"] = json!(vec!["4917"; 1000])), "msisdn"),
        (with(&|d| d["slice"] = json!(vec![json!({ "sst": 1 }); 9])), "slice"),
        (
            with(&|d| d["slice"] = json!([{ "sst": 1, "session": vec![json!({ "name": "a" }); 5] }])),
            "slice[0].session",
        ),
        // No control characters in names that reach AVPs and logs.
        (
            with(&|d| d["slice"] = json!([{ "sst": 1, "session": [{ "name": "inter\nnet" }] }])),
            "slice[0].session[0].name",
        ),
        (with(&|d| d["ims"] = json!({ "impi": "a\u{0}b@ims", "impu": [] })), "ims.impi"),
        // The serving MME and the IMS registration are the network's to write.
        (with(&|d| d["mme_host"] = json!("mme\n.example")), "mme_host"),
        (with(&|d| d["purge_flag"] = json!(true)), "purge_flag"),
        (
            with(&|d| d["ims"] = json!({ "impi": "a@ims", "registration_state": "registered" })),
            "ims.registration_state",
        ),
    ];
    for (doc, field) in &cases {
        let r = api.post("/api/v1/subscribers", doc.clone()).await;
        assert_eq!(r.status, 400, "{doc}: {}", r.body);
        assert_eq!(r.body["field"], *field, "{doc}: {}", r.body);
        let error = r.body["error"].as_str().unwrap();
        assert!(error.starts_with(&format!("{field}: ")), "{error}");
    }
    let r = api.post("/api/v1/subscribers", with(&|d| d["security"]["k"] = json!("465b5ce8"))).await;
    assert_eq!(r.body, json!({ "error": "security.k: must be 32 hex digits", "field": "security.k" }));
    let r = api.post("/api/v1/subscribers", with(&|d| d["security"]["op"] = json!(OP))).await;
    assert!(r.body["error"].as_str().unwrap().contains("mutually exclusive"), "{}", r.body);

    let garbage = api.raw(Method::POST, "/api/v1/subscribers", Some(b"{ not json".to_vec()), None).await;
    assert_eq!(garbage.status, 400);
    assert!(garbage.body["error"].as_str().unwrap().starts_with("invalid JSON"), "{}", garbage.body);
    assert_eq!(api.get("/api/v1/subscribers/12ab").await.body["field"], "imsi");
    // Unset state fields, in any of the forms GET, the WebUI and mongoexport write, and
    // Open5GS bookkeeping at any depth are accepted.
    let open5gs = with(&|d| {
        d["mme_host"] = json!([]);
        d["purge_flag"] = json!(false);
        d["slice"] = json!([{ "_id": "a", "sst": 1, "session": [{ "_id": "b", "name": "internet", "pcc_rule": [] }] }]);
    });
    let r = api.post("/api/v1/subscribers", open5gs).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(running.store.delete("001010000000001").await.unwrap());
    assert_eq!(running.store.count().await.unwrap(), 0, "nothing was stored");
    stop(running).await;
}

#[tokio::test]
async fn hex_with_spaces_and_upper_case_is_stored_normalised() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let spaced = |h: &str| {
        h.to_ascii_uppercase()
            .as_bytes()
            .chunks(8)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let doc = json!({
        "imsi": "001010000000007",
        "security": { "k": spaced(K), "op": spaced(OP), "amf": "B9 B9", "sqn": 32 },
        "slice": [{ "sst": 1, "sd": "00000A", "default_indicator": true, "session": [{ "name": "ims" }] }],
    });
    assert!(spaced(K).contains(' ') && spaced(K).contains('B'));
    let r = api.post("/api/v1/subscribers", doc).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let got = api.get("/api/v1/subscribers/001010000000007").await.body;
    assert_eq!(got["security"], json!({ "amf": "b9b9", "sqn": 32 }));
    assert_eq!(got["slice"][0]["sd"], "00000a");
    assert_eq!(got["slice"][0]["session"][0]["qos"]["index"], 9);
    let auth = running.store.get_auth("001010000000007").await.unwrap().unwrap();
    assert_eq!((to_hex(&auth.k), auth.amf, auth.sqn), (K.to_string(), [0xb9, 0xb9], 32));
    assert!(matches!(auth.opc, OpcOrOp::Op(o) if to_hex(&o) == OP));
    stop(running).await;
}

#[tokio::test]
async fn merge_patch_put_and_keys_through_auth_data() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let imsi = "001010000000009";
    let mut doc = minimal(imsi);
    doc["msisdn"] = json!(["819000000001", "819000000002"]);
    doc["ims"] = json!({ "impi": "001010000000009@ims.mnc001.mcc001.3gppnetwork.org",
        "impu": ["sip:001010000000009@ims.mnc001.mcc001.3gppnetwork.org"], "digest_realm": "ims",
        "digest_ha1": HA1 });
    assert_eq!(api.post("/api/v1/subscribers", doc).await.status, 201);
    assert_eq!(running.store.get_auth(imsi).await.unwrap().unwrap().digest_ha1.as_deref(), Some(HA1));

    // Arrays replace whole; nested objects merge; null deletes a key (back to its default).
    let r =
        api.patch(imsi, json!({ "msisdn": ["819000000003"], "ambr": { "downlink": { "value": 5 } } })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["msisdn"], json!(["819000000003"]));
    assert_eq!(
        r.body["ambr"],
        json!({ "downlink": { "value": 5, "unit": 3 }, "uplink": { "value": 1, "unit": 3 } })
    );
    assert_eq!(r.body["ims"]["registration_state"], "not_registered");
    let r = api
        .call(
            Method::PATCH,
            &format!("/api/v1/subscribers/{imsi}"),
            Some(json!({ "ims": null, "msisdn": null })),
        )
        .await;
    assert!(r.body.get("ims").is_none() && r.body["msisdn"] == json!([]), "{}", r.body);
    let r =
        api.patch(imsi, json!({ "slice": [{ "sst": 2, "session": [{ "name": "iot", "type": 1 }] }] })).await;
    assert_eq!(r.body["slice"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&r.body["slice"][0]["sst"], &r.body["slice"][0]["session"][0]["name"]),
        (&json!(2), &json!("iot"))
    );
    assert_eq!(api.get(&format!("/api/v1/subscribers/{imsi}")).await.body, r.body, "the patch was stored");

    // security.* goes through the keys: AMF and SQN change, K and OPc are kept.
    let r = api.patch(imsi, json!({ "security": { "amf": "9001", "sqn": 1000 } })).await;
    assert_eq!(r.body["security"], json!({ "amf": "9001", "sqn": 1000 }));
    let auth = running.store.get_auth(imsi).await.unwrap().unwrap();
    assert_eq!((to_hex(&auth.k), auth.amf, auth.sqn), (K.to_string(), [0x90, 0x01], 1000));
    // A new K keeps AMF and SQN; OPc can be replaced by OP.
    let r = api.patch(imsi, json!({ "security": { "k": K2, "opc": null, "op": OP } })).await;
    assert_eq!((r.status, &r.body["security"]), (200, &json!({ "amf": "9001", "sqn": 1000 })));
    let auth = running.store.get_auth(imsi).await.unwrap().unwrap();
    assert_eq!((to_hex(&auth.k), auth.sqn), (K2.to_string(), 1000));
    assert!(matches!(auth.opc, OpcOrOp::Op(o) if to_hex(&o) == OP));
    assert_eq!(auth.digest_ha1.as_deref(), Some(HA1), "the digest credential was not touched");

    for (patch, field) in [
        (json!({ "imsi": "001010000000010" }), "imsi"),
        (json!({ "colour": 1 }), "colour"),
        (json!({ "security": null }), "security"),
        (json!({ "security": { "k": null } }), "security.k"),
        (json!({ "security": { "sqn": 1u64 << 48 } }), "security.sqn"),
        (json!({ "subscriber_status": 7 }), "subscriber_status"),
    ] {
        let r = api.patch(imsi, patch.clone()).await;
        assert_eq!((r.status, &r.body["field"]), (400, &json!(field)), "{patch}: {}", r.body);
    }

    // PUT replaces the profile whole and keeps keys it does not give.
    let path = format!("/api/v1/subscribers/{imsi}");
    let r = api.call(Method::PUT, &path, Some(json!({ "imsi": imsi, "msisdn": ["819000000009"] }))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["slice"][0]["session"][0]["name"], "internet");
    assert_eq!(r.body["security"], json!({ "amf": "9001", "sqn": 1000 }));
    assert_eq!(to_hex(&running.store.get_auth(imsi).await.unwrap().unwrap().k), K2);
    let r = api.call(Method::PUT, &path, Some(json!({ "imsi": "001010000000010" }))).await;
    assert_eq!((r.status, &r.body["field"]), (400, &json!("imsi")));
    stop(running).await;
}

#[tokio::test]
async fn list_paginates_in_imsi_order() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let docs: Vec<Value> = (0..25).rev().map(|i| minimal(&format!("0010100000001{i:02}"))).collect();
    let r = api.post("/api/v1/subscribers/import", Value::Array(docs)).await;
    assert_eq!((r.status, &r.body), (200, &json!({ "imported": 25 })));

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let q = match &after {
            Some(a) => format!("/api/v1/subscribers?limit=10&after={a}"),
            None => "/api/v1/subscribers?limit=10".to_string(),
        };
        let page = api.get(&q).await;
        assert_eq!(page.status, 200);
        let subs = page.body["subscribers"].as_array().unwrap().clone();
        pages.push(subs.len());
        seen.extend(subs.iter().map(|s| s["imsi"].as_str().unwrap().to_string()));
        after = page.body["next"].as_str().map(str::to_owned);
        if after.is_none() {
            break;
        }
    }
    assert_eq!(pages, vec![10, 10, 5]);
    let expected: Vec<String> = (0..25).map(|i| format!("0010100000001{i:02}")).collect();
    assert_eq!(seen, expected, "IMSI order, each once");

    let all = api.get("/api/v1/subscribers").await.body;
    assert_eq!((all["subscribers"].as_array().unwrap().len(), &all["next"]), (25, &Value::Null));
    let one = api.get("/api/v1/subscribers?limit=1").await.body;
    assert_eq!(one["next"], "001010000000100");
    assert_eq!(api.get("/api/v1/subscribers?limit=1000").await.status, 200);
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("limit=-1", "limit"),
        ("after=abc", "after"),
        ("sort=imsi", "sort"),
    ] {
        let r = api.get(&format!("/api/v1/subscribers?{q}")).await;
        assert_eq!((r.status, &r.body["field"]), (400, &json!(field)), "{q}");
    }
    stop(running).await;
}

#[tokio::test]
async fn import_endpoint_is_all_or_nothing_and_limited_to_10000() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    let docs = |n: usize, base: u64| -> Vec<Value> {
        (0..n as u64).map(|i| minimal(&format!("{}", base + i))).collect()
    };

    let too_many =
        api.post("/api/v1/subscribers/import", Value::Array(docs(10_001, 101_000_000_000_000))).await;
    assert_eq!(too_many.status, 413, "{}", too_many.body);
    assert!(too_many.body["error"].as_str().unwrap().contains("10000"), "{}", too_many.body);

    let mut batch = docs(3, 101_000_000_000_000);
    batch[1]["security"]["k"] = json!("465b");
    let r = api.post("/api/v1/subscribers/import", Value::Array(batch)).await;
    assert_eq!((r.status, &r.body["field"]), (400, &json!("[1].security.k")), "{}", r.body);
    assert_eq!(running.store.count().await.unwrap(), 0, "a bad document rejects the whole request");
    let r = api.post("/api/v1/subscribers/import", json!({ "imsi": "1" })).await;
    assert_eq!(r.status, 400);

    let r = api.post("/api/v1/subscribers/import", Value::Array(docs(3, 101_000_000_000_000))).await;
    assert_eq!((r.status, &r.body), (200, &json!({ "imported": 3 })));
    // Create-or-replace: importing again replaces.
    let mut again = docs(3, 101_000_000_000_000);
    again[0]["security"]["amf"] = json!("9000");
    assert_eq!(api.post("/api/v1/subscribers/import", Value::Array(again)).await.status, 200);
    assert_eq!(api.get("/api/v1/subscribers/101000000000000").await.body["security"]["amf"], "9000");
    assert_eq!(running.store.count().await.unwrap(), 3);
    let full = api.post("/api/v1/subscribers/import", Value::Array(docs(10_000, 201_000_000_000_000))).await;
    assert_eq!((full.status, &full.body), (200, &json!({ "imported": 10_000 })));
    stop(running).await;
}

#[tokio::test]
async fn bearer_token_guards_every_route_but_health() {
    let running = node(Some(TOKEN)).await;
    let api = Api::new(&running, Some(TOKEN));
    let routes = [
        (Method::GET, "/api/v1/subscribers"),
        (Method::POST, "/api/v1/subscribers"),
        (Method::GET, "/api/v1/subscribers/001010000000001"),
        (Method::PATCH, "/api/v1/subscribers/001010000000001"),
        (Method::DELETE, "/api/v1/subscribers/001010000000001"),
        (Method::POST, "/api/v1/subscribers/import"),
        (Method::GET, "/api/v1/peers"),
        (Method::GET, "/api/v1/plugins"),
        (Method::POST, "/api/v1/plugins/reload"),
    ];
    let body = || Some(minimal("001010000000001").to_string().into_bytes());
    for (m, path) in &routes {
        let none = api.raw(m.clone(), path, body(), None).await;
        assert_eq!(none.status, 401, "{m} {path} without a token");
        assert!(none.body["error"].as_str().unwrap().contains("missing bearer token"), "{}", none.body);
        assert_eq!(none.headers["www-authenticate"], r#"Bearer realm="plughss""#);
        let wrong =
            api.raw(m.clone(), path, body(), Some("Bearer pl5-test-token-7c1e-58d2a9f03b64e1c8")).await;
        assert_eq!(wrong.status, 401, "{m} {path} with a wrong token");
        assert_eq!(wrong.body["error"], "invalid bearer token");
        assert!(wrong.headers["www-authenticate"].to_str().unwrap().contains(r#"error="invalid_token""#));
        let basic = api.raw(m.clone(), path, body(), Some("Basic cGw1LXRlc3Q=")).await;
        assert_eq!(basic.status, 401, "{m} {path} with Basic");
        let short = api.raw(m.clone(), path, body(), Some("Bearer pl5")).await;
        assert_eq!(short.status, 401, "{m} {path} with a prefix of the token");
    }
    assert_eq!(running.store.count().await.unwrap(), 0, "nothing got through");
    let health = api.raw(Method::GET, "/api/v1/health", None, None).await;
    assert_eq!((health.status, &health.body["status"]), (200, &json!("ok")), "health needs no token");

    assert_eq!(api.post("/api/v1/subscribers", minimal("001010000000001")).await.status, 201);
    assert_eq!(api.get("/api/v1/subscribers/001010000000001").await.status, 200);
    assert_eq!(api.get("/api/v1/peers").await.status, 200);
    let lower = api.raw(Method::GET, "/api/v1/subscribers", None, Some(&format!("bearer {TOKEN}"))).await;
    assert_eq!(lower.status, 200, "the scheme is case-insensitive");
    stop(running).await;
}

#[tokio::test]
async fn no_response_carries_a_key() {
    let running = node(None).await;
    let api = Api::new(&running, None);
    // Every call below goes through `Api`, which fails on any body containing a secret;
    // these are the ones most likely to echo one: creation, errors about the key fields,
    // key patches, replacements, imports and listings.
    let mut doc = minimal("001010000000021");
    doc["ims"] = json!({ "impi": "x@ims", "digest_ha1": HA1 });
    assert_eq!(api.post("/api/v1/subscribers", doc.clone()).await.status, 201);
    assert_eq!(api.post("/api/v1/subscribers", doc.clone()).await.status, 409);
    let mut bad = doc.clone();
    bad["security"]["op"] = json!(OP);
    assert_eq!(api.post("/api/v1/subscribers", bad).await.status, 400);
    let mut bad = doc.clone();
    bad["security"]["k"] = json!(format!("{K}00"));
    assert_eq!(api.post("/api/v1/subscribers", bad).await.status, 400);
    let mut bad = doc.clone();
    bad["msisdn"] = json!(K);
    assert_eq!(api.post("/api/v1/subscribers", bad).await.status, 400);
    assert_eq!(
        api.patch("001010000000021", json!({ "security": { "k": K2, "opc": OPC } })).await.status,
        200
    );
    assert_eq!(
        api.patch("001010000000021", json!({ "security": { "k": K2, "opc": OPC, "op": OP } })).await.status,
        400
    );
    let put = json!({ "security": { "k": K, "op": OP }, "ims": { "impi": "x@ims", "digest_ha1": HA1 } });
    assert_eq!(api.call(Method::PUT, "/api/v1/subscribers/001010000000021", Some(put)).await.status, 200);
    let docs: Vec<Value> = (22..30).map(|i| minimal(&format!("0010100000000{i}"))).collect();
    assert_eq!(api.post("/api/v1/subscribers/import", Value::Array(docs)).await.status, 200);
    let list = api.get("/api/v1/subscribers?limit=1000").await;
    assert_eq!(list.body["subscribers"].as_array().unwrap().len(), 9);
    let one = api.get("/api/v1/subscribers/001010000000021").await;
    assert!(one.body["ims"].get("digest_ha1").is_none() && one.body["ims"]["impi"] == "x@ims");
    let auth = running.store.get_auth("001010000000021").await.unwrap().unwrap();
    assert_eq!(
        (to_hex(&auth.k), auth.digest_ha1.as_deref()),
        (K.to_string(), Some(HA1)),
        "the keys were stored"
    );
    stop(running).await;
}

/// Kills the server if the test fails before stopping it, so no process outlives it.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `plughss serve` with RUST_LOG=debug and the token from the environment; the
/// whole of its stderr is collected by a thread.
fn serve_logging(data: &std::path::Path) -> (KillOnDrop, String, std::thread::JoinHandle<String>) {
    let mut child = plughss()
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "debug")
        .env("PLUGHSS_API_TOKEN", TOKEN)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let child = KillOnDrop(Some(child));
    let mut log = String::new();
    let api = loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("plughss serve ended before listening:\n{log}");
        }
        log.push_str(&line);
        if line.contains("REST API listening") {
            let at = line.find("addr=").unwrap() + 5;
            break line[at..].split_whitespace().next().unwrap().trim_matches('"').to_string();
        }
    };
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = err.read_to_string(&mut rest);
        log + &rest
    });
    (child, api, rest)
}

#[tokio::test]
async fn server_debug_log_never_shows_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr, log) = serve_logging(&dir.path().join("data"));
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let send = |m: Method, path: &str, body: Option<Value>| {
        let mut r = http.request(m, format!("{base}{path}")).bearer_auth(TOKEN);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    let mut doc = minimal("001010000000031");
    doc["ims"] = json!({ "impi": "x@ims", "digest_ha1": HA1 });
    assert_eq!(send(Method::POST, "/api/v1/subscribers", Some(doc)).await.unwrap().status(), 201);
    let mut bad = minimal("001010000000032");
    bad["security"]["op"] = json!(OP);
    assert_eq!(send(Method::POST, "/api/v1/subscribers", Some(bad)).await.unwrap().status(), 400);
    let patch = json!({ "security": { "k": K2 } });
    assert_eq!(
        send(Method::PATCH, "/api/v1/subscribers/001010000000031", Some(patch)).await.unwrap().status(),
        200
    );
    let batch = json!([minimal("001010000000033"), minimal("001010000000034")]);
    assert_eq!(send(Method::POST, "/api/v1/subscribers/import", Some(batch)).await.unwrap().status(), 200);
    assert_eq!(send(Method::GET, "/api/v1/subscribers", None).await.unwrap().status(), 200);
    let wrong = http.get(format!("{base}/api/v1/subscribers")).bearer_auth(K).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let (code, _, err) = run(plughss().args([
        "subscriber",
        "add",
        "--imsi",
        "001010000000035",
        "--k",
        K,
        "--op",
        OP,
        "--api",
        &base,
        "--token",
        TOKEN,
    ]));
    assert_eq!(code, 0, "{err}");

    let mut child = child.0.take().unwrap();
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success();
    assert!(ok);
    let status = tokio::task::spawn_blocking(move || child.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status:?}");
    let log = log.join().unwrap();
    assert!(
        log.contains("subscriber created") && log.contains("subscriber patched"),
        "debug log captured:\n{log}"
    );
    assert!(log.contains("DEBUG"), "RUST_LOG=debug is in effect");
    assert_no_secret("the server's log", &log);
    assert!(!log.contains(TOKEN), "the API token is not logged");
}

// The binary runs while this thread blocks on it: the node needs worker threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_imports_12000_rows_then_lists_and_gets() {
    let running = node(None).await;
    let base = format!("http://{}", running.api_addr);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("subs.csv");
    let mut text = String::from("imsi,k,opc,amf,sqn,msisdn,apn\n");
    for i in 0..12_000u64 {
        let imsi = 101_000_000_000_000 + i;
        text.push_str(&format!("{imsi},{K},{OPC},8000,{},8190{i:08},internet\n", i * 32));
    }
    std::fs::write(&csv, &text).unwrap();
    let (code, out, err) = run(plughss().args(["subscriber", "--api", &base, "import"]).arg(&csv));
    assert_eq!(code, 0, "stdout {out}\nstderr {err}");
    assert!(out.contains("imported 12000 subscribers"), "{out}");
    assert!(
        !out.contains('\u{1b}') && out.lines().count() == 1,
        "no progress bar when stdout is not a terminal: {out}"
    );
    assert_eq!(running.store.count().await.unwrap(), 12_000);

    let (code, out, err) = run(plughss().args(["subscriber", "list", "--limit", "3", "--api", &base]));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "header and 3 rows: {out}");
    assert!(lines[1].starts_with("101000000000000 ") && lines[3].starts_with("101000000000002 "), "{out}");
    assert!(lines[2].contains("819000000001") && lines[2].contains("internet"), "{out}");
    assert!(err.contains("--after 101000000000002"), "{err}");

    let (code, out, err) = run(plughss().args(["subscriber", "get", "101000000011999", "--api", &base]));
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["msisdn"], json!(["819000011999"]));
    assert_eq!(doc["security"], json!({ "amf": "8000", "sqn": 11_999 * 32 }));
    assert_no_secret("subscriber get", &out);

    // A malformed row stops the import naming its line; rows before it in the same
    // batch are not sent.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("imsi,k,opc\n001010000000001,{K},{OPC}\n\n# comment\n001010000000002,{K}0,{OPC}\n"),
    )
    .unwrap();
    let (code, _, err) = run(plughss().args(["subscriber", "import", "--api", &base]).arg(&bad));
    assert_eq!(code, 1);
    assert!(err.contains("line 5") && err.contains("security.k"), "{err}");
    let bad_header = dir.path().join("bad_header.csv");
    std::fs::write(&bad_header, "imsi,key,opc\n").unwrap();
    let (code, _, err) = run(plughss().args(["subscriber", "import", "--api", &base]).arg(&bad_header));
    assert!(code == 1 && err.contains("line 1") && err.contains("\"key\""), "{err}");
    assert_eq!(running.store.count().await.unwrap(), 12_000);
    stop(running).await;
}

// The binary runs while this thread blocks on it: the node needs worker threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_add_get_delete_with_a_token() {
    let running = node(Some(TOKEN)).await;
    let base = format!("http://{}", running.api_addr);
    let add = |token: &str| {
        run(plughss().args([
            "subscriber",
            "add",
            "--imsi",
            "001010000000041",
            "--k",
            K,
            "--opc",
            OPC,
            "--amf",
            "9000",
            "--msisdn",
            "819011112222",
            "--apn",
            "ims",
            "--api",
            &base,
            "--token",
            token,
        ]))
    };
    let (code, _, err) = add("nope");
    assert!(code == 1 && err.contains("401") && err.contains("invalid bearer token"), "{err}");
    let (code, out, err) = add(TOKEN);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((&doc["msisdn"], &doc["security"]["amf"]), (&json!(["819011112222"]), &json!("9000")));
    assert_eq!(doc["slice"][0]["session"][0]["name"], "ims");
    let (code, _, err) = add(TOKEN);
    assert!(code == 1 && err.contains("409"), "{err}");

    let (code, out, _) = run(plughss()
        .args(["subscriber", "get", "001010000000041", "--api", &base])
        .env("PLUGHSS_API_TOKEN", TOKEN));
    assert_eq!(code, 0, "the token may come from PLUGHSS_API_TOKEN");
    assert!(out.contains("819011112222"));
    let (code, _, err) = run(plughss().args(["subscriber", "add", "--imsi", "1", "--k", K, "--opc", OPC]));
    assert!(code == 1 && err.contains("imsi"), "checked before sending: {err}");
    let (code, _, err) = run(plughss().args(["subscriber", "add", "--imsi", "001010000000042", "--k", K]));
    assert_eq!(code, 2, "clap requires --opc or --op: {err}");
    let (code, out, err) =
        run(plughss().args(["subscriber", "--api", &base, "--token", TOKEN, "delete", "001010000000041"]));
    assert_eq!((code, out.trim()), (0, "deleted 001010000000041"), "{err}");
    let (code, _, err) =
        run(plughss().args(["subscriber", "get", "001010000000041", "--api", &base, "--token", TOKEN]));
    assert!(code == 1 && err.contains("404"), "{err}");
    stop(running).await;
}

/// `NAME value` lines of `plughss vectors` output.
fn fields(out: &str) -> HashMap<String, String> {
    out.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), it.next()?.to_string()))
        })
        .collect()
}

#[test]
fn vectors_reproduce_ts_35_208_test_set_1() {
    for opc_arg in [["--opc", OPC], ["--op", OP]] {
        let (code, out, err) = run(plughss().args(["vectors", "--k", K]).args(opc_arg).args([
            "--amf",
            "b9b9",
            "--sqn",
            "ff9bb4d0b607",
            "--rand",
            RAND,
            "--mcc",
            "001",
            "--mnc",
            "01",
        ]));
        assert_eq!(code, 0, "{err}");
        let f = fields(&out);
        assert_eq!(f["RAND"], RAND);
        assert_eq!(f["XRES"], "a54211d5e3ba50bf");
        assert_eq!(f["CK"], "b40ba9a3c58b2a05bbf0d987b21bf8cb");
        assert_eq!(f["IK"], "f769bcd751044604127672711c6d3441");
        assert_eq!(f["AK"], "aa689c648370");
        assert_eq!(f["MAC-A"], "4a9ffac354dfafb3");
        // AUTN = (SQN xor AK) || AMF || MAC-A = (ff9bb4d0b607 xor aa689c648370) || b9b9 || MAC-A.
        assert_eq!(f["AUTN"], "55f328b43577b9b94a9ffac354dfafb3");
        // K_ASME for PLMN 001/01, from the independent Python MILENAGE and KDF of
        // scripts/auc_xcheck.py ("KASME set1 plmn 001/01").
        assert_eq!(f["KASME"], "48579af8781c742d5120e6ed8ccac13193f38c53ab7aa69396f49ca6e1b0562d");
    }
    let (code, _, err) = run(plughss().args(["vectors", "--k", "465b", "--opc", OPC]));
    assert!(code == 2 && err.contains("--k: must be 32 hex digits"), "{err}");
    let (code, _, _) = run(plughss().args(["vectors", "--k", K]));
    assert_eq!(code, 2, "--opc or --op is required");
}

/// AUTS for SQN_MS 000000012c27 (SEQ 2401, IND 7) under test set 1's K, OPc and RAND,
/// made by host/tests/vectors/auts.py (an independent MILENAGE on the `cryptography`
/// package): `python3 host/tests/vectors/auts.py K OPC RAND 000000012c27`.
const SQN_MS: &str = "000000012c27";
const AUTS: &str = "451e8bed881c6eb84b3a07970533";

#[test]
fn vectors_resync_recovers_sqn_ms_and_refuses_a_forged_auts() {
    let resync = |auts: &str| {
        run(plughss().args(["vectors", "--resync", "--auts", auts, "--rand", RAND, "--k", K, "--opc", OPC]))
    };
    let (code, out, err) = resync(AUTS);
    assert_eq!(code, 0, "{err}");
    let f = fields(&out);
    assert_eq!(f["SQN_MS"], SQN_MS);
    assert!(out.contains("SQN_MS   000000012c27 (76839)"), "{out}");
    assert_eq!((f["SEQ"].as_str(), f["IND"].as_str()), ("2401", "7"));

    // One bit of MAC-S flipped.
    let mut forged = hex::decode(AUTS).unwrap();
    forged[13] ^= 0x01;
    let (code, out, err) = resync(&hex::encode(forged));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("MAC-S does not verify"), "{err}");
    // One bit of the concealed SQN flipped: MAC-S no longer matches the SQN either.
    let mut forged = hex::decode(AUTS).unwrap();
    forged[5] ^= 0x80;
    let (code, _, err) = resync(&hex::encode(forged));
    assert!(code == 1 && err.contains("MAC-S does not verify"), "{err}");
}

#[test]
fn auts_fixture_matches_the_independent_python_milenage() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/auts.py");
    let out = Command::new("python3").args([script, K, OPC, RAND, SQN_MS]).output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) if !in_ci() && String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            eprintln!("skipped: python3 has no `cryptography` (scripts/install-test-deps.sh installs it)");
            return;
        }
        Err(e) if !in_ci() => {
            eprintln!("skipped: no python3 ({e})");
            return;
        }
        other => panic!("{script}: {other:?}"),
    };
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), AUTS);
}

#[test]
fn serve_refuses_a_public_api_listener_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = plughss()
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains("configuration error") && err.contains("api.listen") && err.contains("api.token"),
        "{err}"
    );
}
