//! Interoperability with an independent Diameter implementation: python-diameter's own
//! Node (PyPI `python-diameter`, module `diameter`) run as a subprocess
//! (tests/interop/s6a_peer.py) dials the in-process node on 127.0.0.1, does CER/CEA,
//! answers our DWRs and sends its own, exchanges AIR/AIA and ULR/ULA, and disconnects
//! with DPR/DPA. It decodes every answer with its own decoder and reports JSON lines.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdout, Command};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/s6a_peer.py");
const PY_HOST: &str = "mme.python.local";
const PY_REALM: &str = "python.local";
/// Our Tw; a peer that does not answer DWRs is closed after about 3 Tw (RFC 3539).
const TW: Duration = Duration::from_millis(500);
/// How long python stays idle after the CEA: longer than the 3 Tw a silent peer survives.
const HOLD_SECS: f64 = 2.0;

/// The interpreter, when it has the `diameter` package; otherwise why not.
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

async fn next_json(lines: &mut Lines<BufReader<ChildStdout>>, within: Duration) -> Result<Value, String> {
    let line = match tokio::time::timeout(within, lines.next_line()).await {
        Err(_) => return Err(format!("no line from the python peer within {within:?}")),
        Ok(Err(e)) => return Err(format!("reading the python peer: {e}")),
        Ok(Ok(None)) => return Err("the python peer closed its stdout".into()),
        Ok(Ok(Some(l))) => l,
    };
    let v: Value = serde_json::from_str(&line).map_err(|e| format!("not JSON ({e}): {line}"))?;
    if v["event"] == "error" {
        return Err(format!("the python peer reports: {}", v["error"]));
    }
    Ok(v)
}

/// Fails the test with the python peer's stderr attached.
fn fail(stderr: &Path, why: String) -> ! {
    panic!("{why}\n--- python stderr ---\n{}", std::fs::read_to_string(stderr).unwrap_or_default())
}

/// Checks an AIA/ULA as python-diameter decoded it.
fn assert_answer(a: &Value, command: u64, what: &str) {
    assert_eq!(a["command_code"], command, "{what}: {a}");
    assert_eq!(a["is_request"], false, "{what}: {a}");
    assert_eq!(a["is_error"], false, "{what}: {a}");
    assert_eq!(a["application_id"], apps::S6A, "{what}: {a}");
    assert_eq!(a["hop_by_hop_matches"], true, "{what}: {a}");
    assert_eq!(a["end_to_end_matches"], true, "{what}: {a}");
    assert_eq!(a["result_code"], 2001, "{what}: {a}");
    assert!(a["sent_session_id"].as_str().is_some_and(|s| s.starts_with(PY_HOST)), "{what}: {a}");
    assert_eq!(a["session_id"], a["sent_session_id"], "{what}: Session-Id echoed: {a}");
    assert_eq!(a["origin_host"], HSS_HOST, "{what}: {a}");
    assert_eq!(a["origin_realm"], HSS_REALM, "{what}: {a}");
}

#[tokio::test]
async fn python_diameter_node_does_base_protocol_and_s6a_with_us() {
    let py = match python_with_diameter() {
        Ok(py) => py,
        Err(why) if in_ci() => panic!("python-diameter is required in CI: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let mut cfg = test_config();
    cfg.diameter.watchdog_interval = TW;
    let node = start_node(cfg).await;
    let port = node.diameter_addrs[0].port();
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("python.stderr");
    let mut child = Command::new(&py)
        .arg(SCRIPT)
        .args(["--port", &port.to_string(), "--hold", &HOLD_SECS.to_string(), "--deadline", "25"])
        .args(["--peer-host", HSS_HOST, "--peer-realm", HSS_REALM, "--origin-host", PY_HOST])
        .args(["--origin-realm", PY_REALM])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn python3");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdin = child.stdin.take().unwrap();

    // Watch our peer table while python connects, holds and sends S6a: the connection
    // it first appears with must be the one that is still there afterwards.
    let first_seen = {
        let mut first: Option<u64> = None;
        let read = next_json(&mut lines, Duration::from_secs(15));
        tokio::pin!(read);
        let ready = loop {
            tokio::select! {
                r = &mut read => break r,
                _ = tokio::time::sleep(Duration::from_millis(20)) => {
                    if first.is_none() {
                        first = node.node.peers.get(PY_HOST).map(|h| h.info().connection_id);
                    }
                }
            }
        };
        let ready = ready.unwrap_or_else(|e| fail(&err_path, e));
        (first, ready)
    };
    let (first_conn, ready) = first_seen;
    eprintln!("python peer reported: {ready}");
    assert_eq!(ready["event"], "ready", "{ready}");

    // CEA as python decoded it: success, from us, S6a advertised and negotiated.
    let cea = &ready["cea"];
    assert_eq!(cea["command_code"], 257, "{cea}");
    assert_eq!(cea["is_request"], false, "{cea}");
    assert_eq!(cea["result_code"], 2001, "{cea}");
    assert_eq!(cea["origin_host"], HSS_HOST, "{cea}");
    assert_eq!(cea["origin_realm"], HSS_REALM, "{cea}");
    let vsai = cea["vendor_specific_application_ids"].as_array().expect("VSAI list");
    assert!(
        vsai.iter().any(|v| v["vendor_id"] == VENDOR_3GPP && v["auth_application_id"] == apps::S6A),
        "S6a advertised in Vendor-Specific-Application-Id: {cea}"
    );
    assert_eq!(cea["negotiated_auth_application_ids"], serde_json::json!([apps::S6A]), "{cea}");
    assert!(cea["supported_vendor_ids"].as_array().unwrap().contains(&VENDOR_3GPP.into()), "{cea}");

    // Watchdog: python stayed idle for more than 3 Tw on one connection; our node sent
    // DWRs and python answered them, else we would have closed it.
    assert!(ready["held_seconds"].as_f64().unwrap() >= HOLD_SECS, "{ready}");
    assert_eq!(ready["same_connection_after_hold"], true, "{ready}");
    assert_eq!(ready["connection_ready"], true, "{ready}");
    let dwrs = ready["dwr_answered"].as_array().unwrap();
    assert!(
        dwrs.len() >= 2,
        "python answered {} DWR(s) from us in {HOLD_SECS} s with Tw {TW:?}: {ready}",
        dwrs.len()
    );
    assert!(dwrs.iter().all(|d| d["origin_host"] == HSS_HOST), "{ready}");
    // And our DWA to python's own DWR.
    assert_eq!(ready["own_dwa"]["command_code"], 280, "{ready}");
    assert_eq!(ready["own_dwa"]["result_code"], 2001, "{ready}");
    assert_eq!(ready["own_dwa"]["origin_host"], HSS_HOST, "{ready}");

    // Our side: the same connection is still open, with what python advertised.
    let first_conn = first_conn
        .unwrap_or_else(|| fail(&err_path, "the python peer never appeared in our peer table".into()));
    let h = node
        .node
        .peers
        .get(PY_HOST)
        .unwrap_or_else(|| fail(&err_path, "python peer gone from our peer table".into()));
    assert_eq!(h.info().connection_id, first_conn, "the python peer reconnected");
    assert!(!h.is_closed());
    assert_eq!(h.info().origin_realm, PY_REALM);
    assert_eq!(h.info().caps.product_name, "python-diameter");
    assert_eq!(h.info().applications, vec![S6A]);

    assert_answer(&ready["aia"], 318, "AIA");
    assert_answer(&ready["ula"], 316, "ULA");

    // Let python say DPR.
    stdin.write_all(b"go\n").await.unwrap();
    stdin.flush().await.unwrap();
    let done = next_json(&mut lines, Duration::from_secs(15)).await.unwrap_or_else(|e| fail(&err_path, e));
    eprintln!("python peer reported: {done}");
    assert_eq!(done["event"], "done", "{done}");
    let dpa = &done["dpa"];
    assert!(dpa.is_object(), "python got no DPA: {done}");
    assert_eq!(dpa["command_code"], 282, "{done}");
    assert_eq!(dpa["is_request"], false, "{done}");
    assert_eq!(dpa["result_code"], 2001, "{done}");
    assert_eq!(dpa["origin_host"], HSS_HOST, "{done}");
    assert_eq!(done["closed"], true, "connection closed after DPA: {done}");

    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap_or_else(|_| fail(&err_path, "python did not exit within 10 s of DPA".into()))
        .unwrap();
    if !status.success() {
        fail(&err_path, format!("python exited with {status}"));
    }
    // Our side forgets the peer once the connection is gone.
    let t = tokio::time::Instant::now();
    while node.node.peers.get(PY_HOST).is_some_and(|h| h.info().connection_id == first_conn) {
        assert!(t.elapsed() < Duration::from_secs(3), "peer table still lists the python peer after DPR");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.shutdown();
    tokio::time::timeout(Duration::from_secs(5), node.wait()).await.expect("node stops");
}
