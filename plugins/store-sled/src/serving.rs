//! The `serving` tree's record: the serving MME ([`ServingNode`]) in a small binary
//! layout, so that `update_serving` (once per ULR and PUR) writes a few dozen bytes
//! instead of re-encoding the whole JSON profile.
//!
//! The layout is in the crate docs (# Layout).

use plughss_plugin_api::store::{ServingNode, StoreError};
use plughss_plugin_api::subscriber::Subscriber;

const PURGED: u8 = 1 << 0;
const HAS_TIMESTAMP: u8 = 1 << 1;
const HAS_HOST: u8 = 1 << 2;
const HAS_REALM: u8 = 1 << 3;
const KNOWN_FLAGS: u8 = PURGED | HAS_TIMESTAMP | HAS_HOST | HAS_REALM;

/// The record for `node`; `Invalid` only for a name of 4 GiB or more, which no Diameter
/// message or API body can carry.
pub(crate) fn encode(node: &ServingNode) -> Result<Vec<u8>, StoreError> {
    let text_len = |s: &Option<String>| s.as_ref().map_or(0, |s| 4 + s.len());
    let mut out = Vec::with_capacity(1 + 8 + text_len(&node.mme_host) + text_len(&node.mme_realm));
    let flag = |set: bool, bit: u8| if set { bit } else { 0 };
    out.push(
        flag(node.purge_flag, PURGED)
            | flag(node.mme_timestamp.is_some(), HAS_TIMESTAMP)
            | flag(node.mme_host.is_some(), HAS_HOST)
            | flag(node.mme_realm.is_some(), HAS_REALM),
    );
    if let Some(t) = node.mme_timestamp {
        out.extend_from_slice(&t.to_be_bytes());
    }
    for (field, text) in [("mme_host", &node.mme_host), ("mme_realm", &node.mme_realm)] {
        let Some(text) = text else { continue };
        let len = u32::try_from(text.len())
            .map_err(|_| StoreError::Invalid { field: field.into(), reason: "longer than 4 GiB".into() })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    Ok(out)
}

/// Reads a record; anything malformed is `Internal`, naming the IMSI (the record's key).
pub(crate) fn decode(imsi: &[u8], record: &[u8]) -> Result<ServingNode, StoreError> {
    decode_fields(record).map_err(|why| {
        StoreError::Internal(format!("corrupt serving record for {}: {why}", String::from_utf8_lossy(imsi)))
    })
}

fn decode_fields(record: &[u8]) -> Result<ServingNode, &'static str> {
    let mut r = Reader(record);
    let flags = r.take::<1>()?[0];
    if flags & !KNOWN_FLAGS != 0 {
        return Err("unknown flags");
    }
    let node = ServingNode {
        mme_timestamp: (flags & HAS_TIMESTAMP != 0).then(|| r.take().map(i64::from_be_bytes)).transpose()?,
        mme_host: (flags & HAS_HOST != 0).then(|| r.text()).transpose()?,
        mme_realm: (flags & HAS_REALM != 0).then(|| r.text()).transpose()?,
        purge_flag: flags & PURGED != 0,
    };
    if !r.0.is_empty() {
        return Err("trailing bytes");
    }
    Ok(node)
}

/// The unread rest of a record.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or("truncated")?;
        self.0 = rest;
        Ok(*head)
    }

    fn text(&mut self) -> Result<String, &'static str> {
        let len = usize::try_from(u32::from_be_bytes(self.take()?)).map_err(|_| "length too large")?;
        let (text, rest) = self.0.split_at_checked(len).ok_or("truncated string")?;
        self.0 = rest;
        String::from_utf8(text.to_vec()).map_err(|_| "string is not UTF-8")
    }
}

/// The serving node a profile carries.
#[cfg(test)]
pub(crate) fn of(sub: &Subscriber) -> ServingNode {
    ServingNode {
        mme_host: sub.mme_host.clone(),
        mme_realm: sub.mme_realm.clone(),
        mme_timestamp: sub.mme_timestamp,
        purge_flag: sub.purge_flag,
    }
}

/// Moves the serving node out of a profile, leaving the fields empty (`None`, `false`).
pub(crate) fn take(sub: &mut Subscriber) -> ServingNode {
    ServingNode {
        mme_host: sub.mme_host.take(),
        mme_realm: sub.mme_realm.take(),
        mme_timestamp: sub.mme_timestamp.take(),
        purge_flag: std::mem::take(&mut sub.purge_flag),
    }
}

/// Sets a profile's serving fields to `node`.
pub(crate) fn apply(sub: &mut Subscriber, node: ServingNode) {
    sub.mme_host = node.mme_host;
    sub.mme_realm = node.mme_realm;
    sub.mme_timestamp = node.mme_timestamp;
    sub.purge_flag = node.purge_flag;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(host: Option<&str>, realm: Option<&str>, ts: Option<i64>, purged: bool) -> ServingNode {
        ServingNode {
            mme_host: host.map(Into::into),
            mme_realm: realm.map(Into::into),
            mme_timestamp: ts,
            purge_flag: purged,
        }
    }

    fn samples() -> Vec<ServingNode> {
        vec![
            ServingNode::default(),
            node(
                Some("mme.epc.mnc001.mcc001.3gppnetwork.org"),
                Some("epc.mnc001.mcc001.3gppnetwork.org"),
                Some(1_700_000_000),
                false,
            ),
            node(Some("mme"), None, None, true),
            node(None, Some("realm"), Some(i64::MIN), false),
            node(Some(""), Some(""), Some(-1), true),
            node(Some("mmé-ü.example"), None, Some(i64::MAX), false),
        ]
    }

    #[test]
    fn every_field_combination_round_trips() {
        for n in samples() {
            assert_eq!(decode(b"1", &encode(&n).unwrap()), Ok(n.clone()), "{n:?}");
        }
        assert_eq!(encode(&ServingNode::default()).unwrap(), [0]);
        let full = node(Some("h"), Some("rr"), Some(0x0102), true);
        let expected =
            [&[0x0f][..], &0x0102i64.to_be_bytes(), &[0, 0, 0, 1, b'h', 0, 0, 0, 2, b'r', b'r']].concat();
        assert_eq!(encode(&full).unwrap(), expected, "the layout in the crate docs");
    }

    #[test]
    fn malformed_records_are_internal_errors_naming_the_imsi() {
        let bad: [(&[u8], &str); 7] = [
            (b"", "truncated"),
            (&[0x10], "unknown flags"),
            (&[0x02, 0, 0, 0], "truncated"),
            (&[0x04, 0, 0, 0, 9, b'a'], "truncated string"),
            (&[0x04, 0xff, 0xff, 0xff, 0xff], "truncated string"),
            (&[0x04, 0, 0, 0, 1, 0xff], "not UTF-8"),
            (&[0x00, 0x00], "trailing bytes"),
        ];
        for (record, why) in bad {
            match decode(b"001010000000001", record) {
                Err(StoreError::Internal(m)) => {
                    assert!(m.contains("001010000000001") && m.contains(why), "{record:?}: {m}");
                }
                other => panic!("{record:?}: expected Internal, got {other:?}"),
            }
        }
    }

    #[test]
    fn no_prefix_or_bit_flip_of_a_record_panics() {
        for n in samples() {
            let record = encode(&n).unwrap();
            for len in 0..record.len() {
                assert!(decode(b"1", &record[..len]).is_err(), "prefix {len} of {n:?} accepted");
            }
            for i in 0..record.len() {
                for bit in 0..8 {
                    let mut flipped = record.clone();
                    flipped[i] ^= 1 << bit;
                    let _ = decode(b"1", &flipped);
                }
            }
        }
    }

    #[test]
    fn take_empties_the_profile_and_apply_restores_it() {
        let mut sub = Subscriber {
            mme_host: Some("h".into()),
            mme_realm: Some("r".into()),
            mme_timestamp: Some(5),
            purge_flag: true,
            ..Subscriber::default()
        };
        let original = sub.clone();
        let n = take(&mut sub);
        assert_eq!(n, of(&original));
        assert_eq!(of(&sub), ServingNode::default());
        apply(&mut sub, n);
        assert_eq!(sub, original);
    }
}
