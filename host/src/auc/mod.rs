//! Authentication Centre (AuC) functions of the HSS.
//!
//! * [`milenage`] — MILENAGE f1..f5* (TS 35.206) and OPc derivation.
//! * [`kdf`](mod@kdf) — the generic KDF (TS 33.220 Annex B), K_ASME (TS 33.401 A.2),
//!   PLMN identity encoding (TS 24.008 10.5.1.3) and the GSM conversion
//!   functions c2/c3 (TS 33.102 6.8.1.2).
//! * [`vectors`] — E-UTRAN, UTRAN, GERAN and IMS AKA vectors, and
//!   resynchronisation (TS 33.102 6.3.3, 6.3.5).
//! * [`sqn`] — the SEQ || IND sequence number scheme (TS 33.102 Annex C).
//!
//! # Secrets
//!
//! K, OP and OPc never leave this module in logs: no type here implements
//! `Display` for secret material, `Debug` impls of [`Milenage`] and of the
//! vector types are written by hand and print `<redacted>` for K, OPc, CK,
//! IK, Kc, KASME and the expected responses, and no error variant carries
//! key bytes. [`Milenage`] keeps K only as an AES key schedule and wipes it
//! and OPc on drop; vector types wipe their keys on drop as well.

pub mod kdf;
pub mod milenage;
pub mod service;
pub mod sqn;
pub mod vectors;

pub use kdf::{c2, c3, kasme, kdf, plmn_id};
pub use milenage::{Milenage, opc_from_op};
pub use sqn::{SqnBlock, SqnPolicy, sqn_from_bytes, sqn_to_bytes};
pub use vectors::{
    EutranVector, GeranVector, ImsAkaVector, ResyncError, UtranVector, eutran_vector, geran_vector,
    has_separation_bit, ims_aka_vector, resync, utran_vector, with_separation_bit,
};

/// Errors of the AuC functions. Variants carry lengths and positions only,
/// never key material or subscriber secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AucError {
    /// The MCC is not exactly 3 decimal digits.
    #[error("MCC must be 3 decimal digits")]
    InvalidMcc,
    /// The MNC is not 2 or 3 decimal digits.
    #[error("MNC must be 2 or 3 decimal digits")]
    InvalidMnc,
    /// IND width outside 0..=10 bits (TS 33.102 Annex C.1.1 profile).
    #[error("IND width {0} bits is outside 0..=10")]
    InvalidIndBits(u8),
    /// XRES length outside 4..=16 octets (TS 33.102 6.3.2).
    #[error("XRES length {0} octets is outside 4..=16")]
    InvalidXresLength(usize),
    /// A KDF input parameter longer than its 16-bit length field allows
    /// (TS 33.220 B.2).
    #[error("KDF parameter {index} is {len} octets, more than 65535")]
    KdfParameterTooLong {
        /// Position of the parameter (P0 is 0).
        index: usize,
        /// Its length in octets.
        len: usize,
    },
    /// Resynchronisation failed.
    #[error(transparent)]
    Resync(#[from] ResyncError),
}

/// Constant-time equality of two byte strings of equal length: the time
/// taken depends on the length only, never on where the bytes differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_compares_whole_strings() {
        assert!(ct_eq(b"abcdef", b"abcdef"));
        assert!(!ct_eq(b"abcdef", b"abcdeg"));
        assert!(!ct_eq(b"bbcdef", b"abcdef"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }

    #[test]
    fn errors_display_without_secrets() {
        let e = AucError::KdfParameterTooLong { index: 1, len: 70000 };
        assert_eq!(e.to_string(), "KDF parameter 1 is 70000 octets, more than 65535");
        let r: AucError = ResyncError::MacFailure.into();
        assert_eq!(r.to_string(), ResyncError::MacFailure.to_string());
    }
}
