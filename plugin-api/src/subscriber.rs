//! The subscriber profile, shaped after the Open5GS MongoDB document so that Open5GS
//! tooling (WebUI, `open5gs-dbctl`) and PlugHSS agree on field names and meanings.
//! Secrets (K, OP, OPc) live in [`AuthData`], apart from the profile: a [`Subscriber`]
//! can be returned by the API or handed to a plugin without leaking them.

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

/// A subscriber's profile without secrets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Subscriber {
    pub imsi: String,
    pub msisdn: Vec<String>,
    /// AMF and SQN only; K/OP/OPc are in [`AuthData`].
    pub security: SecurityInfo,
    pub ambr: Ambr,
    pub slice: Vec<Slice>,
    /// TS 29.272 7.3.31 bit mask (Open5GS default 32: NR as secondary RAT not allowed).
    pub access_restriction_data: u32,
    /// TS 29.272 7.3.29: 0 SERVICE_GRANTED, 1 OPERATOR_DETERMINED_BARRING.
    pub subscriber_status: u32,
    /// TS 29.272 7.3.30 bit mask.
    pub operator_determined_barring: u32,
    /// TS 29.272 7.3.21: 0 PACKET_AND_CIRCUIT, 2 ONLY_PACKET.
    pub network_access_mode: u32,
    /// Minutes (Open5GS convention); TS 29.272 7.3.134 carries seconds.
    pub subscribed_rau_tau_timer: u32,
    /// The MME serving the subscriber, as Open5GS records it after ULR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mme_host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mme_realm: Option<String>,
    /// Unix seconds of the last ULR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mme_timestamp: Option<i64>,
    pub purge_flag: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ims: Option<Ims>,
}

impl Default for Subscriber {
    /// The defaults `open5gs-dbctl add` writes: APN "internet", IPv4v6, QCI 9, ARP 8,
    /// 1 Gbps AMBR both ways, AMF 8000.
    fn default() -> Self {
        Subscriber {
            imsi: String::new(),
            msisdn: Vec::new(),
            security: SecurityInfo::default(),
            ambr: Ambr::gbps(1),
            slice: vec![Slice::default()],
            access_restriction_data: 32,
            subscriber_status: 0,
            operator_determined_barring: 0,
            network_access_mode: 0,
            subscribed_rau_tau_timer: 12,
            mme_host: None,
            mme_realm: None,
            mme_timestamp: None,
            purge_flag: false,
            ims: None,
        }
    }
}

impl Subscriber {
    /// Takes the state fields from `stored`: the serving MME (written only by the
    /// serving-node update of ULR/PUR, TS 29.272 7.2.3, 7.2.13) and the IMS
    /// registration (written only by Cx SAR, TS 29.228 6.1.2). A provisioning write
    /// replaces the rest: were these replaced, the HSS would forget which MME to send
    /// an IDR or CLR to.
    pub fn keep_state_of(&mut self, stored: &Subscriber) {
        self.mme_host.clone_from(&stored.mme_host);
        self.mme_realm.clone_from(&stored.mme_realm);
        self.mme_timestamp = stored.mme_timestamp;
        self.purge_flag = stored.purge_flag;
        if let Some(ims) = &mut self.ims {
            match &stored.ims {
                Some(old) => {
                    ims.scscf.clone_from(&old.scscf);
                    ims.registration_state.clone_from(&old.registration_state);
                }
                None => ims.clear_state(),
            }
        }
    }

    /// Empties the state fields (see [`keep_state_of`](Self::keep_state_of)), as a
    /// newly created subscriber has them.
    pub fn clear_state(&mut self) {
        self.mme_host = None;
        self.mme_realm = None;
        self.mme_timestamp = None;
        self.purge_flag = false;
        if let Some(ims) = &mut self.ims {
            ims.clear_state();
        }
    }
}

/// The non-secret part of `security`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityInfo {
    /// 4 hex digits.
    pub amf: String,
    /// The next SQN to issue (48 bits, SEQ || IND), as Open5GS keeps it.
    pub sqn: u64,
}

impl Default for SecurityInfo {
    fn default() -> Self {
        SecurityInfo { amf: "8000".into(), sqn: 0 }
    }
}

/// Bit rate as Open5GS writes it: value × 1000^unit bps (unit 0 bps … 4 Tbps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitRate {
    pub value: u64,
    pub unit: u8,
}

impl BitRate {
    /// In bits per second, saturating.
    pub fn bps(&self) -> u64 {
        let mut v = self.value;
        for _ in 0..self.unit.min(4) {
            v = v.saturating_mul(1000);
        }
        v
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ambr {
    pub downlink: BitRate,
    pub uplink: BitRate,
}

impl Ambr {
    pub fn gbps(v: u64) -> Self {
        Ambr { downlink: BitRate { value: v, unit: 3 }, uplink: BitRate { value: v, unit: 3 } }
    }
}

impl Default for Ambr {
    fn default() -> Self {
        Ambr::gbps(1)
    }
}

/// A network slice (S-NSSAI) with its sessions (APNs in EPC terms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slice {
    pub sst: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<String>,
    pub default_indicator: bool,
    pub session: Vec<Session>,
}

impl Default for Slice {
    fn default() -> Self {
        Slice { sst: 1, sd: None, default_indicator: true, session: vec![Session::default()] }
    }
}

/// One APN / DNN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// The APN (Service-Selection).
    pub name: String,
    /// Open5GS session type: 1 IPv4, 2 IPv6, 3 IPv4v6.
    #[serde(rename = "type")]
    pub session_type: u8,
    pub qos: Qos,
    pub ambr: Ambr,
    /// Static UE addresses, when provisioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ue: Option<UeAddress>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            name: "internet".into(),
            session_type: 3,
            qos: Qos::default(),
            ambr: Ambr::gbps(1),
            ue: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Qos {
    /// QCI (5QI).
    pub index: u8,
    pub arp: Arp,
}

impl Default for Qos {
    fn default() -> Self {
        Qos { index: 9, arp: Arp::default() }
    }
}

/// Allocation and Retention Priority (TS 29.212 5.3.32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Arp {
    pub priority_level: u8,
    /// As Open5GS stores it (the 5GC convention, TS 29.571): 1 disabled, 2 enabled.
    /// S6a encodes it the other way round (TS 29.212 5.3.46: 0 enabled, 1 disabled).
    pub pre_emption_capability: u8,
    /// As Open5GS stores it: 1 disabled, 2 enabled (S6a: TS 29.212 5.3.47).
    pub pre_emption_vulnerability: u8,
}

impl Default for Arp {
    fn default() -> Self {
        Arp { priority_level: 8, pre_emption_capability: 1, pre_emption_vulnerability: 1 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UeAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
}

/// IMS identities and state (Cx/Dx).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ims {
    /// Private identity (IMPI), e.g. "001010000000001@ims.mnc001.mcc001.3gppnetwork.org".
    pub impi: String,
    /// Public identities (IMPUs), SIP or tel URIs.
    pub impu: Vec<String>,
    /// SIP digest realm, when digest authentication is provisioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_realm: Option<String>,
    /// Initial filter criteria (the IMS subscription XML's iFC part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifc: Option<String>,
    /// The S-CSCF assigned by SAR, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scscf: Option<String>,
    /// TS 29.228 registration state: "not_registered", "registered", "unregistered".
    pub registration_state: String,
}

impl Ims {
    /// No S-CSCF assigned, not registered.
    pub fn clear_state(&mut self) {
        self.scscf = None;
        self.registration_state = String::from(NOT_REGISTERED);
    }
}

/// TS 29.228 registration state of a subscriber no S-CSCF has registered.
pub const NOT_REGISTERED: &str = "not_registered";

/// Secrets and counters for authentication: never serialised by the API, never handed
/// to a plugin, never logged (`Debug` redacts the keys).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthData {
    pub k: [u8; 16],
    pub opc: OpcOrOp,
    pub amf: [u8; 2],
    /// The next SQN to issue (SEQ || IND).
    pub sqn: u64,
    /// SIP digest HA1 or password for IMS digest, when provisioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_ha1: Option<String>,
}

/// Operators provision OPc, or OP from which OPc is derived with K (TS 35.206 4.1).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpcOrOp {
    Opc([u8; 16]),
    Op([u8; 16]),
}

impl fmt::Debug for AuthData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthData")
            .field("k", &"<redacted>")
            .field("opc", &"<redacted>")
            .field("amf", &self.amf)
            .field("sqn", &self.sqn)
            .finish()
    }
}

impl fmt::Debug for OpcOrOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A field that failed validation, for a 400 answer naming it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl ToString) -> Self {
        FieldError { field: field.into(), reason: reason.to_string() }
    }
}

/// An IMSI: 6 to 15 decimal digits (ITU-T E.212).
pub fn validate_imsi(imsi: &str) -> Result<(), FieldError> {
    if (6..=15).contains(&imsi.len()) && imsi.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(FieldError::new("imsi", "must be 6 to 15 digits"))
    }
}

/// Parses hex the way the Open5GS tools accept it: either case, spaces ignored.
pub fn parse_hex<const N: usize>(field: &str, s: &str) -> Result<[u8; N], FieldError> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() != N * 2 {
        return Err(FieldError::new(field, alloc::format!("must be {} hex digits", N * 2)));
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks(2).enumerate() {
        let hi = hex_val(pair[0]).ok_or_else(|| FieldError::new(field, "is not hex"))?;
        let lo = hex_val(pair[1]).ok_or_else(|| FieldError::new(field, "is not hex"))?;
        out[i] = hi << 4 | lo;
    }
    Ok(out)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Lower-case hex, for storing keys the way Open5GS does.
pub fn to_hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_case_and_spaces() {
        let k: [u8; 16] = parse_hex("k", "465B5CE8 B199B49F AA5F0A2E E238A6BC").unwrap();
        assert_eq!(to_hex(&k), "465b5ce8b199b49faa5f0a2ee238a6bc");
        assert!(parse_hex::<16>("k", "465b").is_err());
        assert_eq!(parse_hex::<2>("amf", "80zz").unwrap_err().field, "amf");
    }

    #[test]
    fn defaults_match_open5gs_dbctl() {
        let s = Subscriber::default();
        let sess = &s.slice[0].session[0];
        assert_eq!(
            (sess.name.as_str(), sess.session_type, sess.qos.index, sess.qos.arp.priority_level),
            ("internet", 3, 9, 8)
        );
        assert_eq!(s.security.amf, "8000");
        assert_eq!(s.ambr.downlink.bps(), 1_000_000_000);
    }

    #[test]
    fn auth_data_debug_redacts() {
        let a = AuthData {
            k: [0xab; 16],
            opc: OpcOrOp::Opc([0xcd; 16]),
            amf: [0x80, 0],
            sqn: 1,
            digest_ha1: None,
        };
        let s = alloc::format!("{a:?}");
        assert!(!s.contains("171") && !s.contains("ab, ab") && s.contains("redacted"), "{s}");
    }
}
