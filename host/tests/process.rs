//! The `plughss` binary as operators run it: start-up on embedded defaults with
//! overrides, configuration errors naming the line, and a graceful stop on SIGTERM
//! (DPR to the peer, in-flight requests answered, exit status 0).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use plughss_plugin_api::diameter::Message;
use plughss_plugin_api::dictionary::{app as apps, base, cmd};

fn plughss() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plughss"))
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill {sig}");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if t.elapsed() > within {
            let _ = child.kill();
            panic!("process did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads stderr lines until one contains `needle`, returning it; collects all lines.
fn read_until(reader: &mut impl BufRead, needle: &str, seen: &mut Vec<String>) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("process ended before logging {needle:?}; it said:\n{}", seen.join(""));
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

#[tokio::test]
async fn serve_with_overrides_logs_where_it_listens_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = plughss()
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let d = read_until(&mut err, "Diameter listening", &mut seen);
    let diameter = addr_after(&d, "addr=");
    let a = read_until(&mut err, "REST API listening", &mut seen);
    let api = addr_after(&a, "addr=");
    assert!(diameter.ip().is_loopback() && diameter.port() != 0);
    assert!(data.is_dir(), "data dir created");

    let health: serde_json::Value =
        reqwest::get(format!("http://{api}/api/v1/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let missing = reqwest::get(format!("http://{api}/api/v1/nope")).await.unwrap();
    assert_eq!(missing.status(), 404);

    // A peer that shares no application is refused with 5010 (no plugin is loaded yet).
    let mut p = RawPeer::connect(diameter).await;
    p.send(&cer_bytes("mme.proc", &[S6A])).await;
    let cea = p.recv().await.unwrap();
    assert_eq!(Message::parse(&cea).unwrap().origin_host(), Some("hss.localdomain"));

    signal(&child, "-TERM");
    let status = wait_exit(&mut child, Duration::from_secs(15));
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn sigterm_sends_dpr_and_finishes_in_flight_requests() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("plughss.toml");
    // The echo fixture burns CPU before answering (`delay_spins`), so its request is still
    // in flight when SIGTERM arrives.
    std::fs::write(
        &cfg,
        format!(
            "data_dir = \"{}\"\n[diameter]\norigin_host = \"hss.test.local\"\norigin_realm = \"test.local\"\n\
             listen = [\"127.0.0.1:0\"]\nshutdown_grace = \"20s\"\n[api]\nlisten = \"127.0.0.1:0\"\n\n\
             [[plugin]]\nname = \"s6a\"\nenabled = false\n\n\
             [[plugin]]\nname = \"echo\"\npath = \"{}\"\nconfig = {{ delay_spins = 1500000000 }}\n\
             limits = {{ deadline_ms = 30000 }}\n",
            dir.path().join("data").display(),
            fixture("echo").display()
        ),
    )
    .unwrap();
    let mut child = plughss()
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let line = read_until(&mut err, "Diameter listening", &mut seen);
    let diameter = addr_after(&line, "addr=");
    std::thread::spawn(move || for _ in err.lines() {});

    let mut p = RawPeer::open(diameter).await;
    p.send(&request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 4242, "s;in-flight")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent_term = Instant::now();
    signal(&child, "-TERM");

    let (mut dpr, mut answered) = (false, false);
    while !(dpr && answered) {
        let m = p
            .recv_within(Duration::from_secs(30))
            .await
            .expect("no silence")
            .expect("DPR and the in-flight answer arrive before the close");
        let msg = Message::parse(&m).unwrap();
        if msg.header.is_request() {
            assert_eq!(msg.header.command_code, cmd::DISCONNECT_PEER);
            assert_eq!(msg.find(&base::DISCONNECT_CAUSE).unwrap().as_enum(), Ok(0));
            dpr = true;
            p.answer_base(&msg).await;
        } else {
            assert_eq!(msg.header.hop_by_hop, 4242);
            assert_eq!(msg.result(), Some((0, 2001)));
            assert!(
                sent_term.elapsed() > Duration::from_millis(20),
                "the request was still in flight at SIGTERM"
            );
            answered = true;
        }
    }
    assert!(p.closed_within(Duration::from_secs(25)).await);
    let status = wait_exit(&mut child, Duration::from_secs(30));
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn bad_config_stops_start_up_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[diameter]\norigin_host = \"hss\"\n\n[plmn]\nmcc = \"1x1\"\n").unwrap();
    let out = plughss().args(["serve", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 5"), "{err}");
    assert!(err.contains("mcc"), "{err}");

    std::fs::write(&cfg, "[diameter]\nlisten = [\"127.0.0.1:0\"]\nwatchdog = \"1s\"\n").unwrap();
    let out = plughss().args(["serve", "--config"]).arg(&cfg).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("line 3") && err.contains("watchdog"), "{err}");

    let out = plughss().args(["serve", "--config"]).arg(dir.path().join("absent.toml")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.toml"));
}

#[test]
fn port_in_use_stops_start_up_with_the_address() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = plughss()
        .args(["serve", "--diameter-listen", &addr, "--api-listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&addr), "{err}");
}

#[tokio::test]
async fn plugin_list_and_sighup_reload_on_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("echo.wasm");
    std::fs::copy(fixture("echo"), &live).unwrap();
    let cfg = dir.path().join("plughss.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = \"{}\"\n[diameter]\nlisten = [\"127.0.0.1:0\"]\n[api]\nlisten = \"127.0.0.1:0\"\n\n\
             [[plugin]]\nname = \"s6a\"\nenabled = false\n\n[[plugin]]\nname = \"echo\"\npath = \"{}\"\ncapabilities = [\"subscribers.read\"]\n",
            dir.path().join("data").display(),
            live.display()
        ),
    )
    .unwrap();
    let mut child = plughss()
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let a = read_until(&mut err, "REST API listening", &mut seen);
    let api = format!("http://{}", addr_after(&a, "addr="));
    assert!(seen.iter().any(|l| l.contains("plugin loaded") && l.contains("echo")), "{seen:?}");
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in err.lines() {});

    let list = |json: bool| {
        let mut c = plughss();
        c.args(["plugin", "list", "--api", &api]);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let table = list(false);
    assert!(
        table.contains("echo") && table.contains("1.0.0") && table.contains("subscribers.read"),
        "{table}"
    );

    std::fs::copy(fixture("echo-v2"), &live).unwrap();
    signal(&child, "-HUP");
    let mut version = String::new();
    for _ in 0..100 {
        let v: serde_json::Value = serde_json::from_str(&list(true)).unwrap();
        version = v["plugins"][0]["version"].as_str().unwrap_or_default().to_string();
        if version == "2.0.0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(version, "2.0.0", "SIGHUP reloaded the plugin");

    // Unreachable API: a clear error, exit status 1.
    let out = plughss().args(["plugin", "list", "--api", "http://127.0.0.1:9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));

    signal(&child, "-TERM");
    assert!(wait_exit(&mut child, Duration::from_secs(15)).success());
}
