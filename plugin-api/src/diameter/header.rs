//! The fixed 20-octet Diameter header (RFC 6733 3).

/// Length of the Diameter header in octets.
pub const HEADER_LEN: usize = 20;
/// The only protocol version defined (RFC 6733 3).
pub const VERSION: u8 = 1;

/// Command flag bits (RFC 6733 3).
pub mod flags {
    /// R: the message is a request.
    pub const REQUEST: u8 = 0x80;
    /// P: the message may be proxied, relayed or redirected.
    pub const PROXIABLE: u8 = 0x40;
    /// E: the answer carries a protocol error.
    pub const ERROR: u8 = 0x20;
    /// T: potentially retransmitted after a link failover.
    pub const RETRANSMIT: u8 = 0x10;
    /// Bits reserved by RFC 6733; they must be zero.
    pub const RESERVED: u8 = 0x0f;
}

/// A decoded Diameter header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    pub version: u8,
    /// Message length in octets, header included (24 bits on the wire).
    pub length: u32,
    pub flags: u8,
    /// Command code (24 bits on the wire).
    pub command_code: u32,
    pub application_id: u32,
    pub hop_by_hop: u32,
    pub end_to_end: u32,
}

impl Header {
    /// Reads a header from the first 20 octets of `buf`; `None` when fewer are present.
    /// No field is validated here: see [`crate::diameter::Message::parse`].
    pub fn parse(buf: &[u8]) -> Option<Header> {
        let b: &[u8; HEADER_LEN] = buf.get(..HEADER_LEN)?.try_into().ok()?;
        Some(Header {
            version: b[0],
            length: u32::from_be_bytes([0, b[1], b[2], b[3]]),
            flags: b[4],
            command_code: u32::from_be_bytes([0, b[5], b[6], b[7]]),
            application_id: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            hop_by_hop: u32::from_be_bytes([b[12], b[13], b[14], b[15]]),
            end_to_end: u32::from_be_bytes([b[16], b[17], b[18], b[19]]),
        })
    }

    /// Writes the header into 20 octets. `length` and `command_code` are truncated to
    /// their 24 wire bits.
    pub fn write(&self, out: &mut [u8; HEADER_LEN]) {
        let len = self.length.to_be_bytes();
        let code = self.command_code.to_be_bytes();
        out[0] = self.version;
        out[1..4].copy_from_slice(&len[1..4]);
        out[4] = self.flags;
        out[5..8].copy_from_slice(&code[1..4]);
        out[8..12].copy_from_slice(&self.application_id.to_be_bytes());
        out[12..16].copy_from_slice(&self.hop_by_hop.to_be_bytes());
        out[16..20].copy_from_slice(&self.end_to_end.to_be_bytes());
    }

    pub fn is_request(&self) -> bool {
        self.flags & flags::REQUEST != 0
    }

    pub fn is_proxiable(&self) -> bool {
        self.flags & flags::PROXIABLE != 0
    }

    pub fn is_error(&self) -> bool {
        self.flags & flags::ERROR != 0
    }
}

/// What the length field of a buffered header says about framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Fewer than 20 octets buffered: read more.
    NeedHeader,
    /// The message is `len` octets long (header included).
    Length(usize),
    /// The length field is below the header size: the byte stream cannot be re-synchronised
    /// and the connection must be closed (RFC 6733 3: framing is lost).
    Lost(u32),
    /// The length field exceeds the configured maximum; refused before any allocation.
    TooLarge(u32),
}

/// Reads the message length from a (possibly partial) buffer and checks it against `max`.
pub fn frame_length(buf: &[u8], max: usize) -> Frame {
    if buf.len() < 4 {
        return Frame::NeedHeader;
    }
    let len = u32::from_be_bytes([0, buf[1], buf[2], buf[3]]);
    if (len as usize) < HEADER_LEN {
        Frame::Lost(len)
    } else if len as usize > max {
        Frame::TooLarge(len)
    } else if buf.len() < HEADER_LEN {
        Frame::NeedHeader
    } else {
        Frame::Length(len as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let h = Header {
            version: 1,
            length: 0x01_02_03,
            flags: flags::REQUEST | flags::PROXIABLE,
            command_code: 318,
            application_id: 16_777_251,
            hop_by_hop: 0xdead_beef,
            end_to_end: 7,
        };
        let mut out = [0u8; HEADER_LEN];
        h.write(&mut out);
        assert_eq!(&out[..8], &[1, 1, 2, 3, 0xc0, 0, 1, 62]);
        assert_eq!(Header::parse(&out), Some(h));
    }

    #[test]
    fn framing_decisions() {
        assert_eq!(frame_length(&[1, 0, 0], 64), Frame::NeedHeader);
        assert_eq!(frame_length(&[1, 0, 0, 19], 64), Frame::Lost(19));
        assert_eq!(frame_length(&[1, 0, 0, 65], 64), Frame::TooLarge(65));
        assert_eq!(frame_length(&[1, 0, 0, 20], 64), Frame::NeedHeader);
        assert_eq!(
            frame_length(&[1, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 64),
            Frame::Length(20)
        );
    }
}
