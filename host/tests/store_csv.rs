//! The CSV store through the host's store layer: the conformance suite on a file opened
//! as the built-in backend "csv"; a hand-written file read back, and its SQN write-back
//! as Python's `csv` module reads the file; strict and lenient loading; concurrent
//! reservations; the lock; SIGKILL during write-back; and AIR/ULR end to end against a
//! node serving subscribers from a CSV file.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::s6a_node::{IMSI, K, OPC};
use common::s6a_requests::{air, mme, ulr, vectors, verify_vector};
use plughss::app;
use plughss::diameter::router::Router;
use plughss::store::StoreHandle;
use plughss::store::conformance::{self, plain_profile, sample_auth};
use plughss::store::loader::{StoreSelection, open_store};
use plughss_plugin_api::diameter::{Avp, Message, result_code as rc};
use plughss_plugin_api::dictionary::{AvpDef, VENDOR_3GPP, s6a};
use plughss_plugin_api::store::{PutMode, ServingNode, Store};
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp, Subscriber, parse_hex};
use serde_json::{Value, json};

fn selection(path: &Path, strict: bool) -> StoreSelection {
    StoreSelection {
        backend: "csv".into(),
        plugin: None,
        settings: json!({ "path": path, "strict": strict }),
    }
}

fn open_csv(path: &Path) -> StoreHandle {
    open_store(&selection(path, true), path.parent().unwrap()).expect("open the CSV store")
}

fn open_err(path: &Path, strict: bool) -> String {
    open_store(&selection(path, strict), path.parent().unwrap()).expect_err("opening must fail").to_string()
}

/// Every subscriber with its keys, in IMSI order.
async fn everything(store: &StoreHandle) -> Vec<(Subscriber, Option<AuthData>)> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.list(after.as_deref(), 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.imsi.clone());
        for s in page {
            let auth = store.get_auth(&s.imsi).await.unwrap();
            all.push((s, auth));
        }
    }
    all
}

/// The file's rows as Python's `csv` module reads them (comment rows dropped, header
/// names trimmed and lower-cased, cells trimmed): independent of the store's parser.
/// `None` (with the reason printed) when python3 is missing outside CI.
fn python_rows(path: &Path) -> Option<Vec<serde_json::Map<String, Value>>> {
    const SCRIPT: &str = r##"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = [r for r in csv.reader(f) if r and not r[0].startswith("#") and any(c.strip() for c in r)]
names = [h.strip().lower() for h in rows[0]]
print(json.dumps([dict(zip(names, (c.strip() for c in r))) for r in rows[1:]]))
"##;
    match Command::new("python3").arg("-c").arg(SCRIPT).arg(path).output() {
        Ok(o) if o.status.success() => match serde_json::from_slice::<Value>(&o.stdout) {
            Ok(Value::Array(rows)) => {
                Some(rows.into_iter().map(|r| r.as_object().cloned().unwrap_or_default()).collect())
            }
            other => panic!("python3 printed {other:?}"),
        },
        Err(e) if !common::in_ci() => {
            eprintln!("skipped the independent read: no python3 ({e})");
            None
        }
        other => panic!("python3 could not read {}: {other:?}", path.display()),
    }
}

fn python_row(rows: &[serde_json::Map<String, Value>], imsi: &str) -> serde_json::Map<String, Value> {
    rows.iter().find(|r| r["imsi"] == imsi).cloned().unwrap_or_else(|| panic!("no row for {imsi}: {rows:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_through_the_loader_and_all_of_it_reads_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let sel = StoreSelection { backend: "csv".into(), plugin: None, settings: json!({}) };
    let store = open_store(&sel, dir.path()).expect("the built-in csv backend opens");
    assert_eq!(store.name(), "plughss-store-csv");
    let file = dir.path().join("subscribers.csv");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "imsi,k,opc,op,amf,sqn,msisdn,apn\n");
    let started = Instant::now();
    conformance::run(&store).await;
    eprintln!("conformance suite on the CSV store: {:?}", started.elapsed());
    let before = everything(&store).await;
    assert!(before.len() > 1000, "the suite leaves its subscribers behind");
    store.close().await;

    let store = open_store(&sel, dir.path()).expect("the file the suite left reopens strictly");
    assert_eq!(everything(&store).await, before, "every profile, key and SQN reads back from the file");
    store.close().await;
}

/// A hand-written file: header in its own order and case, comments, OPc in upper case
/// with spaces, a row with OP, quoted cells, `;` lists.
const HAND_WRITTEN: &str = "\
# Lab SIMs, written by hand.
sqn , APN,OPC ,Imsi,msisdn,K,op,amf
64,internet;ims,CD63CB71 954A9F4E 48A5994E 37A02BAF,001010000000011,491721234567;491721234568,465b5ce8b199b49faa5f0a2ee238a6bc,,8000
,,,001010000000012,,465b5ce8b199b49faa5f0a2ee238a6bc,cdc202d5123e20f62b6d676ac72cb318,b9b9
# a spare SIM
\"1000\",\"iot\",\"cd63cb71954a9f4e48a5994e37a02baf\",\"001010000000013\",\"\",\"465b5ce8b199b49faa5f0a2ee238a6bc\",\"\",\"8000\"
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_written_file_reads_back_and_sqn_write_back_changes_only_the_sqn_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    std::fs::write(&path, HAND_WRITTEN).unwrap();
    let store = open_csv(&path);
    assert_eq!(store.count().await.unwrap(), 3);

    let k: [u8; 16] = parse_hex("k", K).unwrap();
    let a = store.get_auth("001010000000011").await.unwrap().unwrap();
    assert_eq!((a.k, a.opc, a.amf, a.sqn), (k, OpcOrOp::Opc(parse_hex("opc", OPC).unwrap()), [0x80, 0], 64));
    let s = store.get("001010000000011").await.unwrap().unwrap();
    assert_eq!(s.msisdn, ["491721234567", "491721234568"]);
    let apns: Vec<&str> = s.slice[0].session.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(apns, ["internet", "ims"]);
    assert_eq!((s.slice[0].session[1].qos.index, s.slice[0].session[1].session_type), (9, 3), "defaults");
    let a = store.get_auth("001010000000012").await.unwrap().unwrap();
    let op = parse_hex("op", "cdc202d5123e20f62b6d676ac72cb318").unwrap();
    assert_eq!((a.opc, a.amf, a.sqn), (OpcOrOp::Op(op), [0xb9, 0xb9], 0));
    assert_eq!(store.get("001010000000012").await.unwrap().unwrap().slice[0].session[0].name, "internet");
    let s = store.get("001010000000013").await.unwrap().unwrap();
    assert_eq!((s.security.sqn, s.slice[0].session[0].name.as_str()), (1000, "iot"));

    assert_eq!(store.reserve_sqn("001010000000011", 4, 32).await.unwrap(), 64);
    assert_eq!(store.reserve_sqn("001010000000012", 1, 32).await.unwrap(), 0);
    store.close().await;

    let text = std::fs::read_to_string(&path).unwrap();
    let want = HAND_WRITTEN
        .replace("\n64,internet;ims,", "\n192,internet;ims,")
        .replace("\n,,,001010000000012,", "\n32,,,001010000000012,");
    assert_eq!(text, want, "only the two SQN cells changed; comments, spelling and quoting are kept");
    if let Some(rows) = python_rows(&path) {
        assert_eq!(rows.len(), 3);
        let r = python_row(&rows, "001010000000011");
        assert_eq!(
            (r["sqn"].as_str(), r["opc"].as_str()),
            (Some("192"), Some("CD63CB71 954A9F4E 48A5994E 37A02BAF"))
        );
        assert_eq!(python_row(&rows, "001010000000012")["sqn"], "32");
        assert_eq!(python_row(&rows, "001010000000013")["sqn"], "1000");
    }
    let store = open_csv(&path);
    assert_eq!(store.get_auth("001010000000011").await.unwrap().unwrap().sqn, 192);
    assert_eq!(store.get_auth("001010000000012").await.unwrap().unwrap().sqn, 32);
    store.close().await;
}

#[test]
fn strict_loading_stops_at_the_first_bad_row_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let prefix = format!(
        "store built-in backend \"csv\" failed to open: store unavailable: invalid {}",
        path.display()
    );
    let good = format!("001010000000001,{K},{OPC}");
    for (body, want) in [
        (
            format!("imsi,k,opc\n{good}\n# note\n001010000000002,465b,{OPC}\n"),
            "line 4: k: must be 32 hex digits",
        ),
        (format!("imsi,k,opc\n{good}\n\n{good}\n"), "line 4: imsi: 001010000000001 is already on line 2"),
        (
            format!("imsi,k,opc\n{good}\n0010100000000019,{K},{OPC}\n"),
            "line 3: imsi: \"0010100000000019\" must be 6 to 15 digits",
        ),
        (
            format!("imsi,k,opc,op\n001010000000002,{K},{OPC},{OPC}\n"),
            "line 2: opc, op: both are set; give one of them",
        ),
        (format!("imsi,k,opc\n{good},extra\n"), "line 2: 4 fields where the header has 3 columns"),
        (
            format!("imsi,k,opc,sqn\n{good},281474976710656\n"),
            "line 2: sqn: must be below 2^48 (TS 33.102 6.3.7)",
        ),
        ("imsi,k,op,op\n".to_owned(), "line 1: column op is given twice"),
    ] {
        std::fs::write(&path, &body).unwrap();
        assert_eq!(open_err(&path, true), format!("{prefix}: {want}"), "file:\n{body}");
    }
    std::fs::write(&path, format!("# c\nimsi,k,opc,colour\n{good},red\n")).unwrap();
    let err = open_err(&path, true);
    assert!(
        err.starts_with(&format!("{prefix}: line 2: unknown columns \"colour\" (known: imsi, k, opc, op,")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lenient_loading_skips_bad_rows_and_keeps_them_in_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let bad_imsi = format!("00101,{K},{OPC},blue");
    let duplicate = format!("001010000000001,{K},{OPC},green");
    let text = format!(
        "imsi,k,opc,colour\n001010000000001,{K},{OPC},red\n{bad_imsi}\n{duplicate}\n001010000000003,{K},{OPC},\n"
    );
    std::fs::write(&path, &text).unwrap();
    let store = open_store(&selection(&path, false), dir.path()).expect("lenient loading opens");
    assert_eq!(store.count().await.unwrap(), 2, "the two bad rows are skipped");
    assert_eq!(store.reserve_sqn("001010000000003", 1, 32).await.unwrap(), 0);
    let mut sub = plain_profile("001010000000004");
    sub.msisdn = vec!["4917".into()];
    let auth = AuthData { amf: [0x80, 0], ..sample_auth(2, 5) };
    store.put(sub, Some(auth), PutMode::Create).await.unwrap();
    store.close().await;

    let after = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines[0], "imsi,k,opc,colour,sqn,msisdn", "columns the changes needed are appended");
    assert_eq!(lines[1], format!("001010000000001,{K},{OPC},red,,"), "the unknown column's cell is kept");
    assert_eq!((lines[2], lines[3]), (bad_imsi.as_str(), duplicate.as_str()), "skipped rows stay as written");
    assert_eq!(lines[4], format!("001010000000003,{K},{OPC},,32,"));
    assert!(lines[5].starts_with("001010000000004,") && lines[5].ends_with(",5,4917"), "{}", lines[5]);
    assert_eq!(lines.len(), 6);
    assert!(
        open_err(&path, true).contains(": line 1: unknown columns \"colour\""),
        "strict still refuses it"
    );
}

#[test]
fn a_second_open_of_the_same_file_fails_while_the_first_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let first = open_csv(&path);
    let err = open_err(&path, true);
    assert!(err.starts_with("store built-in backend \"csv\" failed to open: "), "{err}");
    let why = format!(
        "{} is in use: another process (or another store in this one) holds its lock {}.lock; two PlugHSS \
         servers cannot share one CSV file",
        path.display(),
        path.display()
    );
    assert!(err.ends_with(&why), "{err}");
    drop(first);
    let again = open_csv(&path);
    drop(again);
}

#[test]
fn concurrent_reservations_from_threads_are_distinct_gapless_and_end_in_the_file() {
    const THREADS: u64 = 16;
    const EACH: u64 = 100;
    const STEP: u64 = 32;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let handle = open_csv(&path);
    let store: Arc<dyn Store> = handle.store().clone();
    let filler: Vec<(Subscriber, AuthData)> = (0..1000u32)
        .map(|i| (plain_profile(&format!("00109{i:010}")), sample_auth((i % 200) as u8, 0)))
        .collect();
    store.put_many(&filler).unwrap();
    let start = 5 * STEP + 7;
    store.put(&plain_profile(IMSI), Some(&sample_auth(1, start)), PutMode::Create).unwrap();

    let began = Instant::now();
    let mut all: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let store = store.clone();
                s.spawn(move || {
                    (0..EACH).map(|_| store.reserve_sqn(IMSI, 1, STEP).unwrap()).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let took = began.elapsed();
    eprintln!(
        "{} reservations from {THREADS} threads on a {}-row file in {took:?} ({:.0}/s)",
        all.len(),
        filler.len() + 1,
        all.len() as f64 / took.as_secs_f64()
    );
    let distinct: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "an SQN was handed out twice");
    all.sort_unstable();
    let want: Vec<u64> = (0..THREADS * EACH).map(|i| start + i * STEP).collect();
    assert!(all == want, "the reserved SQNs are not the gapless sequence start + 32 i");
    drop(store);
    drop(handle);

    let end = start + THREADS * EACH * STEP;
    if let Some(rows) = python_rows(&path) {
        assert_eq!(python_row(&rows, IMSI)["sqn"], end.to_string(), "the file holds the final SQN");
    }
    let again = open_csv(&path);
    assert_eq!(again.store().get_auth(IMSI).unwrap().unwrap().sqn, end);
}

/// The child half of `a_crash_during_write_back_leaves_a_valid_file`: reserves SQNs (and
/// changes another row's length now and then) until killed, printing each reservation
/// once `reserve_sqn` has returned. Does nothing unless that test runs it.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os("PLUGHSS_CSV_CRASH_FILE") else { return };
    let handle = open_csv(Path::new(&path));
    let store = handle.store().clone();
    if store.get_auth(IMSI).unwrap().is_none() {
        // A file of some size, so that a kill lands inside a rewrite.
        let filler: Vec<(Subscriber, AuthData)> = (0..3000u32)
            .map(|i| (plain_profile(&format!("00102{i:010}")), sample_auth((i % 200) as u8, 0)))
            .collect();
        store.put_many(&filler).unwrap();
        store.put(&plain_profile(IMSI), Some(&sample_auth(1, 0)), PutMode::Create).unwrap();
    }
    let mut out = std::io::stdout().lock();
    // Bounded in time: the parent kills it within a second.
    let until = Instant::now() + Duration::from_secs(20);
    let mut i = 0u32;
    while Instant::now() < until {
        let old = store.reserve_sqn(IMSI, 2, 32).unwrap();
        writeln!(out, "RESERVED {old} 2").unwrap();
        out.flush().unwrap();
        if i.is_multiple_of(3) {
            let node =
                ServingNode { mme_host: Some("m".repeat((i % 40) as usize + 1)), ..ServingNode::default() };
            store.update_serving(&format!("00102{:010}", i % 3000), &node).unwrap();
        }
        i += 1;
    }
}

/// SIGKILL at random points while the child rewrites the file: every time, the file
/// loads strictly and its SQN is past every SQN the child reported as reserved. At
/// least 12 kills, and more (up to 40) until 3 of them hit a rewrite in progress.
#[test]
fn a_crash_during_write_back_leaves_a_valid_file() {
    const MIN_ROUNDS: u32 = 12;
    const MAX_ROUNDS: u32 = 40;
    const MID_WRITE: u32 = 3;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subs.csv");
    let tmp = dir.path().join("subs.csv.tmp");
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut rng = seed | 1;
    let mut next = move |n: u64| {
        // xorshift64: the kill points need only be spread, not secure.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    eprintln!("kill points seeded with {seed}");
    let mut reported_end = 0u64;
    let mut mid_write = 0;
    let mut round = 0;
    while round < MIN_ROUNDS || (mid_write < MID_WRITE && round < MAX_ROUNDS) {
        round += 1;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads", "1"])
            .env("PLUGHSS_CSV_CRASH_FILE", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut ends = Vec::new();
        let record = |line: &str, ends: &mut Vec<u64>| {
            if let Some(rest) = line.strip_prefix("RESERVED ") {
                let (old, count) = rest.split_once(' ').unwrap();
                ends.push(old.parse::<u64>().unwrap() + count.parse::<u64>().unwrap() * 32);
            }
        };
        let wait_for = 1 + next(20) as usize;
        while ends.len() < wait_for {
            let line = lines.next().expect("the child reports reservations").unwrap();
            record(&line, &mut ends);
        }
        std::thread::sleep(Duration::from_micros(next(15_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        for line in lines.map_while(Result::ok) {
            record(&line, &mut ends);
        }
        // The child renames its temporary file away after every completed write (and
        // completed at least one), so one left behind means the kill hit a rewrite.
        if tmp.exists() {
            mid_write += 1;
        }
        reported_end = reported_end.max(ends.iter().copied().max().unwrap_or(0));

        let handle = open_store(&selection(&path, true), dir.path())
            .unwrap_or_else(|e| panic!("round {round}: the file does not load after the kill: {e}"));
        let stored = handle.store().get_auth(IMSI).unwrap().expect("the subscriber survives").sqn;
        assert!(
            stored >= reported_end,
            "round {round}: stored SQN {stored} is below {reported_end}, reported reserved before the kill"
        );
        assert_eq!(handle.store().count().unwrap(), 3001, "round {round}: no row lost or doubled");
    }
    eprintln!("{mid_write} of {round} kills landed inside a rewrite (a temporary file was left)");
    assert!(mid_write >= MID_WRITE, "only {mid_write} of {round} kills landed inside a rewrite");
}

/// AIR and ULR from an MME against a node whose store is a CSV file written by hand:
/// the vectors verify independently, ULR gets the APN defaults of the flat file, and
/// the file (read by Python's csv module) holds an SQN past the vector's, the MME, and
/// a subscriber provisioned through the REST API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn air_and_ulr_against_a_node_serving_a_csv_file() {
    let mut cfg = common::test_config();
    cfg.plugin.clear();
    let data_dir = cfg.data_dir.clone().unwrap();
    let path = data_dir.join("subscribers.csv");
    std::fs::write(
        &path,
        format!("imsi,k,opc,amf,sqn,msisdn,apn\n{IMSI},{K},{OPC},8000,64,491721234567,internet;ims\n"),
    )
    .unwrap();
    cfg.store.backend = "csv".into();
    cfg.store.settings.insert("path".into(), "subscribers.csv".into());
    let node = app::start(&cfg, Router::new()).await.expect("a node with the csv store");
    let c = mme(&node, "mme1.client.local").await;

    let a = c.request(air(IMSI, "mme1.client.local", 2, None)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    let sqns: Vec<u64> = vectors(&m).iter().map(verify_vector).collect();
    assert_eq!(sqns.len(), 2);
    assert!(sqns[0] >= 64 && sqns[1] > sqns[0], "SQNs from the file's 64 upwards: {sqns:?}");

    let a = c.request(ulr(IMSI, "mme1.client.local", 0b10_0010)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    let sd = m.find(&s6a::SUBSCRIPTION_DATA).expect("Subscription-Data");
    fn child<'a>(a: &Avp<'a>, def: &AvpDef) -> Avp<'a> {
        a.child(def.code, def.vendor).unwrap_or_else(|| panic!("no {} AVP", def.name))
    }
    let prof = child(&sd, &s6a::APN_CONFIGURATION_PROFILE);
    let apns: Vec<_> =
        prof.grouped().flatten().filter(|a| a.is(s6a::APN_CONFIGURATION.code, VENDOR_3GPP)).collect();
    let names: Vec<&str> = apns.iter().map(|a| child(a, &s6a::SERVICE_SELECTION).as_str().unwrap()).collect();
    assert_eq!(names, ["internet", "ims"]);
    for apn in &apns {
        assert_eq!(child(apn, &s6a::PDN_TYPE).as_enum(), Ok(2), "IPv4v6 by default");
        let qos = child(apn, &s6a::EPS_SUBSCRIBED_QOS_PROFILE);
        assert_eq!(child(&qos, &s6a::QOS_CLASS_IDENTIFIER).as_enum(), Ok(9), "QCI 9 by default");
    }

    // Provisioning through the REST API lands in the file too.
    let doc = json!({ "imsi": "001010000000099", "msisdn": ["491729999999"],
        "security": { "k": K, "op": "CDC202D5 123E20F6 2B6D676A C72CB318" } });
    let r = reqwest::Client::new()
        .post(format!("http://{}/api/v1/subscribers", node.api_addr))
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    // The file itself, read independently while the node runs.
    if let Some(rows) = python_rows(&path) {
        let added = python_row(&rows, "001010000000099");
        assert_eq!(
            (added["op"].as_str(), added["opc"].as_str(), added["msisdn"].as_str()),
            (Some("cdc202d5123e20f62b6d676ac72cb318"), Some(""), Some("491729999999"))
        );
        let row = python_row(&rows, IMSI);
        let sqn: u64 = row["sqn"].as_str().unwrap().parse().unwrap();
        assert!(sqn > sqns[1], "the file's SQN {sqn} is past the vectors' {sqns:?}");
        assert_eq!(
            (row["mme_host"].as_str(), row["mme_realm"].as_str()),
            (Some("mme1.client.local"), Some("client.local"))
        );
        assert_eq!(row["apn"], "internet;ims");
    }
    node.shutdown();
    node.wait().await;
    let store = open_csv(&path);
    let s = store.get(IMSI).await.unwrap().unwrap();
    assert_eq!(s.mme_host.as_deref(), Some("mme1.client.local"));
    store.close().await;
}
