//! Keys and SQN held in memory for a store that is the only writer of its data
//! ([`StoreTraits::exclusive`](plughss_plugin_api::store::StoreTraits)), so an AIR
//! needs no store round trip: every change to the data passes through the
//! [`StoreHandle`](super::StoreHandle), which keeps this cache in step.
//!
//! Correctness rests on two rules, both enforced under the shard's lock:
//! * every write to a subscriber's auth data updates or forgets its entry *after* the
//!   store has applied it, and bumps the shard's generation;
//! * an entry read from the store on a miss is inserted only if its shard's generation
//!   is still the one seen before the read. A read that raced with a write is dropped
//!   instead of caching the value the write replaced.
//!
//! The cache is bounded: a full shard forgets an arbitrary entry to make room. A
//! forgotten subscriber is read from the store again on its next request.

use std::collections::HashMap;
use std::sync::Mutex;

use plughss_plugin_api::store::SQN_MODULUS;
use plughss_plugin_api::subscriber::AuthData;

const SHARDS: usize = 64;

/// A generation number seen before a store read (see [`AuthCache::insert_if_current`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

#[derive(Default)]
struct Shard {
    entries: HashMap<Box<str>, AuthData>,
    generation: u64,
}

pub struct AuthCache {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
}

impl AuthCache {
    /// A cache of at most about `capacity` subscribers (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        AuthCache {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn shard(&self, imsi: &str) -> std::sync::MutexGuard<'_, Shard> {
        // FNV-1a: IMSIs of one range differ in their last digits, which this spreads.
        let h = imsi
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        // A panic while holding a shard lock leaves a consistent map (no operation here
        // panics half-way), so a poisoned lock is still usable.
        self.shards[(h % SHARDS as u64) as usize].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached auth data, or the generation to hand back to
    /// [`insert_if_current`](Self::insert_if_current) after reading the store.
    pub fn get(&self, imsi: &str) -> Result<AuthData, Generation> {
        let shard = self.shard(imsi);
        shard.entries.get(imsi).cloned().ok_or(Generation(shard.generation))
    }

    /// Caches what a store read returned, unless a write to the shard happened since
    /// `seen` was taken (the read may then predate it).
    pub fn insert_if_current(&self, imsi: &str, seen: Generation, auth: &AuthData) {
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
        shard.entries.insert(imsi.into(), auth.clone());
    }

    /// The subscriber's auth data changed in a way not tracked here (new keys, deleted,
    /// or a failed write whose outcome is unknown).
    pub fn forget(&self, imsi: &str) {
        let mut shard = self.shard(imsi);
        shard.generation += 1;
        shard.entries.remove(imsi);
    }

    /// The store's SQN is now `sqn`.
    pub fn set_sqn(&self, imsi: &str, sqn: u64) {
        let mut shard = self.shard(imsi);
        shard.generation += 1;
        if let Some(e) = shard.entries.get_mut(imsi) {
            e.sqn = sqn % SQN_MODULUS;
        }
    }

    /// `reserve_sqn(imsi, count, step)` returned `old`: the store now holds
    /// `old + count * step` modulo 2^48 (the contract of `Store::reserve_sqn`).
    pub fn reserved(&self, imsi: &str, old: u64, count: u32, step: u64) {
        let advance = u64::from(count).wrapping_mul(step) % SQN_MODULUS;
        self.set_sqn(imsi, (old % SQN_MODULUS + advance) % SQN_MODULUS);
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
    use plughss_plugin_api::subscriber::OpcOrOp;

    fn auth(sqn: u64) -> AuthData {
        AuthData { k: [1; 16], opc: OpcOrOp::Opc([2; 16]), amf: [0x80, 0], sqn, digest_ha1: None }
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_cached() {
        let c = AuthCache::new(100);
        let seen = c.get("001010000000001").unwrap_err();
        // A write lands between the store read and the insert.
        c.forget("001010000000001");
        c.insert_if_current("001010000000001", seen, &auth(5));
        assert!(c.get("001010000000001").is_err(), "the pre-write value must not be cached");
        let seen = c.get("001010000000001").unwrap_err();
        c.insert_if_current("001010000000001", seen, &auth(7));
        assert_eq!(c.get("001010000000001").unwrap().sqn, 7);
    }

    #[test]
    fn reservations_and_sets_follow_the_store_modulo_2_48() {
        let c = AuthCache::new(100);
        let seen = c.get("001010000000002").unwrap_err();
        c.insert_if_current("001010000000002", seen, &auth(64));
        c.reserved("001010000000002", 64, 32, 32);
        assert_eq!(c.get("001010000000002").unwrap().sqn, 64 + 32 * 32);
        c.reserved("001010000000002", SQN_MODULUS - 32, 2, 32);
        assert_eq!(c.get("001010000000002").unwrap().sqn, 32, "wraps like the store");
        c.set_sqn("001010000000002", 9);
        assert_eq!(c.get("001010000000002").unwrap().sqn, 9);
        // A reservation for an uncached subscriber still invalidates racing reads.
        let seen = c.get("001010000000003").unwrap_err();
        c.reserved("001010000000003", 0, 1, 32);
        c.insert_if_current("001010000000003", seen, &auth(0));
        assert!(c.get("001010000000003").is_err());
    }

    #[test]
    fn stays_within_its_capacity() {
        let c = AuthCache::new(SHARDS * 2);
        for i in 0..10_000u32 {
            let imsi = format!("00101{i:010}");
            let seen = c.get(&imsi).unwrap_err();
            c.insert_if_current(&imsi, seen, &auth(u64::from(i)));
        }
        assert!(c.len() <= SHARDS * 2, "{} entries", c.len());
        assert!(c.len() >= SHARDS, "every shard keeps entries: {}", c.len());
    }
}
