//! Decoding errors, each mapped to the RFC 6733 7.1 Result-Code it is answered with.

use alloc::vec::Vec;

use super::result_code as rc;

/// A problem with one AVP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AvpError {
    #[error("AVP header truncated")]
    Truncated,
    #[error("AVP {code} (vendor {vendor_id}) has an invalid length")]
    BadLength { code: u32, flags: u8, vendor_id: u32 },
    #[error("AVP {code} (vendor {vendor_id}) has an invalid value")]
    BadValue { code: u32, vendor_id: u32 },
}

/// Why a received message cannot be processed. Each variant knows the Result-Code of
/// its answer and, where RFC 6733 7.5 asks for one, the Failed-AVP to carry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// RFC 6733 7.1.5 DIAMETER_UNSUPPORTED_VERSION.
    #[error("unsupported Diameter version {0}")]
    Version(u8),
    /// RFC 6733 7.1.3 DIAMETER_INVALID_HDR_BITS.
    #[error("invalid header flag bits {0:#04x}")]
    HeaderBits(u8),
    /// RFC 6733 7.1.5 DIAMETER_INVALID_MESSAGE_LENGTH: not a multiple of 4, or does
    /// not match the AVPs.
    #[error("invalid message length {0}")]
    MessageLength(u32),
    /// RFC 6733 7.1.3 DIAMETER_INVALID_AVP_BITS.
    #[error("AVP {code} has invalid flag bits")]
    AvpBits { code: u32, failed_avp: Vec<u8> },
    /// RFC 6733 7.1.5 DIAMETER_INVALID_AVP_LENGTH.
    #[error("AVP {code} has an invalid length")]
    AvpLength { code: u32, failed_avp: Vec<u8> },
    /// RFC 6733 7.1.5 DIAMETER_INVALID_AVP_VALUE.
    #[error("AVP {code} has an invalid value")]
    AvpValue { code: u32, failed_avp: Vec<u8> },
    /// RFC 6733 7.1.5 DIAMETER_MISSING_AVP.
    #[error("required AVP {name} is missing")]
    MissingAvp { name: &'static str, failed_avp: Vec<u8> },
    /// RFC 6733 7.1.5 DIAMETER_AVP_UNSUPPORTED.
    #[error("AVP {code} (vendor {vendor_id}) has the M bit and is not supported")]
    AvpUnsupported { code: u32, vendor_id: u32, failed_avp: Vec<u8> },
    /// RFC 6733 7.1.5 DIAMETER_AVP_OCCURS_TOO_MANY_TIMES.
    #[error("AVP {code} occurs too many times")]
    TooManyTimes { code: u32, failed_avp: Vec<u8> },
}

impl MessageError {
    /// The Result-Code the answer carries.
    pub fn result_code(&self) -> u32 {
        match self {
            MessageError::Version(_) => rc::DIAMETER_UNSUPPORTED_VERSION,
            MessageError::HeaderBits(_) => rc::DIAMETER_INVALID_HDR_BITS,
            MessageError::MessageLength(_) => rc::DIAMETER_INVALID_MESSAGE_LENGTH,
            MessageError::AvpBits { .. } => rc::DIAMETER_INVALID_AVP_BITS,
            MessageError::AvpLength { .. } => rc::DIAMETER_INVALID_AVP_LENGTH,
            MessageError::AvpValue { .. } => rc::DIAMETER_INVALID_AVP_VALUE,
            MessageError::MissingAvp { .. } => rc::DIAMETER_MISSING_AVP,
            MessageError::AvpUnsupported { .. } => rc::DIAMETER_AVP_UNSUPPORTED,
            MessageError::TooManyTimes { .. } => rc::DIAMETER_AVP_OCCURS_TOO_MANY_TIMES,
        }
    }

    /// The encoded AVP(s) to wrap in Failed-AVP, if the error names one.
    pub fn failed_avp(&self) -> Option<&[u8]> {
        match self {
            MessageError::AvpBits { failed_avp, .. }
            | MessageError::AvpLength { failed_avp, .. }
            | MessageError::AvpValue { failed_avp, .. }
            | MessageError::MissingAvp { failed_avp, .. }
            | MessageError::AvpUnsupported { failed_avp, .. }
            | MessageError::TooManyTimes { failed_avp, .. } => Some(failed_avp),
            _ => None,
        }
    }
}
