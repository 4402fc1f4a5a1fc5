//! Framing of a Diameter byte stream with tokio-util: one `Bytes` per message, split by
//! the header's length field (RFC 6733 3). The maximum size is checked from the first
//! four octets, before the frame is buffered.

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
            Frame::Length(len) => {
                src.reserve(len - src.len());
                Ok(None)
            }
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
}
