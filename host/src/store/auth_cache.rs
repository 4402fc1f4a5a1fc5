//! Keys and SQN held in memory for a store that is the only writer of its data
//! ([`StoreTraits::exclusive`](plughss_plugin_api::store::StoreTraits)), so an AIR
//! needs no store round trip: every change to the data passes through the
//! [`StoreHandle`](super::StoreHandle), which keeps this cache in step.
//!
//! A [`RecordCache`], whose rules keep it correct, plus the SQN arithmetic that
//! follows the store's reservations.

use plughss_plugin_api::store::SQN_MODULUS;
use plughss_plugin_api::subscriber::AuthData;

use super::record_cache::{Generation, RecordCache};

pub struct AuthCache {
    records: RecordCache<AuthData>,
}

impl AuthCache {
    /// A cache of at most about `capacity` subscribers.
    pub fn new(capacity: usize) -> Self {
        AuthCache { records: RecordCache::new(capacity) }
    }

    /// The cached auth data, or the generation to hand back to
    /// [`insert_if_current`](Self::insert_if_current) after reading the store.
    pub fn get(&self, imsi: &str) -> Result<AuthData, Generation> {
        self.records.get(imsi)
    }

    /// Caches what a store read returned, unless a write happened since `seen`.
    pub fn insert_if_current(&self, imsi: &str, seen: Generation, auth: &AuthData) {
        self.records.insert_if_current(imsi, seen, auth);
    }

    /// The subscriber's auth data changed in a way not tracked here (new keys, deleted,
    /// or a failed write whose outcome is unknown).
    pub fn forget(&self, imsi: &str) {
        self.records.forget(imsi);
    }

    /// The store's SQN is now `sqn`.
    pub fn set_sqn(&self, imsi: &str, sqn: u64) {
        self.records.update(imsi, |e| e.sqn = sqn % SQN_MODULUS);
    }

    /// `reserve_sqn(imsi, count, step)` returned `old`: the store now holds
    /// `old + count * step` modulo 2^48 (the contract of `Store::reserve_sqn`).
    pub fn reserved(&self, imsi: &str, old: u64, count: u32, step: u64) {
        let advance = u64::from(count).wrapping_mul(step) % SQN_MODULUS;
        self.set_sqn(imsi, (old % SQN_MODULUS + advance) % SQN_MODULUS);
    }

    /// Number of cached subscribers.
    pub fn len(&self) -> usize {
        self.records.len()
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
}
