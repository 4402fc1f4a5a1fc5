//! The AuC as a service: fetches a subscriber's keys from the store, hands out SQNs from
//! durably reserved blocks, and computes vectors natively. Keys never leave this module
//! except inside the `Milenage` state that computes with them.
//!
//! SQN policy (TS 33.102 Annex C): the store keeps the next SQN to issue. The AuC
//! reserves `block` SEQ values at a time with one atomic store operation and hands them
//! out from memory, so the store round trip is paid once per block, not per vector.
//! A reservation is durable before any of its values is used, so after a crash the next
//! reservation starts above everything issued before: issued SQNs only move forward.
//! Unused values of a block are skipped, which the USIM's SQN window tolerates.
//!
//! Refill ahead: once half a subscriber's block is used, the next block is reserved in
//! the background, so under steady load a vector request never waits for the store's
//! fsync (which would otherwise put one request in every `block` into the tail
//! latency). The ahead block is used only once the current one is exhausted, and only if
//! it starts above it: SQNs still only move forward.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use plughss_plugin_api::store::StoreError;
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp};

use super::sqn::{SqnBlock, SqnPolicy, sqn_to_bytes};
use super::vectors::{self, EutranVector, GeranVector, ImsAkaVector, UtranVector, with_separation_bit};
use super::{Milenage, ResyncError};
use crate::store::StoreHandle;

/// Why no vectors could be produced.
#[derive(Debug, thiserror::Error)]
pub enum AucFailure {
    #[error("unknown subscriber")]
    UnknownSubscriber,
    /// TS 33.102 6.3.5: MAC-S did not verify; the SQN was not changed.
    #[error("resynchronisation failed: MAC-S does not verify")]
    ResyncFailed,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AucFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AucFailure::UnknownSubscriber,
            e => AucFailure::Store(e),
        }
    }
}

/// RAND and AUTS from Re-Synchronization-Info.
#[derive(Clone, Copy)]
pub struct Resync {
    pub rand: [u8; 16],
    pub auts: [u8; 14],
}

pub struct Auc {
    store: StoreHandle,
    policy: SqnPolicy,
    /// IND used for every vector this node issues (TS 33.102 C.1.2). Several nodes
    /// sharing one store should each use their own IND so their blocks never collide in
    /// one USIM array slot.
    ind: u32,
    block: u32,
    lanes: Arc<Mutex<HashMap<String, Lane>>>,
    /// Vector requests for one subscriber run one at a time (sharded by IMSI), so the
    /// stored SQN read with the keys is never older than this node's last reservation.
    shards: Vec<tokio::sync::Mutex<()>>,
}

const SHARDS: usize = 256;

/// One subscriber's reserved SQNs: the block in use, the block reserved ahead of it,
/// and whether an ahead reservation is under way.
#[derive(Debug)]
struct Lane {
    current: SqnBlock,
    ahead: Option<SqnBlock>,
    reserving_ahead: bool,
    /// Bumped whenever a reservation lands, so a store read that an ahead reservation
    /// overtook is recognised as older than the lane (see `drop_stale_block`).
    landed: u64,
}

impl Lane {
    fn new(current: SqnBlock) -> Self {
        Lane { current, ahead: None, reserving_ahead: false, landed: 0 }
    }

    /// The end of the newest reservation, which the store holds.
    fn reserved_end(&self) -> u64 {
        self.ahead.as_ref().unwrap_or(&self.current).end_seq()
    }

    /// The SEQ [`take`](Self::take) would hand out next, if any.
    fn next_seq(&self) -> Option<u64> {
        self.current.peek().or_else(|| self.ahead.as_ref().and_then(SqnBlock::peek))
    }

    /// The next SEQ, moving on to the ahead block when the current one is used up.
    fn take(&mut self) -> Option<u64> {
        if let Some(seq) = self.current.take() {
            return Some(seq);
        }
        self.current = self.ahead.take()?;
        self.current.take()
    }
}

/// At most this many vectors per request (TS 29.272 7.3.23 allows up to 5 per type;
/// the margin covers other interfaces).
pub const MAX_VECTORS: u32 = 32;

impl Auc {
    pub fn new(store: StoreHandle, policy: SqnPolicy, ind: u32, block: u32) -> Self {
        Auc {
            store,
            policy,
            ind: ind.min(policy.ind_max()),
            block: block.max(1),
            lanes: Arc::new(Mutex::new(HashMap::new())),
            shards: (0..SHARDS).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    pub fn store(&self) -> &StoreHandle {
        &self.store
    }

    fn shard(&self, imsi: &str) -> &tokio::sync::Mutex<()> {
        let h = imsi.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        &self.shards[h % SHARDS]
    }

    async fn keys(&self, imsi: &str) -> Result<(Milenage, [u8; 2]), AucFailure> {
        let landed = self.lanes().get(imsi).map(|l| l.landed);
        let auth: AuthData = self.store.get_auth(imsi).await?.ok_or(AucFailure::UnknownSubscriber)?;
        if let Some(floor) = self.check_lane(imsi, auth.sqn, landed) {
            let now = self.store.advance_sqn(imsi, floor).await?;
            tracing::warn!(
                imsi,
                stored = auth.sqn,
                now,
                "stored SQN was below SQNs already reserved; raised it"
            );
        }
        let m = match auth.opc {
            OpcOrOp::Opc(opc) => Milenage::new(&auth.k, &opc),
            OpcOrOp::Op(op) => Milenage::from_op(&auth.k, &op),
        };
        Ok((m, auth.amf))
    }

    fn lanes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Lane>> {
        self.lanes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After our last reservation the store holds our newest block's end. A higher
    /// value means someone else reserved or raised it (another node sharing the store,
    /// a resynchronisation there, an operator's explicit SQN): the blocks are dropped
    /// and the next vector reserves afresh above it. A lower value means the store
    /// forgot SQNs this node reserved (the subscriber deleted and created again, a
    /// program other than PlugHSS writing the SQN): the blocks are kept and the returned
    /// floor is written back (`advance_sqn`), so no SQN is issued twice. Gaps are
    /// harmless; reuse is not (TS 33.102 C.1). While an ahead reservation is under way
    /// the store may already hold its end, and a reservation that landed after the
    /// store read (`landed` was taken before it) makes the read older than the lane:
    /// then the check waits for the next request.
    fn check_lane(&self, imsi: &str, stored_sqn: u64, landed: Option<u64>) -> Option<u64> {
        let (stored_seq, _) = self.policy.split(stored_sqn);
        let mut lanes = self.lanes();
        let lane = lanes.get(imsi).filter(|l| !l.reserving_ahead && Some(l.landed) == landed)?;
        let end = lane.reserved_end();
        if stored_seq > end {
            lanes.remove(imsi);
            None
        } else if stored_seq < end {
            Some(self.policy.join(end, self.ind))
        } else {
            None
        }
    }

    /// `count` SQNs, each above every SQN issued before for this subscriber.
    async fn take_sqns(&self, imsi: &str, count: u32) -> Result<Vec<u64>, AucFailure> {
        let mut out = Vec::with_capacity(count as usize);
        while out.len() < count as usize {
            let got = {
                let mut lanes = self.lanes();
                lanes.get_mut(imsi).and_then(|l| {
                    let seq = l.take();
                    self.maybe_reserve_ahead(imsi, l);
                    seq
                })
            };
            match got {
                Some(seq) => out.push(self.policy.join(seq, self.ind)),
                None => self.refill(imsi, count as usize - out.len()).await?,
            }
        }
        Ok(out)
    }

    /// Starts reserving the next block in the background once half of the current one
    /// is used (see the module docs). Needs a tokio runtime, as every AuC call does.
    fn maybe_reserve_ahead(&self, imsi: &str, lane: &mut Lane) {
        if lane.reserving_ahead
            || lane.ahead.is_some()
            || lane.current.remaining() > u64::from(self.block / 2)
        {
            return;
        }
        lane.reserving_ahead = true;
        let (store, lanes, policy, len) = (self.store.clone(), self.lanes.clone(), self.policy, self.block);
        let imsi = imsi.to_owned();
        tokio::spawn(async move {
            let step = 1u64 << policy.ind_bits();
            let reserved = store.reserve_sqn(&imsi, len, step).await;
            let mut lanes = lanes.lock().unwrap_or_else(|p| p.into_inner());
            // The lane may have been dropped (stale, resynchronised) meanwhile: then the
            // reservation is a harmless gap.
            let Some(lane) = lanes.get_mut(&imsi) else { return };
            lane.reserving_ahead = false;
            match reserved {
                // The store held our newest block's end: the new block follows it.
                Ok(old) if policy.split(old).0 == lane.reserved_end() => {
                    lane.ahead = Some(policy.reserve(policy.split(old).0, u64::from(len)));
                    lane.landed += 1;
                }
                // The SQN was changed behind us (see `drop_stale_block`): start afresh
                // from the stored value at the next request.
                Ok(_) => {
                    lanes.remove(&imsi);
                }
                Err(e) => {
                    tracing::debug!(imsi, error = %e, "SQN reservation ahead failed; the next request reserves")
                }
            }
        });
    }

    /// Reserves a new block in the store (one atomic operation) and makes it current.
    async fn refill(&self, imsi: &str, at_least: usize) -> Result<(), AucFailure> {
        let len = self.block.max(at_least as u32);
        let step = 1u64 << self.policy.ind_bits();
        let old = self.store.reserve_sqn(imsi, len, step).await?;
        let (seq, _) = self.policy.split(old);
        // The store advanced modulo 2^48; a block crossing the top is cut short and the
        // next reservation starts again from the wrapped value (TS 33.102 C.2 wrap).
        let block = self.policy.reserve(seq, u64::from(len));
        let start = block.end_seq() - block.remaining();
        let mut lanes = self.lanes();
        // Two callers may refill at once (or an ahead reservation may land); the later
        // reservation is the higher one. Never let a lower block replace a higher one,
        // or SQNs would go backwards (TS 33.102 C.1: the USIM rejects an SQN not above
        // what it has seen). A stale block's values are skipped, which the USIM
        // tolerates.
        match lanes.get_mut(imsi) {
            Some(lane) if lane.reserved_end() > start => {}
            Some(lane) => {
                lane.current = block;
                lane.ahead = None;
                lane.landed += 1;
            }
            None => {
                lanes.insert(imsi.to_string(), Lane::new(block));
            }
        }
        Ok(())
    }

    /// Verifies AUTS and moves SEQ_HE past SEQ_MS (TS 33.102 6.3.5, C.3.4); on a bad
    /// MAC-S nothing changes. SEQ_HE never moves back: when the next SEQ this node
    /// would issue is above SEQ_MS, the USIM accepts it and SEQ_HE stays (6.3.5: the
    /// HE resets SQN_HE only when the next SQN generated from it would be refused). An
    /// AUTS crosses the radio in clear and can be replayed, so an old one must not
    /// roll SEQ_HE back into values already issued: the store only raises the SQN.
    async fn resync(&self, imsi: &str, m: &Milenage, r: &Resync) -> Result<(), AucFailure> {
        let sqn_ms = match vectors::resync(m, &r.rand, &r.auts) {
            Ok(s) => s,
            Err(ResyncError::MacFailure) => {
                tracing::warn!(imsi, "resynchronisation refused: MAC-S does not verify; SQN unchanged");
                return Err(AucFailure::ResyncFailed);
            }
        };
        let (seq_ms, _) = self.policy.split(sqn_ms);
        let next_seq = self.policy.sqn_from_resync(sqn_ms);
        let now = self.store.advance_sqn(imsi, self.policy.join(next_seq, self.ind)).await?;
        let kept = {
            let mut lanes = self.lanes();
            let keep = lanes.get(imsi).and_then(Lane::next_seq).is_some_and(|next| next > seq_ms);
            if !keep {
                lanes.remove(imsi);
            }
            keep
        };
        let raised = self.policy.split(now).0 == next_seq;
        tracing::info!(imsi, seq_ms, raised, kept_block = kept, "SQN resynchronisation from AUTS");
        Ok(())
    }

    fn check_count(count: u32) -> Result<(), AucFailure> {
        if count == 0 || count > MAX_VECTORS {
            return Err(AucFailure::Invalid(format!("between 1 and {MAX_VECTORS} vectors may be requested")));
        }
        Ok(())
    }

    /// E-UTRAN vectors for the serving network `plmn` (TS 33.401 6.1, A.2).
    pub async fn eutran(
        &self,
        imsi: &str,
        count: u32,
        plmn: [u8; 3],
        resync: Option<Resync>,
    ) -> Result<Vec<EutranVector>, AucFailure> {
        Self::check_count(count)?;
        let _one_at_a_time = self.shard(imsi).lock().await;
        let (m, amf) = self.keys(imsi).await?;
        if let Some(r) = &resync {
            self.resync(imsi, &m, r).await?;
        }
        // TS 33.401 6.1.2: E-UTRAN vectors carry the AMF separation bit.
        let amf = with_separation_bit(amf);
        let sqns = self.take_sqns(imsi, count).await?;
        Ok(sqns
            .into_iter()
            .map(|s| vectors::eutran_vector(&m, &rand16(), &sqn_to_bytes(s), &amf, &plmn))
            .collect())
    }

    /// UTRAN quintets (TS 33.102 6.3.2).
    pub async fn utran(
        &self,
        imsi: &str,
        count: u32,
        resync: Option<Resync>,
    ) -> Result<Vec<UtranVector>, AucFailure> {
        Self::check_count(count)?;
        let _one_at_a_time = self.shard(imsi).lock().await;
        let (m, amf) = self.keys(imsi).await?;
        if let Some(r) = &resync {
            self.resync(imsi, &m, r).await?;
        }
        let sqns = self.take_sqns(imsi, count).await?;
        Ok(sqns.into_iter().map(|s| vectors::utran_vector(&m, &rand16(), &sqn_to_bytes(s), &amf)).collect())
    }

    /// GERAN triplets via the conversion functions (TS 33.102 6.8.1.2).
    pub async fn geran(&self, imsi: &str, count: u32) -> Result<Vec<GeranVector>, AucFailure> {
        Self::check_count(count)?;
        let (m, _) = self.keys(imsi).await?;
        Ok((0..count).map(|_| vectors::geran_vector(&m, &rand16())).collect())
    }

    /// IMS AKA vectors (TS 33.203 6.1).
    pub async fn ims(
        &self,
        imsi: &str,
        count: u32,
        resync: Option<Resync>,
    ) -> Result<Vec<ImsAkaVector>, AucFailure> {
        Self::check_count(count)?;
        let _one_at_a_time = self.shard(imsi).lock().await;
        let (m, amf) = self.keys(imsi).await?;
        if let Some(r) = &resync {
            self.resync(imsi, &m, r).await?;
        }
        let sqns = self.take_sqns(imsi, count).await?;
        Ok(sqns.into_iter().map(|s| vectors::ims_aka_vector(&m, &rand16(), &sqn_to_bytes(s), &amf)).collect())
    }
}

/// A fresh RAND from the operating system's CSPRNG (via `rand`'s thread RNG, seeded from
/// it): RAND must be unpredictable (TS 33.102 6.3.2).
fn rand16() -> [u8; 16] {
    rand::random()
}
