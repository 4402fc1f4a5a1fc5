//! Encoding into a caller-owned, reusable buffer. Lengths of the message and of Grouped
//! AVPs are patched in place, so building never allocates beyond the buffer's growth.

use alloc::vec::Vec;
use core::net::IpAddr;

use super::avp::{avp_flags, padded, unix_to_ntp};
use super::header::{HEADER_LEN, Header, VERSION, flags};
use crate::dictionary::{AvpDef, base};

/// Appends one message to a `Vec<u8>`. Call [`MessageBuilder::finish`] to patch the
/// header length; several messages may be built back to back into one buffer.
pub struct MessageBuilder<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
}

impl<'b> MessageBuilder<'b> {
    /// Starts a message with the given header fields; `length` is filled by `finish`.
    pub fn new(
        buf: &'b mut Vec<u8>,
        flags: u8,
        command_code: u32,
        application_id: u32,
        hop_by_hop: u32,
        end_to_end: u32,
    ) -> Self {
        let start = buf.len();
        let h = Header {
            version: VERSION,
            length: 0,
            flags,
            command_code,
            application_id,
            hop_by_hop,
            end_to_end,
        };
        let mut raw = [0u8; HEADER_LEN];
        h.write(&mut raw);
        buf.extend_from_slice(&raw);
        MessageBuilder { buf, start }
    }

    /// A proxiable request (the P bit is what every 3GPP application command sets).
    pub fn request(
        buf: &'b mut Vec<u8>,
        command_code: u32,
        application_id: u32,
        hop_by_hop: u32,
        end_to_end: u32,
    ) -> Self {
        Self::new(
            buf,
            flags::REQUEST | flags::PROXIABLE,
            command_code,
            application_id,
            hop_by_hop,
            end_to_end,
        )
    }

    /// An answer to `req`: same command, application and identifiers, R cleared and P
    /// copied (RFC 6733 6.2).
    pub fn answer(buf: &'b mut Vec<u8>, req: &Header) -> Self {
        Self::new(
            buf,
            req.flags & flags::PROXIABLE,
            req.command_code,
            req.application_id,
            req.hop_by_hop,
            req.end_to_end,
        )
    }

    /// Sets or clears the E bit (RFC 6733 7.2: answers with a 3xxx code set it).
    pub fn set_error(&mut self, on: bool) -> &mut Self {
        let f = &mut self.buf[self.start + 4];
        if on {
            *f |= flags::ERROR;
        } else {
            *f &= !flags::ERROR;
        }
        self
    }

    /// Writes an AVP header and payload with explicit fields, then padding.
    pub fn avp_raw(&mut self, code: u32, flags: u8, vendor_id: u32, data: &[u8]) -> &mut Self {
        let hdr = self.avp_header(code, flags, vendor_id);
        self.buf.extend_from_slice(data);
        self.close_avp(hdr);
        self
    }

    fn avp_header(&mut self, code: u32, flags: u8, vendor_id: u32) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&code.to_be_bytes());
        self.buf.extend_from_slice(&[flags, 0, 0, 0]);
        if flags & avp_flags::VENDOR != 0 {
            self.buf.extend_from_slice(&vendor_id.to_be_bytes());
        }
        at
    }

    /// Patches the length of the AVP starting at `at` and pads to 32 bits.
    fn close_avp(&mut self, at: usize) {
        let len = (self.buf.len() - at) as u32;
        self.buf[at + 5..at + 8].copy_from_slice(&len.to_be_bytes()[1..]);
        self.buf.resize(at + padded(len as usize), 0);
    }

    /// OctetString (and any payload already in wire form).
    pub fn bytes(&mut self, def: &AvpDef, data: &[u8]) -> &mut Self {
        self.avp_raw(def.code, def.flags(), def.vendor, data)
    }

    /// UTF8String, DiameterIdentity, DiameterURI.
    pub fn str(&mut self, def: &AvpDef, s: &str) -> &mut Self {
        self.bytes(def, s.as_bytes())
    }

    pub fn u32(&mut self, def: &AvpDef, v: u32) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    pub fn i32(&mut self, def: &AvpDef, v: i32) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    pub fn u64(&mut self, def: &AvpDef, v: u64) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    pub fn i64(&mut self, def: &AvpDef, v: i64) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    pub fn f32(&mut self, def: &AvpDef, v: f32) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    pub fn f64(&mut self, def: &AvpDef, v: f64) -> &mut Self {
        self.bytes(def, &v.to_be_bytes())
    }

    /// Enumerated (an Integer32 on the wire).
    pub fn enumerated(&mut self, def: &AvpDef, v: i32) -> &mut Self {
        self.i32(def, v)
    }

    /// Address with its IANA family (1 IPv4, 2 IPv6).
    pub fn address(&mut self, def: &AvpDef, ip: IpAddr) -> &mut Self {
        match ip {
            IpAddr::V4(a) => {
                let mut d = [0u8; 6];
                d[1] = 1;
                d[2..].copy_from_slice(&a.octets());
                self.bytes(def, &d)
            }
            IpAddr::V6(a) => {
                let mut d = [0u8; 18];
                d[1] = 2;
                d[2..].copy_from_slice(&a.octets());
                self.bytes(def, &d)
            }
        }
    }

    /// Time, from Unix seconds.
    pub fn time_unix(&mut self, def: &AvpDef, unix_seconds: i64) -> &mut Self {
        self.u32(def, unix_to_ntp(unix_seconds))
    }

    /// A Grouped AVP whose children `f` writes.
    pub fn grouped(&mut self, def: &AvpDef, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.grouped_raw(def.code, def.flags(), def.vendor, f)
    }

    pub fn grouped_raw(
        &mut self,
        code: u32,
        flags: u8,
        vendor_id: u32,
        f: impl FnOnce(&mut Self),
    ) -> &mut Self {
        let at = self.avp_header(code, flags, vendor_id);
        f(self);
        self.close_avp(at);
        self
    }

    /// Copies AVPs that are already encoded (and padded), e.g. echoed Proxy-Info.
    pub fn encoded(&mut self, avps: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(avps);
        let pad = padded(self.buf.len()) - self.buf.len();
        self.buf.resize(self.buf.len() + pad, 0);
        self
    }

    /// Result-Code.
    pub fn result_code(&mut self, code: u32) -> &mut Self {
        self.u32(&base::RESULT_CODE, code)
    }

    /// Experimental-Result { Vendor-Id, Experimental-Result-Code } (RFC 6733 7.6/7.7).
    pub fn experimental_result(&mut self, vendor_id: u32, code: u32) -> &mut Self {
        self.grouped(&base::EXPERIMENTAL_RESULT, |g| {
            g.u32(&base::VENDOR_ID, vendor_id);
            g.u32(&base::EXPERIMENTAL_RESULT_CODE, code);
        })
    }

    /// Origin-Host and Origin-Realm.
    pub fn origin(&mut self, host: &str, realm: &str) -> &mut Self {
        self.str(&base::ORIGIN_HOST, host).str(&base::ORIGIN_REALM, realm)
    }

    /// Octets written so far for this message.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == HEADER_LEN
    }

    /// Patches the message length and returns it.
    pub fn finish(self) -> usize {
        let len = self.len();
        self.buf[self.start + 1..self.start + 4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
        len
    }
}
