//! SQN issuance under concurrency and across a crash, observed from the vectors
//! themselves: SQN = AUTN[0..6] xor AK, with AK from an independent Milenage.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use plughss::auc::service::Auc;
use plughss::auc::sqn::SqnPolicy;
use plughss::diameter::client::{Client, ClientOptions};
use plughss::store::loader::{StoreSelection, open_store};
use plughss_plugin_api::diameter::{Message, MessageBuilder};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd, s6a};
use plughss_plugin_api::store::PutMode;
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp, Subscriber};

const IMSI: &str = "001010000000077";
const K: [u8; 16] = [0x46; 16];
const OPC: [u8; 16] = [0xcd; 16];

fn sqn_of(rand: &[u8], autn: &[u8]) -> u64 {
    let mut m = milenage::Milenage::new_with_opc(K, OPC);
    let (_, _, _, ak) = m.f2345(rand.try_into().unwrap());
    let s: Vec<u8> = (0..6).map(|i| autn[i] ^ ak[i]).collect();
    u64::from_be_bytes([0, 0, s[0], s[1], s[2], s[3], s[4], s[5]])
}

/// The sled store, with the AuC's keys kept in memory (`cached`, what `serve` does) or
/// read from the store on every request.
fn provision(dir: &std::path::Path, cached: bool) -> plughss::store::StoreHandle {
    let sel = StoreSelection { backend: "sled".into(), plugin: None, settings: serde_json::json!({}) };
    let store = open_store(&sel, dir).unwrap().with_auth_cache(if cached { 1000 } else { 0 });
    assert_eq!(store.caches_auth(), cached, "sled is exclusive, so it may be cached");
    store
}

async fn add_subscriber(store: &plughss::store::StoreHandle) {
    let sub = Subscriber { imsi: IMSI.into(), ..Default::default() };
    let auth = AuthData { k: K, opc: OpcOrOp::Opc(OPC), amf: [0x80, 0], sqn: 32, digest_ha1: None };
    store.put(sub, Some(auth), PutMode::Create).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_tasks_reserving_500_vectors_each_get_8000_distinct_increasing_sqns() {
    for cached in [false, true] {
        sixteen_tasks(cached).await;
    }
}

async fn sixteen_tasks(cached: bool) {
    let dir = scratch_dir("auc-concurrency");
    let store = provision(&dir, cached);
    add_subscriber(&store).await;
    // A small block makes the tasks contend on the store as well as in memory.
    let auc = Arc::new(Auc::new(store, SqnPolicy::new(5).unwrap(), 0, 7));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let auc = auc.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::with_capacity(500);
            for _ in 0..500 {
                let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
                mine.push(sqn_of(&v[0].rand, &v[0].autn));
            }
            mine
        }));
    }
    let mut all = BTreeSet::new();
    for t in tasks {
        let mine = t.await.unwrap();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "each task sees increasing SQNs");
        for s in mine {
            assert_eq!(s & 31, 0, "IND 0 in the low 5 bits");
            assert!(all.insert(s), "SQN {s:#x} issued twice");
        }
    }
    assert_eq!(all.len(), 8000);
}

fn air(n: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, &format!("mme.crash;{n}"))
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme.crash.local", "client.local")
        .str(&base::USER_NAME, IMSI)
        .grouped(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, 1);
        })
        .bytes(&s6a::VISITED_PLMN_ID, &[0x00, 0xf1, 0x10]);
    b.finish();
    buf
}

fn sqn_from_aia(a: &[u8]) -> Option<u64> {
    let m = Message::parse(a).ok()?;
    let v = m.find(&s6a::AUTHENTICATION_INFO)?.child(s6a::E_UTRAN_VECTOR.code, VENDOR_3GPP)?;
    let rand = v.child(s6a::RAND.code, VENDOR_3GPP)?.payload().to_vec();
    let autn = v.child(s6a::AUTN.code, VENDOR_3GPP)?.payload().to_vec();
    Some(sqn_of(&rand, &autn))
}

fn start_server(dir: &std::path::Path) -> (std::process::Child, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plughss"))
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "server exited before listening");
        if let Some(at) = line.find("Diameter listening") {
            let a = &line[at..];
            let a = &a[a.find("addr=").unwrap() + 5..];
            break a.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in err.lines() {});
    (child, addr)
}

/// Bounded load: up to `max` AIRs, 8 in flight, for at most `within`; the SQNs answered.
async fn load(addr: std::net::SocketAddr, max: u32, within: Duration) -> Vec<u64> {
    let Ok(c) = Client::connect(addr, ClientOptions::new("mme.crash.local", "client.local", vec![S6A])).await
    else {
        return Vec::new();
    };
    let c = Arc::new(c);
    let deadline = Instant::now() + within;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for i in 0..max / 8 {
                if Instant::now() > deadline {
                    break;
                }
                match c.request_within(air(t * 100_000 + i), Duration::from_secs(2)).await {
                    Ok(a) => got.extend(sqn_from_aia(&a)),
                    Err(_) => break,
                }
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_every_sqn_is_above_every_sqn_issued_before() {
    let dir = scratch_dir("auc-crash");
    {
        let store = provision(&dir, false);
        add_subscriber(&store).await;
        store.close().await;
    }
    let (mut child, addr) = start_server(&dir);
    let pid = child.id();
    // Kill -9 while the load is running.
    let killer = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    });
    let before = load(addr, 20_000, Duration::from_secs(10)).await;
    killer.await.unwrap();
    let _ = child.wait();
    assert!(before.len() > 20, "the load got answers before the kill ({})", before.len());

    let (mut child, addr) = start_server(&dir);
    let after = load(addr, 400, Duration::from_secs(10)).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(after.len(), 400);
    let max_before = before.iter().max().unwrap();
    let min_after = after.iter().min().unwrap();
    assert!(min_after > max_before, "after restart {min_after:#x} must exceed {max_before:#x}");
    eprintln!(
        "{} SQNs before kill -9 (max {max_before:#x}), {} after (min {min_after:#x})",
        before.len(),
        after.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqn_changed_behind_the_auc_is_honoured() {
    for cached in [false, true] {
        sqn_changed_behind_the_auc(cached).await;
    }
}

async fn sqn_changed_behind_the_auc(cached: bool) {
    let dir = scratch_dir("auc-stale");
    let store = provision(&dir, cached);
    add_subscriber(&store).await;
    let auc = Auc::new(store.clone(), SqnPolicy::new(5).unwrap(), 0, 32);
    let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
    let first = sqn_of(&v[0].rand, &v[0].autn);
    // The operator moves the SQN far ahead (as a PATCH through the API would).
    store.advance_sqn(IMSI, 0x10_0000).await.unwrap();
    let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
    let next = sqn_of(&v[0].rand, &v[0].autn);
    assert!(first < 0x10_0000 && next >= 0x10_0000, "{first:#x} then {next:#x}");
}

/// New keys written through the store handle (as the API's PUT/PATCH of `security`
/// does) are used by the very next vector, with the keys cached in memory or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_keys_are_used_by_the_next_vector() {
    for cached in [false, true] {
        let dir = scratch_dir("auc-rekey");
        let store = provision(&dir, cached);
        add_subscriber(&store).await;
        let auc = Auc::new(store.clone(), SqnPolicy::new(5).unwrap(), 0, 32);
        let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
        let first = sqn_of(&v[0].rand, &v[0].autn);
        let k2 = [0x11; 16];
        let sub = store.get(IMSI).await.unwrap().unwrap();
        let auth = AuthData { k: k2, opc: OpcOrOp::Opc(OPC), amf: [0x80, 0], sqn: 0x4000, digest_ha1: None };
        store.put(sub, Some(auth), PutMode::Update).await.unwrap();
        let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
        // XRES = f2(K2, RAND) by an independent Milenage: the new K is in use.
        let mut m = milenage::Milenage::new_with_opc(k2, OPC);
        let (xres, _, _, ak) = m.f2345(&v[0].rand);
        assert_eq!(v[0].xres.as_slice(), xres.as_slice(), "cached={cached}: XRES from the new K");
        let s: Vec<u8> = (0..6).map(|i| v[0].autn[i] ^ ak[i]).collect();
        let next = u64::from_be_bytes([0, 0, s[0], s[1], s[2], s[3], s[4], s[5]]);
        assert!(first < 0x4000 && next >= 0x4000, "cached={cached}: {first:#x} then {next:#x}");
    }
}

/// Once half a block is used, the next block is reserved in the background; the
/// vectors then run on into it with no gap in SEQ and without waiting for the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_block_is_reserved_ahead_and_used_without_a_gap() {
    for cached in [false, true] {
        let dir = scratch_dir("auc-ahead");
        let store = provision(&dir, cached);
        add_subscriber(&store).await; // SQN 32: SEQ 1, IND 0
        let auc = Auc::new(store.clone(), SqnPolicy::new(5).unwrap(), 0, 32);
        let mut sqns = Vec::new();
        let next = async || {
            let v = auc.eutran(IMSI, 1, [0x00, 0xf1, 0x10], None).await.unwrap();
            sqn_of(&v[0].rand, &v[0].autn)
        };
        for _ in 0..16 {
            sqns.push(next().await);
        }
        // SEQ 1..=16 used out of the block [1, 33): the block [33, 65) is reserved ahead.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let stored = store.get_auth(IMSI).await.unwrap().unwrap().sqn;
            if stored == 65 << 5 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "cached={cached}: stored SQN {stored:#x}, want {:#x}",
                65 << 5
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for _ in 0..40 {
            sqns.push(next().await);
        }
        let want: Vec<u64> = (1..=56).map(|seq| seq << 5).collect();
        assert_eq!(sqns, want, "cached={cached}: one SEQ step each, across the block boundary");
    }
}
