//! One row of the file and one subscriber: [`decode`] reads a row's cells into a
//! profile and its keys, [`encode`] writes them back. Pure functions.
//!
//! A row starts from the defaults `open5gs-dbctl add` writes ([`Subscriber::default`]:
//! APN "internet", IPv4v6, QCI 9, ARP 8, 1 Gbps AMBR); its cells override them. What
//! no column can say (other QoS, AMBR, slices, barring, ...) goes in the `profile`
//! column as a JSON object with the keys of the Open5GS document. A key of `profile`
//! and a non-empty cell that set the same thing are an error, so a row never says two
//! things. [`encode`] uses the columns where they can say it exactly and `profile` for
//! the rest, so a profile written by the API reads back unchanged.

use std::fmt;

use plughss_plugin_api::store::SQN_MODULUS;
use plughss_plugin_api::subscriber::{
    AuthData, Ims, OpcOrOp, Session, Slice, Subscriber, parse_hex, to_hex, validate_imsi,
};
use serde_json::{Map, Value};

use crate::columns::{Field, Header};

/// What is wrong with a row, naming the column (or `profile.<key>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub column: String,
    pub reason: String,
}

impl RowError {
    fn new(column: impl fmt::Display, reason: impl Into<String>) -> Self {
        RowError { column: column.to_string(), reason: reason.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.column, self.reason)
    }
}

/// Separates several values in one cell (MSISDNs, APNs, IMPUs).
pub const LIST_SEPARATOR: char = ';';

/// The keys `profile` may have: the Open5GS document's, less the ones that have no
/// business there (`imsi`: its own column; keys and SQN: their own columns).
const PROFILE_KEYS: &[&str] = &[
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

/// TS 29.228 registration states, as the REST API accepts them.
const REGISTRATION_STATES: &[&str] = &["not_registered", "registered", "unregistered"];

/// A row's cells by field; absent columns read as empty.
struct Cells<'a> {
    header: &'a Header,
    cells: &'a [&'a str],
}

impl<'a> Cells<'a> {
    fn get(&self, f: Field) -> &'a str {
        self.header.position(f).and_then(|i| self.cells.get(i)).copied().unwrap_or("")
    }

    fn opt(&self, f: Field) -> Option<String> {
        Some(self.get(f)).filter(|v| !v.is_empty()).map(str::to_owned)
    }
}

/// Reads one row. `cells` has one (trimmed) entry per header column.
pub fn decode(header: &Header, cells: &[&str]) -> Result<(Subscriber, AuthData), RowError> {
    let c = Cells { header, cells };
    let auth = decode_auth(&c)?;
    let imsi = c.get(Field::Imsi);
    let profile = decode_profile_json(c.get(Field::Profile))?;
    let mut sub = match &profile {
        Some(json) => apply_profile_json(json)?,
        None => Subscriber::default(),
    };
    let in_json = |key: &str| profile.as_ref().is_some_and(|p| p.contains_key(key));
    let conflict = |f: Field, key: &str| {
        RowError::new(f, format!("the {f} column and profile.{key} are both set; give one of them"))
    };

    sub.imsi = imsi.to_owned();
    let msisdn = decode_msisdn(c.get(Field::Msisdn))?;
    match (in_json("msisdn"), msisdn.is_empty()) {
        (true, false) => return Err(conflict(Field::Msisdn, "msisdn")),
        (true, true) => {}
        (false, _) => sub.msisdn = msisdn,
    }
    let apns = decode_apns(c.get(Field::Apn))?;
    if !apns.is_empty() {
        if in_json("slice") {
            return Err(conflict(Field::Apn, "slice"));
        }
        sub.slice = vec![slice_of(&apns)];
    }
    if let Some(ims) = decode_ims(&c)? {
        if in_json("ims") {
            let first = IMS_FIELDS.into_iter().find(|f| !c.get(*f).is_empty()).unwrap_or(Field::Impi);
            return Err(conflict(first, "ims"));
        }
        sub.ims = Some(ims);
    }
    if let Some(host) = c.opt(Field::MmeHost) {
        if in_json("mme_host") {
            return Err(conflict(Field::MmeHost, "mme_host"));
        }
        sub.mme_host = Some(host);
    }
    if let Some(realm) = c.opt(Field::MmeRealm) {
        if in_json("mme_realm") {
            return Err(conflict(Field::MmeRealm, "mme_realm"));
        }
        sub.mme_realm = Some(realm);
    }
    if let Some(ts) = c.opt(Field::MmeTimestamp) {
        if in_json("mme_timestamp") {
            return Err(conflict(Field::MmeTimestamp, "mme_timestamp"));
        }
        let ts = ts.parse().map_err(|_| RowError::new(Field::MmeTimestamp, "must be Unix seconds"))?;
        sub.mme_timestamp = Some(ts);
    }
    if let Some(flag) = c.opt(Field::PurgeFlag) {
        if in_json("purge_flag") {
            return Err(conflict(Field::PurgeFlag, "purge_flag"));
        }
        sub.purge_flag = decode_bool(Field::PurgeFlag, &flag)?;
    }
    // The profile's copy of the AMF follows the keys' AMF (as the REST API keeps it)
    // unless `profile.security.amf` says otherwise.
    let json_amf = profile.as_ref().and_then(|p| p.get("security")).and_then(|s| s.get("amf"));
    sub.security.amf = match json_amf.and_then(Value::as_str) {
        Some(amf) => amf.to_owned(),
        None => to_hex(&auth.amf),
    };
    sub.security.sqn = auth.sqn;
    Ok((sub, auth))
}

fn decode_auth(c: &Cells<'_>) -> Result<AuthData, RowError> {
    let imsi = c.get(Field::Imsi);
    validate_imsi(imsi).map_err(|e| RowError::new(Field::Imsi, format!("{imsi:?} {}", e.reason)))?;
    let hex16 = |f: Field| -> Result<Option<[u8; 16]>, RowError> {
        match c.get(f) {
            "" => Ok(None),
            // Never echo a key: the reason says what is wrong, not what was there.
            v => parse_hex::<16>(f.name(), v).map(Some).map_err(|e| RowError::new(f, e.reason)),
        }
    };
    let k = hex16(Field::K)?.ok_or_else(|| RowError::new(Field::K, "is empty"))?;
    let opc = match (hex16(Field::Opc)?, hex16(Field::Op)?) {
        (Some(opc), None) => OpcOrOp::Opc(opc),
        (None, Some(op)) => OpcOrOp::Op(op),
        (Some(_), Some(_)) => return Err(RowError::new("opc, op", "both are set; give one of them")),
        (None, None) => return Err(RowError::new("opc, op", "both are empty; give one of them")),
    };
    let amf = match c.get(Field::Amf) {
        "" => [0x80, 0x00],
        v => parse_hex::<2>("amf", v).map_err(|_| RowError::new(Field::Amf, "must be 4 hex digits"))?,
    };
    let sqn = match c.get(Field::Sqn) {
        "" => 0,
        v => v
            .parse::<u64>()
            .map_err(|_| RowError::new(Field::Sqn, format!("{v:?} is not a decimal number")))?,
    };
    if sqn >= SQN_MODULUS {
        return Err(RowError::new(Field::Sqn, "must be below 2^48 (TS 33.102 6.3.7)"));
    }
    Ok(AuthData { k, opc, amf, sqn, digest_ha1: c.opt(Field::DigestHa1) })
}

/// The values of a list cell: split at `;`, trimmed, empty entries dropped.
fn split_list(cell: &str) -> Vec<String> {
    cell.split(LIST_SEPARATOR).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

fn decode_msisdn(cell: &str) -> Result<Vec<String>, RowError> {
    let list = split_list(cell);
    for m in &list {
        if !(1..=15).contains(&m.len()) || !m.bytes().all(|b| b.is_ascii_digit()) {
            // E.164 numbers: at most 15 digits, without "+" (ITU-T E.164 6.1).
            return Err(RowError::new(Field::Msisdn, format!("{m:?} must be 1 to 15 digits")));
        }
    }
    Ok(list)
}

fn decode_apns(cell: &str) -> Result<Vec<String>, RowError> {
    let list = split_list(cell);
    for (i, apn) in list.iter().enumerate() {
        if apn.len() > 100 {
            // TS 23.003 9.1: an APN is at most 100 octets.
            return Err(RowError::new(Field::Apn, format!("{apn:?} is longer than 100 characters")));
        }
        if list[..i].contains(apn) {
            return Err(RowError::new(Field::Apn, format!("{apn:?} is given twice")));
        }
    }
    Ok(list)
}

/// The profile of a row with an `apn` list: one default slice with a default session
/// (IPv4v6, QCI 9, ARP 8, 1 Gbps AMBR) per APN, the first the default APN.
fn slice_of(apns: &[String]) -> Slice {
    let session = apns.iter().map(|name| Session { name: name.clone(), ..Session::default() }).collect();
    Slice { session, ..Slice::default() }
}

/// SIP URI parameters contain `;`, so in `impu` a `;` starts a new identity only when
/// a URI scheme follows it.
fn split_impu(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split(LIST_SEPARATOR) {
        let t = part.trim();
        match out.last_mut() {
            Some(last) if !has_uri_scheme(t) => {
                last.push(LIST_SEPARATOR);
                last.push_str(part);
                let trimmed = last.trim_end().len();
                last.truncate(trimmed);
            }
            _ if t.is_empty() => {}
            _ => out.push(t.to_owned()),
        }
    }
    out
}

fn has_uri_scheme(s: &str) -> bool {
    ["sip:", "sips:", "tel:"].iter().any(|p| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p))
}

const IMS_FIELDS: [Field; 6] =
    [Field::Impi, Field::Impu, Field::DigestRealm, Field::Ifc, Field::Scscf, Field::RegistrationState];

/// The IMS identities and state (TS 29.228), when any IMS cell is set.
fn decode_ims(c: &Cells<'_>) -> Result<Option<Ims>, RowError> {
    if IMS_FIELDS.iter().all(|f| c.get(*f).is_empty()) {
        return Ok(None);
    }
    let impu = split_impu(c.get(Field::Impu));
    if let Some(bad) = impu.iter().find(|u| !has_uri_scheme(u)) {
        return Err(RowError::new(Field::Impu, format!("{bad:?} must be a sip:, sips: or tel: URI")));
    }
    let registration_state = match c.get(Field::RegistrationState) {
        "" => REGISTRATION_STATES[0].to_owned(),
        s if REGISTRATION_STATES.contains(&s) => s.to_owned(),
        s => {
            return Err(RowError::new(
                Field::RegistrationState,
                format!("{s:?} must be one of {}", REGISTRATION_STATES.join(", ")),
            ));
        }
    };
    Ok(Some(Ims {
        impi: c.get(Field::Impi).to_owned(),
        impu,
        digest_realm: c.opt(Field::DigestRealm),
        ifc: c.opt(Field::Ifc),
        scscf: c.opt(Field::Scscf),
        registration_state,
    }))
}

fn decode_bool(f: Field, v: &str) -> Result<bool, RowError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(RowError::new(f, format!("{v:?} must be true or false"))),
    }
}

fn decode_profile_json(cell: &str) -> Result<Option<Map<String, Value>>, RowError> {
    if cell.is_empty() {
        return Ok(None);
    }
    let map = match serde_json::from_str::<Value>(cell) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(RowError::new(Field::Profile, "must be a JSON object")),
        Err(e) => return Err(RowError::new(Field::Profile, format!("is not JSON: {e}"))),
    };
    let unknown: Vec<&str> = map.keys().map(String::as_str).filter(|k| !PROFILE_KEYS.contains(k)).collect();
    if !unknown.is_empty() {
        return Err(RowError::new(
            Field::Profile,
            format!("unknown keys {} (known: {})", unknown.join(", "), PROFILE_KEYS.join(", ")),
        ));
    }
    if let Some(security) = map.get("security") {
        let amf_only = security
            .as_object()
            .is_some_and(|s| s.len() == 1 && s.get("amf").and_then(Value::as_str).is_some());
        if !amf_only {
            return Err(RowError::new(
                "profile.security",
                "may only hold amf (a string); keys and SQN have their own columns",
            ));
        }
    }
    Ok(Some(map))
}

/// The defaults with the `profile` keys put over them (a whole key at a time).
fn apply_profile_json(json: &Map<String, Value>) -> Result<Subscriber, RowError> {
    let Ok(Value::Object(mut base)) = serde_json::to_value(Subscriber::default()) else {
        return Err(RowError::new(Field::Profile, "cannot build the default profile"));
    };
    for (k, v) in json {
        if k != "security" {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_path_to_error::deserialize(Value::Object(base)).map_err(|e| {
        let at = e.path().to_string();
        RowError::new(format!("profile.{at}"), e.into_inner().to_string())
    })
}

/// The cells of a subscriber, by field; empty cells are left out. `sub.imsi` names the
/// row and `auth` gives the keys and the SQN (`sub.security.sqn` is not written).
/// Fields that need a column the header may lack are listed by [`needed`].
pub fn encode(sub: &Subscriber, auth: &AuthData) -> Vec<(Field, String)> {
    let mut out = vec![(Field::Imsi, sub.imsi.clone()), (Field::K, to_hex(&auth.k))];
    match auth.opc {
        OpcOrOp::Opc(opc) => out.push((Field::Opc, to_hex(&opc))),
        OpcOrOp::Op(op) => out.push((Field::Op, to_hex(&op))),
    }
    out.push((Field::Amf, to_hex(&auth.amf)));
    out.push((Field::Sqn, auth.sqn.to_string()));
    if let Some(ha1) = &auth.digest_ha1 {
        out.push((Field::DigestHa1, ha1.clone()));
    }
    let mut json = Map::new();
    let default = Subscriber::default();

    let msisdn = sub.msisdn.join(&LIST_SEPARATOR.to_string());
    if decode_msisdn(&msisdn).ok().as_ref() == Some(&sub.msisdn) {
        out.push((Field::Msisdn, msisdn));
    } else {
        json.insert("msisdn".into(), to_json(&sub.msisdn));
    }

    let names: Vec<String> = sub.slice.iter().flat_map(|s| &s.session).map(|s| s.name.clone()).collect();
    let apn = names.join(&LIST_SEPARATOR.to_string());
    let by_apn = !names.is_empty()
        && is_trimmed(&apn)
        && decode_apns(&apn).ok().as_ref() == Some(&names)
        && sub.slice == [slice_of(&names)];
    if by_apn {
        out.push((Field::Apn, apn));
    } else {
        json.insert("slice".into(), to_json(&sub.slice));
    }

    if let Some(ims) = &sub.ims {
        let cells = [
            (Field::Impi, ims.impi.clone()),
            (Field::Impu, ims.impu.join(&LIST_SEPARATOR.to_string())),
            (Field::DigestRealm, ims.digest_realm.clone().unwrap_or_default()),
            (Field::Ifc, ims.ifc.clone().unwrap_or_default()),
            (Field::Scscf, ims.scscf.clone().unwrap_or_default()),
            (Field::RegistrationState, ims.registration_state.clone()),
        ];
        let header = Header::new(&IMS_FIELDS);
        let texts: Vec<&str> = cells.iter().map(|(_, v)| v.as_str()).collect();
        let exact = texts.iter().all(|t| is_trimmed(t))
            && decode_ims(&Cells { header: &header, cells: &texts }).ok() == Some(Some(ims.clone()));
        if exact {
            out.extend(cells.into_iter().filter(|(_, v)| !v.is_empty()));
        } else {
            json.insert("ims".into(), to_json(ims));
        }
    }

    for (f, key, value) in
        [(Field::MmeHost, "mme_host", &sub.mme_host), (Field::MmeRealm, "mme_realm", &sub.mme_realm)]
    {
        match value {
            Some(v) if !v.is_empty() && is_trimmed(v) => out.push((f, v.clone())),
            Some(v) => drop(json.insert(key.into(), Value::String(v.clone()))),
            None => {}
        }
    }
    if let Some(ts) = sub.mme_timestamp {
        out.push((Field::MmeTimestamp, ts.to_string()));
    }
    if sub.purge_flag {
        out.push((Field::PurgeFlag, "true".into()));
    }
    if sub.security.amf != to_hex(&auth.amf) {
        json.insert("security".into(), serde_json::json!({ "amf": sub.security.amf }));
    }
    if sub.ambr != default.ambr {
        json.insert("ambr".into(), to_json(&sub.ambr));
    }
    for (key, value, default) in [
        ("access_restriction_data", sub.access_restriction_data, default.access_restriction_data),
        ("subscriber_status", sub.subscriber_status, default.subscriber_status),
        ("operator_determined_barring", sub.operator_determined_barring, default.operator_determined_barring),
        ("network_access_mode", sub.network_access_mode, default.network_access_mode),
        ("subscribed_rau_tau_timer", sub.subscribed_rau_tau_timer, default.subscribed_rau_tau_timer),
    ] {
        if value != default {
            json.insert(key.into(), value.into());
        }
    }
    if !json.is_empty() {
        out.push((Field::Profile, Value::Object(json).to_string()));
    }
    out
}

/// The fields of `cells` that must have a column: every non-empty one except those
/// whose value is what an absent column reads as (AMF 8000, SQN 0, APN "internet").
pub fn needed(cells: &[(Field, String)]) -> Vec<Field> {
    cells
        .iter()
        .filter(|(f, v)| match f {
            Field::Amf => v != "8000",
            Field::Sqn => v != "0",
            Field::Apn => v != "internet",
            _ => !v.is_empty(),
        })
        .map(|(f, _)| *f)
        .collect()
}

fn is_trimmed(s: &str) -> bool {
    s.trim() == s
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use plughss_plugin_api::subscriber::{Ambr, UeAddress};

    use super::*;
    use crate::columns::NEW_FILE;

    const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
    const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";

    fn header(names: &str) -> Header {
        let names: Vec<String> = names.split(',').map(str::to_owned).collect();
        Header::parse(&names, true).unwrap().0
    }

    fn row(h: &str, cells: &[&str]) -> Result<(Subscriber, AuthData), RowError> {
        decode(&header(h), cells)
    }

    /// encode then decode through a header with every column.
    fn round_trip(sub: &Subscriber, auth: &AuthData) -> (Subscriber, AuthData) {
        let cells = encode(sub, auth);
        let mut h = Header::new(NEW_FILE);
        h.append(&Field::ALL);
        let mut texts = vec![String::new(); h.width()];
        for (f, v) in cells {
            texts[h.position(f).unwrap()] = v;
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        decode(&h, &refs).unwrap()
    }

    fn auth() -> AuthData {
        AuthData {
            k: parse_hex("k", K).unwrap(),
            opc: OpcOrOp::Opc(parse_hex("opc", OPC).unwrap()),
            amf: [0x80, 0],
            sqn: 0,
            digest_ha1: None,
        }
    }

    #[test]
    fn a_classic_row_gets_open5gs_defaults_per_apn() {
        let (sub, a) = row(
            "imsi,k,opc,amf,sqn,msisdn,apn",
            &["001010000000001", K, OPC, "8001", "64", "491721234567;491721234568", "internet;ims"],
        )
        .unwrap();
        assert_eq!((a.amf, a.sqn, a.digest_ha1), ([0x80, 0x01], 64, None));
        assert_eq!(sub.msisdn, ["491721234567", "491721234568"]);
        assert_eq!((sub.security.amf.as_str(), sub.security.sqn), ("8001", 64));
        assert_eq!(sub.slice.len(), 1);
        let s = &sub.slice[0];
        assert!(s.default_indicator && s.sst == 1);
        let names: Vec<&str> = s.session.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["internet", "ims"]);
        assert_eq!(s.session[1], Session { name: "ims".into(), ..Session::default() });
        assert_eq!(sub.ambr, Ambr::gbps(1));
    }

    #[test]
    fn empty_optional_cells_take_defaults() {
        let (sub, a) =
            row("imsi,k,op,amf,sqn,msisdn,apn", &["001010000000001", K, OPC, "", "", "", ""]).unwrap();
        assert!(matches!(a.opc, OpcOrOp::Op(_)));
        assert_eq!((a.amf, a.sqn), ([0x80, 0], 0));
        assert_eq!(sub, Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() });
    }

    #[test]
    fn lists_are_split_at_semicolons_and_trimmed() {
        let (sub, _) =
            row("imsi,k,opc,msisdn,apn", &["001010000000001", K, OPC, " 1 ; ;2 ;", "a ; b"]).unwrap();
        assert_eq!(sub.msisdn, ["1", "2"]);
        let names: Vec<&str> = sub.slice[0].session.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn impu_keeps_sip_uri_parameters() {
        let (sub, _) = row(
            "imsi,k,opc,impi,impu",
            &["001010000000001", K, OPC, "a@ims", "sip:a@ims;transport=tcp;tel:+4917;sips:b@ims"],
        )
        .unwrap();
        let ims = sub.ims.unwrap();
        assert_eq!(ims.impu, ["sip:a@ims;transport=tcp", "tel:+4917", "sips:b@ims"]);
        assert_eq!(ims.registration_state, "not_registered", "as the REST API defaults it");
    }

    #[test]
    fn bad_cells_name_the_column_and_never_echo_a_key() {
        let h = "imsi,k,opc,op,amf,sqn,msisdn,apn,registration_state,purge_flag,mme_timestamp";
        let good = ["001010000000001", K, OPC, "", "8000", "0", "", "", "", "", ""];
        let err = |i: usize, v: &str| {
            let mut cells = good;
            cells[i] = v;
            row(h, &cells).unwrap_err().to_string()
        };
        assert_eq!(err(0, "00101"), "imsi: \"00101\" must be 6 to 15 digits");
        assert_eq!(err(1, "465b"), "k: must be 32 hex digits");
        assert_eq!(err(1, &K.replace('4', "x")), "k: is not hex");
        assert_eq!(err(1, ""), "k: is empty");
        assert_eq!(err(3, OPC), "opc, op: both are set; give one of them");
        assert_eq!(err(2, ""), "opc, op: both are empty; give one of them");
        assert_eq!(err(4, "80"), "amf: must be 4 hex digits");
        assert_eq!(err(5, "0x10"), "sqn: \"0x10\" is not a decimal number");
        assert_eq!(err(5, &(1u64 << 48).to_string()), "sqn: must be below 2^48 (TS 33.102 6.3.7)");
        assert_eq!(err(6, "+4917"), "msisdn: \"+4917\" must be 1 to 15 digits");
        assert_eq!(err(7, "a;a"), "apn: \"a\" is given twice");
        assert_eq!(
            err(8, "busy"),
            "registration_state: \"busy\" must be one of not_registered, registered, unregistered"
        );
        assert_eq!(err(9, "maybe"), "purge_flag: \"maybe\" must be true or false");
        assert_eq!(err(10, "yesterday"), "mme_timestamp: must be Unix seconds");
        for e in [err(1, "465b"), err(1, &K.replace('4', "x"))] {
            assert!(!e.contains("465b") && !e.contains("x65"), "{e}");
        }
    }

    #[test]
    fn profile_json_overrides_defaults_and_is_checked() {
        let h = "imsi,k,opc,apn,profile";
        let (sub, _) = row(
            h,
            &["001010000000001", K, OPC, "", r#"{"ambr":{"downlink":{"value":5,"unit":2},"uplink":{"value":1,"unit":2}},"subscriber_status":1}"#],
        )
        .unwrap();
        assert_eq!((sub.ambr.downlink.value, sub.ambr.downlink.unit, sub.subscriber_status), (5, 2, 1));
        assert_eq!(sub.slice, Subscriber::default().slice, "the rest stays default");
        let err =
            |apn: &str, json: &str| row(h, &["001010000000001", K, OPC, apn, json]).unwrap_err().to_string();
        assert_eq!(
            err("ims", r#"{"slice":[]}"#),
            "apn: the apn column and profile.slice are both set; give one of them"
        );
        assert_eq!(err("", "[1]"), "profile: must be a JSON object");
        assert!(err("", "{").starts_with("profile: is not JSON: EOF while parsing"), "{}", err("", "{"));
        assert!(err("", r#"{"colour":1}"#).starts_with("profile: unknown keys colour (known: msisdn,"));
        assert_eq!(
            err("", r#"{"security":{"k":"00"}}"#),
            "profile.security: may only hold amf (a string); keys and SQN have their own columns"
        );
        assert_eq!(
            err("", r#"{"slice":[{"session":[{"qos":{"index":"high"}}]}]}"#),
            "profile.slice[0].session[0].qos.index: invalid type: string \"high\", expected u8"
        );
    }

    #[test]
    fn encode_uses_columns_where_they_are_exact_and_profile_for_the_rest() {
        let sub = Subscriber {
            imsi: "001010000000001".into(),
            msisdn: vec!["4917".into()],
            slice: vec![slice_of(&["internet".into(), "ims".into()])],
            ..Subscriber::default()
        };
        let cells = encode(&sub, &auth());
        assert!(cells.iter().all(|(f, _)| *f != Field::Profile), "{cells:?}");
        assert!(cells.contains(&(Field::Apn, "internet;ims".into())));
        assert_eq!(needed(&cells), [Field::Imsi, Field::K, Field::Opc, Field::Msisdn, Field::Apn]);

        let mut rich = sub.clone();
        rich.slice[0].session[1].qos.index = 5;
        rich.slice[0].session[1].ue = Some(UeAddress { ipv4: Some("10.0.0.1".into()), ipv6: None });
        rich.subscriber_status = 1;
        let cells = encode(&rich, &auth());
        assert!(!cells.iter().any(|(f, _)| *f == Field::Apn), "slices that apn cannot say go to profile");
        let (_, json) = cells.iter().find(|(f, _)| *f == Field::Profile).unwrap();
        let json: Value = serde_json::from_str(json).unwrap();
        assert_eq!(json["subscriber_status"], 1);
        assert_eq!(json["slice"][0]["session"][1]["qos"]["index"], 5);
        assert!(json.get("msisdn").is_none() && json.get("ambr").is_none(), "{json}");
        let (back, _) = round_trip(&rich, &auth());
        assert_eq!(back, rich);
    }

    #[test]
    fn round_trips_of_awkward_profiles() {
        let mut a = auth();
        a.sqn = 12345;
        a.digest_ha1 = Some("ha1".into());
        let base = Subscriber { imsi: "001010000000001".into(), ..Subscriber::default() };
        let cases: Vec<fn(&mut Subscriber)> = vec![
            |s| s.slice.clear(),
            |s| s.slice[0].session.clear(),
            |s| s.ims = Some(Ims::default()),
            |s| {
                s.ims = Some(Ims {
                    impi: "i".into(),
                    impu: vec!["sip:x;lr".into()],
                    registration_state: String::new(),
                    ..Ims::default()
                })
            },
            |s| {
                s.ims = Some(Ims {
                    scscf: Some("sip:scscf".into()),
                    ifc: Some("<a>\n, \"b\"</a>".into()),
                    registration_state: "registered".into(),
                    ..Ims::default()
                })
            },
            |s| s.mme_host = Some(" spaced ".into()),
            |s| {
                s.mme_host = Some("mme".into());
                s.mme_timestamp = Some(-5);
                s.purge_flag = true;
            },
            |s| s.security.amf = "9001".into(),
            |s| s.msisdn = vec!["+1".into()],
        ];
        for (i, change) in cases.iter().enumerate() {
            let mut s = base.clone();
            change(&mut s);
            s.security.sqn = a.sqn;
            assert_eq!(round_trip(&s, &a), (s.clone(), a.clone()), "case {i}");
        }
    }
}
