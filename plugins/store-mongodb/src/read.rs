//! Open5GS subscriber documents to the PlugHSS model: [`subscriber`] (the profile),
//! [`auth`] (keys and SQN) and [`serving`] (the MME recorded by ULR).
//!
//! Reading is strict about types and lenient about absence, as Open5GS is: a field that
//! is missing (or `null`) takes the value `open5gs-dbctl add` writes (lists: empty), and
//! a field of the wrong type is `StoreError::Invalid` naming its path, e.g.
//! `slice[0].session[1].qos.index`. Numbers may be Int32, Int64 or whole Doubles
//! ([`crate::numbers`]). Documents in the NextEPC schema (`pdn[]` instead of `slice[]`)
//! are read by [`crate::nextepc`].

use mongodb::bson::{Bson, Document};
use plughss_plugin_api::store::{SQN_MODULUS, ServingNode, StoreError};
use plughss_plugin_api::subscriber::{
    Ambr, Arp, AuthData, BitRate, Ims, NOT_REGISTERED, OpcOrOp, Qos, SecurityInfo, Session, Slice,
    Subscriber, UeAddress, parse_hex, to_hex,
};

use crate::nextepc;
use crate::numbers::{self, invalid, type_name};

/// Microseconds per second: Open5GS writes `mme_timestamp` as `ogs_time_now()`, in
/// microseconds since 1970 (lib/core/ogs-time.h); the model keeps seconds.
pub const USEC_PER_SEC: i64 = 1_000_000;

/// The AMF every Open5GS tool writes (E-UTRAN separation bit set, TS 33.401 6.1.2);
/// used when a document has none.
pub const DEFAULT_AMF: &str = "8000";

/// A document being read and the path where it sits, for error messages.
#[derive(Clone)]
pub struct At<'a> {
    pub doc: &'a Document,
    path: String,
}

impl<'a> At<'a> {
    pub fn root(doc: &'a Document) -> Self {
        At { doc, path: String::new() }
    }

    /// The full path of `key` in this document.
    pub fn name(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_owned() } else { format!("{}.{key}", self.path) }
    }

    /// The value of `key`; `null` counts as absent (WebUI writes `op: null`).
    pub fn get(&self, key: &str) -> Option<&'a Bson> {
        self.doc.get(key).filter(|v| !matches!(v, Bson::Null))
    }

    pub fn str_opt(&self, key: &str) -> Result<Option<&'a str>, StoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(Bson::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong(&self.name(key), "a string", other)),
        }
    }

    pub fn str_req(&self, key: &str) -> Result<&'a str, StoreError> {
        self.str_opt(key)?.ok_or_else(|| invalid(&self.name(key), "is required"))
    }

    pub fn u8_or(&self, key: &str, default: u8) -> Result<u8, StoreError> {
        self.get(key).map_or(Ok(default), |v| numbers::as_u8(&self.name(key), v))
    }

    pub fn u32_or(&self, key: &str, default: u32) -> Result<u32, StoreError> {
        self.get(key).map_or(Ok(default), |v| numbers::as_u32(&self.name(key), v))
    }

    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, StoreError> {
        self.get(key).map_or(Ok(default), |v| boolean(&self.name(key), v))
    }

    /// A sub-document, whose own paths are `path.key.*`.
    pub fn doc_opt(&self, key: &str) -> Result<Option<At<'a>>, StoreError> {
        let path = self.name(key);
        match self.get(key) {
            None => Ok(None),
            Some(Bson::Document(d)) => Ok(Some(At { doc: d, path })),
            Some(other) => Err(wrong(&path, "a document", other)),
        }
    }

    pub fn array_opt(&self, key: &str) -> Result<Option<&'a [Bson]>, StoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(Bson::Array(a)) => Ok(Some(a)),
            Some(other) => Err(wrong(&self.name(key), "an array", other)),
        }
    }

    /// The documents of array `key`, each with its path `key[i]`, read by `f`.
    pub fn each<T>(
        &self,
        key: &str,
        mut f: impl FnMut(At<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let Some(items) = self.array_opt(key)? else { return Ok(Vec::new()) };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", self.name(key));
            match item {
                Bson::Document(d) => out.push(f(At { doc: d, path })?),
                other => return Err(wrong(&path, "a document", other)),
            }
        }
        Ok(out)
    }
}

/// A boolean; 0 and 1 are accepted too, as some MongoDB-compatible servers (nx-27017)
/// store a boolean written by `$set` as a number.
fn boolean(field: &str, v: &Bson) -> Result<bool, StoreError> {
    match v {
        Bson::Boolean(b) => Ok(*b),
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) => match numbers::integer(field, v) {
            Ok(0) => Ok(false),
            Ok(1) => Ok(true),
            _ => Err(wrong(field, "a boolean", v)),
        },
        other => Err(wrong(field, "a boolean", other)),
    }
}

fn wrong(field: &str, want: &str, found: &Bson) -> StoreError {
    invalid(field, format!("must be {want}, found {}", type_name(found)))
}

/// The profile of a subscriber document, with `security.sqn` the stored SQN.
pub fn subscriber(doc: &Document) -> Result<Subscriber, StoreError> {
    let at = At::root(doc);
    let d = Subscriber::default();
    let security = at.doc_opt("security")?;
    let stored_amf = amf_of(security.as_ref())?;
    let plughss = at.doc_opt("plughss")?;
    let slice = if at.get("slice").is_some() || at.get("pdn").is_none() {
        at.each("slice", read_slice)?
    } else {
        nextepc::slices(&at)?
    };
    let node = serving(&at)?;
    Ok(Subscriber {
        imsi: at.str_req("imsi")?.to_owned(),
        msisdn: strings(&at, "msisdn")?,
        security: SecurityInfo {
            amf: profile_amf(plughss.as_ref(), &stored_amf)?.unwrap_or(stored_amf),
            sqn: sqn_of(security.as_ref())?,
        },
        ambr: top_ambr(&at)?,
        slice,
        access_restriction_data: at.u32_or("access_restriction_data", d.access_restriction_data)?,
        subscriber_status: at.u32_or("subscriber_status", d.subscriber_status)?,
        operator_determined_barring: at
            .u32_or("operator_determined_barring", d.operator_determined_barring)?,
        network_access_mode: at.u32_or("network_access_mode", d.network_access_mode)?,
        subscribed_rau_tau_timer: at.u32_or("subscribed_rau_tau_timer", d.subscribed_rau_tau_timer)?,
        mme_host: node.mme_host,
        mme_realm: node.mme_realm,
        mme_timestamp: node.mme_timestamp,
        purge_flag: node.purge_flag,
        ims: plughss.as_ref().map(ims).transpose()?.flatten(),
    })
}

/// Keys and SQN, as Open5GS's `ogs_dbi_auth_info` reads them: OPc when `security.opc`
/// is a string, else OP; AMF `8000` when absent; SQN 0 when absent (`open5gs-dbctl add`
/// writes none). The digest credential is PlugHSS's own (`plughss.digest_ha1`).
pub fn auth(doc: &Document) -> Result<AuthData, StoreError> {
    let at = At::root(doc);
    let Some(security) = at.doc_opt("security")? else {
        return Err(invalid("security", "is required (keys k and opc or op)"));
    };
    let k = parse_hex("security.k", security.str_req("k")?)?;
    let opc = match (security.str_opt("opc")?, security.str_opt("op")?) {
        (Some(opc), _) => OpcOrOp::Opc(parse_hex("security.opc", opc)?),
        (None, Some(op)) => OpcOrOp::Op(parse_hex("security.op", op)?),
        (None, None) => return Err(invalid("security.opc", "neither security.opc nor security.op is set")),
    };
    let amf = parse_hex("security.amf", security.str_opt("amf")?.unwrap_or(DEFAULT_AMF))?;
    let digest_ha1 = match at.doc_opt("plughss")? {
        Some(p) => p.str_opt("digest_ha1")?.map(str::to_owned),
        None => None,
    };
    Ok(AuthData { k, opc, amf, sqn: sqn_of(Some(&security))?, digest_ha1 })
}

/// The stored SQN modulo 2^48: absent is 0; a value at or above 2^48 is a reservation
/// caught between its `$inc` and the wrap that follows it ([`crate::store`]).
pub fn sqn_of(security: Option<&At<'_>>) -> Result<u64, StoreError> {
    match security.and_then(|s| s.get("sqn")) {
        None => Ok(0),
        Some(v) => Ok(numbers::as_u64("security.sqn", v)? % SQN_MODULUS),
    }
}

/// `security.amf` in lower case, or the default when absent.
fn amf_of(security: Option<&At<'_>>) -> Result<String, StoreError> {
    let amf = match security {
        Some(s) => s.str_opt("amf")?.unwrap_or(DEFAULT_AMF),
        None => DEFAULT_AMF,
    };
    Ok(to_hex(&parse_hex::<2>("security.amf", amf)?))
}

/// The profile's AMF when PlugHSS was given one that differs from the keys' AMF (see
/// the crate docs): kept in `plughss.amf` with the `security.amf` it was written beside,
/// and ignored once `security.amf` was changed by someone else.
fn profile_amf(plughss: Option<&At<'_>>, stored: &str) -> Result<Option<String>, StoreError> {
    let Some(p) = plughss else { return Ok(None) };
    let Some(view) = p.doc_opt("amf")? else { return Ok(None) };
    if view.str_opt("security")? != Some(stored) {
        return Ok(None);
    }
    view.str_opt("profile")?.map(|a| Ok(to_hex(&parse_hex::<2>("plughss.amf.profile", a)?))).transpose()
}

/// The serving MME as Open5GS's `ogs_dbi_update_mme` writes it (strings, Int64
/// microseconds, a boolean); the WebUI's empty arrays (`mme_host: []`,
/// `purge_flag: []`) read as unset.
pub fn serving(at: &At<'_>) -> Result<ServingNode, StoreError> {
    Ok(ServingNode {
        mme_host: string_or_list(at, "mme_host")?,
        mme_realm: string_or_list(at, "mme_realm")?,
        mme_timestamp: at
            .get("mme_timestamp")
            .map(|v| numbers::integer("mme_timestamp", v).map(|us| us.div_euclid(USEC_PER_SEC)))
            .transpose()?,
        purge_flag: match at.get("purge_flag") {
            None => false,
            Some(Bson::Array(a)) => a.first().map_or(Ok(false), |v| boolean("purge_flag[0]", v))?,
            Some(v) => boolean("purge_flag", v)?,
        },
    })
}

/// A string, or the WebUI's `[String]` (empty: none; else its first element).
fn string_or_list(at: &At<'_>, key: &str) -> Result<Option<String>, StoreError> {
    match at.get(key) {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s.clone())),
        Some(Bson::Array(a)) => match a.first() {
            None => Ok(None),
            Some(Bson::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong(&format!("{}[0]", at.name(key)), "a string", other)),
        },
        Some(other) => Err(wrong(&at.name(key), "a string", other)),
    }
}

/// An array of strings; a single string is a list of one.
fn strings(at: &At<'_>, key: &str) -> Result<Vec<String>, StoreError> {
    match at.get(key) {
        None => Ok(Vec::new()),
        Some(Bson::String(s)) => Ok(vec![s.clone()]),
        Some(Bson::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Bson::String(s) => Ok(s.clone()),
                other => Err(wrong(&format!("{}[{i}]", at.name(key)), "a string", other)),
            })
            .collect(),
        Some(other) => Err(wrong(&at.name(key), "an array of strings", other)),
    }
}

/// The subscriber AMBR: `{downlink: {value, unit}, uplink: ..}`, or NextEPC's bare
/// numbers in kbps.
fn top_ambr(at: &At<'_>) -> Result<Ambr, StoreError> {
    match at.doc_opt("ambr")? {
        Some(a) => Ok(Ambr { downlink: rate(&a, "downlink", true)?, uplink: rate(&a, "uplink", true)? }),
        None => Ok(Ambr::default()),
    }
}

/// One direction of an AMBR: `{value, unit}` (value × 1000^unit bps); with `kbps_ok`,
/// also a bare number of kbps (NextEPC), kept as `{value, unit: 1}` as Open5GS's own
/// schema migration (misc/db/python/SchemaUpdater.py) converts it.
pub fn rate(at: &At<'_>, key: &str, kbps_ok: bool) -> Result<BitRate, StoreError> {
    let name = at.name(key);
    match at.get(key) {
        None => Ok(BitRate { value: 1, unit: 3 }),
        Some(Bson::Document(d)) => {
            let r = At { doc: d, path: name };
            let value = r.get("value").map_or(Ok(0), |v| numbers::as_u64(&r.name("value"), v))?;
            Ok(BitRate { value, unit: r.u8_or("unit", 0)? })
        }
        Some(v @ (Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_))) if kbps_ok => {
            Ok(BitRate { value: numbers::as_u64(&name, v)?, unit: 1 })
        }
        Some(other) => Err(wrong(&name, "a document {value, unit}", other)),
    }
}

fn read_slice(at: At<'_>) -> Result<Slice, StoreError> {
    let sst = at.get("sst").ok_or_else(|| invalid(&at.name("sst"), "is required"))?;
    Ok(Slice {
        sst: numbers::as_u8(&at.name("sst"), sst)?,
        sd: at.str_opt("sd")?.map(str::to_owned),
        // Open5GS reads an absent flag as false (lib/dbi/subscription.c).
        default_indicator: at.bool_or("default_indicator", false)?,
        session: at.each("session", read_session)?,
    })
}

fn read_session(at: At<'_>) -> Result<Session, StoreError> {
    let d = Session::default();
    let qos = match at.doc_opt("qos")? {
        Some(q) => {
            let arp = match q.doc_opt("arp")? {
                Some(a) => Arp {
                    priority_level: a.u8_or("priority_level", d.qos.arp.priority_level)?,
                    pre_emption_capability: a
                        .u8_or("pre_emption_capability", d.qos.arp.pre_emption_capability)?,
                    pre_emption_vulnerability: a
                        .u8_or("pre_emption_vulnerability", d.qos.arp.pre_emption_vulnerability)?,
                },
                None => d.qos.arp,
            };
            Qos { index: q.u8_or("index", d.qos.index)?, arp }
        }
        None => d.qos,
    };
    let ambr = match at.doc_opt("ambr")? {
        Some(a) => Ambr { downlink: rate(&a, "downlink", false)?, uplink: rate(&a, "uplink", false)? },
        None => d.ambr,
    };
    let ue = match at.doc_opt("ue")? {
        Some(u) => Some(UeAddress {
            ipv4: u.str_opt("ipv4")?.map(str::to_owned),
            ipv6: u.str_opt("ipv6")?.map(str::to_owned),
        }),
        None => None,
    };
    Ok(Session {
        name: at.str_req("name")?.to_owned(),
        session_type: at.u8_or("type", d.session_type)?,
        qos,
        ambr,
        ue,
    })
}

/// PlugHSS's IMS object, `plughss.ims` (Open5GS has no equivalent in this document).
fn ims(plughss: &At<'_>) -> Result<Option<Ims>, StoreError> {
    let Some(at) = plughss.doc_opt("ims")? else { return Ok(None) };
    let owned = |v: Option<&str>| v.map(str::to_owned);
    Ok(Some(Ims {
        impi: at.str_opt("impi")?.unwrap_or_default().to_owned(),
        impu: strings(&at, "impu")?,
        digest_realm: owned(at.str_opt("digest_realm")?),
        ifc: owned(at.str_opt("ifc")?),
        scscf: owned(at.str_opt("scscf")?),
        // Absent until a SAR records one (a profile update never writes it).
        registration_state: at.str_opt("registration_state")?.unwrap_or(NOT_REGISTERED).to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    //! Documents as the Open5GS tools write them, built here with every numeric type, read
    //! field by field. (The server tests cover the same shapes through pymongo; these
    //! cover Int64 and Double where the test server would hand back an Int32.)

    use mongodb::bson::oid::ObjectId;
    use mongodb::bson::{Bson, Document, doc};
    use plughss_plugin_api::subscriber::{Ambr, BitRate, OpcOrOp, Subscriber};

    use super::*;

    const K: &str = "465B5CE8 B199B49F AA5F0A2E E238A6BC";
    const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";

    /// A WebUI document with every number converted by `num`.
    fn webui(num: fn(i64) -> Bson) -> Document {
        doc! {
            "_id": ObjectId::new(), "schema_version": num(1), "imsi": "001010000000001",
            "msisdn": ["491721234567"], "imeisv": [], "mme_host": [], "mme_realm": [], "purge_flag": [],
            "security": { "k": K, "op": Bson::Null, "opc": OPC, "amf": "8000", "sqn": num(0x0012_3456_789a) },
            "ambr": { "downlink": { "value": num(2), "unit": num(3) }, "uplink": { "value": num(500), "unit": num(2) } },
            "slice": [{
                "sst": num(1), "default_indicator": true, "_id": ObjectId::new(),
                "session": [{
                    "name": "internet", "type": num(3), "pcc_rule": [], "_id": ObjectId::new(),
                    "qos": { "index": num(9), "arp": { "priority_level": num(8),
                        "pre_emption_capability": num(1), "pre_emption_vulnerability": num(2) } },
                    "ambr": { "downlink": { "value": num(1), "unit": num(3) }, "uplink": { "value": num(1), "unit": num(3) } },
                    "ue": { "ipv4": "10.45.0.7" }, "smf": { "ipv4": "127.0.0.4" },
                }],
            }, { "sst": num(2), "sd": "000080", "session": [] }],
            "access_restriction_data": num(32), "subscriber_status": num(1),
            "operator_determined_barring": num(3), "network_access_mode": num(2),
            "subscribed_rau_tau_timer": num(54), "__v": num(0),
        }
    }

    fn expected() -> Subscriber {
        let mut s = Subscriber {
            imsi: "001010000000001".into(),
            msisdn: vec!["491721234567".into()],
            ..Default::default()
        };
        s.security.sqn = 0x0012_3456_789a;
        s.ambr = Ambr { downlink: BitRate { value: 2, unit: 3 }, uplink: BitRate { value: 500, unit: 2 } };
        let sess = &mut s.slice[0].session[0];
        sess.qos.arp.pre_emption_vulnerability = 2;
        sess.ue = Some(UeAddress { ipv4: Some("10.45.0.7".into()), ipv6: None });
        s.slice.push(Slice { sst: 2, sd: Some("000080".into()), default_indicator: false, session: vec![] });
        (s.subscriber_status, s.operator_determined_barring, s.network_access_mode) = (1, 3, 2);
        s.subscribed_rau_tau_timer = 54;
        s
    }

    #[test]
    fn int32_int64_and_double_documents_read_the_same() {
        for (name, num) in [
            ("int32", (|n| i32::try_from(n).map_or(Bson::Int64(n), Bson::Int32)) as fn(i64) -> Bson),
            ("int64", Bson::Int64),
            ("double", |n| Bson::Double(n as f64)),
        ] {
            let d = webui(num);
            assert_eq!(subscriber(&d).unwrap(), expected(), "{name}");
            let a = auth(&d).unwrap();
            assert_eq!(to_hex(&a.k), K.replace(' ', "").to_lowercase(), "{name}");
            assert_eq!(
                (a.opc, a.amf, a.sqn),
                (OpcOrOp::Opc(parse_hex("", OPC).unwrap()), [0x80, 0], 0x0012_3456_789a)
            );
        }
    }

    #[test]
    fn absent_fields_take_the_dbctl_defaults() {
        let d = doc! { "imsi": "001010000000002", "security": { "k": K, "op": "cdc202d5123e20f62b6d676ac72cb318" } };
        let s = subscriber(&d).unwrap();
        assert_eq!(s, Subscriber { imsi: "001010000000002".into(), slice: vec![], ..Default::default() });
        let a = auth(&d).unwrap();
        assert_eq!((a.amf, a.sqn, a.digest_ha1), ([0x80, 0], 0, None), "AMF 8000 and SQN 0 when absent");
        assert!(matches!(a.opc, OpcOrOp::Op(_)), "OP when opc is absent");
    }

    #[test]
    fn serving_node_as_open5gs_and_the_webui_write_it() {
        let d = doc! { "mme_host": "mme.epc", "mme_realm": ["epc"], "mme_timestamp": 1_700_000_000_123_456i64, "purge_flag": true };
        let n = serving(&At::root(&d)).unwrap();
        assert_eq!(
            (n.mme_host.as_deref(), n.mme_realm.as_deref(), n.mme_timestamp, n.purge_flag),
            (Some("mme.epc"), Some("epc"), Some(1_700_000_000), true),
            "microseconds to seconds"
        );
        let d = doc! { "mme_host": [], "mme_realm": Bson::Null, "purge_flag": [] };
        assert_eq!(serving(&At::root(&d)).unwrap(), ServingNode::default());
        let d = doc! { "purge_flag": 1 };
        assert!(serving(&At::root(&d)).unwrap().purge_flag, "a boolean stored as 1");
    }

    #[test]
    fn a_malformed_field_is_invalid_naming_its_path() {
        type Breaker = fn(&mut Document);
        let cases: Vec<(&str, Breaker, &str)> = vec![
            (
                "qos.index",
                |d| set(d, &["slice", "0", "session", "0", "qos", "index"], "nine".into()),
                "slice[0].session[0].qos.index",
            ),
            (
                "fraction",
                |d| set(d, &["slice", "0", "session", "0", "type"], Bson::Double(1.5)),
                "slice[0].session[0].type",
            ),
            (
                "msisdn",
                |d| {
                    d.insert("msisdn", vec![Bson::Int32(5)]);
                },
                "msisdn[0]",
            ),
            ("sst", |d| set(d, &["slice", "1", "sst"], Bson::Int32(-1)), "slice[1].sst"),
            (
                "name",
                |d| {
                    let _ = remove(d, &["slice", "0", "session", "0", "name"]);
                },
                "slice[0].session[0].name",
            ),
            (
                "slice item",
                |d| {
                    d.insert("slice", vec![Bson::String("x".into())]);
                },
                "slice[0]",
            ),
            ("ambr", |d| set(d, &["ambr", "downlink"], "fast".into()), "ambr.downlink"),
            ("sqn", |d| set(d, &["security", "sqn"], Bson::Double(1.5)), "security.sqn"),
            (
                "timestamp",
                |d| {
                    d.insert("mme_timestamp", "yesterday");
                },
                "mme_timestamp",
            ),
            (
                "security",
                |d| {
                    d.insert("security", "none");
                },
                "security",
            ),
        ];
        for (what, break_it, field) in cases {
            let mut d = webui(Bson::Int64);
            break_it(&mut d);
            match subscriber(&d) {
                Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{what}"),
                other => panic!("{what}: expected Invalid({field}), got {other:?}"),
            }
        }
        let mut d = webui(Bson::Int64);
        set(&mut d, &["security", "k"], "not hex".into());
        assert!(matches!(auth(&d), Err(StoreError::Invalid { field, .. }) if field == "security.k"));
        let mut d = webui(Bson::Int64);
        set(&mut d, &["security", "opc"], Bson::Null);
        assert!(matches!(auth(&d), Err(StoreError::Invalid { field, .. }) if field == "security.opc"));
    }

    #[test]
    fn the_profile_amf_shows_only_beside_the_keys_amf_it_was_written_with() {
        let mut d = webui(Bson::Int64);
        d.insert("plughss", doc! { "amf": { "profile": "9001", "security": "8000" } });
        assert_eq!(subscriber(&d).unwrap().security.amf, "9001");
        set(&mut d, &["security", "amf"], "B9B9".into());
        assert_eq!(subscriber(&d).unwrap().security.amf, "b9b9", "someone else changed security.amf");
    }

    fn set(d: &mut Document, path: &[&str], v: Bson) {
        *slot(d, path) = v;
    }

    fn remove(d: &mut Document, path: &[&str]) -> Option<Bson> {
        let (last, parent) = path.split_last()?;
        match slot(d, parent) {
            Bson::Document(p) => p.remove(*last),
            _ => None,
        }
    }

    fn slot<'a>(d: &'a mut Document, path: &[&str]) -> &'a mut Bson {
        let (first, rest) = path.split_first().expect("a path");
        let mut cur = d.entry(*first).or_insert(Bson::Null);
        for p in rest {
            cur = match cur {
                Bson::Document(doc) => doc.entry(*p).or_insert(Bson::Null),
                Bson::Array(a) => &mut a[p.parse::<usize>().expect("an index")],
                other => panic!("not a container at {p}: {other:?}"),
            };
        }
        cur
    }
}
