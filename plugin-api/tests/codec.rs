//! Codec properties: encode/decode round trips, arbitrary input never panics, and each
//! malformed-input rule maps to its RFC 6733 Result-Code.

use plughss_plugin_api::diameter::{
    HEADER_LEN, Header, Message, MessageBuilder, MessageError, OwnedAvp, OwnedMessage, OwnedValue, avp_flags,
    flags, result_code as rc,
};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, base};
use proptest::prelude::*;

fn avp_strategy() -> impl Strategy<Value = OwnedAvp> {
    // Leaves use codes the dictionary does not call Grouped; groups use Failed-AVP (279)
    // or Vendor-Specific-Application-Id (260), which the dictionary does.
    let leaf = (
        prop_oneof![Just(268u32), Just(264), Just(1), 5000..6000u32],
        prop_oneof![Just(0u32), Just(VENDOR_3GPP)],
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(code, vendor, m, data)| OwnedAvp {
            code,
            flags: if vendor != 0 { avp_flags::VENDOR } else { 0 } | if m { avp_flags::MANDATORY } else { 0 },
            vendor_id: vendor,
            value: OwnedValue::Bytes(data),
        });
    leaf.prop_recursive(3, 32, 6, |inner| {
        (prop_oneof![Just(279u32), Just(260)], proptest::collection::vec(inner, 0..6)).prop_map(
            |(code, children)| OwnedAvp {
                code,
                flags: avp_flags::MANDATORY,
                vendor_id: 0,
                value: OwnedValue::Grouped(children),
            },
        )
    })
}

fn message_strategy() -> impl Strategy<Value = OwnedMessage> {
    (
        any::<bool>(),
        any::<bool>(),
        0u32..0x00ff_ffff,
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(avp_strategy(), 0..12),
    )
        .prop_map(|(req, pxy, cmd, app, hbh, e2e, avps)| OwnedMessage {
            header: Header {
                version: 1,
                length: 0,
                flags: if req { flags::REQUEST } else { 0 } | if pxy { flags::PROXIABLE } else { 0 },
                command_code: cmd,
                application_id: app,
                hop_by_hop: hbh,
                end_to_end: e2e,
            },
            avps,
        })
}

proptest! {
    #[test]
    fn decode_encode_round_trip(m in message_strategy()) {
        let mut buf = Vec::new();
        let len = m.encode(&mut buf);
        prop_assert_eq!(len, buf.len());
        prop_assert_eq!(len % 4, 0);
        let back = OwnedMessage::decode(&buf).expect("own encoding must decode");
        prop_assert_eq!(back.header.length as usize, len);
        let mut expect = m.clone();
        expect.header.length = len as u32;
        prop_assert_eq!(back, expect);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(m) = Message::parse(&bytes) {
            let _ = m.check_types();
            for a in m.avps().flatten() {
                let _ = (a.as_u32(), a.as_str(), a.as_address(), a.as_unix_time());
                for c in a.grouped() { let _ = c; }
            }
        }
        let _ = OwnedMessage::decode(&bytes);
    }

    #[test]
    fn mutated_valid_messages_never_panic(m in message_strategy(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut buf = Vec::new();
        m.encode(&mut buf);
        let i = at.index(buf.len());
        buf[i] = byte;
        if let Ok(m) = Message::parse(&buf) { let _ = m.check_types(); }
    }
}

fn cer_like(build: impl FnOnce(&mut MessageBuilder<'_>)) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, flags::REQUEST, 257, 0, 1, 2);
    build(&mut b);
    b.finish();
    buf
}

#[test]
fn version_other_than_one_is_5011() {
    let mut m = cer_like(|b| {
        b.origin("a", "b");
    });
    m[0] = 2;
    let e = Message::parse(&m).unwrap_err();
    assert_eq!(e.result_code(), rc::DIAMETER_UNSUPPORTED_VERSION);
}

#[test]
fn request_with_error_bit_is_3008() {
    let mut m = cer_like(|_| {});
    m[4] |= flags::ERROR;
    assert_eq!(Message::parse(&m).unwrap_err().result_code(), rc::DIAMETER_INVALID_HDR_BITS);
    let mut m = cer_like(|_| {});
    m[4] |= 0x01;
    assert_eq!(Message::parse(&m).unwrap_err().result_code(), rc::DIAMETER_INVALID_HDR_BITS);
}

#[test]
fn reserved_avp_bit_is_3009_with_failed_avp() {
    let m = cer_like(|b| {
        b.avp_raw(264, avp_flags::MANDATORY | 0x01, 0, b"host");
    });
    let e = Message::parse(&m).unwrap_err();
    assert_eq!(e.result_code(), rc::DIAMETER_INVALID_AVP_BITS);
    assert_eq!(&e.failed_avp().unwrap()[..5], &[0, 0, 1, 8, 0x41]);
}

#[test]
fn avp_longer_than_message_is_5014_with_header_and_zero_payload() {
    let mut m = cer_like(|b| {
        b.u32(&base::RESULT_CODE, 2001);
    });
    // Claim 200 octets for the Result-Code AVP.
    m[HEADER_LEN + 7] = 200;
    let e = Message::parse(&m).unwrap_err();
    assert_eq!(e.result_code(), rc::DIAMETER_INVALID_AVP_LENGTH);
    // Header with a length of 12 and a zero Unsigned32 payload (RFC 6733 7.1.5).
    assert_eq!(e.failed_avp().unwrap(), &[0, 0, 1, 12, 0x40, 0, 0, 12, 0, 0, 0, 0]);
}

#[test]
fn message_length_not_multiple_of_four_is_5015() {
    let mut m = cer_like(|_| {});
    m.push(0);
    m[3] = 21;
    assert_eq!(Message::parse(&m).unwrap_err().result_code(), rc::DIAMETER_INVALID_MESSAGE_LENGTH);
}

#[test]
fn wrong_size_for_type_is_5014_and_bad_utf8_is_5004() {
    let m = cer_like(|b| {
        b.avp_raw(268, avp_flags::MANDATORY, 0, &[0, 0, 7]);
    });
    let e = Message::parse(&m).unwrap().check_types().unwrap_err();
    assert_eq!(e.result_code(), rc::DIAMETER_INVALID_AVP_LENGTH);
    let m = cer_like(|b| {
        b.avp_raw(264, avp_flags::MANDATORY, 0, &[0xff, 0xfe]);
    });
    let e = Message::parse(&m).unwrap().check_types().unwrap_err();
    assert!(matches!(e, MessageError::AvpValue { code: 264, .. }));
}

#[test]
fn grouped_children_are_checked() {
    let m = cer_like(|b| {
        b.grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.avp_raw(266, avp_flags::MANDATORY, 0, &[1, 2]);
        });
    });
    let e = Message::parse(&m).unwrap().check_types().unwrap_err();
    assert!(matches!(e, MessageError::AvpLength { code: 266, .. }));
}

#[test]
fn builder_output_matches_hand_encoding() {
    // Origin-Host "ab" + Result-Code 2001, hand-encoded per RFC 6733 4.1.
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, 0, 280, 0, 0x0102_0304, 0x0506_0708);
    b.str(&base::ORIGIN_HOST, "ab").result_code(2001);
    assert_eq!(b.finish(), 44);
    let expect: &[u8] = &[
        1, 0, 0, 44, 0, 0, 1, 24, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, // header
        0, 0, 1, 8, 0x40, 0, 0, 10, b'a', b'b', 0, 0, // Origin-Host, padded
        0, 0, 1, 12, 0x40, 0, 0, 12, 0, 0, 7, 0xd1, // Result-Code
    ];
    assert_eq!(buf, expect);
    let m = Message::parse(&buf).unwrap();
    assert_eq!(m.origin_host(), Some("ab"));
    assert_eq!(m.result(), Some((0, 2001)));
}

#[test]
fn experimental_result_is_read_with_its_vendor() {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::new(&mut buf, 0, 318, 16_777_251, 1, 1);
    b.experimental_result(VENDOR_3GPP, 5001);
    b.finish();
    assert_eq!(Message::parse(&buf).unwrap().result(), Some((VENDOR_3GPP, 5001)));
}
