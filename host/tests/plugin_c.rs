//! A plugin written in C: plugins/c-echo, compiled by clang against the C bindings
//! generated from wit/ and componentized with wit-component (see its README), serves
//! S6a AIR from a real node like the Rust plugins do, with no WASI at all.

mod common;

use std::path::PathBuf;

use common::*;
use plughss::app::{self, Running};
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::router::Router;
use plughss_plugin_api::diameter::{Message, MessageBuilder, result_code as rc};
use plughss_plugin_api::dictionary::{app as apps, base, cmd};

/// The C plugin's component, or None (after saying why) when this machine has no
/// clang for wasm32. CI must build it.
fn c_echo_or_skip() -> Option<PathBuf> {
    match wasm_clang() {
        Ok(_) => Some(c_echo_component()),
        Err(why) if in_ci() => panic!("{why}; scripts/install-test-deps.sh installs clang-14 and lld-14"),
        Err(why) => {
            eprintln!("skipped: {why}; run scripts/install-test-deps.sh");
            None
        }
    }
}

async fn node_with_c_echo(path: &std::path::Path) -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config();
    cfg.data_dir = Some(dir.path().to_path_buf());
    cfg.plugin.push(plugin_entry(&format!("name = \"c-echo\"\npath = \"{}\"", path.display())));
    (app::start(&cfg, Router::new()).await.expect("node with the C plugin starts"), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_written_in_c_answers_air() {
    let Some(path) = c_echo_or_skip() else { return };
    let (node, _d) = node_with_c_echo(&path).await;
    let c =
        // The requests below come from `common::request`, as mme.client.local: the CER
        // must name the same host (a request's Origin-Host is bound to it).
        Client::connect(node.diameter_addrs[0], ClientOptions::new("mme.client.local", "client.local", vec![S6A]))
            .await
            .expect("connect");
    // The CEA advertised what describe() named.
    let served: Vec<u32> = c.peer().info().applications.iter().map(|a| a.id).collect();
    assert_eq!(served, vec![apps::S6A]);

    // Session-Ids of every length modulo 4 exercise the AVP padding, and many requests
    // on one instance exercise the arena allocator's reset between calls.
    for i in 0..200 {
        let session = format!("s;c-echo;{}", "x".repeat(i % 7));
        let a = c.request(request(apps::S6A, cmd::AUTHENTICATION_INFORMATION, 0, &session)).await.unwrap();
        let m = Message::parse(&a).expect("the C plugin's answer parses");
        assert!(!m.header.is_request());
        assert_eq!(m.header.command_code, cmd::AUTHENTICATION_INFORMATION);
        assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
        assert_eq!(m.session_id(), Some(session.as_str()));
        assert_eq!(m.origin_host(), Some(HSS_HOST), "plugin reads the node identity");
        assert_eq!(m.str(&base::ORIGIN_REALM), Some(HSS_REALM));
        assert_eq!(m.str(&base::PRODUCT_NAME), Some("c-echo/1.0.0"));
    }

    // A command it does not serve: the router answers, not the plugin.
    let a = c.request(request(apps::S6A, cmd::UPDATE_LOCATION, 0, "s;ulr")).await.unwrap();
    assert_eq!(Message::parse(&a).unwrap().result(), Some((0, rc::DIAMETER_COMMAND_UNSUPPORTED)));

    // No Session-Id: the plugin returns handle-error 5005 and the host answers with it.
    let mut air = Vec::new();
    let mut b = MessageBuilder::request(&mut air, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 0, 0);
    b.origin("mme.client.local", "client.local").str(&base::DESTINATION_REALM, HSS_REALM);
    b.finish();
    let a = c.request(air).await.unwrap();
    assert_eq!(Message::parse(&a).unwrap().result(), Some((0, rc::DIAMETER_MISSING_AVP)));

    let st = node.plugins.runtime.status();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].name, "c-echo");
    assert_eq!(st[0].version, "1.0.0", "the version comes from describe()");
    assert_eq!(st[0].source, path.display().to_string());
    assert_eq!(st[0].counters["answered"], 200);
    assert_eq!(st[0].counters["traps"], 0);
    assert_eq!(st[0].counters["plugin_errors"], 1);
}

#[test]
fn the_c_component_needs_no_wasi() {
    let Some(path) = c_echo_or_skip() else { return };
    let bytes = std::fs::read(&path).unwrap();
    let wit_component::DecodedWasm::Component(resolve, world) = wit_component::decode(&bytes).unwrap() else {
        panic!("not a component");
    };
    let w = &resolve.worlds[world];
    let imports: Vec<String> = w.imports.keys().map(|k| resolve.name_world_key(k)).collect();
    let exports: Vec<String> = w.exports.keys().map(|k| resolve.name_world_key(k)).collect();
    // Interfaces (and the types the world `use`s, by plain name); no wasi:* at all.
    let interfaces: Vec<&String> = imports.iter().filter(|i| i.contains(':')).collect();
    assert!(interfaces.iter().all(|i| i.starts_with("plughss:plugin/")), "{imports:?}");
    assert!(imports.contains(&"plughss:plugin/config@0.1.0".to_string()), "{imports:?}");
    assert_eq!(exports, ["describe", "handle", "notify"]);
}
