//! Sequence number management, TS 33.102 Annex C.
//!
//! SQN is 48 bits, SQN = SEQ || IND (Annex C.1.1): the low `ind_bits` bits
//! are the index IND into the USIM's array of highest accepted SEQ values
//! (Annex C.2), the remaining high bits are the counter SEQ. The HE keeps
//! SEQ_HE and increments it for each generated vector (Annex C.3.2).
//!
//! Durability: the host reserves SEQ values in blocks ([`SqnBlock`]). The
//! store persists the block's end *before* any value of it is used, and the
//! host hands values out from memory. After a crash the host resumes from
//! the persisted end, so values of the lost block are skipped, never reused:
//! SEQ only moves forward, which is all the USIM requires (gaps are fine,
//! Annex C.2).

use super::AucError;

/// Width of SQN in bits (TS 33.102 6.3.7).
pub const SQN_BITS: u32 = 48;
/// Largest IND width this policy accepts.
pub const MAX_IND_BITS: u8 = 10;
const SQN_MASK: u64 = (1 << SQN_BITS) - 1;

/// SQN as the 6 octets carried in AUTN/AUTS, big-endian. Bits above 48 are
/// dropped, since the field cannot carry them.
pub fn sqn_to_bytes(sqn: u64) -> [u8; 6] {
    let b = (sqn & SQN_MASK).to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// SQN from its 6-octet big-endian encoding.
pub fn sqn_from_bytes(b: &[u8; 6]) -> u64 {
    u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]])
}

/// How a 48-bit SQN is split into SEQ || IND (TS 33.102 Annex C.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqnPolicy {
    ind_bits: u8,
}

impl Default for SqnPolicy {
    /// IND of 5 bits (an array of 32 SEQ_MS entries in the USIM, Annex C.2).
    fn default() -> Self {
        Self { ind_bits: 5 }
    }
}

impl SqnPolicy {
    /// A policy with an IND field of `ind_bits` bits, 0..=10.
    pub fn new(ind_bits: u8) -> Result<Self, AucError> {
        if ind_bits > MAX_IND_BITS {
            return Err(AucError::InvalidIndBits(ind_bits));
        }
        Ok(Self { ind_bits })
    }

    /// Width of IND in bits.
    pub fn ind_bits(&self) -> u8 {
        self.ind_bits
    }

    /// Largest SEQ value, 2^(48 - ind_bits) - 1.
    pub fn seq_max(&self) -> u64 {
        SQN_MASK >> self.ind_bits
    }

    /// Largest IND value, 2^ind_bits - 1.
    pub fn ind_max(&self) -> u32 {
        (1u32 << self.ind_bits) - 1
    }

    /// Splits SQN into (SEQ, IND). Bits above 48 are ignored.
    pub fn split(&self, sqn: u64) -> (u64, u32) {
        let sqn = sqn & SQN_MASK;
        // IND is at most 10 bits wide, so the cast cannot truncate.
        let ind = (sqn & u64::from(self.ind_max())) as u32;
        (sqn >> self.ind_bits, ind)
    }

    /// Joins SEQ || IND. Bits of `seq` above `seq_max` and of `ind` above
    /// `ind_max` are dropped, so the result is always a 48-bit SQN.
    pub fn join(&self, seq: u64, ind: u32) -> u64 {
        ((seq & self.seq_max()) << self.ind_bits) | u64::from(ind & self.ind_max())
    }

    /// SEQ_HE + 1, wrapping to 0 after [`Self::seq_max`].
    ///
    /// A wrap is not a recovery path: after it, the USIM sees SEQ values
    /// below its stored SEQ_MS and rejects them, and its wrap-around
    /// protection (TS 33.102 Annex C.2) also bounds how far SEQ may jump.
    /// With at least 38 SEQ bits it cannot be reached in practice; the
    /// function is total so that no input can make the AuC panic.
    pub fn next_seq(&self, seq: u64) -> u64 {
        seq.wrapping_add(1) & self.seq_max()
    }

    /// SQN for the next vector after SEQ_HE = `seq`, with index `ind`
    /// (Annex C.3.2: SEQ is incremented for each vector).
    pub fn next_sqn(&self, seq: u64, ind: u32) -> u64 {
        self.join(self.next_seq(seq), ind)
    }

    /// First SEQ to use after a resynchronisation reporting `sqn_ms`
    /// (TS 33.102 6.3.5, Annex C.3.4): SEQ_HE is set to SEQ_MS, so the next
    /// vector uses SEQ_MS + 1. A host whose counter is already beyond that
    /// may keep its own value: SEQ only has to exceed SEQ_MS.
    pub fn sqn_from_resync(&self, sqn_ms: u64) -> u64 {
        self.next_seq(self.split(sqn_ms).0)
    }

    /// A block of `len` SEQ values starting at `from_seq`, cut short at
    /// [`Self::seq_max`] so it never hands out a value SEQ cannot hold.
    pub fn reserve(&self, from_seq: u64, len: u64) -> SqnBlock {
        let limit = self.seq_max() + 1;
        let start = from_seq.min(limit);
        SqnBlock::new(start, start.saturating_add(len).min(limit))
    }
}

/// A durably reserved range of SEQ values `[next_seq, end_seq)`.
///
/// The store persists `end_seq` before the block is used; the host then
/// hands values out from memory with [`SqnBlock::take`]. See the module
/// docs for why this keeps SEQ monotonic across crashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqnBlock {
    next_seq: u64,
    end_seq: u64,
}

impl SqnBlock {
    /// The range `[next_seq, end_seq)`; empty if `end_seq <= next_seq`.
    pub fn new(next_seq: u64, end_seq: u64) -> Self {
        Self { next_seq, end_seq }
    }

    /// The next SEQ of the block, in increasing order; `None` once the
    /// block is used up (then reserve a new one).
    pub fn take(&mut self) -> Option<u64> {
        if self.next_seq >= self.end_seq {
            return None;
        }
        let seq = self.next_seq;
        self.next_seq += 1; // < end_seq <= u64::MAX, cannot overflow
        Some(seq)
    }

    /// The SEQ [`take`](Self::take) would return, without taking it.
    pub fn peek(&self) -> Option<u64> {
        (self.next_seq < self.end_seq).then_some(self.next_seq)
    }

    /// SEQ values left in the block.
    pub fn remaining(&self) -> u64 {
        self.end_seq.saturating_sub(self.next_seq)
    }

    /// The exclusive end, as persisted by the store.
    pub fn end_seq(&self) -> u64 {
        self.end_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bits: u8) -> SqnPolicy {
        SqnPolicy::new(bits).expect("valid width")
    }

    #[test]
    fn default_ind_is_5_bits() {
        assert_eq!(SqnPolicy::default().ind_bits(), 5);
        assert_eq!(SqnPolicy::default(), policy(5));
    }

    #[test]
    fn ind_width_limited_to_0_through_10() {
        for bits in 0..=10 {
            assert!(SqnPolicy::new(bits).is_ok(), "{bits}");
        }
        assert_eq!(SqnPolicy::new(11), Err(AucError::InvalidIndBits(11)));
        assert_eq!(SqnPolicy::new(255), Err(AucError::InvalidIndBits(255)));
    }

    #[test]
    fn split_join_round_trip_ind_0() {
        let p = policy(0);
        assert_eq!(p.seq_max(), (1 << 48) - 1);
        assert_eq!(p.ind_max(), 0);
        for sqn in [0, 1, 0x1234_5678_9abc, (1 << 48) - 1] {
            let (seq, ind) = p.split(sqn);
            assert_eq!((seq, ind), (sqn, 0));
            assert_eq!(p.join(seq, ind), sqn);
        }
    }

    #[test]
    fn split_join_round_trip_ind_5() {
        let p = policy(5);
        assert_eq!(p.split(0x1234_5678_9abc), (0x1234_5678_9abc >> 5, 0x1c));
        assert_eq!(p.join(0x0091_a2b3_c4d5, 0x1c), 0x1234_5678_9abc);
        for sqn in [0, 31, 32, 0xff9b_b4d0_b607, (1 << 48) - 1] {
            let (seq, ind) = p.split(sqn);
            assert!(ind <= 31 && seq <= p.seq_max());
            assert_eq!(p.join(seq, ind), sqn);
        }
    }

    #[test]
    fn split_join_round_trip_ind_10() {
        let p = policy(10);
        assert_eq!(p.seq_max(), (1 << 38) - 1);
        assert_eq!(p.ind_max(), 1023);
        assert_eq!(p.split((7 << 10) | 1023), (7, 1023));
        for sqn in [0, 1023, 1024, 0xabcd_ef01_2345, (1 << 48) - 1] {
            let (seq, ind) = p.split(sqn);
            assert_eq!(p.join(seq, ind), sqn);
        }
    }

    #[test]
    fn join_drops_out_of_range_bits() {
        let p = policy(5);
        assert_eq!(p.join(0, 32), 0);
        assert_eq!(p.join(p.seq_max() + 1, 3), 3);
        assert_eq!(p.split(1 << 48), (0, 0));
    }

    #[test]
    fn seq_advances_by_one_keeping_ind() {
        let p = policy(5);
        assert_eq!(p.next_seq(41), 42);
        assert_eq!(p.next_sqn(41, 7), (42 << 5) | 7);
        assert_eq!(p.split(p.next_sqn(41, 7)), (42, 7));
    }

    #[test]
    fn seq_wraps_at_the_48_bit_boundary() {
        let p0 = policy(0);
        assert_eq!(p0.next_seq((1 << 48) - 2), (1 << 48) - 1);
        assert_eq!(p0.next_seq((1 << 48) - 1), 0);
        assert_eq!(p0.next_sqn((1 << 48) - 1, 0), 0);
        let p5 = policy(5);
        assert_eq!(p5.next_seq((1 << 43) - 1), 0);
        assert_eq!(p5.next_sqn((1 << 43) - 1, 9), 9);
        // Total for any input, including values beyond SEQ's width.
        assert_eq!(p5.next_seq(u64::MAX), 0);
        assert!(p5.next_seq(u64::MAX - 1) <= p5.seq_max());
    }

    #[test]
    fn resync_sets_next_seq_to_seq_ms_plus_one() {
        let p = policy(5);
        let sqn_ms = p.join(1000, 17);
        assert_eq!(p.sqn_from_resync(sqn_ms), 1001);
        assert_eq!(p.sqn_from_resync(p.join(p.seq_max(), 0)), 0);
        assert_eq!(policy(0).sqn_from_resync(0xff9b_b4d0_b607), 0xff9b_b4d0_b608);
    }

    #[test]
    fn bytes_round_trip() {
        let b = [0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07];
        assert_eq!(sqn_from_bytes(&b), 0xff9b_b4d0_b607);
        assert_eq!(sqn_to_bytes(0xff9b_b4d0_b607), b);
        assert_eq!(sqn_to_bytes(u64::MAX), [0xff; 6]);
        assert_eq!(sqn_to_bytes(1 << 48), [0; 6]);
    }

    #[test]
    fn block_hands_out_exactly_its_range_in_order() {
        let mut block = SqnBlock::new(100, 105);
        assert_eq!((block.remaining(), block.peek()), (5, Some(100)));
        let got: Vec<u64> = core::iter::from_fn(|| block.take()).collect();
        assert_eq!(got, vec![100, 101, 102, 103, 104]);
        assert_eq!(block.take(), None);
        assert_eq!(block.take(), None);
        assert_eq!((block.remaining(), block.peek()), (0, None));
        assert_eq!(block.end_seq(), 105);
    }

    #[test]
    fn empty_and_inverted_blocks_give_nothing() {
        assert_eq!(SqnBlock::new(7, 7).take(), None);
        assert_eq!(SqnBlock::new(9, 3).take(), None);
        assert_eq!(SqnBlock::new(9, 3).remaining(), 0);
        let mut top = SqnBlock::new(u64::MAX - 1, u64::MAX);
        assert_eq!(top.take(), Some(u64::MAX - 1));
        assert_eq!(top.take(), None);
    }

    #[test]
    fn blocks_after_a_crash_only_move_forward() {
        let p = policy(5);
        // Block 1 persisted end 1100; the host used a few values, then crashed.
        let mut first = p.reserve(1000, 100);
        assert_eq!(first.end_seq(), 1100);
        assert_eq!(first.take(), Some(1000));
        // On restart the host reserves from the persisted end.
        let mut second = p.reserve(first.end_seq(), 100);
        assert_eq!(second.take(), Some(1100));
    }

    #[test]
    fn reserve_stops_at_seq_max() {
        let p = policy(10);
        let mut block = p.reserve(p.seq_max() - 1, 100);
        assert_eq!(block.take(), Some(p.seq_max() - 1));
        assert_eq!(block.take(), Some(p.seq_max()));
        assert_eq!(block.take(), None);
        assert_eq!(p.reserve(u64::MAX, u64::MAX).take(), None);
    }
}
