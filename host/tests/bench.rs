//! `plughss bench`, the load generator, as operators run it: the real binary against a
//! real `plughss serve` (S6a plugin, sled store) on 127.0.0.1 ephemeral ports, with the
//! subscribers provisioned through the REST API by `--provision`. Every run is bounded
//! (a second or two) and the tests assert counts and classifications, never speed.
//!
//! What the generator reports is checked against the server's own records where it can
//! be: the plugin's request counter, and the serving MME each ULR stored.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plughss::bench::request::{Air, Identity, Template, Ulr};
use plughss::bench::responder::{self, Counters, ResponderOptions};
use serde_json::Value;

fn plughss() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plughss"))
}

/// A `plughss serve` child on ephemeral loopback ports, stopped with SIGTERM on drop.
struct Server {
    child: Child,
    diameter: SocketAddr,
    api: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let data = tempfile::tempdir().unwrap();
        let mut child = plughss()
            .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let (mut diameter, mut api) = (None, None);
        let mut line = String::new();
        while diameter.is_none() || api.is_none() {
            line.clear();
            if err.read_line(&mut line).unwrap() == 0 {
                panic!("plughss serve ended during start-up:\n{}", log.lock().unwrap().join(""));
            }
            log.lock().unwrap().push(line.clone());
            if line.contains("Diameter listening") {
                diameter = Some(addr_after(&line, "addr="));
            } else if line.contains("REST API listening") {
                api = Some(addr_after(&line, "addr="));
            }
        }
        // Keep draining the log so the server never blocks on a full pipe.
        let sink = log.clone();
        std::thread::spawn(move || {
            for l in err.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(l);
            }
        });
        Server { child, diameter: diameter.unwrap(), api: api.unwrap(), log, _data: data }
    }

    fn api_url(&self) -> String {
        format!("http://{}", self.api)
    }

    async fn get(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.api_url())).await.unwrap().json().await.unwrap()
    }

    /// Requests the S6a plugin has handled so far.
    async fn s6a_requests(&self) -> u64 {
        let v = self.get("/api/v1/plugins").await;
        let s6a = v["plugins"].as_array().unwrap().iter().find(|p| p["name"] == "s6a").expect("s6a loaded");
        s6a["counters"]["requests"].as_u64().unwrap_or_else(|| panic!("no requests counter in {s6a}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- plughss serve log ---\n{}", self.log.lock().unwrap().join("\n"));
        }
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn addr_after(line: &str, key: &str) -> SocketAddr {
    let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
    line[at..].split(|c: char| c.is_whitespace() || c == '"' || c == ',').next().unwrap().parse().unwrap()
}

/// Runs `plughss bench ARGS` to completion (bounded by its own duration and timeout).
async fn bench(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || plughss().arg("bench").args(&args).output().unwrap()).await.unwrap()
}

/// The JSON report of a run that must have succeeded.
fn report(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "plughss bench failed ({}):\n{stdout}\n{stderr}", out.status);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not one JSON object ({e}):\n{stdout}"))
}

/// Zero errors, every answer a 2001, and ordered percentiles.
fn assert_clean_success(r: &Value) {
    let answered = r["answered"].as_u64().unwrap();
    assert!(answered > 0, "no answers: {r}");
    assert_eq!(r["errors"], 0, "{r}");
    for k in ["timeouts", "unmatched", "lost", "connection_errors"] {
        assert_eq!(r[k], 0, "{k} in {r}");
    }
    assert_eq!(r["invalid"], serde_json::json!({}), "{r}");
    assert_eq!(r["result_codes"]["2001"].as_u64(), Some(answered), "every answer is a 2001: {r}");
    assert_eq!(r["result_codes"].as_object().unwrap().len(), 1, "{r}");
    assert_eq!(r["experimental_results"], serde_json::json!({}), "{r}");
    assert_eq!(r["sent"].as_u64(), Some(answered), "closed runs drain: every request answered: {r}");
    assert!(r["throughput"].as_f64().unwrap() > 0.0);
    assert_percentiles_ordered(r);
}

fn assert_percentiles_ordered(r: &Value) {
    let l = &r["latency_us"];
    let p: Vec<f64> = ["min", "p50", "p90", "p99", "p99_9", "max"]
        .iter()
        .map(|k| l[*k].as_f64().unwrap_or_else(|| panic!("latency_us.{k} in {r}")))
        .collect();
    assert!(p[0] > 0.0, "{l}");
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "percentiles out of order: {l}");
    let mean = l["mean"].as_f64().unwrap();
    assert!(p[0] <= mean && mean <= p[5], "{l}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn air_closed_loop_provisions_through_the_api_and_every_answer_is_2001() {
    let s = Server::start();
    let target = s.diameter.to_string();
    let api = s.api_url();
    let before = s.s6a_requests().await;
    let pid = s.child.id().to_string();
    let out = bench(&[
        "air",
        "--target",
        &target,
        "--connections",
        "2",
        "--inflight",
        "8",
        "--duration",
        "1500ms",
        "--imsi-start",
        "001010000100000",
        "--imsi-count",
        "300",
        "--vectors",
        "2",
        "--provision",
        "--api",
        &api,
        "--server-pid",
        &pid,
        "--json",
    ])
    .await;
    let r = report(&out);
    assert_clean_success(&r);
    assert_eq!((r["kind"].as_str(), r["mode"].as_str()), (Some("AIR"), Some("closed")));
    assert_eq!(
        (r["connections"].as_u64(), r["inflight"].as_u64(), r["vectors"].as_u64()),
        (Some(2), Some(8), Some(2))
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("provisioned 300 subscribers"));
    // The server's CPU time and memory, read from /proc over the measured window.
    assert!(r["server_cpu_us_per_answer"].as_f64().is_some_and(|c| c > 0.0), "{r}");
    assert!(r["server_rss_kib"].as_u64().is_some_and(|k| k > 1024), "{r}");
    assert!(r["generator_cpu_us_per_answer"].as_f64().is_some_and(|c| c > 0.0), "{r}");

    // The server's view: the subscribers exist, and its S6a plugin handled exactly the
    // requests the generator counted (no warm-up, closed loop: all were answered).
    let page = s.get("/api/v1/subscribers?limit=1000&after=001010000099999").await;
    let imsis: Vec<&str> =
        page["subscribers"].as_array().unwrap().iter().filter_map(|d| d["imsi"].as_str()).collect();
    assert_eq!(imsis.len(), 300, "provisioned through the API: {page}");
    assert_eq!((imsis[0], imsis[299]), ("001010000100000", "001010000100299"));
    assert_eq!(s.s6a_requests().await - before, r["sent"].as_u64().unwrap(), "plugin counter vs generator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ulr_closed_loop_registers_each_imsi_at_its_connections_origin_host() {
    let s = Server::start();
    let target = s.diameter.to_string();
    let api = s.api_url();
    let out = bench(&[
        "ulr",
        "--target",
        &target,
        "--connections",
        "4",
        "--inflight",
        "4",
        "--duration",
        "1s",
        "--imsi-start",
        "001010000200000",
        "--imsi-count",
        "40",
        "--provision",
        "--api",
        &api,
        "--json",
    ])
    .await;
    let r = report(&out);
    assert_clean_success(&r);
    assert_eq!(r["kind"], "ULR");
    assert_eq!(r["vectors"], Value::Null);
    // IMSI index i is sent by connection i mod 4 (Origin-Host bench-<c>.bench.localdomain),
    // and the HSS stored that MME as serving: the ULRs carried the intended IMSI and
    // Origin-Host. No CLR was needed since no IMSI moved between connections.
    for i in [0u64, 1, 2, 3, 17, 39] {
        let imsi = format!("{:015}", 1_010_000_200_000u64 + i);
        let doc = s.get(&format!("/api/v1/subscribers/{imsi}")).await;
        assert_eq!(doc["mme_host"], format!("bench-{}.bench.localdomain", i % 4), "{doc}");
        assert_eq!(doc["mme_realm"], "bench.localdomain", "{doc}");
    }
    assert_eq!(r["server_requests"], serde_json::json!({}), "no CLR expected: {r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_loop_sends_roughly_the_requested_count() {
    let s = Server::start();
    let target = s.diameter.to_string();
    let api = s.api_url();
    let out = bench(&[
        "air",
        "--target",
        &target,
        "--connections",
        "2",
        "--inflight",
        "64",
        "--duration",
        "2s",
        "--rate",
        "200",
        "--imsi-start",
        "001010000300000",
        "--imsi-count",
        "50",
        "--provision",
        "--api",
        &api,
        "--json",
    ])
    .await;
    let r = report(&out);
    assert_eq!(r["mode"], "open");
    assert_eq!(r["rate"], 200);
    // 200/s for 2 s is 400 scheduled requests; generous slack for a loaded machine.
    let sent = r["sent"].as_u64().unwrap();
    assert!((300..=400).contains(&sent), "sent {sent}: {r}");
    // The generator's own lateness is reported apart (and included in the latency).
    let lag = &r["send_lag_us"];
    assert!(lag["p50"].as_f64().unwrap() <= lag["max"].as_f64().unwrap(), "{r}");
    assert_clean_success(&r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_imsis_are_tallied_as_experimental_result_5001() {
    let s = Server::start();
    let target = s.diameter.to_string();
    let out = bench(&[
        "air",
        "--target",
        &target,
        "--inflight",
        "4",
        "--duration",
        "1s",
        "--imsi-start",
        "999990000000001",
        "--imsi-count",
        "10",
        "--plmn",
        "00101",
        "--json",
    ])
    .await;
    let r = report(&out);
    let answered = r["answered"].as_u64().unwrap();
    assert!(answered > 0, "{r}");
    // TS 29.272 7.4.3: DIAMETER_ERROR_USER_UNKNOWN (5001) with Vendor-Id 10415.
    assert_eq!(r["experimental_results"]["10415"]["5001"].as_u64(), Some(answered), "{r}");
    assert_eq!(r["result_codes"], serde_json::json!({}), "{r}");
    assert_eq!(r["errors"], 0, "{r}");
    assert_percentiles_ordered(&r);
}

#[tokio::test]
async fn a_refused_connection_is_a_clear_error_and_a_failure_exit() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let target = format!("127.0.0.1:{port}");
    let out = bench(&["air", "--target", &target, "--duration", "1s"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("cannot connect to {target}")), "{stderr}");
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(out.stdout.is_empty(), "no report for a run that never started");
}

#[tokio::test]
async fn bad_flags_get_a_clear_usage_error() {
    for (args, expect) in [
        (vec!["air", "--connections", "0"], "--connections"),
        (vec!["air", "--vectors", "6"], "--vectors"),
        (vec!["air", "--duration", "ten"], "--duration"),
        (vec!["mar"], "invalid value 'mar'"),
        (vec!["air", "--rate", "0"], "--rate"),
        (vec!["air", "--imsi-start", "12x45678", "--target", "127.0.0.1:1"], "--imsi-start"),
        (
            vec!["air", "--imsi-start", "999999", "--imsi-count", "2", "--target", "127.0.0.1:1"],
            "runs past 6 digits",
        ),
    ] {
        let out = bench(&args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?} should mention {expect}: {stderr}");
    }
}

/// The generator's own protocol handling, against the bare responder: it answers the
/// server's DWRs, counts unanswered requests as timeouts, and says DPR at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_watchdogs_counts_timeouts_and_disconnects_against_a_bare_responder() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let counters = Arc::new(Counters::default());
    let opts = ResponderOptions { vectors: 1, watchdog: Some(Duration::from_millis(200)), ignore_every: 10 };
    let server = tokio::spawn(responder::serve(listener, opts, counters.clone()));

    let out = bench(&[
        "air",
        "--target",
        &target,
        "--connections",
        "2",
        "--inflight",
        "4",
        "--duration",
        "1200ms",
        "--timeout",
        "300ms",
        "--json",
    ])
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_str(stdout.trim()).unwrap();
    server.abort();

    let sent = r["sent"].as_u64().unwrap();
    let answered = r["answered"].as_u64().unwrap();
    let timeouts = r["timeouts"].as_u64().unwrap();
    let unmatched = r["unmatched"].as_u64().unwrap();
    let (resp_answered, resp_ignored) =
        (counters.answered.load(Ordering::Relaxed), counters.ignored.load(Ordering::Relaxed));
    assert!(answered > 0 && resp_ignored > 0, "{r}");
    // The responder received exactly the requests the generator says it sent; each was
    // answered in time or counted as a timeout, and every ignored one is a timeout
    // (answers later than --timeout are timeouts too, and unmatched if they arrive).
    assert_eq!(sent, resp_answered + resp_ignored, "{r}");
    assert_eq!(answered + timeouts, sent, "{r}");
    assert_eq!(timeouts, resp_ignored + (resp_answered - answered), "{r}");
    assert!(unmatched <= resp_answered - answered, "{r}");
    assert_eq!(r["result_codes"]["2001"].as_u64(), Some(answered));
    // DWRs (RFC 6733 5.5) were answered, and each connection ended with DPR (5.4).
    let dwr = r["server_requests"]["280"].as_u64().unwrap_or(0);
    assert!(dwr >= 2, "the responder sent a DWR every 200 ms: {r}");
    assert_eq!(counters.dwa_received.load(Ordering::Relaxed), dwr, "a DWA for each DWR");
    assert_eq!(counters.dpr_received.load(Ordering::Relaxed), 2, "DPR on both connections");
    assert_eq!(r["connection_errors"], 0);
}

/// python-diameter (an independent decoder) reads a patched template as the intended AIR
/// and ULR. Skips outside CI when python-diameter is missing.
#[test]
fn patched_templates_decode_with_python_diameter() {
    let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let have =
        Command::new(&py).args(["-c", "import diameter.message"]).output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(!common::in_ci(), "python-diameter is required under CI (scripts/install-test-deps.sh)");
        eprintln!("skipping: {py} has no `diameter` module (pip install python-diameter)");
        return;
    }
    let id = Identity {
        origin_host: "bench-7.bench.localdomain".into(),
        origin_realm: "bench.localdomain".into(),
        destination_realm: "localdomain".into(),
        visited_plmn: [0x00, 0xf1, 0x10],
        session_high: 1_700_000_000,
    };
    let mut air = Vec::new();
    Template::new(&Air { vectors: 4 }, &id, 15).write(
        &mut air,
        0x0a0b_0c0d,
        0x1122_3344,
        99,
        1_010_000_000_777,
    );
    let mut ulr = Vec::new();
    Template::new(&Ulr, &id, 15).write(&mut ulr, 5, 6, 100, 1_010_000_000_778);
    let script = r#"
import sys, json
from diameter.message import Message
out = []
for h in sys.argv[1:]:
    m = Message.from_bytes(bytes.fromhex(h))
    d = {"name": type(m).__name__, "hbh": m.header.hop_by_hop_identifier, "e2e": m.header.end_to_end_identifier,
         "session": m.session_id, "user": m.user_name, "origin": m.origin_host.decode(),
         "plmn": m.visited_plmn_id.hex()}
    if hasattr(m, "requested_eutran_authentication_info") and m.requested_eutran_authentication_info:
        d["vectors"] = m.requested_eutran_authentication_info.number_of_requested_vectors
    if hasattr(m, "ulr_flags") and m.ulr_flags is not None:
        d["ulr_flags"] = m.ulr_flags
        d["rat_type"] = m.rat_type
    out.append(d)
print(json.dumps(out))
"#;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let o = Command::new(&py).args(["-c", script, &hex(&air), &hex(&ulr)]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &v[0];
    assert_eq!(a["name"], "AuthenticationInformationRequest", "{v}");
    assert_eq!((a["hbh"].as_u64(), a["e2e"].as_u64()), (Some(0x0a0b_0c0d), Some(0x1122_3344)));
    assert_eq!(a["session"], "bench-7.bench.localdomain;1700000000;00000000000000000099");
    assert_eq!(a["user"], "001010000000777");
    assert_eq!(a["origin"], "bench-7.bench.localdomain");
    assert_eq!(a["plmn"], "00f110");
    assert_eq!(a["vectors"], 4);
    let u = &v[1];
    assert_eq!(u["name"], "UpdateLocationRequest", "{v}");
    assert_eq!(u["user"], "001010000000778");
    assert_eq!((u["ulr_flags"].as_u64(), u["rat_type"].as_u64()), (Some(2), Some(1004)));
}
