//! The embedded default subscriber store, on [sled](https://docs.rs/sled/0.34).
//!
//! Built both as an rlib (the host links it in as the built-in `sled` backend) and as
//! a cdylib (`libplughss_store_sled.so`) exporting the same C ABI
//! ([`plughss_plugin_api::store::abi`]); the host reaches both through the same vtable.
//!
//! # Layout
//!
//! One sled tree per record kind, all keyed by the IMSI's ASCII digits, so a range scan
//! of `profiles` is the IMSI order [`Store::list`] promises:
//! - `profiles`: the [`Subscriber`] as compact JSON, with `security.sqn` written as 0:
//!   the `sqn` tree is the only copy of the SQN;
//! - `auth`: the keys as an [`AuthWire`] JSON (hex, Open5GS style), `sqn` written as 0;
//! - `sqn`: SQN as 8 bytes big-endian. Kept apart so that `reserve_sqn` is a
//!   compare-and-swap of 8 bytes rather than a rewrite of the auth record;
//! - `meta`: `format` = the layout version, checked on open.
//!
//! Creating, replacing and deleting a subscriber touch several trees in one sled
//! transaction, so a subscriber is never half there. Single-record changes
//! (`reserve_sqn`, `set_sqn`, `update_serving`, `set_ims_state`) are compare-and-swap
//! loops on one key; sled runs transactions exclusively of them, so the two mix safely.
//!
//! # Durability
//!
//! With `flush_every_write` (the default), every operation that writes calls sled's
//! `flush` (write and fsync of the log) before it returns. For `reserve_sqn` this is the
//! rule the AuC depends on: an SQN range is on disk before any vector using it leaves
//! the host, so a crash can skip SQNs but never issue one twice (TS 33.102 Annex C.3.2:
//! SEQ_HE only moves forward; gaps are harmless, Annex C.2). The host reserves SQNs in
//! blocks (the host's `auc::sqn::SqnBlock`), so the fsync is paid
//! once per block, not per vector, and concurrent writers share one fsync (group
//! commit, [`group_flush`]). With `flush_every_write = false`, sled flushes every
//! 500 ms in the background: a crash may then lose the last half second of writes,
//! including SQN reservations, and the host could reuse an SQN (the USIM would reject
//! it and resynchronise). Only turn it off for bulk loads or tests.
//!
//! # Configuration (the `[store]` table, plus `data_dir` from the host)
//!
//! - `path`: the database directory, relative to `data_dir` (default `"subscribers"`);
//! - `flush_every_write`: see above (default `true`);
//! - `cache_mib`: sled's page cache size in MiB (sled's default is 1024).

mod group_flush;

use std::path::PathBuf;

use plughss_plugin_api::store::abi::{AuthWire, OpenStore};
use plughss_plugin_api::store::{
    ImsState, PutMode, SQN_MODULUS, ServingNode, Store, StoreError, StoreTraits,
};
use plughss_plugin_api::subscriber::{AuthData, Subscriber, validate_imsi};
use serde::Deserialize;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{IVec, Transactional, Tree};

plughss_plugin_api::declare_store!(SledStore);

/// The on-disk layout version in `meta/format`; bump it on any incompatible change.
const FORMAT: u32 = 1;
/// Records per transaction in `put_many`, so a bulk import of millions does not hold
/// them all in one transaction's memory.
const PUT_MANY_CHUNK: usize = 1000;

/// The sled backend's settings.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SledConfig {
    /// The host's data directory (added by the host, not the operator).
    data_dir: Option<PathBuf>,
    path: PathBuf,
    flush_every_write: bool,
    cache_mib: Option<u64>,
    /// The `[store]` table's selection keys, read by the host, ignored here. Named so
    /// that `deny_unknown_fields` still catches misspelt settings.
    #[serde(rename = "backend")]
    _backend: Option<serde_json::Value>,
    #[serde(rename = "plugin")]
    _plugin: Option<serde_json::Value>,
}

impl Default for SledConfig {
    fn default() -> Self {
        SledConfig {
            data_dir: None,
            path: PathBuf::from("subscribers"),
            flush_every_write: true,
            cache_mib: None,
            _backend: None,
            _plugin: None,
        }
    }
}

/// The sled store: see the crate docs for layout and durability.
pub struct SledStore {
    db: sled::Db,
    profiles: Tree,
    auth: Tree,
    sqn: Tree,
    flush_every_write: bool,
    group: group_flush::GroupFlush,
}

impl OpenStore for SledStore {
    fn open(config: &serde_json::Value) -> Result<Self, StoreError> {
        let cfg: SledConfig = serde_json::from_value(config.clone())
            .map_err(|e| StoreError::Invalid { field: "store".into(), reason: e.to_string() })?;
        let path = match &cfg.data_dir {
            Some(dir) => dir.join(&cfg.path),
            None => cfg.path.clone(),
        };
        let mut sled_cfg = sled::Config::new().path(&path);
        if let Some(mib) = cfg.cache_mib {
            sled_cfg = sled_cfg.cache_capacity(mib.saturating_mul(1024 * 1024));
        }
        let db = sled_cfg.open().map_err(|e| {
            StoreError::Unavailable(format!("cannot open sled database {}: {e}", path.display()))
        })?;
        let store = SledStore {
            profiles: db.open_tree("profiles").map_err(storage)?,
            auth: db.open_tree("auth").map_err(storage)?,
            sqn: db.open_tree("sqn").map_err(storage)?,
            db,
            flush_every_write: cfg.flush_every_write,
            group: Default::default(),
        };
        store.check_format(&path)?;
        Ok(store)
    }
}

impl SledStore {
    /// Refuses a database written in another layout; stamps a new one.
    fn check_format(&self, path: &std::path::Path) -> Result<(), StoreError> {
        let meta = self.db.open_tree("meta").map_err(storage)?;
        let stamp = FORMAT.to_be_bytes();
        match meta.compare_and_swap("format", None::<&[u8]>, Some(&stamp[..])).map_err(storage)? {
            Ok(()) => self.flush(),
            Err(e) if e.current.as_deref() == Some(&stamp[..]) => Ok(()),
            Err(e) => Err(StoreError::Unavailable(format!(
                "sled database {} has layout {:?}, this store reads layout {FORMAT}",
                path.display(),
                e.current.as_deref().map(be_u32)
            ))),
        }
    }

    /// Makes what this caller wrote durable, sharing the fsync with concurrent writers
    /// ([`group_flush`]).
    fn flush(&self) -> Result<(), StoreError> {
        if self.flush_every_write {
            self.group.sync(|| self.db.flush().map(drop)).map_err(storage)?;
        }
        Ok(())
    }

    /// The stored SQN, or `None` if the subscriber is gone (a delete raced the read).
    fn read_sqn(&self, imsi: &[u8]) -> Result<Option<u64>, StoreError> {
        self.sqn.get(imsi).map_err(storage)?.map(|v| decode_sqn(&v)).transpose()
    }

    /// A profile record with its SQN filled in, or `None` if a delete raced the read.
    fn with_sqn(&self, imsi: &[u8], record: &[u8]) -> Result<Option<Subscriber>, StoreError> {
        let Some(sqn) = self.read_sqn(imsi)? else { return Ok(None) };
        let mut sub = decode_profile(record)?;
        sub.security.sqn = sqn;
        Ok(Some(sub))
    }

    /// Read-modify-write of one profile, retried until no other writer intervened.
    fn modify_profile<R>(
        &self,
        imsi: &str,
        mut f: impl FnMut(&mut Subscriber) -> R,
    ) -> Result<R, StoreError> {
        loop {
            let Some(current) = self.profiles.get(imsi).map_err(storage)? else {
                return Err(StoreError::NotFound);
            };
            let mut sub = decode_profile(&current)?;
            let result = f(&mut sub);
            let next = encode_profile(&sub)?;
            match self.profiles.compare_and_swap(imsi, Some(&current), Some(next)).map_err(storage)? {
                Ok(()) => {
                    self.flush()?;
                    return Ok(result);
                }
                Err(_) => continue,
            }
        }
    }

    /// Updates the SQN record with `f` atomically; returns the previous value.
    fn update_sqn(&self, imsi: &str, f: impl Fn(u64) -> u64) -> Result<u64, StoreError> {
        // `fetch_and_update` may call the closure several times under contention; `f` is
        // pure. A record that is not 8 bytes is left untouched and reported below.
        let previous = self
            .sqn
            .fetch_and_update(imsi, |old| match old.map(<[u8; 8]>::try_from) {
                Some(Ok(bytes)) => Some(f(u64::from_be_bytes(bytes)).to_be_bytes().to_vec()),
                Some(Err(_)) => old.map(<[u8]>::to_vec),
                None => None,
            })
            .map_err(storage)?;
        let previous = decode_sqn(&previous.ok_or(StoreError::NotFound)?)?;
        self.flush()?;
        Ok(previous)
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        // Best effort: sled's own shutdown flushes too; an error here has nowhere to go.
        let _ = self.db.flush();
    }
}

impl Store for SledStore {
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
        validate_imsi(&sub.imsi)?;
        let key = sub.imsi.as_bytes();
        let profile = encode_profile(sub)?;
        let secrets = auth.map(encode_auth).transpose()?;
        let result = (&self.profiles, &self.auth, &self.sqn).transaction(|(p, a, s)| {
            let exists = p.get(key)?.is_some();
            match (mode, &secrets) {
                (PutMode::Create, _) if exists => return abort(StoreError::Conflict),
                (PutMode::Create, None) => {
                    return abort(StoreError::Invalid {
                        field: "auth".into(),
                        reason: "keys are required to create a subscriber".into(),
                    });
                }
                (PutMode::Update, _) if !exists => return abort(StoreError::NotFound),
                _ => {}
            }
            p.insert(key, profile.as_slice())?;
            if let Some((record, sqn)) = &secrets {
                a.insert(key, record.as_slice())?;
                s.insert(key, &sqn[..])?;
            }
            Ok(())
        });
        finish(result)?;
        self.flush()
    }

    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        // Validate and encode everything first, so a bad record rejects the whole call
        // before anything is written.
        let records = subs
            .iter()
            .map(|(sub, auth)| {
                validate_imsi(&sub.imsi)?;
                Ok((sub.imsi.as_bytes(), encode_profile(sub)?, encode_auth(auth)?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for chunk in records.chunks(PUT_MANY_CHUNK) {
            let result = (&self.profiles, &self.auth, &self.sqn).transaction(|(p, a, s)| {
                for (key, profile, (record, sqn)) in chunk {
                    p.insert(*key, profile.as_slice())?;
                    a.insert(*key, record.as_slice())?;
                    s.insert(*key, &sqn[..])?;
                }
                Ok(())
            });
            finish(result)?;
        }
        self.flush()
    }

    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        match self.profiles.get(imsi).map_err(storage)? {
            Some(record) => self.with_sqn(imsi.as_bytes(), &record),
            None => Ok(None),
        }
    }

    fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        let key = imsi.as_bytes();
        let result = (&self.profiles, &self.auth, &self.sqn).transaction(|(p, a, s)| {
            let existed = p.remove(key)?.is_some();
            a.remove(key)?;
            s.remove(key)?;
            Ok(existed)
        });
        let existed = finish(result)?;
        if existed {
            self.flush()?;
        }
        Ok(existed)
    }

    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        let range = match after {
            Some(a) => self
                .profiles
                .range::<&[u8], _>((std::ops::Bound::Excluded(a.as_bytes()), std::ops::Bound::Unbounded)),
            None => self.profiles.iter(),
        };
        let mut out = Vec::with_capacity(limit.min(1024));
        for entry in range {
            if out.len() >= limit {
                break;
            }
            let (key, record) = entry.map_err(storage)?;
            // A subscriber deleted during the scan is skipped rather than half-returned.
            if let Some(sub) = self.with_sqn(&key, &record)? {
                out.push(sub);
            }
        }
        Ok(out)
    }

    /// Counts by scanning the `profiles` keys: O(n), which a `GET /subscribers` total
    /// can afford at HSS sizes and which cannot drift from the data as a counter could.
    fn count(&self) -> Result<u64, StoreError> {
        Ok(self.profiles.len() as u64)
    }

    fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
        let Some(record) = self.auth.get(imsi).map_err(storage)? else { return Ok(None) };
        let Some(sqn) = self.read_sqn(imsi.as_bytes())? else { return Ok(None) };
        let wire: AuthWire = serde_json::from_slice(&record)
            .map_err(|e| StoreError::Internal(format!("corrupt auth record for {imsi}: {e}")))?;
        let mut auth = AuthData::try_from(&wire)?;
        auth.sqn = sqn;
        Ok(Some(auth))
    }

    /// SQN = SEQ || IND is 48 bits (TS 33.102 Annex C.1.1); the counter wraps modulo
    /// 2^48. `count * step` is taken modulo 2^64 first, which is the same modulo 2^48.
    fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
        let advance = u64::from(count).wrapping_mul(step);
        self.update_sqn(imsi, |old| old.wrapping_add(advance) % SQN_MODULUS)
    }

    fn set_sqn(&self, imsi: &str, sqn: u64) -> Result<(), StoreError> {
        check_sqn(sqn)?;
        self.update_sqn(imsi, |_| sqn).map(drop)
    }

    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
        self.modify_profile(imsi, |sub| {
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
        })
    }

    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
        self.modify_profile(imsi, |sub| {
            let ims = sub.ims.get_or_insert_with(Default::default);
            ims.scscf = state.scscf.clone();
            ims.registration_state = state.registration_state.clone();
        })
    }

    /// sled takes an exclusive lock on its database files: no other process writes them.
    fn traits(&self) -> StoreTraits {
        StoreTraits { exclusive: true }
    }
}

fn abort<T>(e: StoreError) -> Result<T, ConflictableTransactionError<StoreError>> {
    Err(ConflictableTransactionError::Abort(e))
}

fn finish<T>(r: Result<T, TransactionError<StoreError>>) -> Result<T, StoreError> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => storage(e),
    })
}

/// sled's I/O errors may pass (disk full, fd limit): `Unavailable`; anything else
/// (corruption, a sled bug) is `Internal`.
fn storage(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(_) => StoreError::Unavailable(format!("sled: {e}")),
        _ => StoreError::Internal(format!("sled: {e}")),
    }
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

fn encode_profile(sub: &Subscriber) -> Result<Vec<u8>, StoreError> {
    let mut sub = sub.clone();
    sub.security.sqn = 0; // the `sqn` tree is the only copy
    serde_json::to_vec(&sub).map_err(|e| StoreError::Internal(format!("cannot encode profile: {e}")))
}

fn decode_profile(record: &[u8]) -> Result<Subscriber, StoreError> {
    serde_json::from_slice(record).map_err(|e| StoreError::Internal(format!("corrupt profile record: {e}")))
}

/// The auth record (SQN zeroed, kept in the `sqn` tree) and the SQN record.
fn encode_auth(auth: &AuthData) -> Result<(Vec<u8>, [u8; 8]), StoreError> {
    check_sqn(auth.sqn)?;
    let mut wire = AuthWire::from(auth);
    wire.sqn = 0;
    let record =
        serde_json::to_vec(&wire).map_err(|e| StoreError::Internal(format!("cannot encode auth: {e}")))?;
    Ok((record, auth.sqn.to_be_bytes()))
}

fn decode_sqn(v: &IVec) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(v.as_ref())
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Internal(format!("corrupt SQN record of {} bytes", v.len())))
}

fn be_u32(b: &[u8]) -> Option<u32> {
    <[u8; 4]>::try_from(b).ok().map(u32::from_be_bytes)
}

#[cfg(test)]
mod tests {
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
}
