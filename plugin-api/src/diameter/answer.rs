//! Answers every application needs: protocol and permanent errors in the RFC 6733 7.2
//! answer-message format, with Failed-AVP (7.5) and Proxy-Info echoed (6.2).

use alloc::vec::Vec;

use super::avp::Avp;
use super::builder::MessageBuilder;
use super::error::MessageError;
use super::header::{HEADER_LEN, Header};
use super::message::Message;
use super::result_code::is_protocol_error;
use crate::dictionary::base;

/// Who is answering: the local Origin-Host and Origin-Realm.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub host: &'a str,
    pub realm: &'a str,
}

/// Builds an answer-message for `req` carrying `result_code`, an optional Error-Message and
/// an optional Failed-AVP payload (one or more encoded AVPs). The E bit is set for 3xxx
/// codes (RFC 6733 7.2). Session-Id comes first when the request had one (RFC 6733 8.8).
pub fn error_answer(
    buf: &mut Vec<u8>,
    req: &Header,
    req_avps: Option<&Message<'_>>,
    origin: Origin<'_>,
    result_code: u32,
    error_message: Option<&str>,
    failed_avp: Option<&[u8]>,
) -> usize {
    let mut b = MessageBuilder::answer(buf, req);
    b.set_error(is_protocol_error(result_code));
    if let Some(sid) = req_avps.and_then(|m| m.find(&base::SESSION_ID)) {
        b.bytes(&base::SESSION_ID, sid.payload());
    }
    b.origin(origin.host, origin.realm).result_code(result_code);
    if let Some(text) = error_message {
        b.str(&base::ERROR_MESSAGE, text);
    }
    if let Some(failed) = failed_avp.filter(|f| !f.is_empty()) {
        b.grouped(&base::FAILED_AVP, |g| {
            g.encoded(failed);
        });
    }
    if let Some(m) = req_avps {
        for pi in m.find_all(&base::PROXY_INFO) {
            b.bytes(&base::PROXY_INFO, pi.payload());
        }
    }
    b.finish()
}

/// The answer to a request that failed [`Message::parse`] or a check of its AVPs.
/// `raw` is the request as received; when its AVPs could not be walked, Session-Id and
/// Proxy-Info are omitted rather than guessed.
pub fn answer_decode_error(
    buf: &mut Vec<u8>,
    raw: &[u8],
    origin: Origin<'_>,
    err: &MessageError,
) -> Option<usize> {
    let header = Header::parse(raw)?;
    let parsed = Message::parse(raw).ok();
    let len = error_answer(
        buf,
        &header,
        parsed.as_ref(),
        origin,
        err.result_code(),
        Some(&alloc::format!("{err}")),
        err.failed_avp(),
    );
    if parsed.is_none() {
        // RFC 6733 6.2: the answer echoes the Session-Id. The message did not parse as a
        // whole, but its first AVP (where RFC 6733 8.8 puts Session-Id) may still be
        // readable; copy it in front of the other AVPs.
        if let Some(sid) = leading_session_id(raw) {
            let start = buf.len() - len;
            let mut with_sid = Vec::with_capacity(len + sid.len() + 12);
            {
                let mut b = MessageBuilder::new(
                    &mut with_sid,
                    buf[start + 4],
                    header.command_code,
                    header.application_id,
                    header.hop_by_hop,
                    header.end_to_end,
                );
                b.bytes(&base::SESSION_ID, sid);
                b.encoded(&buf[start + HEADER_LEN..]);
                b.finish();
            }
            buf.truncate(start);
            buf.extend_from_slice(&with_sid);
            return Some(with_sid.len());
        }
    }
    Some(len)
}

/// The payload of a Session-Id that is the first AVP, if it reads as UTF-8.
fn leading_session_id(raw: &[u8]) -> Option<&[u8]> {
    let (avp, _) = Avp::parse(raw.get(HEADER_LEN..)?).ok()?;
    (avp.code == base::SESSION_ID.code && avp.vendor_id == 0 && core::str::from_utf8(avp.payload()).is_ok())
        .then(|| avp.payload())
}
