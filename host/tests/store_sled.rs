//! The sled store through the host's store layer: the conformance suite against sled
//! linked in and sled loaded from its shared library, durability of reserved SQNs
//! across a clean close and of SQNs and serving MMEs across a crash, and the loader's
//! errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use plughss::store::StoreHandle;
use plughss::store::conformance::{self, plain_profile, sample_auth};
use plughss::store::loader::{StoreLoadError, StoreSelection, open_entry, open_store};
use plughss_plugin_api::store::abi::StoreVTable;
use plughss_plugin_api::store::{PutMode, ServingNode, StoreError};
use plughss_store_sled::SledStore;
use serde_json::json;

const IMSI: &str = "001019900000001";

fn linked(dir: &Path) -> StoreHandle {
    open_store(&StoreSelection::default(), dir).expect("open the built-in sled store")
}

/// `libplughss_store_sled.so` as cargo builds it beside the host binary: in `deps/`
/// when built as the host's dependency, also in the profile directory when built as a
/// workspace member. The newer wins, so a stale copy from an old build is not tested.
fn cdylib_path() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_plughss"));
    let dir = bin.parent().expect("the host binary has a directory");
    let file = format!("{}plughss_store_sled{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    let candidates = [dir.join("deps").join(&file), dir.join(&file)];
    let newest = candidates
        .iter()
        .filter_map(|p| Some((std::fs::metadata(p).ok()?.modified().ok()?, p)))
        .max_by_key(|(modified, _)| *modified);
    match newest {
        Some((_, p)) => p.clone(),
        None => panic!(
            "the sled store library is not built (looked for {candidates:?}); build it with \
             `cargo build -p plughss-store-sled` (or run `cargo test --workspace`)"
        ),
    }
}

fn loaded(dir: &Path) -> StoreHandle {
    let sel = StoreSelection { plugin: Some(cdylib_path()), ..StoreSelection::default() };
    open_store(&sel, dir).expect("load and open the sled store library")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_linked_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = linked(dir.path());
    assert_eq!(store.name(), "plughss-store-sled");
    conformance::run(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_loaded_from_the_shared_library() {
    let dir = tempfile::tempdir().unwrap();
    let store = loaded(dir.path());
    assert_eq!(store.name(), "plughss-store-sled");
    conformance::run(&store).await;
    store.close().await;
}

/// Every SQN handed out before a close is below the SQN stored after reopening: the
/// counter never moves back (TS 33.102 Annex C.3.2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_sqns_survive_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    for open in [linked, loaded] {
        let store = open(dir.path());
        let start = match store.get_auth(IMSI).await.unwrap() {
            Some(a) => a.sqn,
            None => {
                store.put(plain_profile(IMSI), Some(sample_auth(1, 32)), PutMode::Create).await.unwrap();
                32
            }
        };
        let mut handed_out = Vec::new();
        for _ in 0..20 {
            let old = store.reserve_sqn(IMSI, 4, 32).await.unwrap();
            handed_out.extend((0..4).map(|i| old + i * 32));
        }
        assert_eq!(handed_out[0], start);
        store.close().await;

        let store = open(dir.path());
        let stored = store.get_auth(IMSI).await.unwrap().expect("the subscriber survives").sqn;
        let max = handed_out.iter().copied().max().unwrap();
        assert!(stored > max, "stored SQN {stored} is not past {max}, handed out before the close");
        assert_eq!(stored, start + 80 * 32);
        store.close().await;
    }
}

/// The child half of `reserved_sqns_and_serving_mmes_survive_a_crash`; does nothing
/// unless that test runs it with `PLUGHSS_STORE_CRASH_DIR` set.
#[tokio::test]
async fn crash_child() {
    let Some(dir) = std::env::var_os("PLUGHSS_STORE_CRASH_DIR") else { return };
    let store = linked(Path::new(&dir));
    store.put(plain_profile(IMSI), Some(sample_auth(2, 0)), PutMode::Create).await.unwrap();
    let mut out = std::io::stdout().lock();
    for _ in 0..50 {
        let old = store.reserve_sqn(IMSI, 8, 32).await.unwrap();
        // The line leaves the process only after reserve_sqn returned, as a vector
        // would leave the host.
        writeln!(out, "RESERVED {old} 8").unwrap();
        out.flush().unwrap();
    }
    // Serving MMEs go through the serving queue and the sled store's journal, as a ULR's.
    for i in 0..20 {
        store.update_serving(IMSI, serving_mme(i)).await.unwrap();
        writeln!(out, "SERVED {i}").unwrap();
        out.flush().unwrap();
    }
    // Die without closing the store: no destructor, no final flush.
    std::process::abort();
}

fn serving_mme(i: i64) -> ServingNode {
    ServingNode {
        mme_host: Some(format!("mme{i}.crash.local")),
        mme_realm: Some("crash.local".into()),
        mme_timestamp: Some(i),
        purge_flag: false,
    }
}

/// With `flush_every_write`, a reservation or a serving MME is on disk before the call
/// returns: after the process aborts, the reopened store is past every SQN the child
/// reported and holds the last serving MME it reported.
#[tokio::test]
async fn reserved_sqns_and_serving_mmes_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads", "1"])
        .env("PLUGHSS_STORE_CRASH_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child must have aborted");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let reported: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.split_once("RESERVED ").map(|(_, rest)| rest))
        .map(|l| {
            let (old, count) = l.split_once(' ').unwrap();
            old.parse::<u64>().unwrap() + (count.parse::<u64>().unwrap() - 1) * 32
        })
        .collect();
    assert_eq!(reported.len(), 50, "child output: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let store = linked(dir.path());
    let stored = store.get_auth(IMSI).await.unwrap().expect("the subscriber survives the crash").sqn;
    let max = reported.iter().copied().max().unwrap();
    assert!(stored > max, "stored SQN {stored} is not past {max}, handed out before the crash");
    let served = stdout.lines().filter_map(|l| l.strip_prefix("SERVED ")).collect::<Vec<_>>();
    assert_eq!(served.len(), 20, "child output: {stdout}");
    let sub = store.get(IMSI).await.unwrap().expect("the subscriber survives the crash");
    let node = ServingNode {
        mme_host: sub.mme_host,
        mme_realm: sub.mme_realm,
        mme_timestamp: sub.mme_timestamp,
        purge_flag: sub.purge_flag,
    };
    assert_eq!(node, serving_mme(19), "the last serving MME acknowledged before the crash");
    store.close().await;
}

fn load_err(path: &Path, dir: &Path) -> StoreLoadError {
    let sel = StoreSelection { plugin: Some(path.to_owned()), ..StoreSelection::default() };
    open_store(&sel, dir).expect_err("loading must fail")
}

#[test]
fn a_file_that_is_not_a_library_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libnot_a_store.so");
    std::fs::write(&path, "this is a text file\n").unwrap();
    let err = load_err(&path, dir.path());
    assert!(matches!(err, StoreLoadError::Load { .. }), "{err}");
    assert!(err.to_string().starts_with(&format!("cannot load store plugin {}", path.display())), "{err}");

    let missing = dir.path().join("libabsent.so");
    let err = load_err(&missing, dir.path());
    assert!(err.to_string().contains(&missing.display().to_string()), "{err}");
}

/// The C library loaded into this very process: a real shared library without the
/// store symbol.
fn libc_path() -> PathBuf {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("Linux /proc");
    maps.lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| {
            let name = p.rsplit('/').next().unwrap_or_default();
            name.starts_with("libc.so") || name.starts_with("libc-")
        })
        .map(PathBuf::from)
        .expect("libc is mapped into the test process")
}

#[test]
fn a_library_without_the_symbol_is_refused_naming_path_and_symbol() {
    let dir = tempfile::tempdir().unwrap();
    let libc = libc_path();
    let err = load_err(&libc, dir.path());
    assert!(matches!(err, StoreLoadError::Symbol { symbol: "plughss_store_v2", .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains(&libc.display().to_string()) && text.contains("`plughss_store_v2`"), "{text}");
}

extern "C" fn v3_entry() -> *const StoreVTable {
    static V3: StoreVTable = {
        let mut v = StoreVTable::new::<SledStore>("future-store", "9.0.0");
        v.abi_version = 3;
        v
    };
    &V3
}

extern "C" fn null_entry() -> *const StoreVTable {
    std::ptr::null()
}

#[test]
fn another_abi_version_or_a_null_vtable_is_refused() {
    // SAFETY: both entry points are this binary's and return null or a static.
    let err = unsafe { open_entry(v3_entry, "plugin /x/libfuture.so", &json!({})) }.unwrap_err();
    assert_eq!(
        err.to_string(),
        "store plugin /x/libfuture.so implements store ABI version 3; this host implements version 2"
    );
    // SAFETY: as above.
    let err = unsafe { open_entry(null_entry, "plugin /x/libnull.so", &json!({})) }.unwrap_err();
    assert_eq!(err.to_string(), "store plugin /x/libnull.so: `plughss_store_v2` returned a null vtable");
}

#[test]
fn a_store_that_cannot_open_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the database directory should be.
    std::fs::write(dir.path().join("subscribers"), "").unwrap();
    let err = open_store(&StoreSelection::default(), dir.path()).unwrap_err();
    match &err {
        StoreLoadError::Open { source: StoreError::Unavailable(m), .. } => {
            assert!(m.contains("cannot open sled database"), "{m}")
        }
        other => panic!("expected Open(Unavailable), got {other}"),
    }
    assert!(err.to_string().starts_with("store built-in backend \"sled\" failed to open"), "{err}");

    let sel =
        StoreSelection { settings: json!({ "path": "db", "cache_mb": 1 }), ..StoreSelection::default() };
    let err = open_store(&sel, dir.path()).unwrap_err();
    assert!(err.to_string().contains("cache_mb"), "a misspelt setting is named: {err}");
}
