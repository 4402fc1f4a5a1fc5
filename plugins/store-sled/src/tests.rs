//! Unit tests of the sled store: records, layout migration, serving node.

use plughss_plugin_api::subscriber::OpcOrOp;
use serde_json::json;

use super::*;

fn open(dir: &std::path::Path, extra: serde_json::Value) -> Result<SledStore, StoreError> {
    let mut cfg = json!({ "data_dir": dir, "backend": "sled" });
    if let (Some(c), Some(e)) = (cfg.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    SledStore::open(&cfg)
}

fn auth(sqn: u64) -> AuthData {
    AuthData { k: [1; 16], opc: OpcOrOp::Opc([2; 16]), amf: [0x80, 0], sqn, digest_ha1: None }
}

#[test]
fn config_path_is_relative_to_data_dir_and_typos_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), json!({ "path": "db", "cache_mib": 8 })).unwrap());
    assert!(dir.path().join("db").is_dir());
    let err = open(dir.path(), json!({ "cache_mb": 8 })).err().unwrap();
    assert!(
        matches!(&err, StoreError::Invalid { field, reason } if field == "store" && reason.contains("cache_mb"))
    );
}

#[test]
fn records_are_hex_json_and_sqn_is_8_bytes_be() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    let sub = Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() };
    s.put(&sub, Some(&auth(0x1234)), PutMode::Create).unwrap();
    let record = s.auth.get("001010000000001").unwrap().unwrap();
    let text = std::str::from_utf8(&record).unwrap();
    assert!(text.contains(r#""k":"01010101010101010101010101010101""#), "{text}");
    assert_eq!(s.sqn.get("001010000000001").unwrap().unwrap().as_ref(), &0x1234u64.to_be_bytes());
}

#[test]
fn a_corrupt_sqn_record_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    let sub = Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() };
    s.put(&sub, Some(&auth(0)), PutMode::Create).unwrap();
    s.sqn.insert("001010000000001", &b"bad"[..]).unwrap();
    assert!(matches!(s.reserve_sqn("001010000000001", 1, 32), Err(StoreError::Internal(_))));
    assert_eq!(s.sqn.get("001010000000001").unwrap().unwrap().as_ref(), b"bad");
}

#[test]
fn another_layout_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path(), json!({})).unwrap();
        s.db.open_tree("meta").unwrap().insert("format", &99u32.to_be_bytes()[..]).unwrap();
    }
    let err = open(dir.path(), json!({})).err().unwrap();
    assert!(matches!(&err, StoreError::Unavailable(m) if m.contains("Some(99)")), "{err:?}");
}

#[test]
fn a_database_in_use_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let _first = open(dir.path(), json!({})).unwrap();
    // sled locks the directory; in one process the lock is per open file, so a
    // second open of the same path fails the same way another process would.
    match open(dir.path(), json!({})) {
        Err(StoreError::Unavailable(m)) => assert!(m.contains("cannot open sled database"), "{m}"),
        other => panic!("expected Unavailable, got {:?}", other.map(|_| ())),
    }
}

// The serving node in its own tree (layout 2).

const IMSI: &str = "001010000000001";

fn sub(imsi: &str) -> Subscriber {
    Subscriber { imsi: imsi.into(), ..Subscriber::default() }
}

fn mme(host: &str, timestamp: i64, purge_flag: bool) -> ServingNode {
    ServingNode {
        mme_host: Some(format!("{host}.epc.mnc001.mcc001.3gppnetwork.org")),
        mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_timestamp: Some(timestamp),
        purge_flag,
    }
}

/// `sub` with its serving fields set to `node`.
fn serving_at(mut sub: Subscriber, node: &ServingNode) -> Subscriber {
    serving::apply(&mut sub, node.clone());
    sub
}

/// Creates `profile` and records `node` as its serving MME, the way a ULR does: a put
/// never writes the serving node.
fn create_served(s: &SledStore, profile: &Subscriber, node: &ServingNode, sqn: u64) {
    s.put(profile, Some(&auth(sqn)), PutMode::Create).unwrap();
    s.update_serving(&profile.imsi, node).unwrap();
}

/// The raw `profiles` record, as text.
fn profile_text(s: &SledStore, imsi: &str) -> String {
    String::from_utf8(s.profiles.get(imsi).unwrap().unwrap().to_vec()).unwrap()
}

/// Every record of the trees a migration writes, to compare before and after.
fn snapshot(s: &SledStore) -> Vec<Vec<(IVec, IVec)>> {
    let meta = s.db.open_tree("meta").unwrap();
    [&s.profiles, &s.serving, &meta].iter().map(|t| t.iter().map(Result::unwrap).collect()).collect()
}

fn format_of(s: &SledStore) -> Option<u32> {
    s.db.open_tree("meta").unwrap().get("format").unwrap().as_deref().and_then(be_u32)
}

#[test]
fn update_serving_returns_the_previous_node_and_get_shows_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    let mut profile = sub(IMSI);
    profile.msisdn = vec!["491701234567".into()];
    let mut ims = plughss_plugin_api::subscriber::Ims::default();
    ims.clear_state();
    profile.ims = Some(ims);
    let initial = mme("mme1", 1_700_000_000, true);
    create_served(&s, &profile, &initial, 7);

    let first = mme("mme2", 1_800_000_000, false);
    assert_eq!(s.update_serving(IMSI, &first).unwrap(), initial);
    let mut expected = serving_at(profile, &first);
    expected.security.sqn = 7;
    assert_eq!(s.get(IMSI).unwrap().unwrap(), expected, "the new node, the rest unchanged");
    assert_eq!(s.list(None, 10).unwrap(), vec![expected.clone()], "list shows it too");

    assert_eq!(s.update_serving(IMSI, &ServingNode::default()).unwrap(), first);
    assert_eq!(s.get(IMSI).unwrap().unwrap(), serving_at(expected, &ServingNode::default()));
    assert!(!profile_text(&s, IMSI).contains("mme"), "the profile record carries no serving node");
}

#[test]
fn update_serving_of_an_unknown_imsi_is_not_found_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    assert_eq!(s.update_serving(IMSI, &mme("mme1", 1, false)), Err(StoreError::NotFound));
    assert!(s.serving.is_empty());
}

#[test]
fn update_serving_after_delete_does_not_resurrect_the_subscriber() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    create_served(&s, &sub(IMSI), &mme("mme1", 1, false), 0);
    assert!(s.delete(IMSI).unwrap());
    assert!(s.serving.get(IMSI).unwrap().is_none(), "delete removes the serving record");
    assert_eq!(s.update_serving(IMSI, &mme("mme2", 2, false)), Err(StoreError::NotFound));
    assert_eq!(s.get(IMSI).unwrap(), None);
    assert!(s.serving.is_empty());
    // A subscriber created again starts from its own serving node, not the old one.
    s.put(&sub(IMSI), Some(&auth(0)), PutMode::Create).unwrap();
    assert_eq!(serving::of(&s.get(IMSI).unwrap().unwrap()), ServingNode::default());
}

#[test]
fn a_missing_serving_record_reads_as_the_empty_node_and_update_serving_creates_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    create_served(&s, &sub(IMSI), &mme("mme1", 1, false), 0);
    s.serving.remove(IMSI).unwrap();
    assert_eq!(serving::of(&s.get(IMSI).unwrap().unwrap()), ServingNode::default());
    let next = mme("mme2", 2, true);
    assert_eq!(s.update_serving(IMSI, &next).unwrap(), ServingNode::default());
    assert_eq!(serving::of(&s.get(IMSI).unwrap().unwrap()), next);
}

#[test]
fn put_and_put_many_never_write_the_serving_node() {
    // Only ULR/PUR (update_serving) may: a provisioning write that replaced it would
    // leave the HSS unable to send IDR or CLR to the MME serving the subscriber.
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    let forged = mme("forged", -5, true);
    s.put(&serving_at(sub(IMSI), &forged), Some(&auth(0)), PutMode::Create).unwrap();
    assert_eq!(serving::of(&s.get(IMSI).unwrap().unwrap()), ServingNode::default(), "Create");

    let serving = mme("mme1", 7, false);
    s.update_serving(IMSI, &serving).unwrap();
    let mut changed = serving_at(sub(IMSI), &ServingNode::default());
    changed.msisdn = vec!["4912".into()];
    s.put(&changed, None, PutMode::Update).unwrap();
    s.put(&serving_at(changed.clone(), &forged), Some(&auth(0)), PutMode::Update).unwrap();
    let got = s.get(IMSI).unwrap().unwrap();
    assert_eq!((serving::of(&got), got.msisdn), (serving.clone(), changed.msisdn.clone()), "Update");
    assert!(!profile_text(&s, IMSI).contains("mme"), "{}", profile_text(&s, IMSI));

    let many: Vec<_> = [IMSI, "001010000000002"].map(|i| (serving_at(sub(i), &forged), auth(0))).to_vec();
    s.put_many(&many).unwrap();
    let nodes: Vec<_> = s.list(None, 10).unwrap().iter().map(serving::of).collect();
    assert_eq!(
        nodes,
        [serving, ServingNode::default()],
        "put_many: kept for the existing, empty for the new"
    );
}

#[test]
fn set_ims_state_keeps_the_serving_node() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    let node = mme("mme1", 1, true);
    create_served(&s, &sub(IMSI), &node, 0);
    let state = ImsState { scscf: Some("sip:scscf".into()), registration_state: "registered".into() };
    s.set_ims_state(IMSI, &state).unwrap();
    let got = s.get(IMSI).unwrap().unwrap();
    assert_eq!(serving::of(&got), node);
    assert_eq!(got.ims.unwrap().scscf.as_deref(), Some("sip:scscf"));
}

#[test]
fn a_corrupt_serving_record_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    s.put(&sub(IMSI), Some(&auth(0)), PutMode::Create).unwrap();
    s.serving.insert(IMSI, &[0xff, 1, 2][..]).unwrap();
    let is_corrupt = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Internal(m)) if m.contains("corrupt serving record") && m.contains(IMSI));
    assert!(is_corrupt(s.get(IMSI).map(drop)));
    assert!(is_corrupt(s.list(None, 10).map(drop)));
    assert!(is_corrupt(s.update_serving(IMSI, &mme("mme1", 1, false)).map(drop)));
    assert_eq!(s.serving.get(IMSI).unwrap().unwrap().as_ref(), &[0xff, 1, 2]);
    // A profile update leaves it for the operator to see; deleting removes it.
    s.put(&sub(IMSI), None, PutMode::Update).unwrap();
    assert_eq!(s.serving.get(IMSI).unwrap().unwrap().as_ref(), &[0xff, 1, 2]);
    assert!(s.delete(IMSI).unwrap());
}

/// The node as a sortable key: host, timestamp and purge flag tell the test's nodes apart.
fn node_key(n: &ServingNode) -> (Option<String>, Option<i64>, bool) {
    (n.mme_host.clone(), n.mme_timestamp, n.purge_flag)
}

#[test]
fn concurrent_update_serving_loses_no_update() {
    const THREADS: usize = 8;
    const EACH: i64 = 200;
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({ "flush_every_write": false })).unwrap();
    let initial = mme("initial", 0, false);
    create_served(&s, &sub(IMSI), &initial, 0);
    let written = |t: usize, i: i64| mme(&format!("mme{t}"), i, i % 3 == 0);

    let previous: Vec<ServingNode> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let s = &s;
                scope.spawn(move || {
                    (0..EACH).map(|i| s.update_serving(IMSI, &written(t, i)).unwrap()).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let last = serving::of(&s.get(IMSI).unwrap().unwrap());

    let mut all_written: Vec<_> = (0..THREADS).flat_map(|t| (0..EACH).map(move |i| written(t, i))).collect();
    assert!(all_written.contains(&last), "the final node is one that was written: {last:?}");
    all_written.push(initial.clone());
    for p in &previous {
        assert!(all_written.contains(p), "{p:?} was never written");
    }
    // Atomicity: each node written (and the initial one) was replaced exactly once,
    // except the last, which is still there: no update was lost or seen twice.
    let mut seen: Vec<_> = previous.iter().chain([&last]).map(node_key).collect();
    let mut expected: Vec<_> = all_written.iter().map(node_key).collect();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
}

/// Sets its flag when dropped.
struct StopOnDrop<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn update_serving_racing_delete_never_resurrects() {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({ "flush_every_write": false })).unwrap();
    let (done, updated, not_found) = (AtomicBool::new(false), AtomicU32::new(0), AtomicU32::new(0));
    std::thread::scope(|scope| {
        for t in 0..2 {
            let (s, done, updated, not_found) = (&s, &done, &updated, &not_found);
            scope.spawn(move || {
                for i in 0.. {
                    if done.load(SeqCst) {
                        break;
                    }
                    match s.update_serving(IMSI, &mme(&format!("mme{t}"), i, false)) {
                        Ok(_) => updated.fetch_add(1, SeqCst),
                        Err(StoreError::NotFound) => not_found.fetch_add(1, SeqCst),
                        Err(e) => panic!("{e}"),
                    };
                }
            });
        }
        // Stops the updaters however this thread leaves the scope, a failed assertion
        // included, or the scope would wait for them forever.
        let _stop = StopOnDrop(&done);
        for round in 0..300 {
            let before = updated.load(SeqCst);
            s.put(&sub(IMSI), Some(&auth(0)), PutMode::Create).unwrap();
            // Every other round, give the updaters a chance to find the subscriber (sled's
            // lock lets this thread run put and delete back to back); the rest delete at
            // once, racing updates in flight.
            let deadline = std::time::Instant::now() + std::time::Duration::from_millis(5);
            while round % 2 == 0 && updated.load(SeqCst) == before && std::time::Instant::now() < deadline {
                std::thread::yield_now();
            }
            assert!(s.delete(IMSI).unwrap());
            // Updates that checked for the subscriber before the delete are still in
            // flight: none of them may leave a record behind.
            for _ in 0..200 {
                assert_eq!(s.serving.get(IMSI).unwrap(), None, "a serving record without a subscriber");
            }
        }
    });
    let outcomes = (updated.into_inner(), not_found.into_inner());
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "updates interleaved with deletes: {outcomes:?}");
    assert_eq!(s.get(IMSI).unwrap(), None);
    assert!(s.serving.is_empty(), "no serving record outlived its subscriber");
}

#[test]
fn a_new_database_is_stamped_layout_2() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    assert_eq!(format_of(&s), Some(2));
}

// Layout 1: the serving fields inside the profile JSON.

/// Subscribers in every serving state layout 1 could hold: none, a full node, and a
/// purged one with only a host (and IMS state, which must survive the rewrite).
fn layout_1_subscribers(n: u32) -> Vec<Subscriber> {
    (0..n)
        .map(|i| {
            let mut s = sub(&format!("00101{i:010}"));
            s.msisdn = vec![format!("4917{i:08}")];
            match i % 3 {
                0 => {}
                1 => serving::apply(&mut s, mme(&format!("mme{i}"), 1_700_000_000 + i64::from(i), false)),
                _ => {
                    s.mme_host = Some(format!("mme{i}"));
                    s.purge_flag = true;
                    s.ims = Some(Default::default());
                }
            }
            s.security.sqn = u64::from(i) * 32;
            s
        })
        .collect()
}

/// Writes `subs` as the layout-1 store did, straight into sled's trees.
fn write_layout_1(dir: &std::path::Path, subs: &[Subscriber]) {
    let db = sled::open(dir.join("subscribers")).unwrap();
    let tree = |name: &str| db.open_tree(name).unwrap();
    let (profiles, auth_tree, sqn) = (tree("profiles"), tree("auth"), tree("sqn"));
    for sub in subs {
        let mut record = sub.clone();
        record.security.sqn = 0;
        profiles.insert(&sub.imsi, serde_json::to_vec(&record).unwrap()).unwrap();
        auth_tree.insert(&sub.imsi, encode_auth(&auth(0)).unwrap().0).unwrap();
        sqn.insert(&sub.imsi, &sub.security.sqn.to_be_bytes()[..]).unwrap();
    }
    tree("meta").insert("format", &1u32.to_be_bytes()[..]).unwrap();
    db.flush().unwrap();
}

/// Asserts the store holds `subs` in layout 2.
fn assert_migrated(s: &SledStore, subs: &[Subscriber]) {
    assert_eq!(format_of(s), Some(2));
    assert_eq!(s.list(None, usize::MAX).unwrap(), subs);
    assert_eq!(s.serving.len(), subs.len(), "every subscriber has a serving record");
    for sub in subs {
        assert!(!profile_text(s, &sub.imsi).contains("mme"), "{}", profile_text(s, &sub.imsi));
        assert_eq!(s.get_auth(&sub.imsi).unwrap().unwrap().sqn, sub.security.sqn);
    }
}

#[test]
fn a_layout_1_database_is_migrated_on_open_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // More than one migration chunk.
    let subs = layout_1_subscribers(MIGRATE_CHUNK as u32 + 300);
    write_layout_1(dir.path(), &subs);
    let before = {
        let s = open(dir.path(), json!({})).unwrap();
        assert_migrated(&s, &subs);
        assert_eq!(s.get(&subs[1].imsi).unwrap().unwrap(), subs[1], "serving fields moved");
        snapshot(&s)
    };
    let s = open(dir.path(), json!({})).unwrap();
    assert_eq!(snapshot(&s), before, "a second open migrates nothing");
    let node = mme("mme9", 9, false);
    assert_eq!(s.update_serving(&subs[1].imsi, &node).unwrap(), serving::of(&subs[1]));
}

#[test]
fn an_interrupted_migration_completes_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let subs = layout_1_subscribers(60);
    write_layout_1(dir.path(), &subs);
    {
        // The first half migrated, as a crash after some chunks leaves it: layout 1 still
        // stamped, those profiles without serving fields, their nodes in `serving`.
        let db = sled::open(dir.path().join("subscribers")).unwrap();
        let (profiles, serving_tree) = (db.open_tree("profiles").unwrap(), db.open_tree("serving").unwrap());
        for sub in &subs[..30] {
            profiles.insert(&sub.imsi, encode_profile(sub).unwrap()).unwrap();
            serving_tree.insert(&sub.imsi, serving::encode(&serving::of(sub)).unwrap()).unwrap();
        }
        db.flush().unwrap();
    }
    let s = open(dir.path(), json!({})).unwrap();
    assert_migrated(&s, &subs);
}

/// The serving journal of the store opened on `dir` (the default `path`).
fn journal_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("subscribers").join(JOURNAL_FILE)
}

fn journal_len(dir: &std::path::Path) -> u64 {
    std::fs::metadata(journal_path(dir)).unwrap().len()
}

fn journal_entries(dir: &std::path::Path) -> Vec<journal::Entry> {
    journal::parse(&std::fs::read(journal_path(dir)).unwrap())
}

#[test]
fn serving_updates_go_to_the_journal_and_a_clean_close_empties_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    s.put(&sub(IMSI), Some(&auth(1)), PutMode::Create).unwrap();
    let node = mme("mme1", 5, false);
    let results =
        s.update_serving_many(&[(IMSI.into(), node.clone()), ("001019999999999".into(), node.clone())]);
    assert_eq!(results, vec![Ok(ServingNode::default()), Err(StoreError::NotFound)]);
    let entries = journal_entries(dir.path());
    assert_eq!(entries.len(), 1, "only the applied update is journaled");
    assert_eq!(
        (entries[0].imsi.as_slice(), serving::decode(b"", &entries[0].record)),
        (IMSI.as_bytes(), Ok(node))
    );
    drop(s);
    assert_eq!(journal_len(dir.path()), 0);
}

#[test]
fn without_flush_every_write_there_is_no_journal_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({ "flush_every_write": false })).unwrap();
    s.put(&sub(IMSI), Some(&auth(1)), PutMode::Create).unwrap();
    s.update_serving(IMSI, &mme("mme1", 5, false)).unwrap();
    assert_eq!(journal_len(dir.path()), 0);
}

#[test]
fn journal_entries_left_by_a_crash_are_applied_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    create_served(&s, &sub(IMSI), &mme("mme0", 1, true), 3);
    drop(s);
    // What a crash leaves: entries sled never wrote out, the last one torn.
    let path = journal_path(dir.path());
    let (mut j, _) = journal::Journal::open(&path).unwrap();
    let (first, last) = (mme("mme1", 2, false), mme("mme2", 3, false));
    for node in [&first, &last] {
        j.append([(IMSI.as_bytes(), &serving::encode(node).unwrap()[..])]).unwrap();
    }
    j.append([("001019999999999".as_bytes(), &serving::encode(&first).unwrap()[..])]).unwrap();
    drop(j);
    let full = std::fs::read(&path).unwrap();
    std::fs::write(&path, &full[..full.len() - 3]).unwrap();

    let s = open(dir.path(), json!({})).unwrap();
    let got = s.get(IMSI).unwrap().unwrap();
    assert_eq!((serving::of(&got), got.security.sqn), (last, 3), "the newest entry, applied in order");
    assert_eq!(s.count().unwrap(), 1, "the torn entry for an unknown IMSI created nothing");
    assert_eq!(journal_len(dir.path()), 0, "replayed, flushed and emptied");
}

#[test]
fn writes_of_the_serving_tree_outside_the_journal_empty_it_first() {
    // Replayed after a crash, a journal entry older than a put would undo the put.
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    s.put(&sub(IMSI), Some(&auth(1)), PutMode::Create).unwrap();
    s.update_serving(IMSI, &mme("mme1", 5, false)).unwrap();
    assert!(journal_len(dir.path()) > 0);
    let replaced = serving_at(sub(IMSI), &mme("mme9", 9, true));
    s.put(&replaced, None, PutMode::Update).unwrap();
    assert_eq!(journal_len(dir.path()), 0, "put");
    s.update_serving(IMSI, &mme("mme2", 6, false)).unwrap();
    s.put_many(&[(sub("001010000000002"), auth(1))]).unwrap();
    assert_eq!(journal_len(dir.path()), 0, "put_many");
    s.update_serving(IMSI, &mme("mme3", 7, false)).unwrap();
    assert!(s.delete(IMSI).unwrap());
    assert_eq!(journal_len(dir.path()), 0, "delete");
}

/// Set in the child process of `a_crash_after_update_serving_loses_no_acknowledged_update`.
const CRASH_CHILD: &str = "PLUGHSS_SLED_CRASH_CHILD";

#[test]
fn a_crash_after_update_serving_loses_no_acknowledged_update() {
    if let Some(dir) = std::env::var_os(CRASH_CHILD) {
        // The child: acknowledged updates, then an exit that runs no destructor, so
        // sled neither flushes nor empties the journal (its background flush runs every
        // 500 ms; this takes a few).
        let s = open(std::path::Path::new(&dir), json!({})).unwrap();
        for i in 0..50 {
            s.update_serving(IMSI, &mme(&format!("mme{i}"), i, false)).unwrap();
        }
        std::process::exit(0);
    }
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), json!({})).unwrap();
    s.put(&sub(IMSI), Some(&auth(1)), PutMode::Create).unwrap();
    drop(s);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "tests::a_crash_after_update_serving_loses_no_acknowledged_update", "--nocapture"])
        .env(CRASH_CHILD, dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let entries = journal_entries(dir.path());
    assert_eq!(entries.len(), 50, "the child left its updates in the journal");
    let s = open(dir.path(), json!({})).unwrap();
    assert_eq!(serving::of(&s.get(IMSI).unwrap().unwrap()), mme("mme49", 49, false));
}
