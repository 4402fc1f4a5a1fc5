//! What the load generator sends and how it judges the answers: a [`RequestKind`] encodes
//! its request once, with placeholders, into a [`Template`]; request *i* for IMSI *x* is
//! then a copy of the template with the identifiers, Session-Id counter and IMSI digits
//! patched in place, written into the connection's reusable write buffer. No message is
//! encoded or allocated per request.
//!
//! A new kind (Cx MAR, say) is one more `impl RequestKind`: write the request with
//! [`Marks::session_id`] and [`Marks::imsi`] where the per-request values go, and
//! optionally check more of the answer in [`RequestKind::classify`].

use plughss_plugin_api::diameter::{AvpIter, HEADER_LEN, MessageBuilder, avp_flags};
use plughss_plugin_api::dictionary::{AvpDef, VENDOR_3GPP, app, base, cmd, s6a};

use crate::diameter::router::Application;

/// Digits of the per-connection request counter in the Session-Id.
pub const SESSION_DIGITS: usize = 20;

/// Who the generator is on one connection, and whom it addresses.
#[derive(Debug, Clone)]
pub struct Identity {
    pub origin_host: String,
    pub origin_realm: String,
    /// The server's realm (learnt from its CEA unless given).
    pub destination_realm: String,
    /// Visited-PLMN-Id in its 3-octet TBCD form (TS 29.272 7.3.9, TS 24.008 10.5.1.13).
    pub visited_plmn: [u8; 3],
    /// The high part of every Session-Id of this run (RFC 6733 8.8).
    pub session_high: u32,
}

/// How one answer turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A Result-Code (RFC 6733 7.1).
    Result(u32),
    /// An Experimental-Result: (Vendor-Id, Experimental-Result-Code) (RFC 6733 7.6).
    Experimental(u32, u32),
    /// The answer carries no result, does not parse, or a kind-specific check failed.
    Invalid(&'static str),
}

/// One kind of request the generator can send.
pub trait RequestKind: Send + Sync {
    /// The command's short name in reports ("AIR").
    fn name(&self) -> &'static str;
    /// The application advertised in CER.
    fn application(&self) -> Application;
    /// Encodes the request into `buf` (empty), marking where the per-request values go
    /// with [`Marks::session_id`] and [`Marks::imsi`]. Hop-by-Hop and End-to-End are
    /// patched at their fixed header offsets.
    fn encode(&self, buf: &mut Vec<u8>, marks: &mut Marks, id: &Identity);
    /// Classifies an answer (already framed; not yet validated). The default reads
    /// Result-Code or Experimental-Result from the top level.
    fn classify(&self, answer: &[u8]) -> Outcome {
        result_of(answer)
    }
}

/// Placeholders recorded while a kind encodes its request.
#[derive(Debug, Default)]
pub struct Marks {
    imsi_width: usize,
    session: Option<usize>,
    imsi: Vec<usize>,
}

impl Marks {
    pub fn new(imsi_width: usize) -> Marks {
        Marks { imsi_width, ..Marks::default() }
    }

    /// Writes Session-Id as `<origin-host>;<high>;<counter>` (RFC 6733 8.8), the counter
    /// being a fixed-width placeholder.
    pub fn session_id(&mut self, b: &mut MessageBuilder<'_>, id: &Identity) {
        let prefix = format!("{};{};", id.origin_host, id.session_high);
        let at = b.len() + avp_header_len(&base::SESSION_ID) + prefix.len();
        let value = format!("{prefix}{}", "0".repeat(SESSION_DIGITS));
        b.str(&base::SESSION_ID, &value);
        self.session = Some(at);
    }

    /// Writes a UTF8String AVP `prefix` + IMSI + `suffix` (the IMSI a placeholder), e.g.
    /// User-Name for S6a or `sip:<imsi>@realm` for Cx.
    pub fn imsi(&mut self, b: &mut MessageBuilder<'_>, def: &AvpDef, prefix: &str, suffix: &str) {
        let at = b.len() + avp_header_len(def) + prefix.len();
        let value = format!("{prefix}{}{suffix}", "0".repeat(self.imsi_width));
        b.str(def, &value);
        self.imsi.push(at);
    }
}

fn avp_header_len(def: &AvpDef) -> usize {
    if def.flags() & avp_flags::VENDOR != 0 { 12 } else { 8 }
}

/// A request encoded once, patched per send.
#[derive(Debug, Clone)]
pub struct Template {
    bytes: Vec<u8>,
    session_at: usize,
    imsi_at: Vec<usize>,
    imsi_width: usize,
}

impl Template {
    /// Encodes `kind`'s request for this identity.
    pub fn new(kind: &dyn RequestKind, id: &Identity, imsi_width: usize) -> Template {
        let mut bytes = Vec::with_capacity(512);
        let mut marks = Marks::new(imsi_width);
        kind.encode(&mut bytes, &mut marks, id);
        let session_at = marks.session.unwrap_or_else(|| {
            panic!("request kind {} does not mark its Session-Id", kind.name());
        });
        assert!(!marks.imsi.is_empty(), "request kind {} does not mark an IMSI", kind.name());
        Template { bytes, session_at, imsi_at: marks.imsi, imsi_width }
    }

    /// Octets of one request.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends one request to `out`: the template with these identifiers, Session-Id
    /// counter and IMSI (written as `imsi_width` decimal digits, leading zeros kept).
    pub fn write(&self, out: &mut Vec<u8>, hop_by_hop: u32, end_to_end: u32, session: u64, imsi: u64) {
        let at = out.len();
        out.extend_from_slice(&self.bytes);
        let m = &mut out[at..];
        m[12..16].copy_from_slice(&hop_by_hop.to_be_bytes());
        m[16..20].copy_from_slice(&end_to_end.to_be_bytes());
        write_digits(&mut m[self.session_at..self.session_at + SESSION_DIGITS], session);
        for &p in &self.imsi_at {
            write_digits(&mut m[p..p + self.imsi_width], imsi);
        }
    }
}

/// Writes `v` in decimal into `out`, right-aligned and zero-filled (higher digits that
/// do not fit are dropped).
fn write_digits(out: &mut [u8], mut v: u64) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Result-Code or Experimental-Result at the top level of an answer.
pub fn result_of(answer: &[u8]) -> Outcome {
    let Some(avps) = answer.get(HEADER_LEN..) else {
        return Outcome::Invalid("shorter than a Diameter header");
    };
    for avp in AvpIter::new(avps) {
        let Ok(avp) = avp else {
            return Outcome::Invalid("malformed AVP");
        };
        if avp.is(base::RESULT_CODE.code, 0) {
            return match avp.as_u32() {
                Ok(c) => Outcome::Result(c),
                Err(_) => Outcome::Invalid("malformed Result-Code"),
            };
        }
        if avp.is(base::EXPERIMENTAL_RESULT.code, 0) {
            let code = avp.child(base::EXPERIMENTAL_RESULT_CODE.code, 0).and_then(|c| c.as_u32().ok());
            let vendor = avp.child(base::VENDOR_ID.code, 0).and_then(|v| v.as_u32().ok()).unwrap_or(0);
            return match code {
                Some(c) => Outcome::Experimental(vendor, c),
                None => Outcome::Invalid("Experimental-Result without its code"),
            };
        }
    }
    Outcome::Invalid("no Result-Code or Experimental-Result")
}

/// The S6a head every MME request carries (TS 29.272 7.2.3, 7.2.5): Session-Id,
/// Vendor-Specific-Application-Id, Auth-Session-State NO_STATE_MAINTAINED, Origin-Host
/// and -Realm, Destination-Realm, User-Name = IMSI.
fn s6a_request<'b>(
    buf: &'b mut Vec<u8>,
    marks: &mut Marks,
    id: &Identity,
    command: u32,
) -> MessageBuilder<'b> {
    let mut b = MessageBuilder::request(buf, command, app::S6A, 0, 0);
    marks.session_id(&mut b, id);
    b.grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
        g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
    })
    .u32(&base::AUTH_SESSION_STATE, 1)
    .origin(&id.origin_host, &id.origin_realm)
    .str(&base::DESTINATION_REALM, &id.destination_realm);
    marks.imsi(&mut b, &base::USER_NAME, "", "");
    b
}

const S6A: Application = Application { id: app::S6A, vendor_id: VENDOR_3GPP };

/// S6a Authentication-Information-Request (TS 29.272 5.2.3.1, 7.2.5) asking for
/// `vectors` E-UTRAN vectors.
#[derive(Debug, Clone, Copy)]
pub struct Air {
    pub vectors: u32,
}

impl RequestKind for Air {
    fn name(&self) -> &'static str {
        "AIR"
    }

    fn application(&self) -> Application {
        S6A
    }

    fn encode(&self, buf: &mut Vec<u8>, marks: &mut Marks, id: &Identity) {
        let mut b = s6a_request(buf, marks, id, cmd::AUTHENTICATION_INFORMATION);
        // TS 29.272 7.3.11: Requested-EUTRAN-Authentication-Info.
        b.grouped(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, self.vectors).u32(&s6a::IMMEDIATE_RESPONSE_PREFERRED, 0);
        })
        .bytes(&s6a::VISITED_PLMN_ID, &id.visited_plmn);
        b.finish();
    }

    /// A success must carry the vectors asked for (TS 29.272 7.3.17), so a server that
    /// answers 2001 without them is caught rather than counted.
    fn classify(&self, answer: &[u8]) -> Outcome {
        let outcome = result_of(answer);
        if outcome != Outcome::Result(2001) {
            return outcome;
        }
        let mut avps = AvpIter::new(&answer[HEADER_LEN..]).filter_map(Result::ok);
        let Some(info) = avps.find(|a| a.is(s6a::AUTHENTICATION_INFO.code, VENDOR_3GPP)) else {
            return Outcome::Invalid("AIA 2001 without Authentication-Info");
        };
        let n = info.grouped().filter_map(Result::ok).filter(|a| a.is(s6a::E_UTRAN_VECTOR.code, VENDOR_3GPP));
        if n.count() as u32 != self.vectors {
            return Outcome::Invalid("AIA 2001 with another number of E-UTRAN vectors than asked for");
        }
        outcome
    }
}

/// S6a Update-Location-Request (TS 29.272 5.2.1.1, 7.2.3) from an MME over E-UTRAN.
#[derive(Debug, Clone, Copy)]
pub struct Ulr;

/// ULR-Flags bit 1, S6a/S6d-Indicator: the request comes from an MME (TS 29.272 7.3.7).
pub const ULR_FLAG_S6A: u32 = 1 << 1;
/// RAT-Type EUTRAN (TS 29.212 5.3.31).
pub const RAT_EUTRAN: i32 = 1004;

impl RequestKind for Ulr {
    fn name(&self) -> &'static str {
        "ULR"
    }

    fn application(&self) -> Application {
        S6A
    }

    fn encode(&self, buf: &mut Vec<u8>, marks: &mut Marks, id: &Identity) {
        let mut b = s6a_request(buf, marks, id, cmd::UPDATE_LOCATION);
        b.enumerated(&s6a::RAT_TYPE, RAT_EUTRAN)
            .u32(&s6a::ULR_FLAGS, ULR_FLAG_S6A)
            .bytes(&s6a::VISITED_PLMN_ID, &id.visited_plmn);
        b.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plughss_plugin_api::diameter::Message;

    fn identity() -> Identity {
        Identity {
            origin_host: "bench-3.bench.localdomain".into(),
            origin_realm: "bench.localdomain".into(),
            destination_realm: "localdomain".into(),
            visited_plmn: [0x00, 0xf1, 0x10],
            session_high: 1_700_000_000,
        }
    }

    #[test]
    fn patched_air_decodes_to_the_intended_values() {
        let t = Template::new(&Air { vectors: 3 }, &identity(), 15);
        let mut out = vec![0xaa; 7]; // requests are appended after what the buffer holds
        t.write(&mut out, 0xdead_beef, 0x0102_0304, 42, 1_010_000_012_345);
        t.write(&mut out, 7, 8, 43, 1_010_000_012_346);
        assert_eq!(out.len(), 7 + 2 * t.len());

        let m = Message::parse(&out[7..7 + t.len()]).expect("a well-formed request");
        m.check_types().expect("AVP types as the dictionary says");
        assert!(m.header.is_request() && m.header.is_proxiable());
        assert_eq!((m.header.command_code, m.header.application_id), (318, 16_777_251));
        assert_eq!((m.header.hop_by_hop, m.header.end_to_end), (0xdead_beef, 0x0102_0304));
        assert_eq!(m.session_id(), Some("bench-3.bench.localdomain;1700000000;00000000000000000042"));
        assert_eq!(m.str(&base::USER_NAME), Some("001010000012345"));
        assert_eq!(m.origin_host(), Some("bench-3.bench.localdomain"));
        assert_eq!(m.str(&base::DESTINATION_REALM), Some("localdomain"));
        assert_eq!(m.find(&s6a::VISITED_PLMN_ID).unwrap().payload(), &[0x00, 0xf1, 0x10]);
        let req = m.find(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO).unwrap();
        assert_eq!(req.child(s6a::NUMBER_OF_REQUESTED_VECTORS.code, VENDOR_3GPP).unwrap().as_u32(), Ok(3));
        let vsai = m.find(&base::VENDOR_SPECIFIC_APPLICATION_ID).unwrap();
        assert_eq!(vsai.child(base::VENDOR_ID.code, 0).unwrap().as_u32(), Ok(VENDOR_3GPP));

        let second = Message::parse(&out[7 + t.len()..]).unwrap();
        assert_eq!(second.header.hop_by_hop, 7);
        assert_eq!(second.str(&base::USER_NAME), Some("001010000012346"));
        assert!(second.session_id().unwrap().ends_with(";00000000000000000043"));
    }

    #[test]
    fn patched_ulr_carries_what_the_s6a_plugin_needs() {
        let t = Template::new(&Ulr, &identity(), 15);
        let mut out = Vec::new();
        t.write(&mut out, 1, 2, u64::MAX, 999_999_999_999_999);
        let m = Message::parse(&out).unwrap();
        m.check_types().unwrap();
        assert_eq!(m.header.command_code, 316);
        assert_eq!(m.str(&base::USER_NAME), Some("999999999999999"));
        assert_eq!(m.session_id(), Some("bench-3.bench.localdomain;1700000000;18446744073709551615"));
        assert_eq!(m.u32(&s6a::RAT_TYPE), Some(1004));
        assert_eq!(m.u32(&s6a::ULR_FLAGS), Some(ULR_FLAG_S6A));
        assert_eq!(m.u32(&base::AUTH_SESSION_STATE), Some(1));
        assert!(m.find(&s6a::VISITED_PLMN_ID).is_some());
    }

    fn answer(f: impl FnOnce(&mut MessageBuilder<'_>)) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, 0x40, 318, app::S6A, 1, 1);
        b.str(&base::SESSION_ID, "s").origin("hss", "realm");
        f(&mut b);
        b.finish();
        buf
    }

    #[test]
    fn answers_are_classified_by_their_result() {
        let rc = answer(|b| {
            b.result_code(5012);
        });
        assert_eq!(result_of(&rc), Outcome::Result(5012));
        let er = answer(|b| {
            b.experimental_result(VENDOR_3GPP, 5001);
        });
        assert_eq!(Air { vectors: 1 }.classify(&er), Outcome::Experimental(VENDOR_3GPP, 5001));
        assert!(matches!(result_of(&answer(|_| {})), Outcome::Invalid(_)));
        assert!(matches!(result_of(&[1, 0, 0]), Outcome::Invalid(_)));
        let mut broken = rc.clone();
        broken[HEADER_LEN + 7] = 0xff; // first AVP's length runs past the end
        assert!(matches!(result_of(&broken), Outcome::Invalid(_)));
    }

    #[test]
    fn an_aia_success_must_carry_the_vectors_asked_for() {
        let with = |n: usize| {
            answer(|b| {
                b.result_code(2001).grouped(&s6a::AUTHENTICATION_INFO, |g| {
                    for i in 0..n {
                        g.grouped(&s6a::E_UTRAN_VECTOR, |v| {
                            v.u32(&s6a::ITEM_NUMBER, i as u32 + 1).bytes(&s6a::RAND, &[0; 16]);
                        });
                    }
                });
            })
        };
        assert_eq!(Air { vectors: 2 }.classify(&with(2)), Outcome::Result(2001));
        assert!(matches!(Air { vectors: 2 }.classify(&with(1)), Outcome::Invalid(_)));
        let bare = answer(|b| {
            b.result_code(2001);
        });
        assert!(matches!(Air { vectors: 1 }.classify(&bare), Outcome::Invalid(_)));
        assert_eq!(Ulr.classify(&bare), Outcome::Result(2001));
    }

    #[test]
    fn digits_are_zero_filled_and_truncated_on_the_left() {
        let mut d = [0u8; 5];
        write_digits(&mut d, 42);
        assert_eq!(&d, b"00042");
        write_digits(&mut d, 1_234_567);
        assert_eq!(&d, b"34567");
    }
}
