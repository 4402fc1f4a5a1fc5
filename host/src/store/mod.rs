//! The subscriber store as the host sees it: [`StoreHandle`], an async facade over a
//! store plugin, and [`loader`], which finds and opens one.
//!
//! Stores are native plugins behind the C ABI of
//! [`plughss_plugin_api::store::abi`]. Their operations are synchronous (a sled fsync,
//! a MongoDB round trip), so the handle runs each one on tokio's blocking pool: a slow
//! or stuck store holds a blocking thread, never a reactor thread that Diameter peers
//! and the API depend on.

pub mod auth_cache;
pub mod conformance;
pub mod loader;
pub mod record_cache;
pub mod serving_queue;

use std::fmt;
use std::sync::Arc;

use plughss_plugin_api::store::{ImsState, PutMode, ServingNode, Store, StoreError};
use plughss_plugin_api::subscriber::{AuthData, Subscriber};

use auth_cache::AuthCache;
pub use loader::{StoreLoadError, StoreSelection, open_store};
use record_cache::RecordCache;
use serving_queue::ServingQueue;

/// A shared, cheaply cloned handle to the open store. Every async method mirrors a
/// [`Store`] method and runs it with `tokio::task::spawn_blocking`, so it must be
/// called within a tokio runtime.
///
/// Dropping a method's future does not cancel the operation: it runs to completion on
/// its blocking thread and its result is discarded. For `reserve_sqn` that leaves a gap
/// in the SQN sequence, which TS 33.102 Annex C.2 allows; it never repeats a value.
///
/// With an auth cache ([`with_auth_cache`](Self::with_auth_cache)), `get_auth` is
/// answered from memory after the first read, and every write through this handle
/// keeps the cache in step. Only for stores that are the only writer of their data.
#[derive(Clone)]
pub struct StoreHandle {
    store: Arc<dyn Store>,
    name: Arc<str>,
    auth: Option<Arc<AuthCache>>,
    profiles: Option<Arc<RecordCache<Arc<Subscriber>>>>,
    /// Queues `update_serving` into batches, for stores that flush a batch at once.
    serving: Option<Arc<ServingQueue>>,
}

impl fmt::Debug for StoreHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreHandle").field("name", &self.name).finish_non_exhaustive()
    }
}

impl StoreHandle {
    /// Wraps an open store; `name` is for logs and errors.
    pub fn new(store: Arc<dyn Store>, name: impl Into<Arc<str>>) -> Self {
        let serving = store.traits().batches_serving.then(|| Arc::new(ServingQueue::default()));
        StoreHandle { store, name: name.into(), auth: None, profiles: None, serving }
    }

    /// Keeps up to `capacity` subscribers' keys and SQN in memory, if the store
    /// promises to be the only writer of its data (`StoreTraits::exclusive`); otherwise
    /// (or with `capacity` 0) every `get_auth` reads the store, so changes made by other
    /// programs are seen at once.
    pub fn with_auth_cache(mut self, capacity: usize) -> Self {
        self.auth =
            (capacity > 0 && self.store.traits().exclusive).then(|| Arc::new(AuthCache::new(capacity)));
        self
    }

    /// Keeps up to `capacity` subscriber profiles in memory for
    /// [`profile`](Self::profile), under the same condition as
    /// [`with_auth_cache`](Self::with_auth_cache).
    pub fn with_profile_cache(mut self, capacity: usize) -> Self {
        self.profiles =
            (capacity > 0 && self.store.traits().exclusive).then(|| Arc::new(RecordCache::new(capacity)));
        self
    }

    /// Whether `profile` is served from memory.
    pub fn caches_profiles(&self) -> bool {
        self.profiles.is_some()
    }

    /// Whether `get_auth` is served from memory.
    pub fn caches_auth(&self) -> bool {
        self.auth.is_some()
    }

    /// The store's name as the plugin reports it (e.g. `plughss-store-sled`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store itself, for code already on a blocking thread (and benchmarks).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs `f` on the blocking pool.
    async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<R, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
            Ok(result) => result,
            // The plugin glue catches panics inside the store; this is a panic in the
            // host's own marshalling, or the runtime shutting down.
            Err(e) if e.is_panic() => Err(StoreError::Internal(format!("store task panicked: {e}"))),
            Err(e) => Err(StoreError::Unavailable(format!("store task cancelled: {e}"))),
        }
    }

    /// Forgets `imsi`'s cached auth data once `result` is in: after the store applied
    /// (or failed) a write, never before (see [`auth_cache`]).
    fn forget<T>(&self, imsi: &str, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Some(c) = &self.auth {
            c.forget(imsi);
        }
        self.forget_profile(imsi, result)
    }

    /// Forgets `imsi`'s cached profile once `result` is in.
    fn forget_profile<T>(&self, imsi: &str, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if let Some(c) = &self.profiles {
            c.forget(imsi);
        }
        result
    }

    pub async fn put(
        &self,
        sub: Subscriber,
        auth: Option<AuthData>,
        mode: PutMode,
    ) -> Result<(), StoreError> {
        let imsi = sub.imsi.clone();
        // An update without keys keeps keys and SQN: nothing cached changes.
        let keys_change = auth.is_some() || mode == PutMode::Create;
        let r = self.run(move |s| s.put(&sub, auth.as_ref(), mode)).await;
        if keys_change { self.forget(&imsi, r) } else { self.forget_profile(&imsi, r) }
    }

    pub async fn put_many(&self, subs: Vec<(Subscriber, AuthData)>) -> Result<(), StoreError> {
        if self.auth.is_none() && self.profiles.is_none() {
            return self.run(move |s| s.put_many(&subs)).await;
        }
        let (auth, profiles) = (self.auth.clone(), self.profiles.clone());
        self.run(move |s| {
            let r = s.put_many(&subs);
            for (sub, _) in &subs {
                if let Some(c) = &auth {
                    c.forget(&sub.imsi);
                }
                if let Some(c) = &profiles {
                    c.forget(&sub.imsi);
                }
            }
            r
        })
        .await
    }

    /// The subscriber as stored now, SQN included: for the API.
    pub async fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        let imsi = imsi.to_owned();
        self.run(move |s| s.get(&imsi)).await
    }

    /// The subscriber's profile for the plugins, from memory when the profile cache
    /// holds it. Its `security.sqn` may be stale: plugins never see it, and the AuC
    /// reads the SQN with [`get_auth`](Self::get_auth).
    pub async fn profile(&self, imsi: &str) -> Result<Option<Arc<Subscriber>>, StoreError> {
        let seen = match self.profiles.as_ref().map(|c| c.get(imsi)) {
            Some(Ok(hit)) => return Ok(Some(hit)),
            Some(Err(generation)) => Some(generation),
            None => None,
        };
        let key = imsi.to_owned();
        let found = self.run(move |s| s.get(&key)).await?.map(Arc::new);
        if let (Some(cache), Some(seen), Some(sub)) = (&self.profiles, seen, &found) {
            cache.insert_if_current(imsi, seen, sub);
        }
        Ok(found)
    }

    pub async fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        let key = imsi.to_owned();
        let r = self.run(move |s| s.delete(&key)).await;
        self.forget(imsi, r)
    }

    pub async fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        let after = after.map(str::to_owned);
        self.run(move |s| s.list(after.as_deref(), limit)).await
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        self.run(|s| s.count()).await
    }

    /// Keys and SQN: for the AuC only, never for the API or a plugin.
    pub async fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
        let seen = match self.auth.as_ref().map(|c| c.get(imsi)) {
            Some(Ok(hit)) => return Ok(Some(hit)),
            Some(Err(generation)) => Some(generation),
            None => None,
        };
        let key = imsi.to_owned();
        let found = self.run(move |s| s.get_auth(&key)).await?;
        if let (Some(cache), Some(seen), Some(auth)) = (&self.auth, seen, &found) {
            cache.insert_if_current(imsi, seen, auth);
        }
        Ok(found)
    }

    /// See [`Store::reserve_sqn`]: returns the old SQN; the caller owns
    /// `old, old + step, ..` (`count` values), durably reserved.
    pub async fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
        let key = imsi.to_owned();
        let r = self.run(move |s| s.reserve_sqn(&key, count, step)).await;
        match (&self.auth, r) {
            (Some(cache), Ok(old)) => {
                cache.reserved(imsi, old, count, step);
                Ok(old)
            }
            (_, r) => self.forget(imsi, r),
        }
    }

    /// See [`Store::advance_sqn`]: raises the stored SQN to at least `sqn` and returns
    /// the stored SQN afterwards.
    pub async fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        let key = imsi.to_owned();
        let r = self.run(move |s| s.advance_sqn(&key, sqn)).await;
        match (&self.auth, r) {
            (Some(cache), Ok(now)) => {
                cache.set_sqn(imsi, now);
                Ok(now)
            }
            (_, r) => self.forget(imsi, r),
        }
    }

    /// Records the serving MME: queued into a batch when the store flushes batches at
    /// once ([`serving_queue`]), else one blocking call.
    pub async fn update_serving(&self, imsi: &str, node: ServingNode) -> Result<ServingNode, StoreError> {
        let (key, written) = (imsi.to_owned(), node.clone());
        let r = match &self.serving {
            Some(queue) => queue.update(&self.store, key, written).await,
            None => self.run(move |s| s.update_serving(&key, &written)).await,
        };
        match (&self.profiles, r) {
            (Some(cache), Ok(previous)) => {
                cache.update(imsi, |sub| {
                    let sub = Arc::make_mut(sub);
                    sub.mme_host = node.mme_host;
                    sub.mme_realm = node.mme_realm;
                    sub.mme_timestamp = node.mme_timestamp;
                    sub.purge_flag = node.purge_flag;
                });
                Ok(previous)
            }
            (_, r) => self.forget_profile(imsi, r),
        }
    }

    pub async fn set_ims_state(&self, imsi: &str, state: ImsState) -> Result<(), StoreError> {
        let key = imsi.to_owned();
        let r = self.run(move |s| s.set_ims_state(&key, &state)).await;
        // Rare (Cx SAR): forgetting is simpler than repeating the change.
        self.forget_profile(imsi, r)
    }

    /// Gives up this handle. If it was the last one, the store is closed (and, for
    /// sled, flushed) on a blocking thread before this returns, so the database can be
    /// reopened at once. Dropping the handle instead closes it wherever the drop runs.
    pub async fn close(self) {
        let store = self.store;
        // A panic while closing was already caught and dropped by the plugin glue.
        let _ = tokio::task::spawn_blocking(move || drop(store)).await;
    }
}
