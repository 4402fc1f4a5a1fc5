//! Interoperability against the real built-in S6a WebAssembly plugin: python-diameter's
//! own Node (tests/interop/s6a_peer.py) does CER/CEA, AIR/AIA and ULR/ULA with a node
//! running the plugin, decodes the answers with its own decoder, and reports the E-UTRAN
//! vectors and Subscription-Data. The vectors are verified here with the independent
//! `milenage` crate and a KASME derivation written here, from the RAND python decoded.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::s6a_node::*;
use common::*;
use hmac::{KeyInit, Mac};
use plughss_plugin_api::dictionary::app as apps;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/s6a_peer.py");
const PY_HOST: &str = "mme.python.local";
/// TS 35.208 test set 1.
/// MCC 001, MNC 01, as s6a_peer.py sends it in Visited-PLMN-Id.
const VECTORS: u64 = 2;

fn python_with_diameter() -> Result<String, String> {
    let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    match std::process::Command::new(&py).args(["-c", "import diameter.node, diameter.message"]).output() {
        Err(e) => Err(format!("cannot run {py}: {e}")),
        Ok(o) if !o.status.success() => Err(format!(
            "{py} has no `diameter` module (pip install python-diameter; see scripts/install-test-deps.sh): {}",
            String::from_utf8_lossy(&o.stderr).trim().lines().last().unwrap_or("")
        )),
        Ok(_) => Ok(py),
    }
}

fn hex_field(v: &Value, name: &str) -> Vec<u8> {
    hex::decode(v[name].as_str().unwrap_or_else(|| panic!("{name} missing in {v}")))
        .unwrap_or_else(|e| panic!("{name} not hex ({e}) in {v}"))
}

/// AUTN = SQN^AK || AMF || MAC-A (TS 33.102 6.3.2), XRES = f2, KASME = KDF(CK||IK, 0x10 ||
/// PLMN || SQN^AK) (TS 33.401 A.2), all from the RAND python decoded. Returns SQN.
fn verify_vector(v: &Value) -> u64 {
    let rand: [u8; 16] = hex_field(v, "rand").try_into().expect("RAND is 16 octets");
    let autn = hex_field(v, "autn");
    assert_eq!(autn.len(), 16, "AUTN length: {v}");
    let mut m = milenage::Milenage::new_with_opc(
        hex::decode(K).unwrap().try_into().unwrap(),
        hex::decode(OPC).unwrap().try_into().unwrap(),
    );
    let (res, ck, ik, ak) = m.f2345(&rand);
    let sqn: [u8; 6] = std::array::from_fn(|i| autn[i] ^ ak[i]);
    let amf: [u8; 2] = [autn[6], autn[7]];
    assert_eq!(amf, [0x80, 0x00], "AMF with the E-UTRAN separation bit (TS 33.401 6.1.2): {v}");
    assert_eq!(&autn[8..], &m.f1(&rand, &sqn, &amf), "MAC-A: {v}");
    assert_eq!(hex_field(v, "xres"), res.to_vec(), "XRES: {v}");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[ck, ik].concat()).unwrap();
    mac.update(&[0x10]);
    mac.update(&PLMN);
    mac.update(&[0, 3]);
    mac.update(&autn[..6]);
    mac.update(&[0, 6]);
    assert_eq!(hex_field(v, "kasme"), mac.finalize().into_bytes().to_vec(), "KASME: {v}");
    u64::from_be_bytes([0, 0, sqn[0], sqn[1], sqn[2], sqn[3], sqn[4], sqn[5]])
}

fn assert_answer(a: &Value, command: u64, what: &str) {
    assert_eq!(a["command_code"], command, "{what}: {a}");
    assert_eq!(a["is_request"], false, "{what}: {a}");
    assert_eq!(a["is_error"], false, "{what}: {a}");
    assert_eq!(a["application_id"], apps::S6A, "{what}: {a}");
    assert_eq!(a["hop_by_hop_matches"], true, "{what}: {a}");
    assert_eq!(a["end_to_end_matches"], true, "{what}: {a}");
    assert_eq!(a["result_code"], 2001, "{what}: {a}");
    assert_eq!(a["session_id"], a["sent_session_id"], "{what}: Session-Id echoed: {a}");
    assert_eq!(a["origin_host"], HSS_HOST, "{what}: {a}");
    assert_eq!(a["origin_realm"], HSS_REALM, "{what}: {a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_diameter_drives_the_real_s6a_plugin() {
    let py = match python_with_diameter() {
        Ok(py) => py,
        Err(why) if in_ci() => panic!("python-diameter is required in CI: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let node = s6a_node().await;
    let port = node.diameter_addrs[0].port();
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("python.stderr");
    let fail = |why: String| -> ! {
        panic!("{why}\n--- python stderr ---\n{}", std::fs::read_to_string(&err_path).unwrap_or_default())
    };
    let mut child = Command::new(&py)
        .arg(SCRIPT)
        .args(["--port", &port.to_string(), "--hold", "0", "--deadline", "25"])
        .args(["--peer-host", HSS_HOST, "--peer-realm", HSS_REALM, "--origin-host", PY_HOST])
        .args(["--origin-realm", "python.local", "--imsi", IMSI, "--vectors", &VECTORS.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn python3");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdin = child.stdin.take().unwrap();
    let mut next = async || -> Value {
        let line = match tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await {
            Err(_) => fail("no line from the python peer within 20 s".into()),
            Ok(Err(e)) => fail(format!("reading the python peer: {e}")),
            Ok(Ok(None)) => fail("the python peer closed its stdout".into()),
            Ok(Ok(Some(l))) => l,
        };
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| fail(format!("not JSON ({e}): {line}")));
        if v["event"] == "error" {
            fail(format!("the python peer reports: {}", v["error"]));
        }
        v
    };
    let ready = next().await;
    eprintln!("python peer reported: {ready}");
    assert_eq!(ready["event"], "ready", "{ready}");
    assert_eq!(ready["cea"]["result_code"], 2001, "{ready}");
    assert_eq!(ready["cea"]["negotiated_auth_application_ids"], serde_json::json!([apps::S6A]), "{ready}");

    // AIA: 2001 with exactly the requested vectors, each verifiable from its RAND.
    let aia = &ready["aia"];
    assert_answer(aia, 318, "AIA");
    let vectors = aia["vectors"].as_array().expect("vectors");
    assert_eq!(vectors.len() as u64, VECTORS, "E-UTRAN-Vectors in the AIA: {aia}");
    let mut last = 0;
    for (i, v) in vectors.iter().enumerate() {
        assert_eq!(v["item_number"], i as u64 + 1, "Item-Number: {v}");
        let sqn = verify_vector(v);
        assert!(sqn > last && sqn >= 64, "SQN {sqn} after {last}, from the provisioned 64");
        last = sqn;
    }
    assert_ne!(vectors[0]["rand"], vectors[1]["rand"], "fresh RAND per vector");

    // ULA: 2001 with the subscription as python decoded it.
    let ula = &ready["ula"];
    assert_answer(ula, 316, "ULA");
    let sd = &ula["subscription_data"];
    assert_eq!(sd["msisdn"], "947112325476", "MSISDN in TBCD: {ula}");
    let apns = sd["apns"].as_array().expect("APN-Configuration list");
    let names: Vec<&str> = apns.iter().map(|a| a["service_selection"].as_str().unwrap()).collect();
    assert_eq!(names, ["internet", "ims"], "{ula}");
    let ctx: Vec<u64> = apns.iter().map(|a| a["context_identifier"].as_u64().unwrap()).collect();
    assert_eq!(ctx, [1, 2], "Context-Identifiers: {ula}");
    assert_eq!(sd["default_context_identifier"], 1, "{ula}");
    assert_eq!(sd["ambr"], serde_json::json!({"ul": 1_000_000_000u64, "dl": 1_000_000_000u64}), "{ula}");
    let s = node.store.get(IMSI).await.unwrap().unwrap();
    assert_eq!(s.mme_host.as_deref(), Some(PY_HOST), "the python MME is recorded as serving");

    stdin.write_all(b"go\n").await.unwrap();
    stdin.flush().await.unwrap();
    let done = next().await;
    assert_eq!(done["event"], "done", "{done}");
    assert_eq!(done["dpa"]["result_code"], 2001, "{done}");
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap_or_else(|_| fail("python did not exit within 10 s of DPA".into()))
        .unwrap();
    if !status.success() {
        fail(format!("python exited with {status}"));
    }
    node.shutdown();
    tokio::time::timeout(Duration::from_secs(5), node.wait()).await.expect("node stops");
}
