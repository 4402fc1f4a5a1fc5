//! A subscriber store on one CSV file: the classic HSS flat file, edited by hand while
//! the server is stopped, served from memory while it runs.
//!
//! Built into the host as the backend `csv` (rlib only; reached through the store C
//! ABI like every store, via [`csv_store_entry`], see `declare_store!`'s `builtin`
//! form).
//!
//! ```toml
//! [store]
//! backend = "csv"
//! path = "subscribers.csv"   # relative to data_dir; created with a header if missing
//! strict = true              # a malformed row stops start-up (the default)
//! ```
//!
//! # The file
//!
//! ```text
//! # Lab SIMs. Lines starting with # are comments and are kept when the store rewrites the file.
//! imsi,k,opc,op,amf,sqn,msisdn,apn
//! 001010000000001,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf,,8000,64,491721234567,internet;ims
//! 001010000000002,465B5CE8 B199B49F AA5F0A2E E238A6BC,,cdc202d5123e20f62b6d676ac72cb318,,,,
//! ```
//!
//! The header row names the columns, in any order, in any case. Required: `imsi`, `k`,
//! and `opc` or `op` (a file may have both columns; each row fills exactly one).
//! Optional, empty meaning the default:
//!
//! | column | meaning | default |
//! | --- | --- | --- |
//! | `amf` | 4 hex digits | `8000` |
//! | `sqn` | the next SQN to issue, decimal, below 2^48 | 0 |
//! | `msisdn` | MSISDNs, `;` between several | none |
//! | `apn` | APNs, `;` between several, the first the default | `internet` |
//! | `impi`, `impu` | IMS private identity; public identities (`sip:`, `sips:`, `tel:` URIs, `;` between several) | no IMS |
//! | `digest_realm`, `digest_ha1`, `ifc`, `scscf`, `registration_state` | the rest of the IMS data (TS 29.228) | |
//! | `mme_host`, `mme_realm`, `mme_timestamp`, `purge_flag` | the serving MME, written by ULR/PUR | |
//! | `profile` | a JSON object with any other keys of the Open5GS subscriber document | |
//!
//! Hex is accepted in either case and with spaces, like the REST API. Cells are trimmed;
//! quote a cell with `"` to put a comma, quote or line break in it (`""` is a quote).
//! In `impu`, a `;` followed by anything but a URI scheme is part of the URI (SIP URI
//! parameters), not a separator.
//!
//! Every APN gets the defaults of `open5gs-dbctl add` (IPv4v6, QCI 9, ARP 8 without
//! pre-emption, 1 Gbps AMBR), which is what ULR needs to build its APN-Configuration
//! (TS 29.272 7.3.35). For anything else (another QCI or AMBR, static addresses,
//! slices, barring) put the Open5GS keys in `profile`, e.g.
//! `"{""ambr"":{""downlink"":{""value"":100,""unit"":2},""uplink"":{""value"":50,""unit"":2}}}"`;
//! a key there replaces the default of that key. `profile.slice` replaces what `apn`
//! would say, so the two cannot both be set; likewise `msisdn`, `ims` and the serving
//! MME keys against their columns.
//!
//! # Errors and `strict`
//!
//! A header naming a column twice, lacking `imsi`/`k`/`opc`|`op`, or naming a column
//! this store does not know stops start-up, naming the line. A malformed row (a bad
//! IMSI, a key that is not 32 hex digits, both `opc` and `op`, an IMSI already on an
//! earlier line, a wrong number of cells, ...) stops start-up naming its line and the
//! column: `invalid /var/lib/plughss/subscribers.csv: line 7: k: must be 32 hex digits`.
//! With `strict = false`, unknown columns are ignored and malformed rows are skipped,
//! each with a warning in the log; both are kept in the file untouched by later
//! rewrites, so nothing the operator wrote is lost.
//!
//! # Writing back
//!
//! All reads are served from memory. Every change (an SQN reservation, a provisioning
//! call, ULR recording the MME) is on disk before the call returns: the whole file is
//! written to `<path>.tmp`, fsynced, renamed over `<path>`, and the directory fsynced,
//! so a crash leaves the old file or the new one, never a torn one. The AuC reserves
//! SQNs in blocks and never uses one before `reserve_sqn` returns, so a crash can
//! skip SQNs but never reissue one (TS 33.102 Annex C). Concurrent changes share one
//! rewrite (group commit, see `durable::GroupCommit`). A rewrite keeps the header and
//! column order, comments, blank lines and every untouched row byte for byte; a changed
//! row is written in canonical form (its hex as it was if the key did not change).
//! Columns a change needs that the header lacks (say `mme_host` after the first ULR)
//! are appended to the header, with an empty cell in every row.
//!
//! If writing fails (disk full), the call fails and the change stays in memory: it
//! reaches the disk with the next successful write.
//!
//! The rewrite is O(file size). Measured on a 2-core VM whose disk takes ~4 ms per
//! fsync (`examples/csv_bench.rs`, release build): `reserve_sqn` from one caller
//! takes a median 12 ms on a 1,000-row file (the disk's floor for write, fsync, rename,
//! directory fsync) and 32 ms on 100,000 rows (11.8 MB); 16 concurrent callers on
//! 100,000 rows get ~210 reservations/s between them. Loading 100,000 rows takes
//! 0.4 s and ~45 MB; 1,000,000 rows 5 s, ~450 MB and ~0.45 s per rewrite. Reads
//! (`get_auth`) take about a microsecond. Since the AuC reserves 32 SQNs at a time,
//! this suits files up to about 100,000 subscribers; use sled beyond that.
//!
//! # Locking
//!
//! The store holds an exclusive `flock` on `<path>.lock` while open; a second server
//! (or a second store in the same process) on the same file fails to start, naming the
//! file. Edit the file only while the server is stopped: the server does not re-read
//! it, and its next write would replace the edit.

mod columns;
mod durable;
mod row;
mod table;

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use plughss_plugin_api::store::abi::OpenStore;
use plughss_plugin_api::store::{
    ImsState, PutMode, SQN_MODULUS, ServingNode, Store, StoreError, StoreTraits, sqn_floor,
};
use plughss_plugin_api::subscriber::{AuthData, Subscriber, validate_imsi};
use serde::Deserialize;

use crate::durable::GroupCommit;
use crate::table::Table;

plughss_plugin_api::declare_store!(builtin CsvStore => csv_store_entry);

/// The file mode of a CSV file the store creates: it holds K and OPc.
const NEW_FILE_MODE: u32 = 0o600;

/// The csv backend's settings.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CsvConfig {
    /// The host's data directory (added by the host, not the operator).
    data_dir: Option<PathBuf>,
    path: PathBuf,
    strict: bool,
    /// The `[store]` table's selection keys, read by the host, ignored here. Named so
    /// that `deny_unknown_fields` still catches misspelt settings.
    #[serde(rename = "backend")]
    _backend: Option<serde_json::Value>,
    #[serde(rename = "plugin")]
    _plugin: Option<serde_json::Value>,
}

impl Default for CsvConfig {
    fn default() -> Self {
        CsvConfig {
            data_dir: None,
            path: PathBuf::from("subscribers.csv"),
            strict: true,
            _backend: None,
            _plugin: None,
        }
    }
}

/// The CSV store: see the crate docs.
pub struct CsvStore {
    path: PathBuf,
    /// The file's permission bits, kept across rewrites.
    mode: u32,
    table: RwLock<Table>,
    commit: GroupCommit,
    warnings: Vec<String>,
    /// Holds the lock on `<path>.lock` while the store is open.
    _lock: File,
}

impl OpenStore for CsvStore {
    fn open(config: &serde_json::Value) -> Result<Self, StoreError> {
        let cfg: CsvConfig = serde_json::from_value(config.clone())
            .map_err(|e| StoreError::Invalid { field: "store".into(), reason: e.to_string() })?;
        let path = match &cfg.data_dir {
            Some(dir) => dir.join(&cfg.path),
            None => cfg.path.clone(),
        };
        CsvStore::open_path(&path, cfg.strict)
    }
}

impl CsvStore {
    /// Opens (or creates) the file at `path`.
    pub fn open_path(path: &Path, strict: bool) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        let lock = durable::lock(path)?;
        let unreadable =
            |e: std::io::Error| StoreError::Unavailable(format!("cannot read {}: {e}", path.display()));
        let (table, warnings, mode, new) = match std::fs::read(path) {
            Ok(bytes) => {
                let mode = std::fs::metadata(path).map_err(unreadable)?.permissions().mode() & 0o7777;
                let (table, warnings) = Table::load(&bytes, strict).map_err(|e| StoreError::Invalid {
                    field: path.display().to_string(),
                    reason: format!("line {}: {}", e.line, e.reason),
                })?;
                (table, warnings, mode, false)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Table::new_file(), Vec::new(), NEW_FILE_MODE, true)
            }
            Err(e) => return Err(unreadable(e)),
        };
        for w in &warnings {
            tracing::warn!(file = %path.display(), "csv store: {w}");
        }
        let store = CsvStore {
            path: path.to_owned(),
            mode,
            commit: GroupCommit::new(table.version()),
            table: RwLock::new(table),
            warnings,
            _lock: lock,
        };
        if new {
            // Write the header now, so the operator finds the file where it belongs.
            store.write_file()?;
        }
        Ok(store)
    }

    /// What loading skipped or ignored (only when not strict), one line each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, Table>, StoreError> {
        self.table.read().map_err(|_| poisoned())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, Table>, StoreError> {
        self.table.write().map_err(|_| poisoned())
    }

    /// Writes the current table to disk; returns the version written.
    fn write_file(&self) -> Result<u64, StoreError> {
        let (bytes, version) = {
            let t = self.read()?;
            (t.render(), t.version())
        };
        durable::replace(&self.path, &bytes, self.mode)
            .map_err(|e| StoreError::Unavailable(format!("cannot write {}: {e}", self.path.display())))?;
        Ok(version)
    }

    /// Returns once the file on disk holds `version` (or later).
    fn persist(&self, version: u64) -> Result<(), StoreError> {
        self.commit.wait(version, || self.write_file())
    }

    /// Replaces a subscriber's profile, keeping its keys, after `change`; returns what
    /// `change` returned.
    fn modify<R>(&self, imsi: &str, change: impl FnOnce(&mut Subscriber) -> R) -> Result<R, StoreError> {
        let (result, version) = {
            let mut t = self.write()?;
            let result = Self::modify_in(&mut t, imsi, change)?;
            (result, t.version())
        };
        self.persist(version)?;
        Ok(result)
    }

    /// `modify` on the locked table, without the write-back.
    fn modify_in<R>(
        t: &mut Table,
        imsi: &str,
        change: impl FnOnce(&mut Subscriber) -> R,
    ) -> Result<R, StoreError> {
        let mut sub = t.get(imsi)?.ok_or(StoreError::NotFound)?;
        let auth = t.auth(imsi).cloned().ok_or(StoreError::NotFound)?;
        let result = change(&mut sub);
        let prepared = t.prepare(&[(sub, auth)])?;
        t.commit(prepared);
        Ok(result)
    }
}

/// Records `node` as the serving MME; returns the one recorded before.
fn swap_serving(sub: &mut Subscriber, node: &ServingNode) -> ServingNode {
    let previous = ServingNode {
        mme_host: sub.mme_host.take(),
        mme_realm: sub.mme_realm.take(),
        mme_timestamp: sub.mme_timestamp.take(),
        purge_flag: sub.purge_flag,
    };
    sub.mme_host = node.mme_host.clone();
    sub.mme_realm = node.mme_realm.clone();
    sub.mme_timestamp = node.mme_timestamp;
    sub.purge_flag = node.purge_flag;
    previous
}

fn poisoned() -> StoreError {
    StoreError::Internal("the CSV store's table was left inconsistent by an earlier panic".into())
}

fn check_sqn(sqn: u64) -> Result<(), StoreError> {
    if sqn < SQN_MODULUS {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "sqn".into(),
            reason: "must be below 2^48 (TS 33.102 6.3.7)".into(),
        })
    }
}

/// The profile as stored: `security.sqn` is the keys' SQN.
fn canonical(sub: &Subscriber, auth: &AuthData) -> Subscriber {
    let mut s = sub.clone();
    s.security.sqn = auth.sqn;
    s
}

/// The record an update of `imsi` writes (see [`PutMode::Update`]): `sub` with the
/// stored state, and the given keys (or the stored ones) with an SQN that never goes
/// back. `None` when the IMSI is not in the table.
fn updated(
    t: &Table,
    sub: &Subscriber,
    auth: Option<&AuthData>,
) -> Result<Option<(Subscriber, AuthData)>, StoreError> {
    let (Some(stored), Some(kept)) = (t.get(&sub.imsi)?, t.auth(&sub.imsi)) else { return Ok(None) };
    let mut next = sub.clone();
    next.keep_state_of(&stored);
    let mut auth = auth.unwrap_or(kept).clone();
    auth.sqn = sqn_floor(kept.sqn, auth.sqn);
    Ok(Some((canonical(&next, &auth), auth)))
}

/// The record a creation writes: `sub` without state.
fn created(sub: &Subscriber, auth: &AuthData) -> (Subscriber, AuthData) {
    let mut next = canonical(sub, auth);
    next.clear_state();
    (next, auth.clone())
}

impl Store for CsvStore {
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
        validate_imsi(&sub.imsi)?;
        if let Some(a) = auth {
            check_sqn(a.sqn)?;
        }
        let version = {
            let mut t = self.write()?;
            let record = match (mode, t.auth(&sub.imsi).is_some(), auth) {
                (PutMode::Create, true, _) => return Err(StoreError::Conflict),
                (PutMode::Create, false, None) => {
                    return Err(StoreError::Invalid {
                        field: "auth".into(),
                        reason: "keys are required to create a subscriber".into(),
                    });
                }
                (PutMode::Create, false, Some(given)) => created(sub, given),
                (PutMode::Update, _, auth) => updated(&t, sub, auth)?.ok_or(StoreError::NotFound)?,
            };
            let prepared = t.prepare(&[record])?;
            t.commit(prepared);
            t.version()
        };
        self.persist(version)
    }

    /// One rewrite for the whole batch; a bad record refuses it before anything changes.
    /// An existing IMSI is updated as `put` updates it.
    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        for (sub, auth) in subs {
            validate_imsi(&sub.imsi)?;
            check_sqn(auth.sqn)?;
        }
        let version = {
            let mut t = self.write()?;
            let items = subs
                .iter()
                .map(|(sub, auth)| Ok(updated(&t, sub, Some(auth))?.unwrap_or_else(|| created(sub, auth))))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let prepared = t.prepare(&items)?;
            t.commit(prepared);
            t.version()
        };
        self.persist(version)
    }

    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        self.read()?.get(imsi)
    }

    fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        let version = {
            let mut t = self.write()?;
            if !t.remove(imsi) {
                return Ok(false);
            }
            t.version()
        };
        self.persist(version)?;
        Ok(true)
    }

    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        self.read()?.list(after, limit)
    }

    fn count(&self) -> Result<u64, StoreError> {
        Ok(self.read()?.len() as u64)
    }

    fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
        Ok(self.read()?.auth(imsi).cloned())
    }

    /// SQN = SEQ || IND is 48 bits (TS 33.102 Annex C.1.1); the counter wraps modulo
    /// 2^48. `count * step` is taken modulo 2^64 first, which is the same modulo 2^48.
    /// Returns only once the new SQN is on disk.
    fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
        let advance = u64::from(count).wrapping_mul(step);
        let (old, version) = {
            let mut t = self.write()?;
            let old = t.auth(imsi).ok_or(StoreError::NotFound)?.sqn;
            let new = old.wrapping_add(advance) % SQN_MODULUS;
            if new != old {
                t.set_sqn(imsi, new)?;
            }
            (old, t.version())
        };
        // Even with nothing reserved, `old` is returned only once it is on disk.
        self.persist(version)?;
        Ok(old)
    }

    fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        check_sqn(sqn)?;
        let (now, version) = {
            let mut t = self.write()?;
            let stored = t.auth(imsi).ok_or(StoreError::NotFound)?.sqn;
            let now = sqn_floor(stored, sqn);
            if now != stored {
                t.set_sqn(imsi, now)?;
            }
            (now, t.version())
        };
        // As in `reserve_sqn`: answered only once it is on disk.
        self.persist(version)?;
        Ok(now)
    }

    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
        self.modify(imsi, |sub| swap_serving(sub, node))
    }

    /// Every update applied to the table, then one write-back of the file for all. If
    /// the write-back fails, each applied update reports its error.
    fn update_serving_many(&self, updates: &[(String, ServingNode)]) -> Vec<Result<ServingNode, StoreError>> {
        let (mut results, version) = {
            let mut t = match self.write() {
                Ok(t) => t,
                Err(e) => return vec![Err(e); updates.len()],
            };
            let results: Vec<_> = updates
                .iter()
                .map(|(imsi, node)| Self::modify_in(&mut t, imsi, |sub| swap_serving(sub, node)))
                .collect();
            (results, t.version())
        };
        if results.iter().any(Result::is_ok)
            && let Err(e) = self.persist(version)
        {
            for r in results.iter_mut().filter(|r| r.is_ok()) {
                *r = Err(e.clone());
            }
        }
        results
    }

    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
        self.modify(imsi, |sub| {
            let ims = sub.ims.get_or_insert_with(Default::default);
            ims.scscf = state.scscf.clone();
            ims.registration_state = state.registration_state.clone();
        })
    }

    /// The file is locked while the store is open: no other process writes it.
    fn traits(&self) -> StoreTraits {
        StoreTraits { exclusive: true, batches_serving: true }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use plughss_plugin_api::subscriber::OpcOrOp;
    use serde_json::json;

    use super::*;

    const ROW: &str = "001010000000001,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf";

    fn auth(sqn: u64) -> AuthData {
        AuthData { k: [1; 16], opc: OpcOrOp::Opc([2; 16]), amf: [0x80, 0], sqn, digest_ha1: None }
    }

    #[test]
    fn path_is_relative_to_data_dir_a_new_file_is_private_and_typos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = json!({ "data_dir": dir.path(), "backend": "csv", "path": "db/subs.csv" });
        let store = CsvStore::open(&cfg).unwrap();
        let file = dir.path().join("db/subs.csv");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "imsi,k,opc,op,amf,sqn,msisdn,apn\n");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600,
            "it will hold keys"
        );
        assert!(dir.path().join("db/subs.csv.lock").exists());
        drop(store);
        let err = CsvStore::open(&json!({ "data_dir": dir.path(), "strickt": false })).err().unwrap();
        assert!(
            matches!(&err, StoreError::Invalid { field, reason } if field == "store" && reason.contains("strickt")),
            "{err:?}"
        );
    }

    #[test]
    fn a_rewrite_keeps_the_files_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("subs.csv");
        std::fs::write(&file, format!("imsi,k,opc\n{ROW}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let store = CsvStore::open_path(&file, true).unwrap();
        assert_eq!(store.reserve_sqn("001010000000001", 1, 32).unwrap(), 0);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("imsi,k,opc,sqn\n{ROW},32\n"));
    }

    #[test]
    fn lenient_opening_reports_what_it_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("subs.csv");
        std::fs::write(&file, format!("imsi,k,opc,notes\n{ROW},x\n001,k,o,y\n")).unwrap();
        let err = CsvStore::open_path(&file, true).err().unwrap();
        assert!(
            matches!(&err, StoreError::Invalid { reason, .. } if reason.starts_with("line 1: unknown columns"))
        );
        let store = CsvStore::open_path(&file, false).unwrap();
        assert_eq!(
            store.warnings(),
            [
                "line 1: ignoring unknown columns notes (kept in the file as they are)",
                "line 3: imsi: \"001\" must be 6 to 15 digits (row skipped; kept in the file as it is)",
            ]
        );
        assert_eq!(store.count().unwrap(), 1);
    }

    #[test]
    fn reserving_nothing_returns_the_sqn_without_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("subs.csv");
        let store = CsvStore::open_path(&file, true).unwrap();
        let sub = Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() };
        store.put(&sub, Some(&auth(64)), PutMode::Create).unwrap();
        let before = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(store.reserve_sqn("001010000000001", 0, 32).unwrap(), 64);
        assert_eq!(
            store.reserve_sqn("001010000000001", 1, SQN_MODULUS).unwrap(),
            64,
            "a whole turn is no move"
        );
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), before);
    }
}
