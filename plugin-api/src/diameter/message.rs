//! A received message: header checks and a structural walk of its AVPs (RFC 6733 3,
//! 4.1), then optional type checks against the dictionary (4.2-4.4). Borrowed, no copy.

use alloc::vec::Vec;

use super::avp::{AVP_HEADER_LEN, AVP_VENDOR_HEADER_LEN, Avp, AvpIter, avp_flags};
use super::error::{AvpError, MessageError};
use super::header::{HEADER_LEN, Header, VERSION, flags};
use crate::dictionary::{self, AvpDef, AvpType, base};

/// A Diameter message borrowed from its receive buffer.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    pub header: Header,
    bytes: &'a [u8],
}

impl<'a> Message<'a> {
    /// Checks the header and the AVP framing of a whole message. `bytes` must be exactly
    /// one message (the framer guarantees it; other callers get 5015 otherwise).
    pub fn parse(bytes: &'a [u8]) -> Result<Message<'a>, MessageError> {
        let header = Header::parse(bytes).ok_or(MessageError::MessageLength(bytes.len() as u32))?;
        // RFC 6733 3: Version MUST be 1.
        if header.version != VERSION {
            return Err(MessageError::Version(header.version));
        }
        // RFC 6733 3: the length includes padding, so it is always a multiple of four.
        if header.length as usize != bytes.len() || header.length % 4 != 0 {
            return Err(MessageError::MessageLength(header.length));
        }
        // RFC 6733 3: reserved bits are zero, and a request never has the E bit.
        if header.flags & flags::RESERVED != 0 || (header.is_request() && header.is_error()) {
            return Err(MessageError::HeaderBits(header.flags));
        }
        let msg = Message { header, bytes };
        check_avps(msg.avp_bytes(), 0)?;
        Ok(msg)
    }

    /// The whole message as received.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The AVP area after the header.
    pub fn avp_bytes(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..]
    }

    /// Top-level AVPs in wire order.
    pub fn avps(&self) -> AvpIter<'a> {
        AvpIter::new(self.avp_bytes())
    }

    /// The first top-level AVP with this definition's code and vendor.
    pub fn find(&self, def: &AvpDef) -> Option<Avp<'a>> {
        self.find_code(def.code, def.vendor)
    }

    pub fn find_code(&self, code: u32, vendor: u32) -> Option<Avp<'a>> {
        self.avps().filter_map(Result::ok).find(|a| a.is(code, vendor))
    }

    /// Every top-level AVP with this definition's code and vendor.
    pub fn find_all<'s>(&'s self, def: &'s AvpDef) -> impl Iterator<Item = Avp<'a>> + 's {
        self.avps().filter_map(Result::ok).filter(move |a| a.is(def.code, def.vendor))
    }

    /// A UTF-8 AVP's value, `None` when absent or not UTF-8.
    pub fn str(&self, def: &AvpDef) -> Option<&'a str> {
        self.find(def).and_then(|a| a.as_str().ok())
    }

    /// An Unsigned32 (or Enumerated) AVP's value.
    pub fn u32(&self, def: &AvpDef) -> Option<u32> {
        self.find(def).and_then(|a| a.as_u32().ok())
    }

    pub fn session_id(&self) -> Option<&'a str> {
        self.str(&base::SESSION_ID)
    }

    pub fn origin_host(&self) -> Option<&'a str> {
        self.str(&base::ORIGIN_HOST)
    }

    pub fn origin_realm(&self) -> Option<&'a str> {
        self.str(&base::ORIGIN_REALM)
    }

    pub fn destination_host(&self) -> Option<&'a str> {
        self.str(&base::DESTINATION_HOST)
    }

    /// The answer's outcome: Result-Code, or Experimental-Result-Code with its vendor.
    pub fn result(&self) -> Option<(u32, u32)> {
        if let Some(rc) = self.u32(&base::RESULT_CODE) {
            return Some((0, rc));
        }
        let er = self.find(&base::EXPERIMENTAL_RESULT)?;
        let code = er.child(base::EXPERIMENTAL_RESULT_CODE.code, 0)?.as_u32().ok()?;
        let vendor = er.child(base::VENDOR_ID.code, 0).and_then(|v| v.as_u32().ok()).unwrap_or(0);
        Some((vendor, code))
    }

    /// Checks every AVP the dictionary knows against its data type (RFC 6733 4.2-4.4),
    /// recursing into Grouped AVPs. Unknown AVPs are left to the application.
    pub fn check_types(&self) -> Result<(), MessageError> {
        check_types_in(self.avp_bytes(), 0)
    }

    /// Fails with 5005 when `def` is absent at the top level.
    pub fn require(&self, def: &AvpDef) -> Result<Avp<'a>, MessageError> {
        self.find(def).ok_or_else(|| missing(def))
    }
}

/// Structural walk: flag bits and lengths of every AVP in `buf`, with a nesting bound so a
/// crafted message cannot recurse without limit.
fn check_avps(buf: &[u8], depth: u32) -> Result<(), MessageError> {
    for item in AvpIter::new(buf) {
        let avp = item.map_err(|e| avp_length_error(e, buf))?;
        // RFC 6733 4.1: reserved AVP flag bits are zero.
        if avp.flags & avp_flags::RESERVED != 0 {
            return Err(MessageError::AvpBits { code: avp.code, failed_avp: avp.raw().to_vec() });
        }
        if depth < 16 && descend(&avp) {
            check_avps(avp.payload(), depth + 1)?;
        }
    }
    Ok(())
}

/// Whether to check inside a Grouped AVP. Failed-AVP is exempt: it carries copies of
/// offending AVPs, which are malformed by definition (RFC 6733 7.5).
fn descend(avp: &Avp<'_>) -> bool {
    avp.code != base::FAILED_AVP.code
        && dictionary::lookup(avp.code, avp.vendor_id).is_some_and(|d| d.ty == AvpType::Grouped)
}

fn check_types_in(buf: &[u8], depth: u32) -> Result<(), MessageError> {
    for avp in AvpIter::new(buf).filter_map(Result::ok) {
        let Some(def) = dictionary::lookup(avp.code, avp.vendor_id) else {
            continue;
        };
        let len = avp.payload().len();
        let ok_len = match def.ty {
            t if t.fixed_len().is_some() => t.fixed_len() == Some(len),
            // RFC 6733 4.3.1: 2-octet family, then the address; lengths are checked for the
            // families we know, other IANA families (e.g. E.164) pass through.
            AvpType::Address => match avp.payload() {
                [0, 1, rest @ ..] => rest.len() == 4,
                [0, 2, rest @ ..] => rest.len() == 16,
                p => p.len() >= 2,
            },
            _ => true,
        };
        if !ok_len {
            return Err(MessageError::AvpLength { code: avp.code, failed_avp: avp.raw().to_vec() });
        }
        let ok_value = match def.ty {
            AvpType::UTF8String | AvpType::DiameterIdentity | AvpType::DiameterURI => avp.as_str().is_ok(),
            _ => true,
        };
        if !ok_value {
            return Err(MessageError::AvpValue { code: avp.code, failed_avp: avp.raw().to_vec() });
        }
        if depth < 16 && descend(&avp) {
            check_types_in(avp.payload(), depth + 1)?;
        }
    }
    Ok(())
}

/// Turns a framing error into 5014 with the Failed-AVP that RFC 6733 7.1.5 describes:
/// the offending header with a zero-filled payload of the type's minimum length.
fn avp_length_error(e: AvpError, buf: &[u8]) -> MessageError {
    match e {
        AvpError::BadLength { code, flags, vendor_id } => {
            MessageError::AvpLength { code, failed_avp: placeholder_avp(code, flags, vendor_id) }
        }
        AvpError::BadValue { code, .. } => MessageError::AvpValue { code, failed_avp: Vec::new() },
        AvpError::Truncated => {
            // Fewer than 8 octets left: not even a header. The message length does not
            // match its AVPs (RFC 6733 7.1.5 DIAMETER_INVALID_MESSAGE_LENGTH).
            MessageError::MessageLength(buf.len() as u32)
        }
    }
}

/// An AVP with a zero payload of the minimum length for its type, for Failed-AVP.
pub fn placeholder_avp(code: u32, flags: u8, vendor_id: u32) -> Vec<u8> {
    let min = dictionary::lookup(code, vendor_id).and_then(|d| d.ty.fixed_len()).unwrap_or(0);
    let flags = flags & (avp_flags::VENDOR | avp_flags::MANDATORY);
    let hdr = if flags & avp_flags::VENDOR != 0 { AVP_VENDOR_HEADER_LEN } else { AVP_HEADER_LEN };
    let len = (hdr + min) as u32;
    let mut out = Vec::with_capacity(hdr + min);
    out.extend_from_slice(&code.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    if hdr == AVP_VENDOR_HEADER_LEN {
        out.extend_from_slice(&vendor_id.to_be_bytes());
    }
    out.resize(hdr + min, 0);
    out
}

/// A 5005 error for `def`, with the example AVP RFC 6733 7.5 asks Failed-AVP to carry.
pub fn missing(def: &AvpDef) -> MessageError {
    MessageError::MissingAvp {
        name: def.name,
        failed_avp: placeholder_avp(def.code, def.flags(), def.vendor),
    }
}
