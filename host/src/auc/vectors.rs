//! Authentication vectors for E-UTRAN, UTRAN, GERAN and IMS AKA, and
//! resynchronisation (TS 33.102 6.3.2, 6.3.3, 6.3.5; TS 33.401 6.1.2, A.2).
//!
//! Vector types hold session keys and expected responses: they wipe them on
//! drop and their `Debug` output shows only RAND and AUTN, which travel in
//! the clear anyway.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::ct_eq;
use super::kdf::{c2_milenage, c3, kasme};
use super::milenage::Milenage;
use super::sqn::sqn_from_bytes;

/// AMF value used inside MAC-S: TS 33.102 6.3.3 fixes it to all zeros so
/// that it need not be sent in the resynchronisation message.
const RESYNC_AMF: [u8; 2] = [0, 0];

/// Mask of the "AMF separation bit" (bit 0 of AMF, the most significant
/// bit of the first octet), TS 33.401 6.1.2 and TS 33.102 Annex H.
const SEPARATION_BIT: u8 = 0x80;

/// Returns `amf` with the AMF separation bit set, as E-UTRAN vectors
/// require (TS 33.401 6.1.2).
pub fn with_separation_bit(amf: [u8; 2]) -> [u8; 2] {
    [amf[0] | SEPARATION_BIT, amf[1]]
}

/// Whether the AMF separation bit is set (TS 33.401 6.1.2).
pub fn has_separation_bit(amf: &[u8; 2]) -> bool {
    amf[0] & SEPARATION_BIT != 0
}

fn xor6(a: &[u8; 6], b: &[u8; 6]) -> [u8; 6] {
    let mut out = [0u8; 6];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = x ^ y;
    }
    out
}

/// The MILENAGE outputs one challenge needs (TS 33.102 6.3.2).
struct Quintet {
    xres: [u8; 8],
    ck: [u8; 16],
    ik: [u8; 16],
    autn: [u8; 16],
    sqn_xor_ak: [u8; 6],
}

impl Drop for Quintet {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
    }
}

/// TS 33.102 6.3.2: MAC = f1(SQN || RAND || AMF), AK = f5(RAND) and
/// AUTN = SQN ⊕ AK || AMF || MAC.
fn quintet(m: &Milenage, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> Quintet {
    let mac_a = m.f1(rand, sqn, amf);
    let (xres, ck, ik, ak) = m.f2345(rand);
    let sqn_xor_ak = xor6(sqn, &ak);
    let mut autn = [0u8; 16];
    autn[..6].copy_from_slice(&sqn_xor_ak);
    autn[6..8].copy_from_slice(amf);
    autn[8..].copy_from_slice(&mac_a);
    Quintet { xres, ck, ik, autn, sqn_xor_ak }
}

/// E-UTRAN authentication vector (TS 33.401 6.1.2): RAND, XRES, AUTN,
/// K_ASME.
#[derive(Clone)]
pub struct EutranVector {
    /// Random challenge.
    pub rand: [u8; 16],
    /// Expected response (f2).
    pub xres: [u8; 8],
    /// Authentication token.
    pub autn: [u8; 16],
    /// K_ASME derived per TS 33.401 A.2.
    pub kasme: [u8; 32],
}

/// UTRAN authentication vector (quintet, TS 33.102 6.3.2).
#[derive(Clone)]
pub struct UtranVector {
    /// Random challenge.
    pub rand: [u8; 16],
    /// Expected response (f2).
    pub xres: [u8; 8],
    /// Authentication token.
    pub autn: [u8; 16],
    /// Cipher key (f3).
    pub ck: [u8; 16],
    /// Integrity key (f4).
    pub ik: [u8; 16],
}

/// GERAN triplet derived from a UMTS quintet with c2/c3
/// (TS 33.102 6.8.1.2).
#[derive(Clone)]
pub struct GeranVector {
    /// Random challenge.
    pub rand: [u8; 16],
    /// Signed response, c2(XRES).
    pub sres: [u8; 4],
    /// GSM cipher key, c3(CK, IK).
    pub kc: [u8; 8],
}

/// IMS AKA vector for the Cx Multimedia-Auth-Answer (TS 33.203 6.1,
/// TS 29.228 6.3): SIP-Authenticate = RAND || AUTN, SIP-Authorization =
/// XRES, Confidentiality-Key = CK, Integrity-Key = IK.
#[derive(Clone)]
pub struct ImsAkaVector {
    /// Random challenge.
    pub rand: [u8; 16],
    /// Authentication token.
    pub autn: [u8; 16],
    /// Expected response (f2).
    pub xres: [u8; 8],
    /// Cipher key (f3).
    pub ck: [u8; 16],
    /// Integrity key (f4).
    pub ik: [u8; 16],
}

impl ImsAkaVector {
    /// The SIP-Authenticate AVP value, RAND || AUTN.
    pub fn sip_authenticate(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(&self.rand);
        out[16..].copy_from_slice(&self.autn);
        out
    }
}

/// Builds an E-UTRAN vector with the AMF given. The caller decides the AMF;
/// TS 33.401 6.1.2 requires the separation bit set for E-UTRAN (see
/// [`with_separation_bit`]). `plmn` is the serving network identity as
/// encoded by [`super::kdf::plmn_id`].
pub fn eutran_vector(
    m: &Milenage,
    rand: &[u8; 16],
    sqn: &[u8; 6],
    amf: &[u8; 2],
    plmn: &[u8; 3],
) -> EutranVector {
    let q = quintet(m, rand, sqn, amf);
    EutranVector { rand: *rand, xres: q.xres, autn: q.autn, kasme: kasme(&q.ck, &q.ik, plmn, &q.sqn_xor_ak) }
}

/// Builds a UTRAN quintet (TS 33.102 6.3.2).
pub fn utran_vector(m: &Milenage, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> UtranVector {
    let q = quintet(m, rand, sqn, amf);
    UtranVector { rand: *rand, xres: q.xres, autn: q.autn, ck: q.ck, ik: q.ik }
}

/// Builds a GERAN triplet: SRES = c2(XRES), Kc = c3(CK, IK)
/// (TS 33.102 6.8.1.2). A triplet carries no AUTN, so SQN and AMF do not
/// enter it and no SEQ value is consumed.
pub fn geran_vector(m: &Milenage, rand: &[u8; 16]) -> GeranVector {
    let (mut xres, mut ck, mut ik, _) = m.f2345(rand);
    let sres = c2_milenage(&xres);
    let kc = c3(&ck, &ik);
    xres.zeroize();
    ck.zeroize();
    ik.zeroize();
    GeranVector { rand: *rand, sres, kc }
}

/// Builds an IMS AKA vector (TS 33.203 6.1); AUTN as in TS 33.102 6.3.2.
pub fn ims_aka_vector(m: &Milenage, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> ImsAkaVector {
    let q = quintet(m, rand, sqn, amf);
    ImsAkaVector { rand: *rand, autn: q.autn, xres: q.xres, ck: q.ck, ik: q.ik }
}

/// Why a resynchronisation request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResyncError {
    /// MAC-S in AUTS does not verify (TS 33.102 6.3.5): the AUTS was not
    /// produced by this subscriber's USIM for this RAND.
    #[error("AUTS MAC-S verification failed")]
    MacFailure,
}

/// Recovers SQN_MS from AUTS (TS 33.102 6.3.3, 6.3.5).
///
/// AUTS = (SQN_MS ⊕ AK*) || MAC-S with AK* = f5*(RAND) and
/// MAC-S = f1*(SQN_MS || RAND || AMF) where AMF is the dummy all-zeros value.
/// MAC-S is compared in constant time. Whether SQN_MS is acceptable (and the
/// next SEQ, Annex C.3.4) is for the caller, see
/// [`super::sqn::SqnPolicy::sqn_from_resync`].
pub fn resync(m: &Milenage, rand: &[u8; 16], auts: &[u8; 14]) -> Result<u64, ResyncError> {
    let mut concealed = [0u8; 6];
    concealed.copy_from_slice(&auts[..6]);
    let sqn_ms = xor6(&concealed, &m.f5star(rand));
    let xmac_s = m.f1star(rand, &sqn_ms, &RESYNC_AMF);
    if ct_eq(&xmac_s, &auts[6..]) { Ok(sqn_from_bytes(&sqn_ms)) } else { Err(ResyncError::MacFailure) }
}

fn redacted(f: &mut fmt::Formatter<'_>, name: &str, rand: &[u8; 16], autn: Option<&[u8; 16]>) -> fmt::Result {
    let mut d = f.debug_struct(name);
    d.field("rand", &Hex(rand));
    if let Some(autn) = autn {
        d.field("autn", &Hex(autn));
    }
    d.finish_non_exhaustive()
}

/// Hex rendering of public values (RAND, AUTN) in `Debug` output.
struct Hex<'a>(&'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for EutranVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "EutranVector", &self.rand, Some(&self.autn))
    }
}

impl fmt::Debug for UtranVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "UtranVector", &self.rand, Some(&self.autn))
    }
}

impl fmt::Debug for GeranVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "GeranVector", &self.rand, None)
    }
}

impl fmt::Debug for ImsAkaVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        redacted(f, "ImsAkaVector", &self.rand, Some(&self.autn))
    }
}

impl Drop for EutranVector {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.kasme.zeroize();
    }
}

impl Drop for UtranVector {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
    }
}

impl Drop for GeranVector {
    fn drop(&mut self) {
        self.sres.zeroize();
        self.kc.zeroize();
    }
}

impl Drop for ImsAkaVector {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.ck.zeroize();
        self.ik.zeroize();
    }
}

impl ZeroizeOnDrop for EutranVector {}
impl ZeroizeOnDrop for UtranVector {}
impl ZeroizeOnDrop for GeranVector {}
impl ZeroizeOnDrop for ImsAkaVector {}

#[cfg(test)]
mod tests {
    use super::super::kdf::plmn_id;
    use super::super::milenage::tests::{TS_35_208, h};
    use super::super::sqn::{SqnPolicy, sqn_to_bytes};
    use super::*;

    fn set(n: usize) -> (Milenage, [u8; 16], [u8; 6], [u8; 2]) {
        let t = &TS_35_208[n - 1];
        (Milenage::new(&h(t.k), &h(t.opc)), h(t.rand), h(t.sqn), h(t.amf))
    }

    /// AUTS built directly from f1*/f5* (TS 33.102 6.3.3).
    fn make_auts(m: &Milenage, rand: &[u8; 16], sqn_ms: u64) -> [u8; 14] {
        let sqn = sqn_to_bytes(sqn_ms);
        let concealed = xor6(&sqn, &m.f5star(rand));
        let mut auts = [0u8; 14];
        auts[..6].copy_from_slice(&concealed);
        auts[6..].copy_from_slice(&m.f1star(rand, &sqn, &[0, 0]));
        auts
    }

    #[test]
    fn separation_bit_helpers() {
        assert_eq!(with_separation_bit([0x00, 0x00]), [0x80, 0x00]);
        assert_eq!(with_separation_bit([0xb9, 0xb9]), [0xb9, 0xb9]);
        assert_eq!(with_separation_bit([0x12, 0x34]), [0x92, 0x34]);
        assert!(has_separation_bit(&[0x80, 0x00]));
        assert!(!has_separation_bit(&[0x7f, 0xff]));
    }

    #[test]
    fn eutran_vector_test_set_1() {
        // AUTN and K_ASME from tools/xcheck.py (Python MILENAGE + hmac).
        let (m, rand, sqn, amf) = set(1);
        let plmn = plmn_id("001", "01").expect("valid PLMN");
        let v = eutran_vector(&m, &rand, &sqn, &amf, &plmn);
        assert_eq!(v.rand, rand);
        assert_eq!(hex::encode(v.xres), TS_35_208[0].f2);
        assert_eq!(hex::encode(v.autn), "55f328b43577b9b94a9ffac354dfafb3");
        assert_eq!(hex::encode(v.kasme), "48579af8781c742d5120e6ed8ccac13193f38c53ab7aa69396f49ca6e1b0562d");
    }

    #[test]
    fn eutran_vector_uses_given_amf() {
        let (m, rand, sqn, _) = set(2);
        let plmn = plmn_id("310", "410").expect("valid PLMN");
        let amf = with_separation_bit([0, 0]);
        let v = eutran_vector(&m, &rand, &sqn, &amf, &plmn);
        assert_eq!(v.autn[6..8], [0x80, 0x00]);
        assert_eq!(v.autn[8..], m.f1(&rand, &sqn, &amf));
    }

    #[test]
    fn utran_vector_test_set_2() {
        let (m, rand, sqn, amf) = set(2);
        let t = &TS_35_208[1];
        let v = utran_vector(&m, &rand, &sqn, &amf);
        assert_eq!(hex::encode(v.xres), t.f2);
        assert_eq!(hex::encode(v.ck), t.f3);
        assert_eq!(hex::encode(v.ik), t.f4);
        // tools/xcheck.py: SQN ⊕ AK || AMF || MAC-A for set 2.
        assert_eq!(hex::encode(v.autn), "39f96cd9800faf175df5b31807e258b0");
    }

    #[test]
    fn geran_vector_test_set_1() {
        let (m, rand, _, _) = set(1);
        let v = geran_vector(&m, &rand);
        assert_eq!(v.rand, rand);
        assert_eq!(hex::encode(v.sres), "46f8416a");
        assert_eq!(hex::encode(v.kc), "eae4be823af9a08b");
    }

    #[test]
    fn ims_aka_vector_test_set_3() {
        let (m, rand, sqn, amf) = set(3);
        let t = &TS_35_208[2];
        let v = ims_aka_vector(&m, &rand, &sqn, &amf);
        assert_eq!(hex::encode(v.xres), t.f2);
        assert_eq!(hex::encode(v.ck), t.f3);
        assert_eq!(hex::encode(v.ik), t.f4);
        let sip = v.sip_authenticate();
        assert_eq!(sip[..16], rand);
        assert_eq!(hex::encode(&sip[16..]), "ae4a3a9b4c97725c9cabc3e99baf7281");
    }

    #[test]
    fn debug_shows_no_keys_or_responses() {
        let (m, rand, sqn, amf) = set(1);
        let e = format!("{:?}", eutran_vector(&m, &rand, &sqn, &amf, &[0, 0xf1, 0x10]));
        let u = format!("{:?}", utran_vector(&m, &rand, &sqn, &amf));
        let g = format!("{:?}", geran_vector(&m, &rand));
        let i = format!("{:?}", ims_aka_vector(&m, &rand, &sqn, &amf));
        assert!(e.contains("23553cbe9637a89d218ae64dae47bf35"), "{e}");
        assert!(u.contains("55f328b43577b9b94a9ffac354dfafb3"), "{u}");
        for s in [&e, &u, &g, &i] {
            for secret in ["a54211d5", "b40ba9a3", "f769bcd7", "48579af8", "46f8416a", "eae4be82"] {
                assert!(!s.contains(secret), "{s} leaks {secret}");
            }
        }
    }

    #[test]
    fn resync_test_set_1_auts_from_python() {
        // tools/xcheck.py: AUTS for set 1 with SQN_MS = 00000000aa25.
        let (m, rand, _, _) = set(1);
        let auts = h::<14>("451e8bec0e1e69bcb404cd211305");
        assert_eq!(resync(&m, &rand, &auts), Ok(0xaa25));
        assert_eq!(make_auts(&m, &rand, 0xaa25), auts);
    }

    #[test]
    fn resync_test_set_4_auts_from_python() {
        // tools/xcheck.py: AUTS for set 4 with SQN_MS = 7fffffffffe1.
        let (m, rand, _, _) = set(4);
        let auts = h::<14>("1f7a579390822b41591ffff1192b");
        assert_eq!(resync(&m, &rand, &auts), Ok(0x7fff_ffff_ffe1));
    }

    #[test]
    fn resync_recovers_chosen_sqn_ms() {
        let (m, rand, _, _) = set(5);
        let p = SqnPolicy::default();
        let sqn_ms = p.join(123_456, 9);
        let got = resync(&m, &rand, &make_auts(&m, &rand, sqn_ms));
        assert_eq!(got, Ok(sqn_ms));
        assert_eq!(got.map(|s| p.sqn_from_resync(s)), Ok(123_457));
    }

    #[test]
    fn resync_rejects_any_flipped_mac_s_bit() {
        let (m, rand, _, _) = set(6);
        let auts = make_auts(&m, &rand, 0x0102_0304_0506);
        for bit in 48..112 {
            let mut bad = auts;
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            assert_eq!(resync(&m, &rand, &bad), Err(ResyncError::MacFailure), "bit {bit}");
        }
    }

    #[test]
    fn resync_rejects_any_flipped_concealed_sqn_bit() {
        let (m, rand, _, _) = set(6);
        let auts = make_auts(&m, &rand, 0x0102_0304_0506);
        for bit in 0..48 {
            let mut bad = auts;
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            assert_eq!(resync(&m, &rand, &bad), Err(ResyncError::MacFailure), "bit {bit}");
        }
    }

    #[test]
    fn resync_mac_s_uses_zero_amf() {
        // MAC-S over the test set's AMF (not the dummy zeros) must fail.
        let (m, rand, sqn, amf) = set(1);
        let mut auts = [0u8; 14];
        auts[..6].copy_from_slice(&xor6(&sqn, &m.f5star(&rand)));
        auts[6..].copy_from_slice(&m.f1star(&rand, &sqn, &amf));
        assert_eq!(resync(&m, &rand, &auts), Err(ResyncError::MacFailure));
    }

    #[test]
    fn resync_rejects_other_rand() {
        let (m, rand, _, _) = set(2);
        let auts = make_auts(&m, &rand, 77);
        let mut other = rand;
        other[0] ^= 1;
        assert_eq!(resync(&m, &other, &auts), Err(ResyncError::MacFailure));
    }

    /// xorshift64*: a deterministic, dependency-free byte source.
    struct Prng(u64);

    impl Prng {
        fn fill<const N: usize>(&mut self) -> [u8; N] {
            let mut out = [0u8; N];
            for b in &mut out {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                *b = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
            }
            out
        }
    }

    #[test]
    fn ten_thousand_random_vectors_do_not_panic() {
        let mut rng = Prng(0x9e37_79b9_7f4a_7c15);
        let policy = SqnPolicy::default();
        for i in 0..10_000u64 {
            let m = Milenage::new(&rng.fill(), &rng.fill());
            let rand: [u8; 16] = rng.fill();
            let sqn: [u8; 6] = rng.fill();
            let amf: [u8; 2] = rng.fill();
            match i % 4 {
                0 => drop(eutran_vector(&m, &rand, &sqn, &amf, &rng.fill())),
                1 => drop(utran_vector(&m, &rand, &sqn, &amf)),
                2 => drop(geran_vector(&m, &rand)),
                _ => drop(ims_aka_vector(&m, &rand, &sqn, &amf)),
            }
            // Arbitrary AUTS must be answered, never panic.
            if let Ok(sqn_ms) = resync(&m, &rand, &rng.fill()) {
                let _ = policy.sqn_from_resync(sqn_ms);
            }
            let sqn_ms = sqn_from_bytes(&sqn);
            assert_eq!(resync(&m, &rand, &make_auts(&m, &rand, sqn_ms)), Ok(sqn_ms));
        }
    }
}
