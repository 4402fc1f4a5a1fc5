//! An owned, structural form of a message for tools and tests: AVPs keep their wire
//! flags and payloads; Grouped AVPs (per the dictionary) are decoded into children.

use alloc::vec::Vec;

use super::avp::AvpIter;
use super::builder::MessageBuilder;
use super::error::MessageError;
use super::header::Header;
use super::message::Message;
use crate::dictionary::{self, AvpType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedMessage {
    /// `length` is ignored by `encode` and set by `decode`.
    pub header: Header,
    pub avps: Vec<OwnedAvp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedAvp {
    pub code: u32,
    /// V, M and P bits as received; `encode` derives V from `vendor_id`.
    pub flags: u8,
    pub vendor_id: u32,
    pub value: OwnedValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedValue {
    Bytes(Vec<u8>),
    Grouped(Vec<OwnedAvp>),
}

impl OwnedMessage {
    pub fn decode(bytes: &[u8]) -> Result<OwnedMessage, MessageError> {
        let m = Message::parse(bytes)?;
        Ok(OwnedMessage { header: m.header, avps: decode_avps(m.avp_bytes(), 0) })
    }

    /// Appends the encoded message to `buf` and returns its length.
    pub fn encode(&self, buf: &mut Vec<u8>) -> usize {
        let h = &self.header;
        let mut b =
            MessageBuilder::new(buf, h.flags, h.command_code, h.application_id, h.hop_by_hop, h.end_to_end);
        encode_avps(&mut b, &self.avps);
        b.finish()
    }
}

fn decode_avps(buf: &[u8], depth: u32) -> Vec<OwnedAvp> {
    AvpIter::new(buf)
        .filter_map(Result::ok)
        .map(|a| {
            let grouped = depth < 16
                && dictionary::lookup(a.code, a.vendor_id).is_some_and(|d| d.ty == AvpType::Grouped);
            OwnedAvp {
                code: a.code,
                flags: a.flags,
                vendor_id: a.vendor_id,
                value: if grouped {
                    OwnedValue::Grouped(decode_avps(a.payload(), depth + 1))
                } else {
                    OwnedValue::Bytes(a.payload().to_vec())
                },
            }
        })
        .collect()
}

fn encode_avps(b: &mut MessageBuilder<'_>, avps: &[OwnedAvp]) {
    for a in avps {
        match &a.value {
            OwnedValue::Bytes(d) => {
                b.avp_raw(a.code, a.flags, a.vendor_id, d);
            }
            OwnedValue::Grouped(children) => {
                b.grouped_raw(a.code, a.flags, a.vendor_id, |g| encode_avps(g, children));
            }
        }
    }
}
