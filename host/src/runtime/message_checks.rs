//! What a plugin hands the host to put on the wire is checked before it leaves: its
//! answers to requests it was given, and the requests it sends through
//! `peers.send-request`. A plugin is untrusted code; without these checks it could
//! speak the base protocol for the host (a DPR closing a peer), pack several messages in
//! one buffer, or sign a message with another node's Origin-Host.

use plughss_plugin_api::diameter::{Header, Message};
use plughss_plugin_api::dictionary::{AvpDef, base};

use super::services::NodeIdentity;
use crate::diameter::peers::PeerInfo;

/// Base-protocol commands (RFC 6733 3.1): the host alone runs the capabilities exchange,
/// the watchdog and the disconnect of a connection.
const BASE_PROTOCOL_COMMANDS: [(u32, &str); 3] =
    [(257, "Capabilities-Exchange"), (280, "Device-Watchdog"), (282, "Disconnect-Peer")];

/// The common-messages application (RFC 6733 2.4): its commands belong to the host.
const COMMON_MESSAGES: u32 = 0;
/// The relay application (RFC 6733 2.4): this node is not a relay.
const RELAY: u32 = 0xffff_ffff;

/// An answer must parse as exactly one message, be an answer (R clear) to the same
/// command, carry the request's identifiers (RFC 6733 6.2), and name this node as its
/// origin (RFC 6733 6.3); anything else would corrupt the peer's state or speak for
/// another node.
pub fn check_answer(request: &[u8], answer: &[u8], node: &NodeIdentity) -> Result<(), &'static str> {
    let req = Header::parse(request).ok_or("request header")?;
    let m = Message::parse(answer).map_err(|_| "does not parse as one message")?;
    let h = m.header;
    if h.is_request() {
        return Err("has the R bit");
    }
    if h.command_code != req.command_code || h.application_id != req.application_id {
        return Err("answers another command");
    }
    if h.hop_by_hop != req.hop_by_hop || h.end_to_end != req.end_to_end {
        return Err("does not carry the request's identifiers");
    }
    check_origin(&m, node)
}

/// A request a plugin sends to `peer`: exactly one well-formed request (RFC 6733 3) of an
/// application negotiated with that peer (RFC 6733 6.1: a request of another one would be
/// answered 3007), not a base-protocol command, with this node's Origin-Host and
/// Origin-Realm. The Hop-by-Hop Identifier is the host's to set (`PeerHandle::request`).
pub fn check_request(request: &[u8], node: &NodeIdentity, peer: &PeerInfo) -> Result<(), String> {
    let m = Message::parse(request).map_err(|e| format!("not one well-formed Diameter message: {e}"))?;
    let h = m.header;
    if !h.is_request() {
        return Err("the R bit is clear: not a request".into());
    }
    if let Some((_, name)) = BASE_PROTOCOL_COMMANDS.iter().find(|(c, _)| *c == h.command_code) {
        return Err(format!("{name} (command {}) is the host's to send", h.command_code));
    }
    match h.application_id {
        COMMON_MESSAGES | RELAY => {
            return Err(format!("application {} is the host's to use", h.application_id));
        }
        id if !peer.supports(id) => {
            return Err(format!("application {id} was not negotiated with {}", peer.origin_host));
        }
        _ => {}
    }
    check_origin(&m, node).map_err(str::to_string)
}

/// Exactly one Origin-Host and one Origin-Realm (RFC 6733 6.3, 6.4), naming this node.
fn check_origin(m: &Message<'_>, node: &NodeIdentity) -> Result<(), &'static str> {
    let checks: [(&AvpDef, &str, &'static str); 2] = [
        (&base::ORIGIN_HOST, &node.origin_host, "Origin-Host is not this node's"),
        (&base::ORIGIN_REALM, &node.origin_realm, "Origin-Realm is not this node's"),
    ];
    for (def, ours, wrong) in checks {
        let mut found =
            m.avps().filter_map(Result::ok).filter(|a| a.code == def.code && a.vendor_id == def.vendor);
        let value = found.next().ok_or(wrong)?;
        if found.next().is_some() || !value.as_str().is_ok_and(|v| v.eq_ignore_ascii_case(ours)) {
            return Err(wrong);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use plughss_plugin_api::diameter::{MessageBuilder, flags};

    use super::*;
    use crate::diameter::capabilities::PeerCapabilities;
    use crate::diameter::router::Application;

    const S6A: u32 = 16_777_251;
    const ULR: u32 = 316;
    const IDR: u32 = 319;

    fn node() -> NodeIdentity {
        NodeIdentity {
            origin_host: "hss.example.org".into(),
            origin_realm: "example.org".into(),
            mcc: "001".into(),
            mnc: "01".into(),
        }
    }

    fn peer() -> PeerInfo {
        PeerInfo {
            connection_id: 1,
            origin_host: "mme.example.org".into(),
            origin_realm: "example.org".into(),
            remote: "127.0.0.1:3868".parse().unwrap(),
            caps: PeerCapabilities::default(),
            applications: vec![Application { id: S6A, vendor_id: 10415 }],
            connected_at: SystemTime::now(),
            relay: false,
        }
    }

    fn request(command: u32, app: u32, host: &str, realm: &str) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::request(&mut buf, command, app, 7, 9);
        b.str(&base::SESSION_ID, "hss.example.org;1").origin(host, realm);
        b.finish();
        buf
    }

    fn answer_to(req: &[u8], host: &str, realm: &str) -> Vec<u8> {
        let h = Header::parse(req).unwrap();
        let mut buf = Vec::new();
        let mut b = MessageBuilder::answer(&mut buf, &h);
        b.origin(host, realm).u32(&base::RESULT_CODE, 2001);
        b.finish();
        buf
    }

    #[test]
    fn a_request_of_a_negotiated_application_from_this_node_passes() {
        let r = request(IDR, S6A, "HSS.example.org", "example.org");
        assert_eq!(check_request(&r, &node(), &peer()), Ok(()));
    }

    #[test]
    fn requests_the_host_must_refuse() {
        let ours = |c, a| request(c, a, "hss.example.org", "example.org");
        let mut two = ours(IDR, S6A);
        two.extend(ours(282, 0));
        let mut answer = ours(IDR, S6A);
        answer[4] &= !flags::REQUEST;
        let mut short = ours(IDR, S6A);
        short.truncate(short.len() - 4);
        let cases: [(&str, Vec<u8>, &str); 9] = [
            ("two messages in one buffer", two, "not one well-formed"),
            ("a truncated message", short, "not one well-formed"),
            ("an answer", answer, "R bit"),
            ("DPR", ours(282, 0), "Disconnect-Peer"),
            ("DWR under S6a's id", ours(280, S6A), "Device-Watchdog"),
            ("CER", ours(257, 0), "Capabilities-Exchange"),
            ("a common-messages request", ours(274, 0), "application 0"),
            ("an application the peer did not negotiate", ours(ULR, 16_777_216), "not negotiated"),
            (
                "another node's Origin-Host",
                request(IDR, S6A, "spoofed-hss.elsewhere", "example.org"),
                "Origin-Host",
            ),
        ];
        for (what, bytes, why) in cases {
            let e = check_request(&bytes, &node(), &peer()).expect_err(what);
            assert!(e.contains(why), "{what}: {e}");
        }
        let other_realm = request(IDR, S6A, "hss.example.org", "elsewhere");
        assert_eq!(
            check_request(&other_realm, &node(), &peer()).unwrap_err(),
            "Origin-Realm is not this node's"
        );
    }

    #[test]
    fn a_second_origin_host_is_refused() {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::request(&mut buf, IDR, S6A, 7, 9);
        b.origin("hss.example.org", "example.org").str(&base::ORIGIN_HOST, "spoofed-hss.elsewhere");
        b.finish();
        assert!(check_request(&buf, &node(), &peer()).is_err());
    }

    #[test]
    fn answers_must_name_this_node() {
        let req = request(ULR, S6A, "mme.example.org", "example.org");
        assert_eq!(check_answer(&req, &answer_to(&req, "hss.example.org", "example.org"), &node()), Ok(()));
        let spoofed = answer_to(&req, "spoofed-hss.elsewhere", "example.org");
        assert_eq!(check_answer(&req, &spoofed, &node()), Err("Origin-Host is not this node's"));
        let realm = answer_to(&req, "hss.example.org", "elsewhere");
        assert_eq!(check_answer(&req, &realm, &node()), Err("Origin-Realm is not this node's"));
        let mut trailing = answer_to(&req, "hss.example.org", "example.org");
        trailing.extend_from_slice(&[0; 4]);
        assert_eq!(check_answer(&req, &trailing, &node()), Err("does not parse as one message"));
    }
}
