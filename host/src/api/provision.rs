//! The subscriber document of the REST API and its mapping to the store's
//! ([`Subscriber`], [`AuthData`]) pair. Pure functions: no I/O, no logging.
//!
//! The document is the Open5GS subscriber document (what `open5gs-dbctl` and the WebUI
//! write to MongoDB) plus an `ims` object:
//!
//! ```json
//! { "imsi": "001010000000001", "msisdn": ["819012345678"],
//!   "security": { "k": "465b…", "opc": "cd63…", "amf": "8000", "sqn": 0 },
//!   "ambr": { "downlink": { "value": 1, "unit": 3 }, "uplink": { "value": 1, "unit": 3 } },
//!   "slice": [ { "sst": 1, "default_indicator": true, "session": [ { "name": "internet",
//!       "type": 3, "qos": { "index": 9, "arp": { "priority_level": 8,
//!       "pre_emption_capability": 1, "pre_emption_vulnerability": 1 } },
//!       "ambr": { … } } ] } ],
//!   "access_restriction_data": 32, "subscriber_status": 0, "network_access_mode": 0,
//!   "subscribed_rau_tau_timer": 12,
//!   "ims": { "impi": "…@ims…", "impu": ["sip:…"], "digest_realm": "…", "digest_ha1": "…",
//!            "ifc": "<InitialFilterCriteria>…", "scscf": "sip:scscf…",
//!            "registration_state": "not_registered" } }
//! ```
//!
//! Only `imsi`, `security.k` and one of `security.opc` / `security.op` are required;
//! everything else defaults as `open5gs-dbctl add` writes it ([`Subscriber::default`]).
//! Hex accepts either case and spaces, as in the Open5GS examples, and is stored in
//! lower case. The secrets (`security.k`, `security.opc`, `security.op`,
//! `ims.digest_ha1`) are write-only: [`render`] never returns them, because the
//! [`Subscriber`] it renders has no field that could hold them.
//!
//! Open5GS bookkeeping (`_id` at any level, `__v`, `schema_version`, `security.rand`,
//! an empty `pcc_rule`) is accepted and ignored, so `mongoexport` output imports as is;
//! any other unknown key, at any level, is a 400 naming it (`slice[0].session[0].sesion`).
//!
//! The state fields (the serving MME `mme_host`, `mme_realm`, `mme_timestamp`,
//! `purge_flag`, and the IMS registration `ims.scscf`, `ims.registration_state`) are
//! the network's, not the operator's: only ULR/PUR and SAR write them, and no
//! provisioning request does ([`StateFields`]). A document may repeat them as `GET`
//! returned them, or leave them out; a different value is a 400. An import ignores
//! them: they are the exporting system's state.

use plughss_plugin_api::store::SQN_MODULUS;
use plughss_plugin_api::subscriber::{
    AuthData, BitRate, FieldError, NOT_REGISTERED, OpcOrOp, SecurityInfo, Subscriber, parse_hex, to_hex,
    validate_imsi,
};
use serde_json::{Map, Value};

/// The top-level keys of the document.
pub const FIELDS: &[&str] = &[
    "imsi",
    "msisdn",
    "security",
    "ambr",
    "slice",
    "access_restriction_data",
    "subscriber_status",
    "operator_determined_barring",
    "network_access_mode",
    "subscribed_rau_tau_timer",
    "mme_host",
    "mme_realm",
    "mme_timestamp",
    "purge_flag",
    "ims",
];

/// Open5GS document bookkeeping, accepted and dropped.
const IGNORED: &[&str] = &["_id", "__v", "schema_version"];

/// The keys of nested objects, by their path with indices removed (`slice.session`).
const NESTED_FIELDS: &[(&str, &[&str])] = &[
    ("ambr", &["downlink", "uplink"]),
    ("ambr.downlink", &["value", "unit"]),
    ("ambr.uplink", &["value", "unit"]),
    ("slice", &["sst", "sd", "default_indicator", "session"]),
    ("slice.session", &["name", "type", "qos", "ambr", "ue"]),
    ("slice.session.qos", &["index", "arp"]),
    ("slice.session.qos.arp", &["priority_level", "pre_emption_capability", "pre_emption_vulnerability"]),
    ("slice.session.ambr", &["downlink", "uplink"]),
    ("slice.session.ambr.downlink", &["value", "unit"]),
    ("slice.session.ambr.uplink", &["value", "unit"]),
    ("slice.session.ue", &["ipv4", "ipv6"]),
    ("ims", &["impi", "impu", "digest_realm", "digest_ha1", "ifc", "scscf", "registration_state"]),
];

/// At most this many MSISDNs: Open5GS's daemons abort on a third (`ogs_assert`), and
/// S6a carries one MSISDN and one A-MSISDN (TS 29.272 7.3.2, 7.3.157).
pub const MAX_MSISDN: usize = 2;
/// Slices per subscriber and sessions (APNs) per slice, Open5GS's limits
/// (OGS_MAX_NUM_OF_SLICE, OGS_MAX_NUM_OF_SESS).
pub const MAX_SLICES: usize = 8;
pub const MAX_SESSIONS: usize = 4;
/// Public identities per subscriber, and the length of any identity or name.
pub const MAX_IMPU: usize = 32;
pub const MAX_NAME: usize = 255;
/// The iFC XML.
pub const MAX_IFC: usize = 64 * 1024;

const SECURITY_FIELDS: &[&str] = &["k", "opc", "op", "amf", "sqn"];
/// Open5GS keeps the last RAND in `security.rand`; it is state, not provisioning.
const SECURITY_IGNORED: &[&str] = &["rand"];

/// TS 29.272 7.3.21 Network-Access-Mode: 0 PACKET_AND_CIRCUIT, 2 ONLY_PACKET (1 reserved).
const NETWORK_ACCESS_MODES: &[u32] = &[0, 2];
const REGISTRATION_STATES: &[&str] = &["not_registered", "registered", "unregistered"];

/// Changes to the secret part of a subscriber: the `security` object (and
/// `ims.digest_ha1`) of a document or merge patch. `None` leaves a value as it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecurityPatch {
    pub k: Option<[u8; 16]>,
    pub opc: Option<OpcOrOp>,
    pub amf: Option<[u8; 2]>,
    pub sqn: Option<u64>,
    /// `Some(None)` removes the digest credential.
    pub digest_ha1: Option<Option<String>>,
}

impl std::fmt::Debug for SecurityPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityPatch")
            .field("k", &self.k.map(|_| "<redacted>"))
            .field("opc", &self.opc.map(|_| "<redacted>"))
            .field("amf", &self.amf)
            .field("sqn", &self.sqn)
            .field("digest_ha1", &self.digest_ha1.as_ref().map(|d| d.as_ref().map(|_| "<redacted>")))
            .finish()
    }
}

impl SecurityPatch {
    /// Whether the patch changes nothing secret (so the keys need not be read).
    pub fn is_empty(&self) -> bool {
        *self == SecurityPatch::default()
    }

    /// Applies the changes to stored keys.
    pub fn apply(&self, auth: &mut AuthData) {
        if let Some(k) = self.k {
            auth.k = k;
        }
        if let Some(o) = self.opc {
            auth.opc = o;
        }
        if let Some(a) = self.amf {
            auth.amf = a;
        }
        if let Some(s) = self.sqn {
            auth.sqn = s;
        }
        if let Some(d) = &self.digest_ha1 {
            auth.digest_ha1 = d.clone();
        }
    }

    /// The keys of a new subscriber: K and OPc/OP are required, AMF defaults to 8000 and
    /// SQN to 0 (as `open5gs-dbctl add`).
    fn into_new(self) -> Result<AuthData, FieldError> {
        let k = self.k.ok_or_else(|| FieldError::new("security.k", "is required (32 hex digits)"))?;
        let opc = self.opc.ok_or_else(|| {
            FieldError::new("security.opc", "is required (32 hex digits), or give security.op instead")
        })?;
        Ok(AuthData {
            k,
            opc,
            amf: self.amf.unwrap_or([0x80, 0x00]),
            sqn: self.sqn.unwrap_or(0),
            digest_ha1: self.digest_ha1.flatten(),
        })
    }
}

/// A parsed merge patch (RFC 7396) of a subscriber: the non-secret part to merge into
/// the profile JSON, and the secret part to apply to [`AuthData`].
#[derive(Debug, Clone)]
pub struct Patch {
    profile: Map<String, Value>,
    pub security: SecurityPatch,
    /// To [`check`](StateFields::check) against the stored subscriber.
    pub state: StateFields,
}

/// The state fields a document named (see the module docs), with their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StateFields(Vec<(&'static str, Value)>);

impl StateFields {
    const TOP: &[&str] = &["mme_host", "mme_realm", "mme_timestamp", "purge_flag"];
    const IMS: &[(&str, &str)] = &[("scscf", "ims.scscf"), ("registration_state", "ims.registration_state")];

    /// Takes them out of a document.
    fn take(obj: &mut Map<String, Value>) -> StateFields {
        let mut out = Vec::new();
        for name in Self::TOP {
            if let Some(v) = obj.remove(*name) {
                out.push((*name, v));
            }
        }
        if let Some(Value::Object(ims)) = obj.get_mut("ims") {
            for (name, path) in Self::IMS {
                if let Some(v) = ims.remove(*name) {
                    out.push((*path, v));
                }
            }
        }
        StateFields(out)
    }

    /// Refuses any value other than the stored one (`None`: a new subscriber, whose
    /// state is unset). An unset value matches any unset form: `null`, the WebUI's
    /// `[]`, `""`, `false`, `"not_registered"`.
    pub fn check(&self, stored: Option<&Subscriber>) -> Result<(), FieldError> {
        let stored = stored.map(render).unwrap_or(Value::Null);
        for (path, given) in &self.0 {
            let now = path.split('.').try_fold(&stored, |v, key| v.get(key)).unwrap_or(&Value::Null);
            if given == now || (is_unset(given) && is_unset(now)) {
                continue;
            }
            let writer = if path.starts_with("ims.") { "the S-CSCF's SAR" } else { "the MME's ULR and PUR" };
            return Err(FieldError::new(
                path,
                format!("is state that only {writer} write; leave it out or repeat the stored value"),
            ));
        }
        Ok(())
    }
}

fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty() || s == NOT_REGISTERED,
        _ => false,
    }
}

/// RFC 7396 JSON Merge Patch, section 2: an object patch merges member by member
/// (`null` removes the member, objects recurse); anything else replaces the target,
/// so arrays replace arrays whole.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (name, value) in members {
            if value.is_null() {
                t.remove(name);
            } else {
                merge_patch(t.entry(name.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// A new subscriber from a full document (POST): state fields may only be unset.
pub fn parse_new(doc: &Value) -> Result<(Subscriber, AuthData), FieldError> {
    let mut obj = top_level(doc)?;
    StateFields::take(&mut obj).check(None)?;
    new_from(obj)
}

/// A subscriber from an import document (create-or-replace): state fields are the
/// exporting system's and are dropped.
pub fn parse_import(doc: &Value) -> Result<(Subscriber, AuthData), FieldError> {
    let mut obj = top_level(doc)?;
    StateFields::take(&mut obj);
    new_from(obj)
}

fn new_from(mut obj: Map<String, Value>) -> Result<(Subscriber, AuthData), FieldError> {
    let security = parse_security(obj.remove("security").as_ref(), false)?;
    let digest = take_digest(&mut obj, false)?;
    let mut sub = parse_profile(obj)?;
    let auth = SecurityPatch { digest_ha1: digest, ..security }.into_new()?;
    sub.security = security_info(&auth);
    Ok((sub, auth))
}

/// A replacement document for `PUT /subscribers/{imsi}`: the profile replaces the
/// stored one whole; the keys given in `security` replace the stored ones and absent
/// keys are kept (they are write-only, so a client that read the document cannot send
/// them back). A missing `imsi` is taken from the path.
/// The state fields it names are returned for the caller to [`check`](StateFields::check)
/// against the stored subscriber.
pub fn parse_replacement(
    doc: &Value,
    path_imsi: &str,
) -> Result<(Subscriber, SecurityPatch, StateFields), FieldError> {
    let mut obj = top_level(doc)?;
    let state = StateFields::take(&mut obj);
    let mut security = parse_security(obj.remove("security").as_ref(), true)?;
    security.digest_ha1 = take_digest(&mut obj, true)?;
    obj.entry("imsi").or_insert_with(|| Value::String(path_imsi.to_string()));
    let sub = parse_profile(obj)?;
    same_imsi(&sub, path_imsi)?;
    Ok((sub, security, state))
}

/// Parses a merge patch document (`PATCH /subscribers/{imsi}`).
pub fn parse_patch(doc: &Value) -> Result<Patch, FieldError> {
    let mut profile = top_level(doc)?;
    let state = StateFields::take(&mut profile);
    if matches!(profile.get("ims"), Some(Value::Object(o)) if o.is_empty()) {
        profile.remove("ims");
    }
    let mut security = match profile.remove("security") {
        Some(Value::Null) => return Err(FieldError::new("security", "cannot be removed")),
        s => parse_security(s.as_ref(), true)?,
    };
    security.digest_ha1 = take_digest(&mut profile, true)?;
    Ok(Patch { profile, security, state })
}

/// Merges the non-secret part of `patch` into `current` (RFC 7396) and validates the
/// result. `security` is left as in `current`: the caller sets it from the keys.
pub fn patch_profile(current: &Subscriber, patch: &Patch, path_imsi: &str) -> Result<Subscriber, FieldError> {
    let mut doc = render(current);
    if let Value::Object(o) = &mut doc {
        o.remove("security");
    }
    merge_patch(&mut doc, &Value::Object(patch.profile.clone()));
    let Value::Object(obj) = doc else {
        return Err(FieldError::new("", "the patched document is not an object"));
    };
    let mut sub = parse_profile(obj)?;
    same_imsi(&sub, path_imsi)?;
    sub.security = current.security.clone();
    Ok(sub)
}

/// The document for a response: the profile only, never a key.
pub fn render(sub: &Subscriber) -> Value {
    serde_json::to_value(sub).unwrap_or(Value::Null)
}

/// The non-secret `security` of the profile, mirroring the keys.
pub fn security_info(auth: &AuthData) -> SecurityInfo {
    SecurityInfo { amf: to_hex(&auth.amf), sqn: auth.sqn }
}

fn same_imsi(sub: &Subscriber, path_imsi: &str) -> Result<(), FieldError> {
    if sub.imsi == path_imsi {
        Ok(())
    } else {
        Err(FieldError::new("imsi", format!("must equal the IMSI in the path ({path_imsi})")))
    }
}

/// The document as an object whose keys are all known, at every level (Open5GS
/// bookkeeping dropped).
fn top_level(doc: &Value) -> Result<Map<String, Value>, FieldError> {
    let mut obj = known_top_level(doc)?;
    for (name, value) in obj.iter_mut() {
        known_nested(name, name, value)?;
    }
    Ok(obj)
}

/// Checks the keys of a nested value at `at` (its path with indices, for errors;
/// `kind`, the path without them, to look up the keys it may have), dropping `_id`
/// and an empty `pcc_rule` as Open5GS bookkeeping.
fn known_nested(kind: &str, at: &str, value: &mut Value) -> Result<(), FieldError> {
    match value {
        Value::Array(items) if NESTED_FIELDS.iter().any(|(k, _)| *k == kind) => {
            for (i, item) in items.iter_mut().enumerate() {
                known_nested(kind, &format!("{at}[{i}]"), item)?;
            }
        }
        Value::Object(members) => {
            let Some((_, fields)) = NESTED_FIELDS.iter().find(|(k, _)| *k == kind) else { return Ok(()) };
            members
                .retain(|k, v| k != "_id" && !(k == "pcc_rule" && v.as_array().is_some_and(Vec::is_empty)));
            for (name, v) in members.iter_mut() {
                if !fields.contains(&name.as_str()) {
                    return Err(FieldError::new(&format!("{at}.{name}"), "unknown field"));
                }
                known_nested(&format!("{kind}.{name}"), &format!("{at}.{name}"), v)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The document as an object whose top-level keys are all known.
fn known_top_level(doc: &Value) -> Result<Map<String, Value>, FieldError> {
    let Value::Object(obj) = doc else {
        return Err(FieldError::new("", "the document must be a JSON object"));
    };
    let unknown: Vec<&str> =
        obj.keys().map(String::as_str).filter(|k| !FIELDS.contains(k) && !IGNORED.contains(k)).collect();
    if let Some(first) = unknown.first() {
        return Err(FieldError::new(
            first,
            format!("unknown field{} {}", if unknown.len() > 1 { "s" } else { "" }, unknown.join(", ")),
        ));
    }
    Ok(obj
        .iter()
        .filter(|(k, _)| !IGNORED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

/// `security` of a document. In a full document `null` is the same as absent (Open5GS
/// writes `"op": null` beside an OPc); in a `patch`, `null` would remove a key, which
/// is refused, except for the one of `opc`/`op` that the other replaces.
fn parse_security(v: Option<&Value>, patch: bool) -> Result<SecurityPatch, FieldError> {
    let obj = match v {
        None | Some(Value::Null) => return Ok(SecurityPatch::default()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(FieldError::new("security", "must be an object")),
    };
    if let Some(k) =
        obj.keys().find(|k| !SECURITY_FIELDS.contains(&k.as_str()) && !SECURITY_IGNORED.contains(&k.as_str()))
    {
        return Err(FieldError::new(&format!("security.{k}"), "unknown field"));
    }
    let hex16 = |name: &str| -> Result<Option<[u8; 16]>, FieldError> {
        let field = format!("security.{name}");
        match security_value(obj, name, patch)? {
            None => Ok(None),
            Some(Value::String(s)) => parse_hex::<16>(&field, s).map(Some),
            Some(_) => Err(FieldError::new(&field, "must be a string of 32 hex digits")),
        }
    };
    let k = hex16("k")?;
    let opc = match (hex16("opc")?, hex16("op")?) {
        (Some(_), Some(_)) => {
            return Err(FieldError::new(
                "security.op",
                "security.opc and security.op are mutually exclusive",
            ));
        }
        (Some(c), None) => Some(OpcOrOp::Opc(c)),
        (None, Some(p)) => Some(OpcOrOp::Op(p)),
        (None, None) => {
            // A patch may remove one of them only to give the other.
            if let Some(name) =
                ["opc", "op"].into_iter().find(|n| patch && obj.get(*n).is_some_and(Value::is_null))
            {
                let other = if name == "opc" { "op" } else { "opc" };
                return Err(FieldError::new(
                    &format!("security.{name}"),
                    format!("cannot be removed unless security.{other} is given"),
                ));
            }
            None
        }
    };
    let amf = match security_value(obj, "amf", patch)? {
        None => None,
        Some(Value::String(s)) => Some(
            parse_hex::<2>("security.amf", s)
                .map_err(|_| FieldError::new("security.amf", "must be 4 hex digits"))?,
        ),
        Some(_) => return Err(FieldError::new("security.amf", "must be a string of 4 hex digits")),
    };
    let sqn = match security_value(obj, "sqn", patch)?.map(Value::as_u64) {
        None => None,
        Some(Some(n)) if n < SQN_MODULUS => Some(n),
        Some(Some(_)) => return Err(FieldError::new("security.sqn", "must fit in 48 bits (below 2^48)")),
        Some(None) => {
            return Err(FieldError::new("security.sqn", "must be a non-negative integer below 2^48"));
        }
    };
    Ok(SecurityPatch { k, opc, amf, sqn, digest_ha1: None })
}

/// The value of a `security` key, `None` when absent (or null in a full document).
fn security_value<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    patch: bool,
) -> Result<Option<&'a Value>, FieldError> {
    match obj.get(name) {
        Some(Value::Null) if patch && name != "opc" && name != "op" => {
            Err(FieldError::new(&format!("security.{name}"), "cannot be removed"))
        }
        Some(Value::Null) | None => Ok(None),
        Some(v) => Ok(Some(v)),
    }
}

/// Takes `ims.digest_ha1` (the SIP digest HA1, RFC 2617 3.2.2.2: 32 hex digits) out of
/// the document so that it reaches only [`AuthData`].
fn take_digest(obj: &mut Map<String, Value>, patch: bool) -> Result<Option<Option<String>>, FieldError> {
    let Some(Value::Object(ims)) = obj.get_mut("ims") else { return Ok(None) };
    let taken = ims.remove("digest_ha1");
    if patch && ims.is_empty() {
        // Only the credential changes: no `ims: {}` to merge into the profile.
        obj.remove("ims");
    }
    match taken {
        None => Ok(None),
        Some(Value::Null) if patch => Ok(Some(None)),
        Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let ha1: [u8; 16] = parse_hex("ims.digest_ha1", &s)?;
            Ok(Some(Some(to_hex(&ha1))))
        }
        Some(_) => Err(FieldError::new("ims.digest_ha1", "must be a string of 32 hex digits")),
    }
}

/// The non-secret part of a document (no `security` key) into a validated profile.
fn parse_profile(obj: Map<String, Value>) -> Result<Subscriber, FieldError> {
    let mut sub: Subscriber = serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        FieldError { field, reason: without_value(&e.into_inner().to_string()) }
    })?;
    validate(&mut sub)?;
    Ok(sub)
}

/// serde renders an unexpected string as `string "<value>"`; the value is dropped so that
/// an error never echoes input back (a key pasted into the wrong column, say).
fn without_value(reason: &str) -> String {
    match (reason.find("string \""), reason.rfind("\", expected")) {
        (Some(start), Some(end)) if end > start => {
            format!("{}string{}", &reason[..start], &reason[end + 1..])
        }
        _ => reason.to_string(),
    }
}

/// Range checks and normalisation (lower-case hex) of a profile.
fn validate(sub: &mut Subscriber) -> Result<(), FieldError> {
    validate_imsi(&sub.imsi)?;
    if sub.msisdn.len() > MAX_MSISDN {
        return Err(FieldError::new("msisdn", format!("at most {MAX_MSISDN} (an MSISDN and an A-MSISDN)")));
    }
    if sub.slice.len() > MAX_SLICES {
        return Err(FieldError::new("slice", format!("at most {MAX_SLICES} slices")));
    }
    for (i, slice) in sub.slice.iter().enumerate() {
        if slice.session.len() > MAX_SESSIONS {
            return Err(FieldError::new(
                &format!("slice[{i}].session"),
                format!("at most {MAX_SESSIONS} sessions per slice"),
            ));
        }
    }
    text_fields(sub)?;
    for (i, m) in sub.msisdn.iter().enumerate() {
        if !(1..=15).contains(&m.len()) || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(&format!("msisdn[{i}]"), "must be 1 to 15 digits"));
        }
    }
    ambr_units("ambr", &sub.ambr.downlink, &sub.ambr.uplink)?;
    for (i, slice) in sub.slice.iter_mut().enumerate() {
        let at = format!("slice[{i}]");
        if slice.sst == 0 {
            return Err(FieldError::new(&format!("{at}.sst"), "must be 1 to 255"));
        }
        if let Some(sd) = &slice.sd {
            let sd: [u8; 3] = parse_hex(&format!("{at}.sd"), sd)
                .map_err(|_| FieldError::new(&format!("{at}.sd"), "must be 6 hex digits"))?;
            slice.sd = Some(to_hex(&sd));
        }
        for (j, s) in slice.session.iter().enumerate() {
            let at = format!("{at}.session[{j}]");
            if s.name.is_empty() || s.name.len() > 100 {
                return Err(FieldError::new(&format!("{at}.name"), "must be an APN of 1 to 100 characters"));
            }
            if !(1..=3).contains(&s.session_type) {
                return Err(FieldError::new(
                    &format!("{at}.type"),
                    "must be 1 (IPv4), 2 (IPv6) or 3 (IPv4v6)",
                ));
            }
            if s.qos.index == 0 {
                return Err(FieldError::new(&format!("{at}.qos.index"), "must be a QCI/5QI from 1 to 255"));
            }
            let arp = &s.qos.arp;
            if !(1..=15).contains(&arp.priority_level) {
                return Err(FieldError::new(&format!("{at}.qos.arp.priority_level"), "must be 1 to 15"));
            }
            for (name, v) in [
                ("pre_emption_capability", arp.pre_emption_capability),
                ("pre_emption_vulnerability", arp.pre_emption_vulnerability),
            ] {
                if !(1..=2).contains(&v) {
                    return Err(FieldError::new(
                        &format!("{at}.qos.arp.{name}"),
                        "must be 1 (disabled) or 2 (enabled)",
                    ));
                }
            }
            ambr_units(&format!("{at}.ambr"), &s.ambr.downlink, &s.ambr.uplink)?;
        }
    }
    if sub.subscriber_status > 1 {
        return Err(FieldError::new(
            "subscriber_status",
            "must be 0 (SERVICE_GRANTED) or 1 (OPERATOR_DETERMINED_BARRING)",
        ));
    }
    if !NETWORK_ACCESS_MODES.contains(&sub.network_access_mode) {
        return Err(FieldError::new(
            "network_access_mode",
            "must be 0 (PACKET_AND_CIRCUIT) or 2 (ONLY_PACKET)",
        ));
    }
    if let Some(ims) = &mut sub.ims {
        if ims.impi.is_empty() {
            return Err(FieldError::new("ims.impi", "is required when ims is given"));
        }
        for (i, u) in ims.impu.iter().enumerate() {
            if !(u.starts_with("sip:") || u.starts_with("sips:") || u.starts_with("tel:")) {
                return Err(FieldError::new(&format!("ims.impu[{i}]"), "must be a sip:, sips: or tel: URI"));
            }
        }
        if ims.registration_state.is_empty() {
            ims.registration_state = REGISTRATION_STATES[0].into();
        } else if !REGISTRATION_STATES.contains(&ims.registration_state.as_str()) {
            return Err(FieldError::new(
                "ims.registration_state",
                format!("must be one of {}", REGISTRATION_STATES.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Names and identities are printable text of bounded length: they reach Diameter
/// AVPs, logs and other systems' databases, where a control character could forge a
/// line or break a parser. The iFC is XML and may hold line breaks and tabs.
fn text_fields(sub: &Subscriber) -> Result<(), FieldError> {
    let mut texts: Vec<(String, &str, usize)> = Vec::new();
    for (i, slice) in sub.slice.iter().enumerate() {
        for (j, s) in slice.session.iter().enumerate() {
            texts.push((format!("slice[{i}].session[{j}].name"), &s.name, MAX_NAME));
            if let Some(ue) = &s.ue {
                for (name, v) in [("ipv4", &ue.ipv4), ("ipv6", &ue.ipv6)] {
                    if let Some(v) = v {
                        texts.push((format!("slice[{i}].session[{j}].ue.{name}"), v, 64));
                    }
                }
            }
        }
    }
    if let Some(ims) = &sub.ims {
        if ims.impu.len() > MAX_IMPU {
            return Err(FieldError::new("ims.impu", format!("at most {MAX_IMPU} public identities")));
        }
        texts.push(("ims.impi".into(), &ims.impi, MAX_NAME));
        for (i, u) in ims.impu.iter().enumerate() {
            texts.push((format!("ims.impu[{i}]"), u, MAX_NAME));
        }
        if let Some(r) = &ims.digest_realm {
            texts.push(("ims.digest_realm".into(), r, MAX_NAME));
        }
    }
    for (field, text, max) in texts {
        if text.len() > max {
            return Err(FieldError::new(&field, format!("at most {max} bytes")));
        }
        if text.chars().any(char::is_control) {
            return Err(FieldError::new(&field, "must not contain control characters"));
        }
    }
    if let Some(ifc) = sub.ims.as_ref().and_then(|i| i.ifc.as_deref()) {
        if ifc.len() > MAX_IFC {
            return Err(FieldError::new("ims.ifc", format!("at most {MAX_IFC} bytes")));
        }
        if ifc.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(FieldError::new(
                "ims.ifc",
                "must not contain control characters other than line breaks and tabs",
            ));
        }
    }
    Ok(())
}

fn ambr_units(at: &str, down: &BitRate, up: &BitRate) -> Result<(), FieldError> {
    for (dir, r) in [("downlink", down), ("uplink", up)] {
        if r.unit > 4 {
            return Err(FieldError::new(&format!("{at}.{dir}.unit"), "must be 0 (bps) to 4 (Tbps)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
    const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";

    fn minimal() -> Value {
        json!({ "imsi": "001010000000001", "security": { "k": K, "opc": OPC } })
    }

    fn field_of(doc: Value) -> String {
        parse_new(&doc).unwrap_err().field
    }

    #[test]
    fn minimal_document_gets_open5gs_dbctl_defaults() {
        let (sub, auth) = parse_new(&minimal()).unwrap();
        assert_eq!(sub, Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() });
        assert_eq!((auth.amf, auth.sqn), ([0x80, 0], 0));
        assert_eq!(to_hex(&auth.k), K);
        assert!(matches!(auth.opc, OpcOrOp::Opc(o) if to_hex(&o) == OPC));
        let out = render(&sub);
        assert_eq!(out["slice"][0]["session"][0]["name"], "internet");
        assert_eq!(out["security"], json!({ "amf": "8000", "sqn": 0 }));
        let text = out.to_string();
        assert!(!text.contains(K) && !text.contains(OPC), "{text}");
    }

    #[test]
    fn hex_in_either_case_with_spaces_is_normalised() {
        let doc = json!({ "imsi": "001010000000001", "security": {
            "k": "465B5CE8 B199B49F AA5F0A2E E238A6BC", "op": "CDC202D5 123E20F6 2B6D676A C72CB318",
            "amf": "B9 B9", "sqn": 5 },
            "slice": [{ "sst": 1, "sd": "00000A", "session": [{ "name": "ims" }] }] });
        let (sub, auth) = parse_new(&doc).unwrap();
        assert_eq!(to_hex(&auth.k), K);
        assert!(matches!(auth.opc, OpcOrOp::Op(o) if to_hex(&o) == "cdc202d5123e20f62b6d676ac72cb318"));
        assert_eq!((sub.security.amf.as_str(), sub.security.sqn, auth.sqn), ("b9b9", 5, 5));
        assert_eq!(sub.slice[0].sd.as_deref(), Some("00000a"));
        assert_eq!(sub.slice[0].session[0].qos.index, 9, "session defaults fill in");
    }

    #[test]
    fn field_level_errors_name_the_field() {
        let with = |f: &dyn Fn(&mut Value)| {
            let mut d = minimal();
            f(&mut d);
            d
        };
        let e = parse_new(&with(&|d| d["security"]["k"] = json!("465b"))).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.to_string().as_str()),
            ("security.k", "security.k: must be 32 hex digits")
        );
        assert_eq!(field_of(with(&|d| d["security"]["k"] = json!(K.replace('4', "g")))), "security.k");
        assert_eq!(field_of(with(&|d| d["security"]["op"] = json!(OPC))), "security.op");
        assert_eq!(field_of(json!({ "imsi": "001010000000001", "security": { "k": K } })), "security.opc");
        assert_eq!(field_of(json!({ "imsi": "001010000000001" })), "security.k");
        assert_eq!(field_of(with(&|d| d["imsi"] = json!("12345"))), "imsi");
        assert_eq!(field_of(with(&|d| d["imsi"] = json!("0010100000000019"))), "imsi");
        assert_eq!(field_of(with(&|d| d["imsi"] = json!("00101000000000a"))), "imsi");
        assert_eq!(field_of(with(&|d| d["msisdn"] = json!(["123", "+4412"]))), "msisdn[1]");
        assert_eq!(field_of(with(&|d| d["security"]["sqn"] = json!(1u64 << 48))), "security.sqn");
        assert!(parse_new(&with(&|d| d["security"]["sqn"] = json!((1u64 << 48) - 1))).is_ok());
        assert_eq!(field_of(with(&|d| d["security"]["sqn"] = json!(-1))), "security.sqn");
        assert_eq!(field_of(with(&|d| d["security"]["amf"] = json!("800"))), "security.amf");
        assert_eq!(field_of(with(&|d| d["security"]["amf"] = json!(8000))), "security.amf");
        assert_eq!(field_of(with(&|d| d["security"]["x"] = json!(1))), "security.x");
        assert_eq!(field_of(with(&|d| d["slice"] = json!([{ "sst": 300 }]))), "slice[0].sst");
        assert_eq!(field_of(with(&|d| d["slice"] = json!([{ "sst": 1, "sd": "1" }]))), "slice[0].sd");
        let bad_type = with(&|d| d["slice"] = json!([{ "sst": 1, "session": [{ "name": "x", "type": 4 }] }]));
        assert_eq!(field_of(bad_type), "slice[0].session[0].type");
        let bad_arp = with(&|d| {
            d["slice"] =
                json!([{ "sst": 1, "session": [{ "name": "x", "qos": { "arp": { "priority_level": 0 } } }] }])
        });
        assert_eq!(field_of(bad_arp), "slice[0].session[0].qos.arp.priority_level");
        assert_eq!(
            field_of(with(&|d| d["ambr"] = json!({ "downlink": { "value": 1, "unit": 9 },
            "uplink": { "value": 1, "unit": 3 } }))),
            "ambr.downlink.unit"
        );
        assert_eq!(field_of(with(&|d| d["network_access_mode"] = json!(1))), "network_access_mode");
        assert_eq!(field_of(with(&|d| d["ims"] = json!({ "impi": "a@b", "impu": ["x"] }))), "ims.impu[0]");
        assert_eq!(field_of(json!([1])), "");
        let e = parse_new(&with(&|d| d["msisdn"] = json!(K))).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason.as_str()),
            ("msisdn", "invalid type: string, expected a sequence")
        );
    }

    #[test]
    fn unknown_top_level_fields_are_named_and_open5gs_bookkeeping_ignored() {
        let mut d = minimal();
        d["colour"] = json!("blue");
        d["flavour"] = json!(1);
        let e = parse_new(&d).unwrap_err();
        assert_eq!(e.reason, "unknown fields colour, flavour");
        let mut d = minimal();
        d["_id"] = json!({ "$oid": "5f1" });
        d["schema_version"] = json!(1);
        d["security"]["rand"] = json!("00");
        assert!(parse_new(&d).is_ok());
    }

    #[test]
    fn digest_ha1_goes_to_the_keys_only() {
        let mut d = minimal();
        d["ims"] = json!({ "impi": "001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
            "impu": ["sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org", "tel:+123"],
            "digest_realm": "ims", "digest_ha1": "0123456789ABCDEF0123456789abcdef" });
        let (sub, auth) = parse_new(&d).unwrap();
        assert_eq!(auth.digest_ha1.as_deref(), Some("0123456789abcdef0123456789abcdef"));
        let out = render(&sub).to_string();
        assert!(!out.contains("digest_ha1") && out.contains("not_registered"), "{out}");
    }

    #[test]
    fn merge_patch_follows_rfc_7396_appendix_a() {
        // RFC 7396 Appendix A, a selection of the examples.
        for (target, patch, result) in [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":"b","b":"c"}), json!({"a":null}), json!({"b":"c"})),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (json!({}), json!({"a":{"bb":{"ccc":null}}}), json!({"a":{"bb":{}}})),
        ] {
            let mut t = target.clone();
            merge_patch(&mut t, &patch);
            assert_eq!(t, result, "{target} + {patch}");
        }
    }

    #[test]
    fn patch_merges_the_profile_and_splits_the_keys() {
        let (mut current, _) = parse_new(&minimal()).unwrap();
        current.msisdn = vec!["1".into(), "2".into()];
        let p = parse_patch(&json!({ "msisdn": ["3"], "ambr": { "downlink": { "value": 5 } },
            "security": { "amf": "9001", "sqn": 64 }, "subscriber_status": 1 }))
        .unwrap();
        assert_eq!(p.security.amf, Some([0x90, 0x01]));
        assert_eq!(p.security.sqn, Some(64));
        let s = patch_profile(&current, &p, "001010000000001").unwrap();
        assert_eq!(s.msisdn, vec!["3"]);
        assert_eq!((s.ambr.downlink.value, s.ambr.downlink.unit, s.ambr.uplink.value), (5, 3, 1));
        assert_eq!(s.subscriber_status, 1);
        assert_eq!(s.security, current.security, "security comes from the keys, set by the caller");

        let p = parse_patch(&json!({ "msisdn": null, "slice": [] })).unwrap();
        assert!(p.security.is_empty());
        let s = patch_profile(&current, &p, "001010000000001").unwrap();
        assert!(s.msisdn.is_empty() && s.slice.is_empty());

        let p = parse_patch(&json!({ "imsi": "001010000000002" })).unwrap();
        assert_eq!(patch_profile(&current, &p, "001010000000001").unwrap_err().field, "imsi");
        let p = parse_patch(&json!({ "imsi": null })).unwrap();
        assert_eq!(patch_profile(&current, &p, "001010000000001").unwrap_err().field, "imsi");
        assert_eq!(parse_patch(&json!({ "nope": 1 })).unwrap_err().field, "nope");
        assert_eq!(parse_patch(&json!({ "security": null })).unwrap_err().field, "security");
        assert_eq!(parse_patch(&json!({ "security": { "k": null } })).unwrap_err().field, "security.k");
        assert_eq!(parse_patch(&json!({ "security": { "opc": null } })).unwrap_err().field, "security.opc");
        let p = parse_patch(&json!({ "security": { "opc": null, "op": OPC } })).unwrap();
        assert!(matches!(p.security.opc, Some(OpcOrOp::Op(_))));
    }

    #[test]
    fn security_patch_applies_and_debug_redacts() {
        let (_, mut auth) = parse_new(&minimal()).unwrap();
        let p = parse_patch(&json!({ "security": { "k": OPC, "op": K, "amf": "0000", "sqn": 7 },
            "ims": { "digest_ha1": null } }))
        .unwrap();
        let dbg = format!("{:?}", p.security);
        assert!(!dbg.contains("205") && dbg.contains("redacted"), "{dbg}");
        p.security.apply(&mut auth);
        assert_eq!(to_hex(&auth.k), OPC);
        assert!(matches!(auth.opc, OpcOrOp::Op(o) if to_hex(&o) == K));
        assert_eq!((auth.amf, auth.sqn, auth.digest_ha1), ([0, 0], 7, None));
    }

    #[test]
    fn replacement_takes_the_imsi_from_the_path_and_keeps_absent_keys() {
        let (sub, sec, _) = parse_replacement(&json!({ "msisdn": ["1"] }), "001010000000001").unwrap();
        assert_eq!((sub.imsi.as_str(), sec.is_empty()), ("001010000000001", true));
        let e = parse_replacement(&json!({ "imsi": "001010000000002" }), "001010000000001").unwrap_err();
        assert_eq!(e.field, "imsi");
    }
}
