//! A bounded, sharded map from IMSI to a record held in memory for a store that is the
//! only writer of its data ([`StoreTraits::exclusive`](plughss_plugin_api::store::StoreTraits)).
//! Every change to the data passes through the [`StoreHandle`](super::StoreHandle),
//! which keeps the cache in step; [`auth_cache`](super::auth_cache) and the profile
//! cache are built on it.
//!
//! Correctness rests on two rules, both enforced under the shard's lock:
//! * every write to a subscriber's record updates or forgets its entry *after* the
//!   store has applied it, and bumps the shard's generation;
//! * an entry read from the store on a miss is inserted only if its shard's generation
//!   is still the one seen before the read. A read that raced with a write is dropped
//!   instead of caching the value the write replaced.
//!
//! A full shard forgets an arbitrary entry to make room; a forgotten subscriber is read
//! from the store again on its next request.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

const SHARDS: usize = 64;

/// A generation number seen before a store read (see [`RecordCache::insert_if_current`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

struct Shard<V> {
    entries: HashMap<Box<str>, V>,
    generation: u64,
}

pub struct RecordCache<V> {
    shards: Box<[Mutex<Shard<V>>]>,
    per_shard: usize,
}

impl<V: Clone> RecordCache<V> {
    /// A cache of at most about `capacity` subscribers (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        RecordCache {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Shard { entries: HashMap::new(), generation: 0 }))
                .collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn shard(&self, imsi: &str) -> MutexGuard<'_, Shard<V>> {
        // FNV-1a: IMSIs of one range differ in their last digits, which this spreads.
        let h = imsi
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        // A panic while holding a shard lock leaves a consistent map (no operation here
        // panics half-way), so a poisoned lock is still usable.
        self.shards[(h % SHARDS as u64) as usize].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached record, or the generation to hand back to
    /// [`insert_if_current`](Self::insert_if_current) after reading the store.
    pub fn get(&self, imsi: &str) -> Result<V, Generation> {
        let shard = self.shard(imsi);
        shard.entries.get(imsi).cloned().ok_or(Generation(shard.generation))
    }

    /// Caches what a store read returned, unless a write to the shard happened since
    /// `seen` was taken (the read may then predate it).
    pub fn insert_if_current(&self, imsi: &str, seen: Generation, value: &V) {
        let mut shard = self.shard(imsi);
        if shard.generation != seen.0 {
            return;
        }
        if shard.entries.len() >= self.per_shard && !shard.entries.contains_key(imsi) {
            let victim = shard.entries.keys().next().cloned();
            if let Some(v) = victim {
                shard.entries.remove(&v);
            }
        }
        shard.entries.insert(imsi.into(), value.clone());
    }

    /// The subscriber's record changed in a way not tracked here (replaced, deleted, or
    /// a failed write whose outcome is unknown).
    pub fn forget(&self, imsi: &str) {
        let mut shard = self.shard(imsi);
        shard.generation += 1;
        shard.entries.remove(imsi);
    }

    /// The store applied a change that `f` repeats on the cached record, if any.
    pub fn update(&self, imsi: &str, f: impl FnOnce(&mut V)) {
        let mut shard = self.shard(imsi);
        shard.generation += 1;
        if let Some(e) = shard.entries.get_mut(imsi) {
            f(e);
        }
    }

    /// Number of cached subscribers.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).entries.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_with_a_write_is_not_cached() {
        let c = RecordCache::<u32>::new(100);
        let seen = c.get("001010000000001").unwrap_err();
        // A write lands between the store read and the insert.
        c.forget("001010000000001");
        c.insert_if_current("001010000000001", seen, &5);
        assert!(c.get("001010000000001").is_err(), "the pre-write value must not be cached");
        let seen = c.get("001010000000001").unwrap_err();
        c.insert_if_current("001010000000001", seen, &7);
        assert_eq!(c.get("001010000000001"), Ok(7));
        // An update of an uncached record still invalidates racing reads.
        let seen = c.get("001010000000002").unwrap_err();
        c.update("001010000000002", |v| *v += 1);
        c.insert_if_current("001010000000002", seen, &1);
        assert!(c.get("001010000000002").is_err());
        c.update("001010000000001", |v| *v += 1);
        assert_eq!(c.get("001010000000001"), Ok(8));
    }

    #[test]
    fn stays_within_its_capacity() {
        let c = RecordCache::<u32>::new(SHARDS * 2);
        for i in 0..10_000u32 {
            let imsi = format!("00101{i:010}");
            let seen = c.get(&imsi).unwrap_err();
            c.insert_if_current(&imsi, seen, &i);
        }
        assert!(c.len() <= SHARDS * 2, "{} entries", c.len());
        assert!(c.len() >= SHARDS, "every shard keeps entries: {}", c.len());
    }
}
