//! What every S6a answer shares (TS 29.272 7.2): the answer head, the result AVPs, the
//! M-bit check, and the mapping of host errors to result codes.

use plughss_plugin_api::dictionary::{AvpDef, s6a};
use plughss_plugin_api::guest::prelude::*;

/// Auth-Session-State NO_STATE_MAINTAINED (RFC 6733 8.11): S6a is stateless.
pub const NO_STATE_MAINTAINED: u32 = 1;

/// Plugin settings (`[[plugin]] name = "s6a" config = { ... }`).
pub struct Settings {
    /// Cap on vectors per AIR (TS 29.272 7.3.14 allows 1-5 per type).
    pub max_vectors: u32,
    /// How long a CLR to a previous MME is awaited.
    pub clr_timeout_ms: u32,
}

pub fn settings() -> &'static Settings {
    static S: std::sync::OnceLock<Settings> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let cfg = host::plugin_config();
        Settings {
            max_vectors: json_u32(&cfg, "max_vectors").unwrap_or(5).clamp(1, 5),
            clr_timeout_ms: json_u32(&cfg, "clr_timeout_ms").unwrap_or(1000).clamp(10, 30_000),
        }
    })
}

/// Reads `"key": <number>` from a flat JSON object without a JSON dependency.
fn json_u32(json: &str, key: &str) -> Option<u32> {
    let at = json.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = json[at..].trim_start().strip_prefix(':')?.trim_start();
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The answer head every S6a answer carries: Session-Id, Origin-Host/Realm (from
/// `answer`), Vendor-Specific-Application-Id and Auth-Session-State (TS 29.272 7.2.4/6).
pub fn s6a_answer<'b>(buf: &'b mut Vec<u8>, req: &Message<'_>) -> MessageBuilder<'b> {
    let mut a = answer(buf, req);
    a.grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
        g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
    })
    .u32(&base::AUTH_SESSION_STATE, NO_STATE_MAINTAINED);
    a
}

/// A complete answer with a 3GPP Experimental-Result (TS 29.272 7.4.1).
pub fn experimental(req: &Message<'_>, code: u32) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    let mut a = s6a_answer(&mut buf, req);
    a.experimental_result(VENDOR_3GPP, code);
    a.finish();
    buf
}

/// A complete answer with a base Result-Code and optional Failed-AVP content.
pub fn result(req: &Message<'_>, code: u32, failed: Option<&[u8]>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    let mut a = s6a_answer(&mut buf, req);
    a.result_code(code);
    if let Some(f) = failed {
        a.grouped(&base::FAILED_AVP, |g| {
            g.encoded(f);
        });
    }
    a.finish();
    buf
}

/// AVPs every S6a request may carry besides its command's own (RFC 6733 6.1, TS 29.272).
const COMMON: &[&AvpDef] = &[
    &base::SESSION_ID,
    &base::VENDOR_SPECIFIC_APPLICATION_ID,
    &base::AUTH_SESSION_STATE,
    &base::ORIGIN_HOST,
    &base::ORIGIN_REALM,
    &base::DESTINATION_HOST,
    &base::DESTINATION_REALM,
    &base::USER_NAME,
    &base::PROXY_INFO,
    &base::ROUTE_RECORD,
    &s6a::SUPPORTED_FEATURES,
    &s6a::DRMP,
];

/// RFC 6733 7.1.5 / 4.1: an AVP with the M bit that the command does not define is
/// answered with 5001 DIAMETER_AVP_UNSUPPORTED and the AVP in Failed-AVP.
pub fn check_mandatory(req: &Message<'_>, known: &[&AvpDef]) -> Result<(), Vec<u8>> {
    for avp in req.avps().flatten() {
        if !avp.is_mandatory() {
            continue;
        }
        let ok = COMMON.iter().chain(known.iter()).any(|d| avp.is(d.code, d.vendor));
        if !ok {
            return Err(result(req, DIAMETER_AVP_UNSUPPORTED, Some(avp.raw())));
        }
    }
    Ok(())
}

/// RFC 6733 7.1.5 DIAMETER_MISSING_AVP with the AVP's example in Failed-AVP.
pub fn missing(req: &Message<'_>, def: &AvpDef) -> Vec<u8> {
    let e = plughss_plugin_api::diameter::message::missing(def);
    result(req, DIAMETER_MISSING_AVP, e.failed_avp())
}

/// The IMSI from User-Name (TS 29.272 7.3.1 / TS 23.003 2.2: up to 15 digits).
pub fn imsi<'a>(req: &Message<'a>) -> Result<&'a str, Vec<u8>> {
    let Some(avp) = req.find(&base::USER_NAME) else {
        return Err(missing(req, &base::USER_NAME));
    };
    match avp.as_str() {
        Ok(s) if (6..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) => Ok(s),
        _ => Err(result(req, DIAMETER_INVALID_AVP_VALUE, Some(avp.raw()))),
    }
}

/// Maps a host failure to the answer TS 29.272 7.4 prescribes.
pub fn host_failure(req: &Message<'_>, e: &HostError) -> Vec<u8> {
    use plughss_plugin_api::diameter::result_code::experimental as x;
    match e {
        HostError::UnknownSubscriber => experimental(req, x::DIAMETER_ERROR_USER_UNKNOWN),
        HostError::NoAuthData | HostError::ResyncFailed => {
            experimental(req, x::DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE)
        }
        HostError::Invalid(_) => result(req, DIAMETER_INVALID_AVP_VALUE, None),
        _ => {
            host::warn(&format!("answering 5012: {e:?}"));
            result(req, DIAMETER_UNABLE_TO_COMPLY, None)
        }
    }
}

/// Grouped child as Unsigned32.
pub fn child_u32(avp: &Avp<'_>, def: &AvpDef) -> Option<u32> {
    avp.child(def.code, def.vendor).and_then(|a| a.as_u32().ok())
}
