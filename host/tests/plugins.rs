//! WebAssembly plugins: real components built from plugins/fixtures, loaded by a node,
//! driven over Diameter. Misbehaving plugins are contained; reload swaps versions with
//! no request lost.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use plughss::app::{self, Running};
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::router::{Application, Router};
use plughss_plugin_api::diameter::{Message, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd};

const RX: Application = Application { id: apps::RX, vendor_id: VENDOR_3GPP };

fn entry(name: &str, fixture_name: &str, extra: &str) -> plughss::config::PluginConfig {
    plugin_entry(&format!("name = \"{name}\"\npath = \"{}\"\n{extra}", fixture(fixture_name).display()))
}

async fn node_with(plugins: Vec<plughss::config::PluginConfig>) -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config();
    cfg.data_dir = Some(dir.path().to_path_buf());
    cfg.plugin.extend(plugins);
    (app::start(&cfg, Router::new()).await.expect("node with plugins starts"), dir)
}

fn all_fixtures() -> Vec<plughss::config::PluginConfig> {
    vec![
        entry("echo", "echo", ""),
        entry("spin", "spin", "limits = { deadline_ms = 100 }"),
        entry("hog", "hog", "limits = { memory_mib = 16 }"),
        entry("crash", "crash", ""),
        entry("sneaky", "sneaky", ""),
    ]
}

async fn client(node: &Running) -> Client {
    Client::connect(
        node.diameter_addrs[0],
        ClientOptions::new("mme.client.local", "client.local", vec![S6A, CX, SH, RX]),
    )
    .await
    .expect("connect")
}

fn result_of(answer: &[u8]) -> u32 {
    Message::parse(answer).unwrap().result().unwrap().1
}

fn text(answer: &[u8], def: &plughss_plugin_api::dictionary::AvpDef) -> String {
    Message::parse(answer).unwrap().str(def).unwrap_or_default().to_string()
}

fn counter(node: &Running, plugin: &str, name: &str) -> u64 {
    let st = node.plugins.runtime.status();
    st.iter().find(|p| p.name == plugin).unwrap().counters[name]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_answers_real_requests() {
    let (node, _d) = node_with(vec![entry("echo", "echo", "")]).await;
    let c = client(&node).await;
    // The CEA advertised what the plugin serves.
    let mut served: Vec<u32> = c.peer().info().applications.iter().map(|a| a.id).collect();
    served.sort();
    assert_eq!(served, vec![apps::CX, apps::S6A]);
    let a = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;echo")).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    assert_eq!(m.session_id(), Some("s;echo"));
    assert_eq!(m.origin_host(), Some(HSS_HOST), "plugin reads the node identity");
    assert_eq!(m.str(&base::PRODUCT_NAME), Some("echo/1.0.0"));
    // A command the plugin does not serve.
    let a = c.request(request(apps::S6A, cmd::PURGE_UE, 0, "s;pur")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_COMMAND_UNSUPPORTED);
    let st = node.plugins.runtime.status();
    assert_eq!(st[0].version, "1.0.0");
    assert_eq!(st[0].sha256.len(), 64);
}

/// The supported path for authors without `plughss-plugin-api`: a component made with
/// plain `wit-bindgen` from `wit/` (plugins/fixtures/bare) loads, reads the node
/// identity, counts a metric, and its hand-encoded answer passes the host's checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_wit_bindgen_plugin_serves_requests() {
    let (node, _d) = node_with(vec![entry("bare", "bare", "")]).await;
    let c = client(&node).await;
    let served: Vec<u32> = c.peer().info().applications.iter().map(|a| a.id).collect();
    assert_eq!(served, vec![apps::SH]);
    let mut req = Vec::new();
    let mut b =
        plughss_plugin_api::diameter::MessageBuilder::request(&mut req, cmd::USER_DATA, apps::SH, 0, 0);
    b.str(&base::SESSION_ID, "s;bare")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme.client.local", "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, "001010000000001");
    b.finish();
    for _ in 0..3 {
        let a = c.request(req.clone()).await.unwrap();
        let m = Message::parse(&a).unwrap();
        assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
        assert_eq!(
            (m.session_id(), m.origin_host(), m.origin_realm()),
            (Some("s;bare"), Some(HSS_HOST), Some(HSS_REALM))
        );
        assert_eq!(m.str(&base::ERROR_MESSAGE), Some("User-Name of 15 octets"));
    }
    let st = node.plugins.runtime.status();
    assert_eq!((st[0].name.as_str(), st[0].plugin_metrics.get("udr")), ("bare", Some(&3)));
    assert_eq!(counter(&node, "bare", "plugin_errors"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_plugin_is_stopped_at_its_deadline_while_others_serve() {
    let (node, _d) = node_with(all_fixtures()).await;
    let c = Arc::new(client(&node).await);
    let t = Instant::now();
    let (spin, echo) = tokio::join!(c.request(request(apps::SH, cmd::USER_DATA, 0, "s;spin")), async {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let t = Instant::now();
        let a = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;ok")).await.unwrap();
        (a, t.elapsed())
    });
    assert_eq!(result_of(&spin.unwrap()), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "answered near the 100 ms deadline, took {:?}",
        t.elapsed()
    );
    assert_eq!(result_of(&echo.0), rc::DIAMETER_SUCCESS);
    assert!(echo.1 < Duration::from_millis(100), "the other plugin was not held up: {:?}", echo.1);
    assert_eq!(counter(&node, "spin", "deadline_exceeded"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_hog_panic_and_ungranted_import_get_5012_and_the_host_lives_on() {
    let (node, _d) = node_with(all_fixtures()).await;
    let c = client(&node).await;
    let a = c.request(request(apps::SH, cmd::PROFILE_UPDATE, 0, "s;hog")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert_eq!(counter(&node, "hog", "memory_exceeded"), 1);

    let a = c.request(request(apps::SH, cmd::SUBSCRIBE_NOTIFICATIONS, 0, "s;crash")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert_eq!(counter(&node, "crash", "traps"), 1);

    // sneaky asks for `auc` in describe but was granted nothing.
    let a = c.request(request(apps::RX, cmd::AA, 0, "s;sneaky")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert_eq!(counter(&node, "sneaky", "denied"), 1);

    // Everyone still serves, the crashed ones with fresh instances.
    for _ in 0..3 {
        let a = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;after")).await.unwrap();
        assert_eq!(result_of(&a), rc::DIAMETER_SUCCESS);
    }
    let a = c.request(request(apps::SH, cmd::SUBSCRIBE_NOTIFICATIONS, 0, "s;crash2")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert_eq!(counter(&node, "crash", "traps"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasi_gives_a_plugin_no_files_environment_or_network() {
    let (node, _d) = node_with(all_fixtures()).await;
    let c = client(&node).await;
    let a = c.request(request(apps::RX, cmd::SESSION_TERMINATION, 0, "s;wasi")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_SUCCESS);
    let report = text(&a, &base::ERROR_MESSAGE);
    assert!(report.starts_with("file=Err("), "{report}");
    assert!(report.contains("dir=Err("), "{report}");
    assert!(report.contains("env=0"), "{report}");
    assert!(report.contains("net=Err("), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granted_capability_reaches_the_host() {
    let (node, _d) = node_with(vec![entry("sneaky", "sneaky", "capabilities = [\"auc\"]")]).await;
    let c = Client::connect(
        node.diameter_addrs[0],
        ClientOptions::new("mme.client.local", "client.local", vec![RX]),
    )
    .await
    .unwrap();
    let a = c.request(request(apps::RX, cmd::AA, 0, "s;granted")).await.unwrap();
    // Granted: the call reaches the host, which has no store in this node.
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert_eq!(counter(&node, "sneaky", "denied"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_reload_under_load_loses_nothing_and_switches_version() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("echo.wasm");
    std::fs::copy(fixture("echo"), &live).unwrap();
    let (node, _d) =
        node_with(vec![plugin_entry(&format!("name = \"echo\"\npath = \"{}\"", live.display()))]).await;
    let c = Arc::new(client(&node).await);
    let sent = Arc::new(AtomicUsize::new(0));
    let v2_seen = Arc::new(AtomicUsize::new(0));
    let reloaded = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Bounded: at most 20 s and 20,000 requests per task; each task stops once it has
    // seen 50 answers from the new version.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut tasks = Vec::new();
    for t in 0..4 {
        let (c, sent, v2, reloaded) = (c.clone(), sent.clone(), v2_seen.clone(), reloaded.clone());
        tasks.push(tokio::spawn(async move {
            let (mut last, mut new_seen) = (String::new(), 0);
            for i in 0..20_000 {
                if Instant::now() > deadline || new_seen >= 50 {
                    break;
                }
                let a = c
                    .request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, &format!("s;{t};{i}")))
                    .await;
                let a = a.expect("every request is answered");
                assert_eq!(result_of(&a), rc::DIAMETER_SUCCESS);
                let v = text(&a, &base::PRODUCT_NAME);
                if v == "echo/2.0.0" {
                    v2.fetch_add(1, Ordering::Relaxed);
                    new_seen += 1;
                } else {
                    assert_eq!(v, "echo/1.0.0");
                    assert_ne!(last, "echo/2.0.0", "never back to the old version after the switch");
                    assert!(!reloaded.load(Ordering::Relaxed) || new_seen == 0);
                }
                last = v;
                sent.fetch_add(1, Ordering::Relaxed);
            }
            last
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::copy(fixture("echo-v2"), &live).unwrap();
    let report = node.plugins.reload().await.unwrap();
    reloaded.store(true, Ordering::Relaxed);
    assert_eq!(report.loaded, vec!["echo".to_string()], "{report:?}");
    for t in tasks {
        assert_eq!(t.await.unwrap(), "echo/2.0.0");
    }
    assert!(v2_seen.load(Ordering::Relaxed) >= 200);
    assert_eq!(node.plugins.runtime.status()[0].version, "2.0.0");
    eprintln!("{} requests answered across the reload", sent.load(Ordering::Relaxed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_that_fails_keeps_the_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("echo.wasm");
    std::fs::copy(fixture("echo"), &live).unwrap();
    let (node, _d) =
        node_with(vec![plugin_entry(&format!("name = \"echo\"\npath = \"{}\"", live.display()))]).await;
    let c = client(&node).await;
    std::fs::write(&live, b"\0asm not really").unwrap();
    let report = node.plugins.reload().await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    let a = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, "s;kept")).await.unwrap();
    assert_eq!(text(&a, &base::PRODUCT_NAME), "echo/1.0.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sha256_pin_is_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config();
    cfg.data_dir = Some(dir.path().to_path_buf());
    cfg.plugin.push(entry("echo", "echo", &format!("sha256 = \"{}\"", "0".repeat(64))));
    let e = app::start(&cfg, Router::new()).await.err().expect("a wrong pin stops start-up");
    assert!(format!("{e:#}").contains("sha256"), "{e:#}");
    let good = plughss::runtime::sha256_hex(&std::fs::read(fixture("echo")).unwrap());
    cfg.plugin.pop();
    cfg.plugin.push(entry("echo", "echo", &format!("sha256 = \"{good}\"")));
    app::start(&cfg, Router::new()).await.expect("the right pin loads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_are_listed_and_reloaded_over_http() {
    let (node, _d) = node_with(vec![entry("echo", "echo", "capabilities = [\"subscribers.read\"]")]).await;
    let base_url = format!("http://{}", node.api_addr);
    let v: serde_json::Value =
        reqwest::get(format!("{base_url}/api/v1/plugins")).await.unwrap().json().await.unwrap();
    let p = &v["plugins"][0];
    assert_eq!(p["name"], "echo");
    assert_eq!(p["version"], "1.0.0");
    assert_eq!(p["capabilities"][0], "subscribers.read");
    assert_eq!(p["applications"][0]["vendor_id"], VENDOR_3GPP);
    let r = reqwest::Client::new().post(format!("{base_url}/api/v1/plugins/reload")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["unchanged"][0], "echo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuel_limit_stops_a_busy_plugin_before_its_deadline() {
    let (node, _d) =
        node_with(vec![entry("spin", "spin", "limits = { fuel = 2000000, deadline_ms = 20000 }")]).await;
    let c = Client::connect(
        node.diameter_addrs[0],
        ClientOptions::new("mme.client.local", "client.local", vec![SH]),
    )
    .await
    .unwrap();
    let t = Instant::now();
    let a = c.request(request(apps::SH, cmd::USER_DATA, 0, "s;fuel")).await.unwrap();
    assert_eq!(result_of(&a), rc::DIAMETER_UNABLE_TO_COMPLY);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "fuel ran out long before the 20 s deadline: {:?}",
        t.elapsed()
    );
    assert_eq!(counter(&node, "spin", "traps"), 1);
    assert_eq!(counter(&node, "spin", "deadline_exceeded"), 0);
}
