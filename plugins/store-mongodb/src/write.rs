//! The PlugHSS model to Open5GS subscriber documents, shaped as the Open5GS WebUI saves
//! them (webui/server/models/subscriber.js through mongoose) so that Open5GS's HSS,
//! PCRF and SMF read what PlugHSS writes:
//!
//! - every number Open5GS reads with `BSON_ITER_HOLDS_INT32` (lib/dbi/subscription.c)
//!   is an Int32; a value that does not fit is refused ([`numbers::int32`]);
//! - `security.sqn` and `mme_timestamp` are Int64, the only types Open5GS reads there;
//! - `schema_version: 1`, `__v: 0`, an `_id` ObjectId on the document and on every slice
//!   and session, `pcc_rule: []` on new sessions, empty `imeisv`, `mme_host`,
//!   `mme_realm` arrays as the WebUI creates them;
//! - keys as lower-case hex, with `op: null` beside `opc` (or the reverse).
//!
//! An update keeps what PlugHSS does not model: unknown top-level fields (`imeisv`,
//! Open5GS's own IMS `ifc` ...), `security.rand`, and in slices and sessions matched by
//! S-NSSAI and name, their `_id`, `pcc_rule`, `smf`, `lbo_roaming_allowed`, framed
//! routes and anything else. A NextEPC `pdn[]` is replaced by `slice[]` on update.
//!
//! PlugHSS's own fields live in a `plughss` sub-document that Open5GS never reads:
//! `ims` (the [`Ims`] object), `digest_ha1` (the SIP digest credential) and `amf` (see
//! the crate docs).

use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, Document, doc};
use plughss_plugin_api::store::{SQN_MODULUS, ServingNode, StoreError};
use plughss_plugin_api::subscriber::{
    Ambr, AuthData, BitRate, Ims, OpcOrOp, Session, Slice, Subscriber, parse_hex, to_hex, validate_imsi,
};

use crate::numbers::{int32, invalid};
use crate::read::{DEFAULT_AMF, USEC_PER_SEC};

/// The schema version the WebUI stamps on documents with `slice[]`.
const SCHEMA_VERSION: i32 = 1;

/// Checks what a store must refuse before writing anything (conformance: IMSI and SQN).
pub fn validate(sub: &Subscriber, auth: Option<&AuthData>) -> Result<(), StoreError> {
    validate_imsi(&sub.imsi)?;
    if let Some(a) = auth {
        check_sqn(a.sqn)?;
    }
    Ok(())
}

/// `sqn` below 2^48 (TS 33.102 6.3.7: SQN is 48 bits).
pub fn check_sqn(sqn: u64) -> Result<(), StoreError> {
    if sqn < SQN_MODULUS { Ok(()) } else { Err(invalid("sqn", "must be below 2^48 (TS 33.102 6.3.7)")) }
}

/// The SQN as Open5GS keeps it: an Int64 (it ignores any other type).
pub fn sqn_value(sqn: u64) -> Bson {
    Bson::Int64((sqn % SQN_MODULUS) as i64)
}

/// The whole document a create inserts.
pub fn new_document(sub: &Subscriber, auth: &AuthData) -> Result<Document, StoreError> {
    validate(sub, Some(auth))?;
    let mut d = doc! { "_id": ObjectId::new() };
    d.extend(profile_fields(sub, None)?);
    // A new subscriber has no serving MME (only ULR/PUR write one), as the WebUI
    // creates it.
    serving_fields(&mut d, None, None, false);
    d.insert("imeisv", Bson::Array(Vec::new()));
    d.insert("security", security(auth, None));
    d.insert("__v", 0i32);
    let mut plughss = Document::new();
    if let Some(ims) = &sub.ims {
        let mut ims = ims.clone();
        ims.clear_state();
        plughss.insert("ims", ims_doc(&ims));
    }
    if let Some(ha1) = &auth.digest_ha1 {
        plughss.insert("digest_ha1", ha1.as_str());
    }
    if let Some(view) = amf_view(sub, &to_hex(&auth.amf))? {
        plughss.insert("amf", view);
    }
    if !plughss.is_empty() {
        d.insert("plughss", plughss);
    }
    Ok(d)
}

/// The update (`$set`, `$unset`, `$max`) that replaces the profile of `existing` with
/// `sub` and, with `auth`, its keys; without `auth`, `security` is left as it is.
///
/// What only other operations write is never in it, so it cannot undo them even when
/// they run between the read of `existing` and this update: the serving MME
/// (`update_serving`), the IMS registration (`set_ims_state`), and the SQN, which
/// `$max` only raises (`reserve_sqn` may have advanced it meanwhile; see
/// [`plughss_plugin_api::store::PutMode::Update`]).
pub fn replace_update(
    sub: &Subscriber,
    auth: Option<&AuthData>,
    existing: &Document,
) -> Result<Document, StoreError> {
    validate(sub, auth)?;
    let old_slices = match existing.get("slice") {
        Some(Bson::Array(a)) => Some(a),
        _ => None,
    };
    let mut set = profile_fields(sub, old_slices)?;
    let mut unset = doc! { "pdn": "" };
    let mut max = Document::new();
    match &sub.ims {
        // Field by field, leaving `scscf` and `registration_state` to SAR.
        Some(ims) => {
            set.insert("plughss.ims.impi", ims.impi.as_str());
            set.insert(
                "plughss.ims.impu",
                ims.impu.iter().map(|u| Bson::from(u.as_str())).collect::<Vec<_>>(),
            );
            for (key, v) in [("plughss.ims.digest_realm", &ims.digest_realm), ("plughss.ims.ifc", &ims.ifc)] {
                match v {
                    Some(v) => set.insert(key, v.as_str()),
                    None => unset.insert(key, ""),
                };
            }
        }
        None => {
            unset.insert("plughss.ims", "");
        }
    };
    let old_security = match existing.get("security") {
        Some(Bson::Document(d)) => Some(d),
        _ => None,
    };
    let keys_amf = match auth {
        Some(a) => {
            match old_security {
                Some(_) => {
                    for (key, v) in security_keys(a) {
                        set.insert(format!("security.{key}"), v);
                    }
                    max.insert("security.sqn", sqn_value(a.sqn));
                }
                // No `security` document to raise an SQN in: the given one is the first.
                None => {
                    set.insert("security", security(a, None));
                }
            }
            match &a.digest_ha1 {
                Some(ha1) => set.insert("plughss.digest_ha1", ha1.as_str()),
                None => unset.insert("plughss.digest_ha1", ""),
            };
            to_hex(&a.amf)
        }
        None => stored_amf(old_security),
    };
    match amf_view(sub, &keys_amf)? {
        Some(view) => set.insert("plughss.amf", view),
        None => unset.insert("plughss.amf", ""),
    };
    let mut update = doc! { "$set": set, "$unset": unset };
    if !max.is_empty() {
        update.insert("$max", max);
    }
    Ok(update)
}

/// The update a ULR/PUR makes, as Open5GS's `ogs_dbi_update_mme`: host and realm as
/// strings, `mme_timestamp` as Int64 microseconds, `purge_flag` as a boolean. An unset
/// host or realm is written as the WebUI's empty array.
pub fn serving_update(node: &ServingNode) -> Result<Document, StoreError> {
    let mut set = Document::new();
    serving_fields(&mut set, node.mme_host.as_deref(), node.mme_realm.as_deref(), node.purge_flag);
    let mut update = Document::new();
    match node.mme_timestamp {
        Some(t) => {
            set.insert("mme_timestamp", timestamp(t)?);
        }
        None => {
            update.insert("$unset", doc! { "mme_timestamp": "" });
        }
    }
    update.insert("$set", set);
    Ok(update)
}

fn serving_fields(d: &mut Document, host: Option<&str>, realm: Option<&str>, purge: bool) {
    let text_or_empty = |v: Option<&str>| v.map_or(Bson::Array(Vec::new()), Bson::from);
    d.insert("mme_host", text_or_empty(host));
    d.insert("mme_realm", text_or_empty(realm));
    d.insert("purge_flag", purge);
}

fn timestamp(secs: i64) -> Result<Bson, StoreError> {
    secs.checked_mul(USEC_PER_SEC)
        .map(Bson::Int64)
        .ok_or_else(|| invalid("mme_timestamp", "is out of range for microseconds in an Int64"))
}

/// The top-level fields of the profile, merging slices into `old_slices` if given.
fn profile_fields(sub: &Subscriber, old_slices: Option<&Vec<Bson>>) -> Result<Document, StoreError> {
    let d = doc! {
        "schema_version": SCHEMA_VERSION,
        "imsi": sub.imsi.as_str(),
        "msisdn": sub.msisdn.iter().map(|m| Bson::from(m.as_str())).collect::<Vec<_>>(),
        "ambr": ambr(&sub.ambr, "ambr")?,
        "slice": slices(&sub.slice, old_slices)?,
        "access_restriction_data": int32("access_restriction_data", sub.access_restriction_data.into())?,
        "subscriber_status": int32("subscriber_status", sub.subscriber_status.into())?,
        "operator_determined_barring":
            int32("operator_determined_barring", sub.operator_determined_barring.into())?,
        "network_access_mode": int32("network_access_mode", sub.network_access_mode.into())?,
        "subscribed_rau_tau_timer": int32("subscribed_rau_tau_timer", sub.subscribed_rau_tau_timer.into())?,
    };
    Ok(d)
}

/// `security` with the keys and SQN of `auth`, keeping other keys of `old`
/// (Open5GS's `rand`).
fn security(auth: &AuthData, old: Option<&Document>) -> Document {
    let mut s = old.cloned().unwrap_or_default();
    s.extend(security_keys(auth));
    s.insert("sqn", sqn_value(auth.sqn));
    s
}

/// The keys of `security` (all but the SQN), as Open5GS writes them.
fn security_keys(auth: &AuthData) -> Document {
    let (opc, op) = match &auth.opc {
        OpcOrOp::Opc(v) => (Bson::from(to_hex(v)), Bson::Null),
        OpcOrOp::Op(v) => (Bson::Null, Bson::from(to_hex(v))),
    };
    doc! { "k": to_hex(&auth.k), "op": op, "opc": opc, "amf": to_hex(&auth.amf) }
}

/// The keys' AMF as stored (lower case), for comparing with the profile's.
fn stored_amf(security: Option<&Document>) -> String {
    let raw = match security.and_then(|s| s.get("amf")) {
        Some(Bson::String(s)) => s.as_str(),
        _ => DEFAULT_AMF,
    };
    parse_hex::<2>("security.amf", raw).map(|a| to_hex(&a)).unwrap_or_else(|_| raw.to_owned())
}

/// `plughss.amf` when the profile's AMF differs from the keys' one, else `None`.
fn amf_view(sub: &Subscriber, keys_amf: &str) -> Result<Option<Document>, StoreError> {
    let profile = to_hex(&parse_hex::<2>("security.amf", &sub.security.amf)?);
    Ok((profile != keys_amf).then(|| doc! { "profile": profile, "security": keys_amf }))
}

fn ambr(a: &Ambr, field: &str) -> Result<Document, StoreError> {
    Ok(doc! {
        "downlink": rate(&a.downlink, &format!("{field}.downlink"))?,
        "uplink": rate(&a.uplink, &format!("{field}.uplink"))?,
    })
}

fn rate(r: &BitRate, field: &str) -> Result<Document, StoreError> {
    Ok(doc! {
        "value": int32(&format!("{field}.value"), r.value)?,
        "unit": int32(&format!("{field}.unit"), r.unit.into())?,
    })
}

/// The slices, each merged into the old slice of the same S-NSSAI (if any, each used
/// once), so that fields PlugHSS does not model survive.
fn slices(new: &[Slice], old: Option<&Vec<Bson>>) -> Result<Vec<Bson>, StoreError> {
    let mut old: Vec<Option<&Document>> =
        old.map(|a| a.iter().map(|b| b.as_document()).collect()).unwrap_or_default();
    let mut out = Vec::with_capacity(new.len());
    for (i, s) in new.iter().enumerate() {
        let matched = old.iter_mut().find(|o| o.is_some_and(|d| same_snssai(d, s))).and_then(Option::take);
        out.push(Bson::Document(slice(s, matched, &format!("slice[{i}]"))?));
    }
    Ok(out)
}

fn same_snssai(d: &Document, s: &Slice) -> bool {
    let sst = match d.get("sst") {
        Some(Bson::Int32(n)) => i64::from(*n),
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Double(f)) => *f as i64,
        _ => return false,
    };
    let sd = match d.get("sd") {
        Some(Bson::String(v)) => Some(v.as_str()),
        _ => None,
    };
    sst == i64::from(s.sst) && sd == s.sd.as_deref()
}

fn slice(s: &Slice, old: Option<&Document>, field: &str) -> Result<Document, StoreError> {
    let mut d = old.cloned().unwrap_or_else(|| doc! { "_id": ObjectId::new() });
    d.insert("sst", int32(&format!("{field}.sst"), s.sst.into())?);
    match &s.sd {
        Some(sd) => d.insert("sd", sd.as_str()),
        None => d.remove("sd"),
    };
    d.insert("default_indicator", s.default_indicator);
    let mut old_sessions: Vec<Option<&Document>> = match old.and_then(|o| o.get("session")) {
        Some(Bson::Array(a)) => a.iter().map(|b| b.as_document()).collect(),
        _ => Vec::new(),
    };
    let mut sessions = Vec::with_capacity(s.session.len());
    for (i, sess) in s.session.iter().enumerate() {
        let matched = old_sessions
            .iter_mut()
            .find(|o| o.is_some_and(|d| d.get_str("name").ok() == Some(sess.name.as_str())))
            .and_then(Option::take);
        sessions.push(Bson::Document(session(sess, matched, &format!("{field}.session[{i}]"))?));
    }
    d.insert("session", sessions);
    Ok(d)
}

fn session(s: &Session, old: Option<&Document>, field: &str) -> Result<Document, StoreError> {
    let mut d = old.cloned().unwrap_or_else(|| doc! { "pcc_rule": [], "_id": ObjectId::new() });
    let arp = &s.qos.arp;
    let f = |k: &str| format!("{field}.{k}");
    d.insert("name", s.name.as_str());
    d.insert("type", int32(&f("type"), s.session_type.into())?);
    d.insert(
        "qos",
        doc! {
            "index": int32(&f("qos.index"), s.qos.index.into())?,
            "arp": {
                "priority_level": int32(&f("qos.arp.priority_level"), arp.priority_level.into())?,
                "pre_emption_capability":
                    int32(&f("qos.arp.pre_emption_capability"), arp.pre_emption_capability.into())?,
                "pre_emption_vulnerability":
                    int32(&f("qos.arp.pre_emption_vulnerability"), arp.pre_emption_vulnerability.into())?,
            },
        },
    );
    d.insert("ambr", ambr(&s.ambr, &f("ambr"))?);
    match &s.ue {
        Some(ue) => {
            let mut u = Document::new();
            if let Some(v4) = &ue.ipv4 {
                u.insert("ipv4", v4.as_str());
            }
            if let Some(v6) = &ue.ipv6 {
                u.insert("ipv6", v6.as_str());
            }
            d.insert("ue", u);
        }
        None => {
            d.remove("ue");
        }
    }
    Ok(d)
}

fn ims_doc(ims: &Ims) -> Document {
    let mut d = doc! {
        "impi": ims.impi.as_str(),
        "impu": ims.impu.iter().map(|u| Bson::from(u.as_str())).collect::<Vec<_>>(),
        "registration_state": ims.registration_state.as_str(),
    };
    for (key, v) in [("digest_realm", &ims.digest_realm), ("ifc", &ims.ifc), ("scscf", &ims.scscf)] {
        if let Some(v) = v {
            d.insert(key, v.as_str());
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{Bson, Document, doc};
    use plughss_plugin_api::subscriber::{Ims, UeAddress};

    use super::*;
    use crate::read;

    fn auth(sqn: u64) -> AuthData {
        AuthData { k: [0x46; 16], opc: OpcOrOp::Opc([0xcd; 16]), amf: [0x80, 0], sqn, digest_ha1: None }
    }

    fn profile() -> Subscriber {
        let mut s =
            Subscriber { imsi: "001010000000001".into(), msisdn: vec!["4917".into()], ..Default::default() };
        s.slice[0].session[0].ue = Some(UeAddress { ipv4: Some("10.45.0.7".into()), ipv6: None });
        s.slice.push(Slice { sst: 2, sd: Some("000080".into()), default_indicator: false, session: vec![] });
        s.mme_host = Some("mme".into());
        s.mme_timestamp = Some(1_700_000_000);
        s
    }

    fn at<'a>(d: &'a Document, path: &[&str]) -> &'a Bson {
        let mut cur = d.get(path[0]).unwrap_or_else(|| panic!("{} missing", path[0]));
        for p in &path[1..] {
            cur = match cur {
                Bson::Document(x) => x.get(*p).unwrap_or_else(|| panic!("{p} missing in {path:?}")),
                Bson::Array(a) => &a[p.parse::<usize>().unwrap()],
                other => panic!("not a container at {p}: {other:?}"),
            };
        }
        cur
    }

    #[test]
    fn a_new_document_has_the_webui_shape_and_open5gs_types() {
        let d = new_document(&profile(), &auth(1 << 40)).unwrap();
        assert!(matches!(at(&d, &["_id"]), Bson::ObjectId(_)));
        assert_eq!(at(&d, &["schema_version"]), &Bson::Int32(1));
        assert_eq!(at(&d, &["__v"]), &Bson::Int32(0));
        assert_eq!(at(&d, &["security", "sqn"]), &Bson::Int64(1 << 40), "Open5GS reads sqn only as Int64");
        assert_eq!(at(&d, &["security", "op"]), &Bson::Null);
        assert_eq!(at(&d, &["security", "opc"]), &Bson::String("cd".repeat(16)));
        assert_eq!(at(&d, &["security", "amf"]), &Bson::String("8000".into()));
        for p in [
            &["access_restriction_data"][..],
            &["subscribed_rau_tau_timer"],
            &["ambr", "downlink", "value"],
            &["ambr", "uplink", "unit"],
            &["slice", "0", "sst"],
            &["slice", "0", "session", "0", "type"],
            &["slice", "0", "session", "0", "qos", "index"],
            &["slice", "0", "session", "0", "qos", "arp", "pre_emption_vulnerability"],
            &["slice", "0", "session", "0", "ambr", "downlink", "value"],
        ] {
            assert!(matches!(at(&d, p), Bson::Int32(_)), "{p:?} is Int32 (Open5GS reads it so)");
        }
        assert!(matches!(at(&d, &["slice", "0", "_id"]), Bson::ObjectId(_)));
        assert!(matches!(at(&d, &["slice", "0", "session", "0", "_id"]), Bson::ObjectId(_)));
        assert_eq!(at(&d, &["slice", "0", "session", "0", "pcc_rule"]), &Bson::Array(vec![]));
        assert_eq!(at(&d, &["slice", "1", "sd"]), &Bson::String("000080".into()));
        assert_eq!(at(&d, &["imeisv"]), &Bson::Array(vec![]));
        // No serving MME, whatever the profile says: only ULR/PUR record one.
        assert_eq!(at(&d, &["mme_host"]), &Bson::Array(vec![]), "the WebUI's empty value");
        assert_eq!(at(&d, &["mme_realm"]), &Bson::Array(vec![]));
        assert!(d.get("mme_timestamp").is_none());
        assert_eq!(at(&d, &["purge_flag"]), &Bson::Boolean(false));
        assert!(d.get("plughss").is_none(), "no PlugHSS fields when there is nothing to keep");
        let mut back = read::subscriber(&d).unwrap();
        back.security.sqn = 0;
        let mut want = profile();
        want.clear_state();
        assert_eq!(back, want, "what is written reads back");
        assert_eq!(read::auth(&d).unwrap(), auth(1 << 40));
    }

    #[test]
    fn plughss_fields_go_to_their_own_sub_document() {
        let mut s = profile();
        s.ims = Some(Ims {
            impi: "i".into(),
            impu: vec!["sip:u".into()],
            scscf: Some("sip:s".into()),
            ..Default::default()
        });
        s.security.amf = "9001".into();
        let mut a = auth(0);
        a.digest_ha1 = Some("ha1".into());
        let d = new_document(&s, &a).unwrap();
        assert_eq!(at(&d, &["plughss", "ims", "impu", "0"]), &Bson::String("sip:u".into()));
        assert_eq!(at(&d, &["plughss", "digest_ha1"]), &Bson::String("ha1".into()));
        assert_eq!(
            at(&d, &["plughss", "amf"]),
            &Bson::Document(doc! { "profile": "9001", "security": "8000" })
        );
        assert_eq!(at(&d, &["security", "amf"]), &Bson::String("8000".into()), "the keys' AMF for Open5GS");
        assert!(at(&d, &["plughss", "ims"]).as_document().unwrap().get("scscf").is_none(), "no S-CSCF yet");
        let mut back = read::subscriber(&d).unwrap();
        back.security.sqn = 0;
        s.clear_state();
        assert_eq!(back, s);
        assert_eq!(read::auth(&d).unwrap(), a);
    }

    #[test]
    fn an_update_keeps_what_plughss_does_not_model() {
        let mut existing = new_document(&profile(), &auth(5)).unwrap();
        existing.insert("imeisv", vec![Bson::from("3534900698733190")]);
        if let Ok(Bson::Document(sess)) = existing
            .get_array_mut("slice")
            .map(|s| s[0].as_document_mut().unwrap().get_array_mut("session").unwrap().remove(0))
        {
            let mut sess = sess;
            sess.insert("smf", doc! { "ipv4": "127.0.0.4" });
            sess.insert("pcc_rule", vec![Bson::Document(doc! { "qos": { "index": 1 } })]);
            existing.get_array_mut("slice").unwrap()[0]
                .as_document_mut()
                .unwrap()
                .get_array_mut("session")
                .unwrap()
                .push(Bson::Document(sess));
        }
        existing.get_document_mut("security").unwrap().insert("rand", "00".repeat(16));
        existing.insert("pdn", vec![Bson::Document(doc! { "apn": "old" })]);
        let old_id = at(&existing, &["slice", "0", "session", "0", "_id"]).clone();

        let mut changed = profile();
        changed.slice[0].session[0].qos.index = 7;
        changed.slice[0].session[0].ue = None;
        changed.slice[0].session.push(Session { name: "ims".into(), ..Default::default() });
        changed.mme_timestamp = None;
        let u = replace_update(&changed, None, &existing).unwrap();
        let set = u.get_document("$set").unwrap();
        let unset = u.get_document("$unset").unwrap();
        assert!(set.get("security").is_none() && set.get("imeisv").is_none(), "keys and imeisv untouched");
        for k in ["pdn", "plughss.ims", "plughss.amf"] {
            assert!(unset.contains_key(k), "unsets {k}: {unset}");
        }
        for k in ["mme_host", "mme_realm", "mme_timestamp", "purge_flag"] {
            assert!(!set.contains_key(k) && !unset.contains_key(k), "the serving MME is left alone: {k}");
        }
        let sess = at(set, &["slice", "0", "session", "0"]).as_document().unwrap();
        assert_eq!(sess.get("_id"), Some(&old_id), "the session keeps its _id");
        assert_eq!(sess.get_document("smf").unwrap(), &doc! { "ipv4": "127.0.0.4" });
        assert_eq!(sess.get_array("pcc_rule").unwrap().len(), 1, "its PCC rules");
        assert_eq!(at(sess, &["qos", "index"]), &Bson::Int32(7));
        assert!(sess.get("ue").is_none(), "the static address is gone as asked");
        let new = at(set, &["slice", "0", "session", "1"]).as_document().unwrap();
        assert!(
            matches!(new.get("_id"), Some(Bson::ObjectId(id)) if Some(&Bson::ObjectId(*id)) != Some(&old_id))
        );

        let with_keys = replace_update(&changed, Some(&auth(9)), &existing).unwrap();
        let set = with_keys.get_document("$set").unwrap();
        assert_eq!(set.get_str("security.k").unwrap(), "46".repeat(16));
        assert!(set.get("security").is_none() && set.get("security.sqn").is_none(), "{set}");
        assert!(!set.contains_key("security.rand"), "Open5GS's rand is left as it is");
        assert_eq!(
            with_keys.get_document("$max").unwrap(),
            &doc! { "security.sqn": Bson::Int64(9) },
            "the SQN is only ever raised"
        );
    }

    #[test]
    fn values_open5gs_cannot_read_are_refused_naming_the_field() {
        let mut s = profile();
        s.slice[0].session[0].ambr.downlink = BitRate { value: 3_000_000_000, unit: 0 };
        let e = new_document(&s, &auth(0)).unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid { field, .. } if field == "slice[0].session[0].ambr.downlink.value"),
            "{e:?}"
        );
        let e = new_document(&profile(), &auth(SQN_MODULUS)).unwrap_err();
        assert!(matches!(&e, StoreError::Invalid { field, .. } if field == "sqn"), "{e:?}");
        let mut s = profile();
        s.imsi = "12ab".into();
        assert!(
            matches!(new_document(&s, &auth(0)), Err(StoreError::Invalid { field, .. }) if field == "imsi")
        );
    }

    #[test]
    fn a_ulr_writes_the_serving_mme_as_open5gs_does() {
        let node = ServingNode {
            mme_host: Some("mme.epc".into()),
            mme_realm: Some("epc".into()),
            mme_timestamp: Some(1_800_000_000),
            purge_flag: false,
        };
        let u = serving_update(&node).unwrap();
        assert_eq!(
            u,
            doc! { "$set": { "mme_host": "mme.epc", "mme_realm": "epc", "purge_flag": false,
            "mme_timestamp": Bson::Int64(1_800_000_000_000_000) } }
        );
        let u = serving_update(&ServingNode::default()).unwrap();
        assert_eq!(u.get_document("$unset").unwrap(), &doc! { "mme_timestamp": "" });
        assert_eq!(at(&u, &["$set", "mme_host"]), &Bson::Array(vec![]));
    }
}
