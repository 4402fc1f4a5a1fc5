//! Framing of a Diameter byte stream with tokio-util: one `Bytes` per message, split by
//! the header's length field (RFC 6733 3). The maximum size is checked from the first
//! four octets, before the frame is buffered, and the buffer grows only as octets
//! arrive: a header announcing a large message costs nothing until the message comes.

use bytes::{Bytes, BytesMut};
use plughss_plugin_api::diameter::{Frame, frame_length};
use tokio_util::codec::{Decoder, Encoder};

/// Why the stream can no longer be read as Diameter.
#[derive(Debug, thiserror::Error)]
pub enum FramingError {
    /// RFC 6733 3: a length below the header size leaves no way to find the next message.
    #[error("framing lost: message length {0} is below the 20-octet header")]
    Lost(u32),
    #[error("message length {len} exceeds the maximum of {max}")]
    TooLarge { len: u32, max: usize },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy)]
pub struct DiameterCodec {
    max: usize,
}

impl DiameterCodec {
    pub fn new(max_message_size: usize) -> Self {
        DiameterCodec { max: max_message_size }
    }

    pub fn max_message_size(&self) -> usize {
        self.max
    }

    /// Changes the limit for the frames still to come (raised once the capabilities
    /// exchange has made the peer known).
    pub fn set_max_message_size(&mut self, max: usize) {
        self.max = max;
    }
}

impl Decoder for DiameterCodec {
    type Item = Bytes;
    type Error = FramingError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Bytes>, FramingError> {
        match frame_length(src, self.max) {
            Frame::NeedHeader => Ok(None),
            Frame::Lost(len) => Err(FramingError::Lost(len)),
            Frame::TooLarge(len) => Err(FramingError::TooLarge { len, max: self.max }),
            Frame::Length(len) if src.len() >= len => Ok(Some(src.split_to(len).freeze())),
            // No reserve for the announced length: a peer that announces 64 KiB and
            // stalls would pin it per connection. The reader grows the buffer as data
            // arrives (doubling), so a large message costs a few extra reads instead.
            Frame::Length(_) => Ok(None),
        }
    }
}

/// Encoded messages go out as they are.
impl Encoder<Bytes> for DiameterCodec {
    type Error = FramingError;

    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> Result<(), FramingError> {
        dst.extend_from_slice(&item);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(len: u32) -> Vec<u8> {
        let mut m = vec![0u8; len as usize];
        m[0] = 1;
        m[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        m
    }

    #[test]
    fn splits_and_joins() {
        let mut c = DiameterCodec::new(1024);
        let mut buf = BytesMut::new();
        let two = [msg(24), msg(20)].concat();
        buf.extend_from_slice(&two[..10]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&two[10..]);
        assert_eq!(c.decode(&mut buf).unwrap().unwrap().len(), 24);
        assert_eq!(c.decode(&mut buf).unwrap().unwrap().len(), 20);
        assert!(c.decode(&mut buf).unwrap().is_none());
    }

    #[test]
    fn refuses_before_buffering() {
        let mut c = DiameterCodec::new(64);
        let mut buf = BytesMut::from(&[1u8, 0x10, 0, 0][..]);
        assert!(matches!(c.decode(&mut buf), Err(FramingError::TooLarge { len: 0x100000, .. })));
        let mut buf = BytesMut::from(&[1u8, 0, 0, 4][..]);
        assert!(matches!(c.decode(&mut buf), Err(FramingError::Lost(4))));
    }

    #[test]
    fn an_announced_length_reserves_nothing() {
        let mut c = DiameterCodec::new(64 * 1024);
        let mut buf = BytesMut::with_capacity(64);
        buf.extend_from_slice(&msg(60_000)[..24]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(buf.capacity() < 1024, "capacity {} after a 60,000-octet header", buf.capacity());
    }

    #[test]
    fn the_limit_can_be_raised_after_the_first_frame() {
        let mut c = DiameterCodec::new(100);
        let mut buf = BytesMut::from(&msg(200)[..]);
        assert!(matches!(c.decode(&mut buf), Err(FramingError::TooLarge { len: 200, max: 100 })));
        c.set_max_message_size(1024);
        assert_eq!(c.decode(&mut buf).unwrap().unwrap().len(), 200);
    }
}
