//! [`MongoStore`]: the [`Store`] operations as MongoDB commands on the Open5GS
//! `subscribers` collection.
//!
//! The store owns a small tokio runtime (two threads) on which the async driver runs;
//! each [`Store`] method blocks its calling thread (one of the host's blocking threads)
//! until the command completes or [`MongoConfig::operation_timeout`] passes. Nothing is
//! cached: every call reads or writes the database, so changes made by the Open5GS
//! WebUI, `open5gs-dbctl` or another PlugHSS are seen by the next request.
//!
//! When the server goes away, commands fail fast as `Unavailable` (server selection
//! gives up after the configured timeout) and the driver's monitor reconnects by itself
//! when the server is back; no call is needed to recover.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use mongodb::bson::{Bson, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Client, Collection, IndexModel};
use plughss_plugin_api::store::abi::OpenStore;
use plughss_plugin_api::store::{
    ImsState, PutMode, SQN_MODULUS, ServingNode, Store, StoreError, StoreTraits,
};
use plughss_plugin_api::subscriber::{AuthData, Subscriber};
use tokio::runtime::Runtime;

use crate::config::MongoConfig;
use crate::errors::{is_duplicate_key, store_error};
use crate::read::{self, At};
use crate::write::{self, check_sqn, sqn_value};

/// Records per round trip in `put_many`.
const PUT_MANY_CHUNK: usize = 500;
/// Compare-and-set attempts to rewrite a stored SQN as an in-range Int64 before leaving
/// it to the next reservation.
const NORMALISE_ATTEMPTS: usize = 16;

/// The MongoDB store: see the crate docs for the document shape.
pub struct MongoStore {
    /// Dropped first, inside the runtime (the driver spawns its clean-up there).
    db: Option<Db>,
    runtime: Option<Runtime>,
    op_timeout: std::time::Duration,
    /// Whether the unique index on `imsi` was made (or found to be impossible).
    index_checked: AtomicBool,
}

struct Db {
    /// Kept so that the client outlives the collection handle in every drop order.
    _client: Client,
    subs: Collection<Document>,
}

impl OpenStore for MongoStore {
    /// Makes the client without contacting the server: PlugHSS starts even while
    /// MongoDB is down, answers 5012 meanwhile, and serves as soon as it is up.
    fn open(config: &serde_json::Value) -> Result<Self, StoreError> {
        let cfg = MongoConfig::from_json(config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("plughss-mongodb")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Internal(format!("cannot start the MongoDB store's runtime: {e}")))?;
        let db = runtime.block_on(async {
            let opts = cfg.client_options().await?;
            let database = cfg.database_name(&opts);
            let client = Client::with_options(opts)
                .map_err(|e| crate::numbers::invalid("store.uri", e.to_string()))?;
            let subs = client.database(&database).collection::<Document>(&cfg.collection);
            Ok::<_, StoreError>(Db { _client: client, subs })
        })?;
        Ok(MongoStore {
            db: Some(db),
            runtime: Some(runtime),
            op_timeout: cfg.operation_timeout(),
            index_checked: AtomicBool::new(false),
        })
    }
}

impl Drop for MongoStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            {
                let _inside = rt.enter();
                drop(self.db.take());
            }
            // Never blocks, never panics, whatever thread the host closes us on.
            rt.shutdown_background();
        }
    }
}

fn by_imsi(imsi: &str) -> Document {
    doc! { "imsi": imsi }
}

impl MongoStore {
    fn subs(&self) -> &Collection<Document> {
        // Only `drop` takes it.
        &self.db.as_ref().expect("the collection lives until drop").subs
    }

    /// Runs `f` on the store's runtime, blocking the calling thread.
    fn block<T>(&self, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        match &self.runtime {
            Some(rt) => rt.block_on(f),
            None => Err(StoreError::Unavailable("the MongoDB store is closed".into())),
        }
    }

    /// One round trip, bounded by the operation timeout: the driver's own result, or
    /// `Unavailable` when the server did not answer in time.
    async fn bounded<T>(
        &self,
        f: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<mongodb::error::Result<T>, StoreError> {
        tokio::time::timeout(self.op_timeout, f.into_future()).await.map_err(|_| {
            StoreError::Unavailable(format!(
                "MongoDB did not answer within {} ms",
                self.op_timeout.as_millis()
            ))
        })
    }

    /// [`MongoStore::bounded`] with driver errors mapped; `field` names what a
    /// misshapen document refuses (see [`store_error`]).
    async fn io<T>(
        &self,
        field: &str,
        f: impl IntoFuture<Output = mongodb::error::Result<T>>,
    ) -> Result<T, StoreError> {
        self.bounded(f).await?.map_err(|e| store_error(e, field))
    }

    /// Makes the unique index on `imsi` that the Open5GS WebUI makes (mongoose's
    /// `unique: true`), once. It turns two concurrent creates of one IMSI into one
    /// create and one duplicate-key error. If the server refuses it (duplicates already
    /// stored, no privilege), creates still refuse existing IMSIs, only without that
    /// guarantee against a simultaneous create.
    async fn ensure_index(&self) -> Result<(), StoreError> {
        if self.index_checked.load(Ordering::Relaxed) {
            return Ok(());
        }
        let model = IndexModel::builder()
            .keys(doc! { "imsi": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        match self.io("imsi", self.subs().create_index(model)).await {
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            Ok(_) | Err(_) => self.index_checked.store(true, Ordering::Relaxed),
        }
        Ok(())
    }

    async fn create(&self, sub: &Subscriber, auth: &AuthData) -> Result<(), StoreError> {
        let document = write::new_document(sub, auth)?;
        self.ensure_index().await?;
        // An upsert that only inserts: an existing IMSI matches and is left alone.
        let upsert =
            self.subs().update_one(by_imsi(&sub.imsi), doc! { "$setOnInsert": document }).upsert(true);
        match self.bounded(upsert).await? {
            Ok(r) if r.matched_count > 0 => Err(StoreError::Conflict),
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(StoreError::Conflict),
            Err(e) => Err(store_error(e, "imsi")),
        }
    }

    /// Replaces the profile (and with `auth` the keys) of an existing subscriber,
    /// keeping the fields PlugHSS does not model ([`write::replace_update`]).
    async fn replace(&self, sub: &Subscriber, auth: Option<&AuthData>) -> Result<(), StoreError> {
        write::validate(sub, auth)?;
        let Some(existing) = self.io("imsi", self.subs().find_one(by_imsi(&sub.imsi))).await? else {
            return Err(StoreError::NotFound);
        };
        let update = write::replace_update(sub, auth, &existing)?;
        let filter = match existing.get("_id") {
            Some(id) => doc! { "_id": id.clone() },
            None => by_imsi(&sub.imsi),
        };
        let r = self.io("plughss", self.subs().update_one(filter, update)).await?;
        if r.matched_count == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Rewrites `security.sqn` as an Int64 below 2^48 when it is not one: after a
    /// reservation that crossed 2^48 (TS 33.102 Annex C wrap), or one that found the
    /// SQN as an Int32 or a Double (`$inc` keeps a Double a Double, and Open5GS reads
    /// only an Int64). A compare-and-set on the value read, so a concurrent `$inc` is
    /// never lost; bounded, as the next reservation tries again.
    async fn normalise_sqn(&self, imsi: &str) -> Result<(), StoreError> {
        for _ in 0..NORMALISE_ATTEMPTS {
            let found =
                self.io("security.sqn", self.subs().find_one(by_imsi(imsi)).projection(sqn_only())).await?;
            let Some(found) = found else { return Ok(()) };
            let Some(raw) = stored_sqn_raw(&found)? else { return Ok(()) };
            let n = crate::numbers::as_u64("security.sqn", &raw)?;
            if matches!(raw, Bson::Int64(_)) && n < SQN_MODULUS {
                return Ok(());
            }
            let mut filter = by_imsi(imsi);
            filter.insert("security.sqn", raw);
            let set = doc! { "$set": { "security.sqn": sqn_value(n) } };
            if self.io("security.sqn", self.subs().update_one(filter, set)).await?.matched_count > 0 {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The projection for reading `security.sqn`: the whole `security` document, because a
/// dotted projection comes back flattened (`{"security.sqn": ..}`) from some
/// MongoDB-compatible servers (nx-27017).
fn sqn_only() -> Document {
    doc! { "security": 1, "_id": 0 }
}

/// `security.sqn` as stored, `None` when absent or null; `Invalid` when `security` is
/// not a document (a server may leave such a document alone under `$inc`).
fn stored_sqn_raw(d: &Document) -> Result<Option<Bson>, StoreError> {
    let security = At::root(d).doc_opt("security")?;
    Ok(security.and_then(|s| s.get("sqn").cloned()))
}

impl Store for MongoStore {
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
        write::validate(sub, auth)?;
        match (mode, auth) {
            (PutMode::Create, None) => {
                Err(crate::numbers::invalid("auth", "keys are required to create a subscriber"))
            }
            (PutMode::Create, Some(a)) => self.block(self.create(sub, a)),
            (PutMode::Update, auth) => self.block(self.replace(sub, auth)),
        }
    }

    /// Validates everything first (a bad record stores nothing), then per chunk: one
    /// query for the IMSIs that exist, one unordered insert of the new ones, and a
    /// replace of each existing one (and of any created meanwhile by someone else).
    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        let docs =
            subs.iter().map(|(s, a)| write::new_document(s, a)).collect::<Result<Vec<_>, StoreError>>()?;
        self.block(async {
            self.ensure_index().await?;
            for (chunk, docs) in subs.chunks(PUT_MANY_CHUNK).zip(docs.chunks(PUT_MANY_CHUNK)) {
                let imsis: Vec<&str> = chunk.iter().map(|(s, _)| s.imsi.as_str()).collect();
                let mut cursor = self
                    .io(
                        "imsi",
                        self.subs().find(doc! { "imsi": { "$in": &imsis } }).projection(doc! { "imsi": 1 }),
                    )
                    .await?;
                let mut existing = std::collections::HashSet::new();
                while self.io("imsi", cursor.advance()).await? {
                    if let Ok(imsi) = cursor.current().get_str("imsi") {
                        existing.insert(imsi.to_owned());
                    }
                }
                let mut fresh = Vec::new();
                let mut seen = std::collections::HashSet::new();
                let mut later = Vec::new();
                for (i, (s, _)) in chunk.iter().enumerate() {
                    // A repeated IMSI in the batch replaces its earlier record, in order.
                    if existing.contains(&s.imsi) || !seen.insert(s.imsi.as_str()) {
                        later.push(i);
                    } else {
                        fresh.push(i);
                    }
                }
                if !fresh.is_empty() {
                    let insert =
                        self.subs().insert_many(fresh.iter().map(|&i| docs[i].clone())).ordered(false);
                    match self.bounded(insert).await? {
                        Ok(_) => {}
                        Err(e) => match &*e.kind {
                            // Created by someone else since the query: replace those.
                            ErrorKind::InsertMany(m)
                                if m.write_concern_error.is_none()
                                    && m.write_errors.as_ref().is_some_and(|w| {
                                        w.iter().all(|w| w.code == crate::errors::DUPLICATE_KEY)
                                    }) =>
                            {
                                let failed = m.write_errors.iter().flatten().map(|w| fresh[w.index]);
                                later.extend(failed);
                                later.sort_unstable();
                            }
                            _ => return Err(store_error(e, "imsi")),
                        },
                    }
                }
                for i in later {
                    let (s, a) = &chunk[i];
                    self.replace(s, Some(a)).await?;
                }
            }
            Ok(())
        })
    }

    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        let found = self.block(self.io("imsi", self.subs().find_one(by_imsi(imsi))))?;
        found.map(|d| read::subscriber(&d)).transpose()
    }

    fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        let r = self.block(self.io("imsi", self.subs().delete_one(by_imsi(imsi))))?;
        Ok(r.deleted_count > 0)
    }

    /// IMSI order is MongoDB's string order (byte order of the digits), as sled's. A
    /// document that does not read as a subscriber is skipped, so one bad document does
    /// not hide the others (`get` of its IMSI names the field at fault).
    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        if limit == 0 {
            // MongoDB reads a limit of 0 as "no limit".
            return Ok(Vec::new());
        }
        let filter = match after {
            Some(a) => doc! { "imsi": { "$gt": a } },
            None => doc! { "imsi": { "$type": "string" } },
        };
        let batch = u32::try_from(limit.saturating_add(1)).unwrap_or(u32::MAX).min(1000);
        self.block(async {
            let mut cursor =
                self.io("imsi", self.subs().find(filter).sort(doc! { "imsi": 1 }).batch_size(batch)).await?;
            let mut out = Vec::with_capacity(limit.min(1024));
            while out.len() < limit && self.io("imsi", cursor.advance()).await? {
                let Ok(raw) = cursor.deserialize_current() else { continue };
                if let Ok(sub) = read::subscriber(&raw) {
                    out.push(sub);
                }
            }
            Ok(out)
        })
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.block(self.io("imsi", self.subs().count_documents(doc! {})))
    }

    fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
        // Top-level fields only (see `sqn_only`).
        let keys = doc! { "security": 1, "plughss": 1, "_id": 0 };
        let found = self.block(self.io("imsi", self.subs().find_one(by_imsi(imsi)).projection(keys)))?;
        found.map(|d| read::auth(&d)).transpose()
    }

    /// One atomic `$inc` of `security.sqn` by `count * step` (mod 2^48) returning the
    /// document before it: atomic against any number of PlugHSS instances and Open5GS
    /// itself (MongoDB applies single-document updates atomically). An Int64 increment
    /// turns an Int32 or absent SQN into an Int64; a wrap past 2^48 or a Double is
    /// rewritten afterwards ([`MongoStore::normalise_sqn`]), as Open5GS itself follows
    /// its `$inc` with a `$bit and` (lib/dbi/subscription.c).
    fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
        let advance = u64::from(count).wrapping_mul(step) % SQN_MODULUS;
        self.block(async {
            let inc = doc! { "$inc": { "security.sqn": sqn_value(advance) } };
            let before = self
                .io(
                    "security.sqn",
                    self.subs()
                        .find_one_and_update(by_imsi(imsi), inc)
                        .projection(sqn_only())
                        .return_document(ReturnDocument::Before),
                )
                .await?;
            let Some(before) = before else { return Err(StoreError::NotFound) };
            let raw = stored_sqn_raw(&before)?;
            let old = match &raw {
                None => 0,
                Some(v) => crate::numbers::as_u64("security.sqn", v)?,
            };
            let exact_int64 = matches!(raw, None | Some(Bson::Int64(_)));
            if !exact_int64 || old % SQN_MODULUS + advance >= SQN_MODULUS || old >= SQN_MODULUS {
                self.normalise_sqn(imsi).await?;
            }
            Ok(old % SQN_MODULUS)
        })
    }

    /// One atomic `$max` of `security.sqn`, answered with the value after it: atomic
    /// against `reserve_sqn`'s `$inc` from any PlugHSS or Open5GS sharing the database.
    fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        check_sqn(sqn)?;
        self.block(async {
            let raise = doc! { "$max": { "security.sqn": sqn_value(sqn) } };
            let after = self
                .io(
                    "security.sqn",
                    self.subs()
                        .find_one_and_update(by_imsi(imsi), raise)
                        .projection(sqn_only())
                        .return_document(ReturnDocument::After),
                )
                .await?;
            let raw = stored_sqn_raw(&after.ok_or(StoreError::NotFound)?)?;
            let now = raw.as_ref().map_or(Ok(0), |v| crate::numbers::as_u64("security.sqn", v))?;
            if !matches!(raw, Some(Bson::Int64(_))) || now >= SQN_MODULUS {
                self.normalise_sqn(imsi).await?;
            }
            Ok(now % SQN_MODULUS)
        })
    }

    /// Writes the serving MME as Open5GS's ULR handler does and returns the one recorded
    /// before. A previous value of the wrong shape reads as none: it must not stop a ULR.
    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
        let update = write::serving_update(node)?;
        let fields = doc! { "mme_host": 1, "mme_realm": 1, "mme_timestamp": 1, "purge_flag": 1, "_id": 0 };
        let before = self.block(
            self.io(
                "mme_host",
                self.subs()
                    .find_one_and_update(by_imsi(imsi), update)
                    .projection(fields)
                    .return_document(ReturnDocument::Before),
            ),
        )?;
        let before = before.ok_or(StoreError::NotFound)?;
        Ok(read::serving(&At::root(&before)).unwrap_or_default())
    }

    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
        let mut update =
            doc! { "$set": { "plughss.ims.registration_state": state.registration_state.as_str() } };
        match &state.scscf {
            Some(s) => {
                if let Ok(set) = update.get_document_mut("$set") {
                    set.insert("plughss.ims.scscf", s.as_str());
                }
            }
            None => {
                update.insert("$unset", doc! { "plughss.ims.scscf": "" });
            }
        }
        let r = self.block(self.io("plughss", self.subs().update_one(by_imsi(imsi), update)))?;
        if r.matched_count == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Not exclusive: the WebUI, `open5gs-dbctl`, Open5GS and other PlugHSS instances
    /// write the same documents, so the host must not keep keys or SQNs between requests.
    fn traits(&self) -> StoreTraits {
        StoreTraits { exclusive: false, batches_serving: false }
    }
}
