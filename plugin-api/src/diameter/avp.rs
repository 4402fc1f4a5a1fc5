//! Zero-copy AVP views (RFC 6733 4.1) and typed reads of the base data types (4.2, 4.3).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::AvpError;

/// AVP flag bits (RFC 6733 4.1).
pub mod avp_flags {
    /// V: the Vendor-ID field is present.
    pub const VENDOR: u8 = 0x80;
    /// M: the receiver must understand the AVP or reject the message.
    pub const MANDATORY: u8 = 0x40;
    /// P: reserved for end-to-end security; RFC 6733 deprecates it.
    pub const PROTECTED: u8 = 0x20;
    /// Bits reserved by RFC 6733; they must be zero.
    pub const RESERVED: u8 = 0x1f;
}

/// AVP header length without and with the Vendor-ID field.
pub const AVP_HEADER_LEN: usize = 8;
pub const AVP_VENDOR_HEADER_LEN: usize = 12;

/// Rounds `n` up to the 32-bit boundary every AVP is padded to (RFC 6733 4.1).
pub const fn padded(n: usize) -> usize {
    (n + 3) & !3
}

/// One AVP, borrowed from the message buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Avp<'a> {
    pub code: u32,
    pub flags: u8,
    /// 0 when the V bit is clear.
    pub vendor_id: u32,
    data: &'a [u8],
    /// Header and payload, without padding: what Failed-AVP carries.
    raw: &'a [u8],
}

impl core::fmt::Debug for Avp<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Avp")
            .field("code", &self.code)
            .field("flags", &self.flags)
            .field("vendor_id", &self.vendor_id)
            .field("len", &self.data.len())
            .finish()
    }
}

impl<'a> Avp<'a> {
    /// Parses the AVP at the start of `buf`, returning it and the number of octets it
    /// occupies with padding. The padding of the last AVP in a message may be absent
    /// only if the message length says so; callers pass exactly the AVP area.
    pub fn parse(buf: &'a [u8]) -> Result<(Avp<'a>, usize), AvpError> {
        if buf.len() < AVP_HEADER_LEN {
            return Err(AvpError::Truncated);
        }
        let code = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
        let flags = buf[4];
        let len = u32::from_be_bytes([0, buf[5], buf[6], buf[7]]) as usize;
        let (vendor_id, hdr) = if flags & avp_flags::VENDOR != 0 {
            if buf.len() < AVP_VENDOR_HEADER_LEN {
                return Err(AvpError::BadLength { code, flags, vendor_id: 0 });
            }
            (u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]), AVP_VENDOR_HEADER_LEN)
        } else {
            (0, AVP_HEADER_LEN)
        };
        if len < hdr || len > buf.len() {
            return Err(AvpError::BadLength { code, flags, vendor_id });
        }
        let raw = &buf[..len];
        let avp = Avp { code, flags, vendor_id, data: &raw[hdr..], raw };
        // The final AVP may end exactly at the buffer end without its padding: RFC 6733
        // counts padding in the message length, so a missing pad means a short message,
        // which the message-level check reports; here we only never read past the end.
        Ok((avp, padded(len).min(buf.len())))
    }

    /// Builds a view over a payload with no backing header (used by tests and builders).
    pub fn payload(&self) -> &'a [u8] {
        self.data
    }

    /// Header plus payload, unpadded.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    pub fn is_mandatory(&self) -> bool {
        self.flags & avp_flags::MANDATORY != 0
    }

    pub fn is_vendor_specific(&self) -> bool {
        self.flags & avp_flags::VENDOR != 0
    }

    /// True when this AVP has the given code and vendor.
    pub fn is(&self, code: u32, vendor: u32) -> bool {
        self.code == code && self.vendor_id == vendor
    }

    fn fixed<const N: usize>(&self) -> Result<[u8; N], AvpError> {
        self.data.try_into().map_err(|_| self.bad_len())
    }

    fn bad_len(&self) -> AvpError {
        AvpError::BadLength { code: self.code, flags: self.flags, vendor_id: self.vendor_id }
    }

    fn bad_value(&self) -> AvpError {
        AvpError::BadValue { code: self.code, vendor_id: self.vendor_id }
    }

    pub fn as_u32(&self) -> Result<u32, AvpError> {
        self.fixed::<4>().map(u32::from_be_bytes)
    }

    pub fn as_i32(&self) -> Result<i32, AvpError> {
        self.fixed::<4>().map(i32::from_be_bytes)
    }

    pub fn as_u64(&self) -> Result<u64, AvpError> {
        self.fixed::<8>().map(u64::from_be_bytes)
    }

    pub fn as_i64(&self) -> Result<i64, AvpError> {
        self.fixed::<8>().map(i64::from_be_bytes)
    }

    pub fn as_f32(&self) -> Result<f32, AvpError> {
        self.fixed::<4>().map(f32::from_be_bytes)
    }

    pub fn as_f64(&self) -> Result<f64, AvpError> {
        self.fixed::<8>().map(f64::from_be_bytes)
    }

    /// Enumerated is an Integer32 (RFC 6733 4.3.1).
    pub fn as_enum(&self) -> Result<i32, AvpError> {
        self.as_i32()
    }

    /// OctetString payload.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    /// UTF8String, DiameterIdentity and DiameterURI payloads (RFC 6733 4.3.1).
    pub fn as_str(&self) -> Result<&'a str, AvpError> {
        core::str::from_utf8(self.data).map_err(|_| self.bad_value())
    }

    /// Address (RFC 6733 4.3.1): a 2-octet IANA address family then the address.
    /// Families other than IPv4 (1) and IPv6 (2) are returned as an error value.
    pub fn as_address(&self) -> Result<IpAddr, AvpError> {
        match self.data {
            [0, 1, a, b, c, d] => Ok(IpAddr::V4(Ipv4Addr::new(*a, *b, *c, *d))),
            [0, 2, rest @ ..] if rest.len() == 16 => {
                let mut o = [0u8; 16];
                o.copy_from_slice(rest);
                Ok(IpAddr::V6(Ipv6Addr::from(o)))
            }
            [0, 1, ..] | [0, 2, ..] => Err(self.bad_len()),
            d if d.len() < 2 => Err(self.bad_len()),
            _ => Err(self.bad_value()),
        }
    }

    /// Time (RFC 6733 4.3.1): NTP seconds. Returned as seconds since the Unix epoch,
    /// using the RFC 4330 3 rule that a cleared top bit means the era starting 2036.
    pub fn as_unix_time(&self) -> Result<i64, AvpError> {
        let ntp = self.as_u32()?;
        Ok(ntp_to_unix(ntp))
    }

    /// Iterates the AVPs inside a Grouped payload (RFC 6733 4.4).
    pub fn grouped(&self) -> AvpIter<'a> {
        AvpIter::new(self.data)
    }

    /// First AVP with `code`/`vendor` inside this Grouped AVP.
    pub fn child(&self, code: u32, vendor: u32) -> Option<Avp<'a>> {
        self.grouped().filter_map(Result::ok).find(|a| a.is(code, vendor))
    }
}

/// Seconds between 1900-01-01 (NTP epoch) and 1970-01-01.
pub const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// NTP seconds to Unix seconds with the RFC 4330 3 era rule.
pub fn ntp_to_unix(ntp: u32) -> i64 {
    if ntp & 0x8000_0000 != 0 {
        ntp as i64 - NTP_UNIX_OFFSET
    } else {
        ntp as i64 + (1i64 << 32) - NTP_UNIX_OFFSET
    }
}

/// Unix seconds to NTP seconds (valid 1968-2104), the inverse of [`ntp_to_unix`].
pub fn unix_to_ntp(unix: i64) -> u32 {
    (unix + NTP_UNIX_OFFSET) as u32
}

/// Iterator over consecutive AVPs in a buffer. Yields an error once and then stops
/// when the buffer does not hold a well-formed AVP.
#[derive(Clone)]
pub struct AvpIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> AvpIter<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        AvpIter { rest: buf, failed: false }
    }
}

impl<'a> Iterator for AvpIter<'a> {
    type Item = Result<Avp<'a>, AvpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        match Avp::parse(self.rest) {
            Ok((avp, used)) => {
                self.rest = &self.rest[used..];
                Some(Ok(avp))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vendor_avp_with_padding() {
        // Visited-PLMN-Id (1407, 3GPP) carrying 3 octets, padded to 16.
        let b = [0, 0, 5, 0x7f, 0xc0, 0, 0, 15, 0, 0, 0x28, 0xaf, 0x00, 0xf1, 0x10, 0];
        let (a, used) = Avp::parse(&b).unwrap();
        assert_eq!((a.code, a.vendor_id, used), (1407, 10415, 16));
        assert_eq!(a.as_bytes(), &[0x00, 0xf1, 0x10]);
        assert!(a.is_mandatory() && a.is_vendor_specific());
        assert_eq!(a.raw().len(), 15);
    }

    #[test]
    fn rejects_lengths_outside_the_buffer() {
        let b = [0, 0, 1, 8, 0x40, 0, 0, 40, 1, 2, 3, 4];
        assert!(matches!(Avp::parse(&b), Err(AvpError::BadLength { code: 264, .. })));
        let b = [0, 0, 1, 8, 0x40, 0, 0, 7];
        assert!(matches!(Avp::parse(&b), Err(AvpError::BadLength { .. })));
    }

    #[test]
    fn typed_reads() {
        let mk = |data: &'static [u8]| Avp { code: 1, flags: 0, vendor_id: 0, data, raw: data };
        assert_eq!(mk(&[0, 0, 7, 0xd1]).as_u32(), Ok(2001));
        assert_eq!(mk(&[0xff, 0xff, 0xff, 0xfe]).as_i32(), Ok(-2));
        assert!(mk(&[0, 0, 7]).as_u32().is_err());
        assert_eq!(mk(&[0, 1, 127, 0, 0, 1]).as_address(), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(matches!(mk(&[0, 9, 1, 2]).as_address(), Err(AvpError::BadValue { .. })));
        assert!(mk(&[0xff, 0xfe]).as_str().is_err());
        assert_eq!(mk(&[0x40, 0x49, 0x0f, 0xdb]).as_f32(), Ok(core::f32::consts::PI));
    }

    #[test]
    fn ntp_eras() {
        // 2026-01-01T00:00:00Z
        let unix = 1_767_225_600;
        assert_eq!(ntp_to_unix(unix_to_ntp(unix)), unix);
        // 1970 sits in era 0 with the top bit set.
        assert_eq!(ntp_to_unix(NTP_UNIX_OFFSET as u32), 0);
        // 2040 is past the 2036 roll-over: top bit clear.
        let y2040 = 2_208_988_800;
        assert_eq!(unix_to_ntp(y2040) & 0x8000_0000, 0);
        assert_eq!(ntp_to_unix(unix_to_ntp(y2040)), y2040);
    }
}
