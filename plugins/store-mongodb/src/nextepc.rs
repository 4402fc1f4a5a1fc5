//! The NextEPC schema (Open5GS before v2, "schema version 0"): APNs in a top-level
//! `pdn[]` instead of `slice[].session[]`. Such documents are read as one default slice
//! (SST 1) holding one session per PDN, which is what Open5GS's own migration
//! (misc/db/python/SchemaUpdater.py) makes of them; PlugHSS writes the new schema back
//! when it updates one.
//!
//! A PDN entry is `{apn, type, qos: {qci, arp: {priority_level, pre_emption_capability,
//! pre_emption_vulnerability}}, ambr: {downlink, uplink}, ue: {addr, addr6}, pgw: ..}`.
//! NextEPC's HSS put `type` and the two ARP flags into S6a AVPs unchanged, so they are in
//! S6a's encoding (TS 29.272 7.3.62 PDN-Type: 0 IPv4, 1 IPv6, 2 IPv4v6, 3 IPv4_OR_IPv6;
//! TS 29.212 5.3.46/5.3.47: 0 ENABLED, 1 DISABLED) and are converted to Open5GS's
//! (session type 1 IPv4, 2 IPv6, 3 IPv4v6; ARP flags 1 disabled, 2 enabled). The AMBR
//! values are kbps (the NextEPC WebUI's unit), kept as `{value, unit: 1}`.

use plughss_plugin_api::store::StoreError;
use plughss_plugin_api::subscriber::{Ambr, Arp, Qos, Session, Slice, UeAddress};

use crate::numbers::{self, invalid};
use crate::read::{At, rate};

/// The slices of a NextEPC document: one default slice with a session per `pdn[]` entry.
pub fn slices(at: &At<'_>) -> Result<Vec<Slice>, StoreError> {
    let session = at.each("pdn", pdn)?;
    Ok(vec![Slice { sst: 1, sd: None, default_indicator: true, session }])
}

fn pdn(at: At<'_>) -> Result<Session, StoreError> {
    let d = Session::default();
    let qos = match at.doc_opt("qos")? {
        Some(q) => {
            let arp = match q.doc_opt("arp")? {
                Some(a) => Arp {
                    priority_level: a.u8_or("priority_level", d.qos.arp.priority_level)?,
                    pre_emption_capability: flag(
                        &a,
                        "pre_emption_capability",
                        d.qos.arp.pre_emption_capability,
                    )?,
                    pre_emption_vulnerability: flag(
                        &a,
                        "pre_emption_vulnerability",
                        d.qos.arp.pre_emption_vulnerability,
                    )?,
                },
                None => d.qos.arp,
            };
            Qos { index: q.u8_or("qci", d.qos.index)?, arp }
        }
        None => d.qos,
    };
    let ambr = match at.doc_opt("ambr")? {
        Some(a) => Ambr { downlink: rate(&a, "downlink", true)?, uplink: rate(&a, "uplink", true)? },
        None => d.ambr,
    };
    let ue = match at.doc_opt("ue")? {
        Some(u) => Some(UeAddress {
            ipv4: u.str_opt("addr")?.map(str::to_owned),
            ipv6: u.str_opt("addr6")?.map(str::to_owned),
        }),
        None => None,
    };
    let session_type = match at.get("type") {
        None => d.session_type,
        Some(v) => match numbers::as_u8(&at.name("type"), v)? {
            0 => 1,     // IPv4
            1 => 2,     // IPv6
            2 | 3 => 3, // IPv4v6; IPv4_OR_IPv6 has no Open5GS value, IPv4v6 allows both
            other => {
                return Err(invalid(
                    &at.name("type"),
                    format!("must be an S6a PDN-Type 0..3, found {other}"),
                ));
            }
        },
    };
    Ok(Session { name: at.str_req("apn")?.to_owned(), session_type, qos, ambr, ue })
}

/// An S6a pre-emption flag (0 ENABLED, 1 DISABLED) in Open5GS's encoding (2, 1).
fn flag(at: &At<'_>, key: &str, default: u8) -> Result<u8, StoreError> {
    match at.get(key) {
        None => Ok(default),
        Some(v) => match numbers::as_u8(&at.name(key), v)? {
            0 => Ok(2),
            1 => Ok(1),
            other => {
                Err(invalid(&at.name(key), format!("must be 0 (enabled) or 1 (disabled), found {other}")))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{Bson, doc};
    use plughss_plugin_api::subscriber::{Ambr, BitRate, UeAddress};

    use super::*;
    use crate::read::subscriber;

    #[test]
    fn pdn_entries_become_sessions_of_one_default_slice() {
        let d = doc! {
            "imsi": "891012222222300",
            "pdn": [
                { "apn": "internet", "pcc_rule": [], "ambr": { "downlink": 1234, "uplink": 1234i64 },
                  "qos": { "qci": 9, "arp": { "priority_level": 8, "pre_emption_vulnerability": 1, "pre_emption_capability": 1 } },
                  "type": 2 },
                { "apn": "ims", "ambr": { "downlink": 2048.0, "uplink": 1024 },
                  "qos": { "qci": 5, "arp": { "priority_level": 1, "pre_emption_vulnerability": 0, "pre_emption_capability": 0 } },
                  "type": 0.0, "ue": { "addr": "10.45.0.8", "addr6": "2001:db8::8" } },
            ],
            "ambr": { "downlink": 1024000, "uplink": Bson::Int64(1024001) },
            "subscribed_rau_tau_timer": 12, "network_access_mode": 2, "subscriber_status": 0,
            "access_restriction_data": 32,
            "security": { "k": "465B5CE8 B199B49F AA5F0A2E E238A6BC", "amf": "8000", "op": Bson::Null,
                          "opc": "E8ED289D EBA952E4 283B54E8 8E6183CA" },
            "__v": 0,
        };
        let s = subscriber(&d).unwrap();
        let kbps = |v| BitRate { value: v, unit: 1 };
        assert_eq!(s.ambr, Ambr { downlink: kbps(1024000), uplink: kbps(1024001) });
        assert_eq!(s.network_access_mode, 2);
        assert_eq!(s.slice.len(), 1);
        let slice = &s.slice[0];
        assert_eq!((slice.sst, slice.sd.as_deref(), slice.default_indicator), (1, None, true));
        let [internet, ims] = &slice.session[..] else { panic!("two sessions: {slice:?}") };
        assert_eq!((internet.name.as_str(), internet.session_type), ("internet", 3), "S6a IPv4v6 (2)");
        assert_eq!((internet.qos.index, internet.qos.arp.priority_level), (9, 8));
        assert_eq!(
            (internet.qos.arp.pre_emption_capability, internet.qos.arp.pre_emption_vulnerability),
            (1, 1),
            "S6a 1 = disabled"
        );
        assert_eq!(internet.ambr, Ambr { downlink: kbps(1234), uplink: kbps(1234) });
        assert_eq!((ims.name.as_str(), ims.session_type), ("ims", 1), "S6a IPv4 (0)");
        assert_eq!(
            (ims.qos.arp.pre_emption_capability, ims.qos.arp.pre_emption_vulnerability),
            (2, 2),
            "S6a 0 = enabled"
        );
        assert_eq!(
            ims.ue,
            Some(UeAddress { ipv4: Some("10.45.0.8".into()), ipv6: Some("2001:db8::8".into()) })
        );
        assert_eq!(ims.ambr, Ambr { downlink: kbps(2048), uplink: kbps(1024) });
    }

    #[test]
    fn bad_pdn_fields_name_their_path() {
        let d = doc! { "imsi": "1", "pdn": [{ "apn": "a" }, { "apn": "b", "type": 7 }] };
        assert!(matches!(subscriber(&d), Err(StoreError::Invalid { field, .. }) if field == "pdn[1].type"));
        let d =
            doc! { "imsi": "1", "pdn": [{ "apn": "a", "qos": { "arp": { "pre_emption_capability": 2 } } }] };
        assert!(
            matches!(subscriber(&d), Err(StoreError::Invalid { field, .. }) if field == "pdn[0].qos.arp.pre_emption_capability")
        );
        let d = doc! { "imsi": "1", "pdn": [{ "type": 1 }] };
        assert!(matches!(subscriber(&d), Err(StoreError::Invalid { field, .. }) if field == "pdn[0].apn"));
    }
}
