//! The sandbox's bounds against real hostile components, driven by real Diameter peers
//! and HTTP (and the real binary for the log): a plugin asleep in WASI is answered
//! 5012 at its deadline; subscriber events reach only granted plugins, all at once; a
//! huge random request, several memories, many tables or core instances are refused;
//! a log flood is escaped, cut and counted.

mod common;

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use plughss::app::{self, Running};
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::router::{Application, Router};
use plughss_plugin_api::diameter::{Header, Message, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd};
use plughss_plugin_api::store::PutMode;
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp, Subscriber, parse_hex};

const SWX: Application = Application { id: apps::SWX, vendor_id: VENDOR_3GPP };
const IMSI: &str = "001010000000077";
/// Longest any request here may take to be answered: far below the sleeps the plugins
/// attempt (3 s, 20 s, for ever), far above their 200 ms deadlines.
const ANSWERED_WITHIN: Duration = Duration::from_millis(1500);

fn hostile(name: &str, extra: &str) -> plughss::config::PluginConfig {
    plugin_entry(&format!("name = \"{name}\"\npath = \"{}\"\n{extra}", fixture("hostile").display()))
}

fn wasm_entry(name: &str, wasm: &[u8], extra: &str) -> (plughss::config::PluginConfig, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.wasm"));
    std::fs::write(&path, wasm).unwrap();
    (plugin_entry(&format!("name = \"{name}\"\npath = \"{}\"\n{extra}", path.display())), dir)
}

async fn node_with(plugins: Vec<plughss::config::PluginConfig>) -> Running {
    let mut cfg = test_config();
    cfg.plugin.extend(plugins);
    app::start(&cfg, Router::new()).await.expect("node with plugins starts")
}

async fn client(node: &Running) -> Client {
    Client::connect(node.diameter_addrs[0], ClientOptions::new("mme.client.local", "client.local", vec![SWX]))
        .await
        .expect("connect")
}

/// Sends a SWx request of `command` whose Session-Id ends in `mode`; returns the
/// Result-Code, the Error-Message and how long the answer took.
async fn ask(c: &Client, command: u32, mode: &str) -> (u32, String, Duration) {
    let t = Instant::now();
    let a = c
        .request_within(request(apps::SWX, command, 0, &format!("s;{mode}")), Duration::from_secs(30))
        .await
        .unwrap_or_else(|e| panic!("{mode}: no answer: {e}"));
    let m = Message::parse(&a).unwrap();
    (m.result().unwrap().1, m.str(&base::ERROR_MESSAGE).unwrap_or_default().to_string(), t.elapsed())
}

fn counter(node: &Running, plugin: &str, name: &str) -> u64 {
    let st = node.plugins.runtime.status();
    st.iter().find(|p| p.name == plugin).unwrap().counters[name]
}

fn metric(node: &Running, plugin: &str, name: &str) -> u64 {
    let st = node.plugins.runtime.status();
    st.iter().find(|p| p.name == plugin).unwrap().plugin_metrics.get(name).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_asleep_in_wasi_is_answered_5012_at_its_deadline() {
    let node = node_with(vec![hostile("hostile", "limits = { deadline_ms = 200, instances = 2 }")]).await;
    let c = client(&node).await;
    for mode in ["sleep-3000", "sleep-max"] {
        let (code, _, took) = ask(&c, cmd::MULTIMEDIA_AUTH, mode).await;
        assert_eq!(code, rc::DIAMETER_UNABLE_TO_COMPLY, "{mode}");
        assert!(
            took >= Duration::from_millis(200) && took < ANSWERED_WITHIN,
            "{mode} answered after {took:?}"
        );
    }
    assert_eq!(counter(&node, "hostile", "deadline_exceeded"), 2);
    // The sleeping instances were discarded: the next request gets a fresh one.
    let created = counter(&node, "hostile", "instances_created");
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "fine").await;
    assert_eq!((code, text.as_str()), (rc::DIAMETER_SUCCESS, "fine"));
    assert_eq!(counter(&node, "hostile", "instances_created"), created + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_instance_asleep_each_request_is_still_answered_in_time() {
    let node = node_with(vec![hostile("hostile", "limits = { deadline_ms = 200, instances = 2 }")]).await;
    let c = Arc::new(client(&node).await);
    // Both instances fall asleep for ever; six more requests queue behind them.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = c.clone();
        let mode = if i < 2 { "sleep-max".to_string() } else { format!("queued-{i}") };
        tasks.push(tokio::spawn(async move {
            if i >= 2 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            ask(&c, cmd::MULTIMEDIA_AUTH, &mode).await
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        let (code, _, took) = t.await.unwrap();
        assert!(took < ANSWERED_WITHIN, "request {i} answered after {took:?}");
        if i < 2 {
            assert_eq!(code, rc::DIAMETER_UNABLE_TO_COMPLY);
        } else {
            // Served once an instance came free, or 5012 if none did within its deadline.
            assert!([rc::DIAMETER_SUCCESS, rc::DIAMETER_UNABLE_TO_COMPLY].contains(&code), "{code}");
        }
    }
}

/// Sends a SWx MAR whose Session-Id ends in `mode` from a raw peer and returns the
/// first message the node sends back, whatever it is.
async fn first_reply(peer: &mut RawPeer, hbh: u32, mode: &str) -> (Header, u32, String) {
    peer.send(&request(apps::SWX, cmd::MULTIMEDIA_AUTH, hbh, &format!("s;{mode}"))).await;
    let bytes = peer.recv().await.expect("a reply");
    let m = Message::parse(&bytes).unwrap();
    let code = m.result().map_or(0, |r| r.1);
    (m.header, code, m.str(&base::ERROR_MESSAGE).unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_plugin_puts_on_the_wire_is_one_message_of_its_own() {
    let node = node_with(vec![hostile("hostile", "capabilities = [\"peers.send\"]")]).await;
    let mut peer = RawPeer::connect(node.diameter_addrs[0]).await;
    peer.send(&cer_bytes("mme.client.local", &[SWX])).await;
    let cea = peer.recv().await.expect("CEA");
    assert_eq!(Message::parse(&cea).unwrap().result(), Some((0, rc::DIAMETER_SUCCESS)));

    // Each of these reached the peer before: the first message back was the DWR (then
    // a DPR with a forged Origin-Host and Hop-by-Hop), or the plugin's own request.
    let refusals = [
        ("send-smuggled", "not one well-formed Diameter message"),
        ("send-dpr", "Disconnect-Peer (command 282) is the host's to send"),
        ("send-s6a", "application 16777251 was not negotiated with mme.client.local"),
        ("send-spoofed", "Origin-Host is not this node's"),
    ];
    for (i, (mode, why)) in refusals.into_iter().enumerate() {
        let hbh = 100 + i as u32;
        let (h, code, text) = first_reply(&mut peer, hbh, mode).await;
        assert!(
            !h.is_request() && h.hop_by_hop == hbh,
            "{mode}: the peer got request {} first",
            h.command_code
        );
        assert_eq!(code, rc::DIAMETER_SUCCESS, "{mode}");
        assert!(text.starts_with("refused: ") && text.contains(why), "{mode}: {text}");
    }

    // A proper request of a negotiated application still goes out, answered by the peer.
    peer.send(&request(apps::SWX, cmd::MULTIMEDIA_AUTH, 200, "s;send-rtr")).await;
    let rtr = peer.recv().await.expect("the RTR");
    let m = Message::parse(&rtr).unwrap();
    assert!(m.header.is_request() && m.header.command_code == 304 && m.header.application_id == apps::SWX);
    assert_eq!(m.origin_host(), Some(HSS_HOST));
    peer.answer_base(&m).await;
    let maa = peer.recv().await.expect("the MAA");
    let m = Message::parse(&maa).unwrap();
    assert_eq!((m.header.hop_by_hop, m.str(&base::ERROR_MESSAGE)), (200, Some("sent: 2001")));

    // An answer under another node's Origin-Host is not delivered: 5012 in its place.
    let (h, code, _) = first_reply(&mut peer, 300, "spoof-answer").await;
    assert_eq!((h.hop_by_hop, code), (300, rc::DIAMETER_UNABLE_TO_COMPLY));
    assert_eq!(counter(&node, "hostile", "plugin_errors"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bytes_are_capped_before_the_host_allocates_them() {
    let node = node_with(vec![hostile("hostile", "")]).await;
    let c = client(&node).await;
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "random-32").await;
    assert_eq!((code, text.as_str()), (rc::DIAMETER_SUCCESS, "got 32 random bytes"));
    for (n, traps) in [(1u64 << 20, 1), (64 << 20, 2)] {
        let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, &format!("random-{n}")).await;
        assert_eq!(code, rc::DIAMETER_UNABLE_TO_COMPLY, "{n} bytes: {text}");
        assert_eq!(counter(&node, "hostile", "traps"), traps);
    }
    // Refused by the host, not by the plugin's memory cap after the host filled 64 MiB.
    assert_eq!(counter(&node, "hostile", "memory_exceeded"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_only_granted_plugins_all_at_once() {
    let granted = "capabilities = [\"subscribers.read\"]\nlimits = { deadline_ms = 200 }";
    let node = node_with(vec![
        hostile("sleepy-a", &format!("{granted}\nconfig = {{ command = 301, notify_sleep_ms = 20000 }}")),
        hostile("sleepy-b", &format!("{granted}\nconfig = {{ command = 302, notify_sleep_ms = 20000 }}")),
        hostile("told", &format!("{granted}\nconfig = {{ command = 303 }}")),
        // Asks for subscribers.read in describe but is granted nothing.
        hostile("nosy", "config = { command = 304 }"),
    ])
    .await;
    let sub = Subscriber { imsi: IMSI.into(), msisdn: vec!["491720000077".into()], ..Default::default() };
    let auth = AuthData {
        k: parse_hex("k", "465b5ce8b199b49faa5f0a2ee238a6bc").unwrap(),
        opc: OpcOrOp::Opc(parse_hex("opc", "cd63cb71954a9f4e48a5994e37a02baf").unwrap()),
        amf: [0x80, 0x00],
        sqn: 64,
        digest_ha1: None,
    };
    node.store.put(sub, Some(auth), PutMode::Create).await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("http://{}/api/v1/subscribers/{IMSI}", node.api_addr);

    let t = Instant::now();
    let r = http.post(format!("{url}/cancel-location")).send().await.unwrap();
    let took = t.elapsed();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(took < ANSWERED_WITHIN, "cancel-location took {took:?} with two plugins asleep for 20 s");
    let mut told: Vec<&str> =
        v["reports"].as_array().unwrap().iter().map(|r| r["plugin"].as_str().unwrap()).collect();
    told.sort();
    assert_eq!(told, ["sleepy-a", "sleepy-b", "told"], "{v}");
    for r in v["reports"].as_array().unwrap() {
        match r["plugin"].as_str().unwrap() {
            "told" => assert_eq!(r["report"], format!("hostile saw {IMSI}")),
            _ => assert!(r["error"].as_str().unwrap().contains("deadline"), "{r}"),
        }
    }

    // A change through the API is an event too (delivered after the answer).
    let mut doc: serde_json::Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    doc["msisdn"] = serde_json::json!([]);
    assert_eq!(http.put(&url).json(&doc).send().await.unwrap().status(), 200);
    let t = Instant::now();
    let all_told = || metric(&node, "told", "events") == 2 && metric(&node, "sleepy-a", "events") == 2;
    while !all_told() && t.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(metric(&node, "told", "events"), 2);
    assert_eq!(metric(&node, "sleepy-a", "events"), 2);
    assert_eq!(metric(&node, "nosy", "events"), 0, "a plugin without subscribers.read saw a profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memories_and_tables_count_together_against_the_cap() {
    // 16 MiB = 256 pages: each memory alone stays under it (200 pages), both do not.
    let (mems, _d1) = wasm_entry("mems", &hostile_wat::two_memories(199), "limits = { memory_mib = 16 }");
    let node = node_with(vec![mems]).await;
    let c = client(&node).await;
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "grow").await;
    assert_eq!(code, rc::DIAMETER_UNABLE_TO_COMPLY, "{text}");
    assert_eq!(counter(&node, "mems", "memory_exceeded"), 1);
    drop(c);
    node.shutdown();
    node.wait().await;

    // 60 tables of 100,000 elements: 48 MB of host memory behind a 16 MiB cap.
    let (tabs, _d2) = wasm_entry("tables", &hostile_wat::tables(60, 99_999), "limits = { memory_mib = 16 }");
    let node = node_with(vec![tabs]).await;
    let c = client(&node).await;
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "grow").await;
    assert_eq!(code, rc::DIAMETER_UNABLE_TO_COMPLY, "{text}");
    assert_eq!(counter(&node, "tables", "memory_exceeded"), 1);
    // Within the cap the same component serves.
    let (fits, _d3) = wasm_entry("fits", &hostile_wat::two_memories(100), "limits = { memory_mib = 16 }");
    drop(c);
    node.shutdown();
    node.wait().await;
    let node = node_with(vec![fits]).await;
    let c = client(&node).await;
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "grow").await;
    assert_eq!((code, text.as_str()), (rc::DIAMETER_SUCCESS, "damage done"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_with_too_many_tables_or_instances_are_refused_at_load() {
    for (name, wasm, what) in [
        ("tables", hostile_wat::tables(100, 0), "table"),
        ("instances", hostile_wat::with_core_instances(100), "instance"),
    ] {
        let (entry, _d) = wasm_entry(name, &wasm, "");
        let mut cfg = test_config();
        cfg.plugin.push(entry);
        let e = app::start(&cfg, Router::new()).await.err().unwrap_or_else(|| panic!("{name} loaded"));
        let e = format!("{e:#}");
        assert!(e.contains(&format!("{what} count too high")), "{name}: {e}");
    }
    // The same shapes within the limits load.
    for (name, wasm) in
        [("tables", hostile_wat::tables(8, 0)), ("instances", hostile_wat::with_core_instances(8))]
    {
        let (entry, _d) = wasm_entry(name, &wasm, "");
        let mut cfg = test_config();
        cfg.plugin.push(entry);
        app::start(&cfg, Router::new()).await.unwrap_or_else(|e| panic!("{name}: {e:#}"));
    }
}

/// Reads the server's stderr until a line contains `needle`; returns every line read.
fn read_until(reader: &mut impl BufRead, needle: &str, seen: &mut Vec<String>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("plughss ended before logging {needle:?}; it said:\n{}", seen.join(""));
        }
        seen.push(line.clone());
        if line.contains(needle) {
            return line.clone();
        }
    }
}

fn addr_after(line: &str, key: &str) -> std::net::SocketAddr {
    let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
    line[at..].split(|c: char| c.is_whitespace() || c == '"' || c == ',').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_flood_is_escaped_cut_and_counted_by_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("plughss.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = \"{}\"\n[diameter]\norigin_host = \"{HSS_HOST}\"\norigin_realm = \"{HSS_REALM}\"\n\
             listen = [\"127.0.0.1:0\"]\n[api]\nlisten = \"127.0.0.1:0\"\n\n\
             [[plugin]]\nname = \"s6a\"\nenabled = false\n\n[[plugin]]\nname = \"hostile\"\npath = \"{}\"\n",
            dir.path().join("data").display(),
            fixture("hostile").display()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plughss"))
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let d = read_until(&mut err, "Diameter listening", &mut seen);
    let diameter = addr_after(&d, "addr=");
    let a = read_until(&mut err, "REST API listening", &mut seen);
    let api = format!("http://{}", addr_after(&a, "addr="));
    // Read the rest of the log on a thread, so the server never blocks on the pipe.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in err.lines() {
            let Ok(line) = line else { break };
            let summary = line.contains("plugin log lines dropped");
            let _ = tx.send(line);
            if summary {
                break;
            }
        }
    });

    let c = Client::connect(diameter, ClientOptions::new("mme.client.local", "client.local", vec![SWX]))
        .await
        .unwrap();
    let (code, text, _) = ask(&c, cmd::MULTIMEDIA_AUTH, "flood").await;
    assert_eq!((code, text.as_str()), (rc::DIAMETER_SUCCESS, "flooded"));

    let mut lines = Vec::new();
    let t = Instant::now();
    while !lines.last().is_some_and(|l: &String| l.contains("plugin log lines dropped")) {
        let left = Duration::from_secs(10).saturating_sub(t.elapsed());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => panic!("no summary line within 10 s; the log said:\n{}", lines.join("\n")),
        }
    }
    // 3 lines of 1 MiB and 5,000 forged ones: 100 logged (the limit of one call).
    let summary = lines.last().unwrap();
    assert!(summary.contains("4903 plugin log lines dropped"), "{summary}");
    let big: Vec<&String> = lines.iter().filter(|l| l.contains("xxxx")).collect();
    assert_eq!(big.len(), 3);
    assert!(big[0].contains("xxxx [1044480 bytes cut]"), "{}", &big[0][big[0].len() - 100..]);
    let flood: Vec<&String> = lines.iter().filter(|l| l.contains("flood ")).collect();
    assert_eq!(flood.len(), 97);
    for l in &lines {
        assert!(!l.starts_with("FORGED"), "a plugin forged a log line: {l:?}");
        assert!(!l.contains('\x1b'), "a raw escape reached the log: {l:?}");
        assert!(l.len() < 5000, "a line of {} bytes reached the log", l.len());
    }
    assert!(flood[0].contains("\\nFORGED") && flood[0].contains("\\u{1b}[2J"), "{}", flood[0]);

    let v: serde_json::Value =
        reqwest::get(format!("{api}/api/v1/plugins")).await.unwrap().json().await.unwrap();
    assert_eq!(v["plugins"][0]["counters"]["log_lines_dropped"], 4903);

    let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("plughss did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
