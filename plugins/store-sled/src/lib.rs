//! The embedded default subscriber store, on [sled](https://docs.rs/sled/0.34).
//!
//! Built both as an rlib (the host links it in as the built-in `sled` backend) and as
//! a cdylib (`libplughss_store_sled.so`) exporting the same C ABI
//! ([`plughss_plugin_api::store::abi`]); the host reaches both through the same vtable.
//!
//! # Layout
//!
//! One sled tree per record kind, all keyed by the IMSI's ASCII digits, so a range scan
//! of `profiles` is the IMSI order [`Store::list`] promises. A subscriber exists if and
//! only if it has a `profiles` record; the other trees complete it:
//! - `profiles`: the [`Subscriber`] as compact JSON, with `security.sqn` written as 0
//!   and the serving fields (`mme_host`, `mme_realm`, `mme_timestamp`, `purge_flag`)
//!   written empty: the `sqn` and `serving` trees are the only copies of those;
//! - `auth`: the keys as an [`AuthWire`] JSON (hex, Open5GS style), `sqn` written as 0;
//! - `sqn`: SQN as 8 bytes big-endian. Kept apart so that `reserve_sqn` is a
//!   compare-and-swap of 8 bytes rather than a rewrite of the auth record;
//! - `serving`: the serving MME ([`ServingNode`]), kept apart so that `update_serving`
//!   (every ULR and PUR) is a compare-and-swap of a few dozen bytes rather than a
//!   decode and re-encode of the JSON profile. Every subscriber has one (the empty node
//!   is one byte); a missing record reads as the empty node. The record:
//!
//!   ```text
//!   flags      1 byte   bit 0 purge_flag, bit 1 mme_timestamp present,
//!                       bit 2 mme_host present, bit 3 mme_realm present; bits 4-7 zero
//!   timestamp  8 bytes  mme_timestamp, i64 big-endian; only if bit 1
//!   mme_host   4 + n    u32 big-endian length n, then n bytes of UTF-8; only if bit 2
//!   mme_realm  4 + n    the same; only if bit 3
//!   ```
//!
//!   and nothing after. Lengths are 32 bits because a DiameterIdentity may exceed
//!   65535 bytes (AVP lengths are 24 bits). A record that breaks these rules is
//!   reported as `Internal`, naming the IMSI, and left as it is;
//! - `meta`: `format` = the layout version (u32 big-endian), checked on open.
//!
//! Creating, replacing and deleting a subscriber touch several trees in one sled
//! transaction, so a subscriber is never half there. Single-record changes
//! (`reserve_sqn`, `advance_sqn`, `update_serving`, `set_ims_state`) are compare-and-swap
//! loops on one key; sled runs transactions exclusively of them, so the two mix safely.
//! `update_serving` only swaps a `serving` record that exists, and those are created
//! and removed together with the profile, so it cannot bring back a deleted subscriber.
//!
//! # Layout versions and migration
//!
//! Layout 2 (this one) moved the serving fields out of the profile JSON into `serving`.
//! A layout-1 database is migrated on open: each profile's serving fields are written
//! to `serving` and the profile rewritten without them, a chunk of profiles per
//! transaction over (`profiles`, `serving`); then the database is flushed and only then
//! stamped `format` = 2. A migration interrupted by a crash leaves layout 1 stamped and
//! is run again on the next open; it is idempotent per profile: a profile still
//! carrying serving data has it moved (replacing any `serving` record), a profile
//! without gets an empty `serving` record if it has none. A new database is stamped 2;
//! any other layout is refused.
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
//! commit, [`group_flush`]).
//!
//! `update_serving` (every ULR and PUR) is the exception: its records are made durable
//! by the serving journal (`serving.journal` in the database directory, [`journal`]),
//! one append and `fdatasync` per batch, because a sled flush per ULR batch costs far
//! more CPU (sled's I/O pool wakes all its threads per flush). sled writes those records
//! out in its own time; the journal is replayed on open, and emptied after any sled
//! flush that covers it (a checkpoint, past 64 MiB). Writes that replace a `serving`
//! record otherwise (`put`, `put_many`, `delete`) take the journal's lock and
//! checkpoint, so no older journal entry can be replayed over them.
//!
//! With `flush_every_write = false`, sled flushes every
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
mod journal;
mod serving;
#[cfg(test)]
mod tests;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use plughss_plugin_api::store::abi::{AuthWire, OpenStore};
use plughss_plugin_api::store::{
    ImsState, PutMode, SQN_MODULUS, ServingNode, Store, StoreError, StoreTraits, sqn_floor,
};
use plughss_plugin_api::subscriber::{AuthData, Subscriber, validate_imsi};
use serde::Deserialize;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{IVec, Transactional, Tree};

plughss_plugin_api::declare_store!(SledStore);

/// The on-disk layout version in `meta/format`; bump it on any incompatible change.
const FORMAT: u32 = 2;
/// The previous layout, migrated on open: the serving fields inside the profile JSON.
const FORMAT_SERVING_IN_PROFILE: u32 = 1;
/// Records per transaction in `put_many`, so a bulk import of millions does not hold
/// them all in one transaction's memory.
const PUT_MANY_CHUNK: usize = 1000;
/// Profiles per transaction when migrating layout 1, for the same reason.
const MIGRATE_CHUNK: usize = 1000;
/// The serving-node journal, inside the database directory.
const JOURNAL_FILE: &str = "serving.journal";

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
    serving: Tree,
    flush_every_write: bool,
    group: group_flush::GroupFlush,
    /// The serving-node journal, with `flush_every_write` (see the crate docs).
    journal: Option<Mutex<ServingLog>>,
}

/// The journal and whether it can be trusted.
struct ServingLog {
    journal: journal::Journal,
    /// Why updates are refused: the journal could not be emptied after a failed write,
    /// so it may hold a torn entry (later appends would be lost behind it) or entries
    /// older than what sled holds. Cleared by the next successful checkpoint.
    broken: Option<String>,
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
        let mut store = SledStore {
            profiles: db.open_tree("profiles").map_err(storage)?,
            auth: db.open_tree("auth").map_err(storage)?,
            sqn: db.open_tree("sqn").map_err(storage)?,
            serving: db.open_tree("serving").map_err(storage)?,
            db,
            flush_every_write: cfg.flush_every_write,
            group: Default::default(),
            journal: None,
        };
        store.check_format(&path)?;
        let journal = store.replay_journal(&path.join(JOURNAL_FILE))?;
        store.journal = cfg.flush_every_write.then(|| Mutex::new(ServingLog { journal, broken: None }));
        Ok(store)
    }
}

impl SledStore {
    /// Migrates a layout-1 database, refuses one written in another layout, stamps a
    /// new one.
    fn check_format(&self, path: &std::path::Path) -> Result<(), StoreError> {
        let meta = self.db.open_tree("meta").map_err(storage)?;
        let stamp = FORMAT.to_be_bytes();
        match meta.compare_and_swap("format", None::<&[u8]>, Some(&stamp[..])).map_err(storage)? {
            Ok(()) => self.flush(),
            Err(e) if e.current.as_deref() == Some(&stamp[..]) => Ok(()),
            Err(e) if e.current.as_deref() == Some(&FORMAT_SERVING_IN_PROFILE.to_be_bytes()[..]) => {
                self.migrate_serving_out_of_profiles(&meta)
            }
            Err(e) => Err(StoreError::Unavailable(format!(
                "sled database {} has layout {:?}, this store reads layout {FORMAT} (and migrates \
                 layout {FORMAT_SERVING_IN_PROFILE})",
                path.display(),
                e.current.as_deref().map(be_u32)
            ))),
        }
    }

    /// Layout 1 to 2 (see the crate docs): moves every profile's serving fields into
    /// `serving`, chunk by chunk, then stamps layout 2. Runs in `open`, before anyone
    /// else can use the store (sled locks the database), and again after a crash.
    fn migrate_serving_out_of_profiles(&self, meta: &Tree) -> Result<(), StoreError> {
        let mut after: Option<IVec> = None;
        loop {
            let keys = self
                .profiles_after(after.as_deref())
                .keys()
                .take(MIGRATE_CHUNK)
                .collect::<Result<Vec<_>, _>>()
                .map_err(storage)?;
            let Some(last) = keys.last() else { break };
            after = Some(last.clone());
            let result = (&self.profiles, &self.serving)
                .transaction(|(p, s)| keys.iter().try_for_each(|key| migrate_profile(p, s, key)));
            finish(result)?;
        }
        // Regardless of `flush_every_write`: the stamp must not reach the disk before
        // every moved record, or a crash could leave a half-migrated database stamped 2.
        self.db.flush().map_err(storage)?;
        let (old, new) = (FORMAT_SERVING_IN_PROFILE.to_be_bytes(), FORMAT.to_be_bytes());
        meta.compare_and_swap("format", Some(&old[..]), Some(&new[..]))
            .map_err(storage)?
            .map_err(|_| StoreError::Internal("the layout stamp changed during the migration".into()))?;
        self.db.flush().map_err(storage)?;
        Ok(())
    }

    /// The profiles after `after` (all of them for `None`), in IMSI order.
    fn profiles_after(&self, after: Option<&[u8]>) -> sled::Iter {
        match after {
            Some(a) => self.profiles.range::<&[u8], _>((Bound::Excluded(a), Bound::Unbounded)),
            None => self.profiles.iter(),
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

    /// The stored serving node; the empty node if there is no record.
    fn read_serving(&self, imsi: &[u8]) -> Result<ServingNode, StoreError> {
        match self.serving.get(imsi).map_err(storage)? {
            Some(record) => serving::decode(imsi, &record),
            None => Ok(ServingNode::default()),
        }
    }

    /// A profile record with its serving node and SQN filled in, or `None` if a delete
    /// raced the reads: the SQN is read last, so a delete before it is noticed there.
    fn complete(&self, imsi: &[u8], record: &[u8]) -> Result<Option<Subscriber>, StoreError> {
        let node = self.read_serving(imsi)?;
        let Some(sqn) = self.read_sqn(imsi)? else { return Ok(None) };
        let mut sub = decode_profile(record)?;
        sub.security.sqn = sqn;
        serving::apply(&mut sub, node);
        Ok(Some(sub))
    }

    /// Read-modify-write of one profile, retried until no other writer intervened. The
    /// profile's serving fields are empty here and stay so (`encode_profile`).
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

    /// Replaces the `serving` record with `next` if there is one; returns the node it
    /// held, or `None` (nothing written) if there is no record.
    ///
    /// Why this cannot resurrect a deleted subscriber: a `serving` record is only ever
    /// created in a transaction that sees or writes the profile (`put`, `put_many`, the
    /// migration, [`Self::create_serving`]) and `delete` removes it in the transaction
    /// that removes the profile. So while a record exists, so does its subscriber, and a
    /// compare-and-swap that replaces an existing record (sled runs it either wholly
    /// before or wholly after a transaction) updates an existing subscriber. A delete
    /// between our read and our swap makes the swap fail, and the retry sees no record.
    /// A transaction over (`profiles`, `serving`) would be as safe but takes sled's
    /// global transaction lock, stalling every other read and write of the database, on
    /// every ULR.
    /// `update_serving` of an encoded record without making it durable: returns the
    /// previous node.
    fn apply_record(&self, key: &[u8], next: &[u8]) -> Result<ServingNode, StoreError> {
        match self.replace_serving(key, next)? {
            Some(previous) => Ok(previous),
            None => self.create_serving(key, next),
        }
    }

    fn lock_journal(log: &Mutex<ServingLog>) -> MutexGuard<'_, ServingLog> {
        log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens the journal and applies what it holds (a crash left it there), then
    /// flushes sled and empties it. Runs in `open`, after any migration.
    fn replay_journal(&self, path: &Path) -> Result<journal::Journal, StoreError> {
        let io =
            |e: std::io::Error| StoreError::Unavailable(format!("serving journal {}: {e}", path.display()));
        let (mut journal, entries) = journal::Journal::open(path).map_err(io)?;
        for entry in &entries {
            serving::decode(&entry.imsi, &entry.record)?;
            match self.apply_record(&entry.imsi, &entry.record) {
                // Deletes empty the journal (`write_serving_tree`), so no entry should
                // name a deleted subscriber; if one does, there is nothing to update.
                Ok(_) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        if journal.len() > 0 {
            self.db.flush().map_err(storage)?;
            journal.clear().map_err(io)?;
        }
        Ok(journal)
    }

    /// Makes `records` (applied to sled already) durable in the journal; past
    /// [`journal::CHECKPOINT_BYTES`] also checkpoints.
    fn journal_records(&self, log: &mut ServingLog, records: &[(&[u8], Vec<u8>)]) -> Result<(), StoreError> {
        match log.journal.append(records.iter().map(|(key, record)| (*key, record.as_slice()))) {
            Ok(()) if log.journal.len() < journal::CHECKPOINT_BYTES => Ok(()),
            // The records are durable in the journal whether or not this succeeds.
            Ok(()) => {
                let _ = self.checkpoint(log);
                Ok(())
            }
            // A sled flush covers the applied records too; emptying the journal then
            // drops any torn entry the failed write left.
            Err(e) => self.checkpoint(log).map_err(|c| {
                let why =
                    format!("the serving journal failed ({e}) and so did the checkpoint after it ({c})");
                log.broken = Some(why.clone());
                StoreError::Unavailable(why)
            }),
        }
    }

    /// Flushes sled, then empties the journal, whose entries sled now holds on disk. If
    /// the flush fails the journal is left as it is, still the durable copy.
    fn checkpoint(&self, log: &mut ServingLog) -> Result<(), StoreError> {
        self.group.sync(|| self.db.flush().map(drop)).map_err(storage)?;
        match log.journal.clear() {
            Ok(()) => {
                log.broken = None;
                Ok(())
            }
            Err(e) => {
                let why = format!("cannot empty the serving journal: {e}");
                log.broken = Some(why.clone());
                Err(StoreError::Unavailable(why))
            }
        }
    }

    /// Runs a write that changes `serving` records other than through the journal
    /// (`put`, `put_many`, `delete`) and makes it durable. With a journal, under its
    /// lock and followed by a checkpoint if the journal holds entries: replayed after a
    /// crash, an entry older than this write would undo it.
    fn write_serving_tree<T>(&self, write: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        let Some(log) = &self.journal else {
            let done = write()?;
            self.flush()?;
            return Ok(done);
        };
        let mut log = Self::lock_journal(log);
        let done = write()?;
        if log.journal.len() == 0 && log.broken.is_none() {
            self.flush()?;
        } else {
            self.checkpoint(&mut log)?;
        }
        Ok(done)
    }

    fn replace_serving(&self, key: &[u8], next: &[u8]) -> Result<Option<ServingNode>, StoreError> {
        loop {
            let Some(current) = self.serving.get(key).map_err(storage)? else { return Ok(None) };
            // A corrupt record is reported and left as it is, like a corrupt SQN: it is
            // what an operator needs to see.
            let previous = serving::decode(key, &current)?;
            match self.serving.compare_and_swap(key, Some(&current), Some(next)).map_err(storage)? {
                Ok(()) => return Ok(Some(previous)),
                Err(_) => continue,
            }
        }
    }

    /// `update_serving` for a subscriber without a `serving` record: none is left
    /// without one by this store, but a missing record means the empty node, so this
    /// creates it, in a transaction that sees the profile exist (see
    /// [`Self::replace_serving`]). Unknown IMSIs are answered before taking the lock.
    fn create_serving(&self, key: &[u8], next: &[u8]) -> Result<ServingNode, StoreError> {
        if !self.profiles.contains_key(key).map_err(storage)? {
            return Err(StoreError::NotFound);
        }
        let result = (&self.profiles, &self.serving).transaction(|(p, s)| {
            if p.get(key)?.is_none() {
                return abort(StoreError::NotFound);
            }
            // Another caller may have created it since our read.
            let previous = match s.get(key)? {
                Some(record) => serving::decode(key, &record).map_err(ConflictableTransactionError::Abort)?,
                None => ServingNode::default(),
            };
            s.insert(key, next)?;
            Ok(previous)
        });
        finish(result)
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        // Best effort: sled's own shutdown flushes too; an error here has nowhere to go.
        // A clean close leaves the journal empty.
        if self.db.flush().is_ok()
            && let Some(log) = &self.journal
        {
            let _ = Self::lock_journal(log).journal.clear();
        }
    }
}

impl Store for SledStore {
    /// One transaction over the four trees. An update keeps the `serving` record and
    /// the IMS registration (see [`PutMode::Update`]) and raises the SQN only, so a
    /// provisioning write racing a ULR or a reservation loses neither.
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
        validate_imsi(&sub.imsi)?;
        let key = sub.imsi.as_bytes();
        let secrets = auth.map(encode_auth).transpose()?;
        let mut created = sub.clone();
        created.clear_state();
        let created = encode_profile(&created)?;
        let empty_node = serving::encode(&ServingNode::default())?;
        let write = || {
            (&self.profiles, &self.auth, &self.sqn, &self.serving).transaction(|(p, a, s, v)| {
                let stored = p.get(key)?;
                match (mode, &secrets, &stored) {
                    (PutMode::Create, _, Some(_)) => return abort(StoreError::Conflict),
                    (PutMode::Create, None, None) => {
                        return abort(StoreError::Invalid {
                            field: "auth".into(),
                            reason: "keys are required to create a subscriber".into(),
                        });
                    }
                    (PutMode::Create, Some((record, sqn)), None) => {
                        p.insert(key, created.as_slice())?;
                        v.insert(key, empty_node.as_slice())?;
                        a.insert(key, record.as_slice())?;
                        s.insert(key, &sqn[..])?;
                    }
                    (PutMode::Update, _, None) => return abort(StoreError::NotFound),
                    (PutMode::Update, secrets, Some(stored)) => {
                        p.insert(
                            key,
                            updated_profile(sub, stored).map_err(ConflictableTransactionError::Abort)?,
                        )?;
                        if let Some((record, sqn)) = secrets {
                            a.insert(key, record.as_slice())?;
                            s.insert(key, &raised_sqn(s.get(key)?, *sqn)?[..])?;
                        }
                    }
                }
                Ok(())
            })
        };
        self.write_serving_tree(|| finish(write()))
    }

    /// Creates or updates each, as `put` would, in transactions of
    /// [`PUT_MANY_CHUNK`] subscribers.
    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        // Validate and encode everything first, so a bad record rejects the whole call
        // before anything is written.
        let empty_node = serving::encode(&ServingNode::default())?;
        let records = subs
            .iter()
            .map(|(sub, auth)| {
                validate_imsi(&sub.imsi)?;
                let mut created = sub.clone();
                created.clear_state();
                Ok((sub, encode_profile(&created)?, encode_auth(auth)?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.write_serving_tree(|| {
            for chunk in records.chunks(PUT_MANY_CHUNK) {
                let result =
                    (&self.profiles, &self.auth, &self.sqn, &self.serving).transaction(|(p, a, s, v)| {
                        for (sub, created, (record, sqn)) in chunk {
                            let key = sub.imsi.as_bytes();
                            match p.get(key)? {
                                None => {
                                    p.insert(key, created.as_slice())?;
                                    v.insert(key, empty_node.as_slice())?;
                                    s.insert(key, &sqn[..])?;
                                }
                                Some(stored) => {
                                    let profile = updated_profile(sub, &stored)
                                        .map_err(ConflictableTransactionError::Abort)?;
                                    p.insert(key, profile)?;
                                    s.insert(key, &raised_sqn(s.get(key)?, *sqn)?[..])?;
                                }
                            }
                            a.insert(key, record.as_slice())?;
                        }
                        Ok(())
                    });
                finish(result)?;
            }
            Ok(())
        })
    }

    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        match self.profiles.get(imsi).map_err(storage)? {
            Some(record) => self.complete(imsi.as_bytes(), &record),
            None => Ok(None),
        }
    }

    fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        let key = imsi.as_bytes();
        self.write_serving_tree(|| {
            let result =
                (&self.profiles, &self.auth, &self.sqn, &self.serving).transaction(|(p, a, s, v)| {
                    let existed = p.remove(key)?.is_some();
                    a.remove(key)?;
                    s.remove(key)?;
                    v.remove(key)?;
                    Ok(existed)
                });
            finish(result)
        })
    }

    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        let range = self.profiles_after(after.map(str::as_bytes));
        let mut out = Vec::with_capacity(limit.min(1024));
        for entry in range {
            if out.len() >= limit {
                break;
            }
            let (key, record) = entry.map_err(storage)?;
            // A subscriber deleted during the scan is skipped rather than half-returned.
            if let Some(sub) = self.complete(&key, &record)? {
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

    fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        check_sqn(sqn)?;
        self.update_sqn(imsi, |old| sqn_floor(old, sqn)).map(|old| sqn_floor(old, sqn))
    }

    /// One compare-and-swap on the `serving` record (see `SledStore::replace_serving`
    /// for why that is safe against a concurrent delete), then the journal.
    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
        let mut results = self.update_serving_many(&[(imsi.to_owned(), node.clone())]);
        results.pop().unwrap_or_else(|| Err(StoreError::Internal("no result for the update".into())))
    }

    /// Every update applied, then one journal append and `fdatasync` for all. If that
    /// fails, no update is known to be durable: each applied one reports the error.
    /// Without `flush_every_write`, sled's background flush writes them.
    fn update_serving_many(&self, updates: &[(String, ServingNode)]) -> Vec<Result<ServingNode, StoreError>> {
        let apply = |(imsi, node): &(String, ServingNode)| {
            let next = serving::encode(node)?;
            self.apply_record(imsi.as_bytes(), &next).map(|previous| (previous, next))
        };
        let Some(log) = &self.journal else {
            return updates.iter().map(|u| apply(u).map(|(previous, _)| previous)).collect();
        };
        // Held from the first apply to the append, so the journal's order is the order
        // in which the records were written to sled.
        let mut log = Self::lock_journal(log);
        if let Some(why) = &log.broken {
            return updates.iter().map(|_| Err(StoreError::Unavailable(why.clone()))).collect();
        }
        let mut records = Vec::with_capacity(updates.len());
        let mut results: Vec<_> = updates
            .iter()
            .map(|u| {
                let (previous, next) = apply(u)?;
                records.push((u.0.as_bytes(), next));
                Ok(previous)
            })
            .collect();
        if let Err(e) = self.journal_records(&mut log, &records) {
            for r in results.iter_mut().filter(|r| r.is_ok()) {
                *r = Err(e.clone());
            }
        }
        results
    }

    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
        self.modify_profile(imsi, |sub| {
            let ims = sub.ims.get_or_insert_with(Default::default);
            ims.scscf = state.scscf.clone();
            ims.registration_state = state.registration_state.clone();
        })
    }

    /// sled takes an exclusive lock on its database files: no other process writes them.
    /// Serving-node updates are flushed a batch at a time (`update_serving_many`).
    fn traits(&self) -> StoreTraits {
        StoreTraits { exclusive: true, batches_serving: true }
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

/// The `profiles` record replacing `stored` with `sub`, keeping the IMS registration
/// (the serving node is in its own tree, which an update does not touch).
fn updated_profile(sub: &Subscriber, stored: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut next = sub.clone();
    next.keep_state_of(&decode_profile(stored)?);
    encode_profile(&next)
}

/// The `sqn` record after an update naming `requested` (8 bytes big-endian): the SQN
/// only moves forward ([`sqn_floor`]).
fn raised_sqn(
    stored: Option<IVec>,
    requested: [u8; 8],
) -> Result<[u8; 8], ConflictableTransactionError<StoreError>> {
    let Some(stored) = stored else { return Ok(requested) };
    let stored = decode_sqn(&stored).map_err(ConflictableTransactionError::Abort)?;
    Ok(sqn_floor(stored, u64::from_be_bytes(requested)).to_be_bytes())
}

/// The `profiles` record: without SQN and serving node, which have trees of their own.
fn encode_profile(sub: &Subscriber) -> Result<Vec<u8>, StoreError> {
    let mut sub = sub.clone();
    sub.security.sqn = 0; // the `sqn` tree is the only copy
    serving::take(&mut sub); // the `serving` tree is the only copy
    serde_json::to_vec(&sub).map_err(|e| StoreError::Internal(format!("cannot encode profile: {e}")))
}

fn decode_profile(record: &[u8]) -> Result<Subscriber, StoreError> {
    serde_json::from_slice(record).map_err(|e| StoreError::Internal(format!("corrupt profile record: {e}")))
}

/// Migrates one layout-1 profile (see the crate docs); running it again on a migrated
/// profile changes nothing. A profile that does not decode is left as it is, to be
/// reported when read as before, rather than keep the whole database from opening.
fn migrate_profile(
    p: &TransactionalTree,
    s: &TransactionalTree,
    key: &[u8],
) -> Result<(), ConflictableTransactionError<StoreError>> {
    let Some(record) = p.get(key)? else { return Ok(()) };
    let Ok(mut sub) = decode_profile(&record) else { return Ok(()) };
    let node = serving::take(&mut sub);
    let encode = |node| serving::encode(node).map_err(ConflictableTransactionError::Abort);
    if node != ServingNode::default() {
        p.insert(key, encode_profile(&sub).map_err(ConflictableTransactionError::Abort)?)?;
        s.insert(key, encode(&node)?)?;
    } else if s.get(key)?.is_none() {
        s.insert(key, encode(&node)?)?;
    }
    Ok(())
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
