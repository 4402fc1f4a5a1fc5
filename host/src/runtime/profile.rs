//! The stored subscriber model to the profile a plugin sees: slices flattened into the
//! APN list EPC uses, units converted, secrets absent by construction.

use plughss_plugin_api::store::ServingNode;
use plughss_plugin_api::subscriber::{Ambr, Subscriber};

use super::bindings::plughss::plugin::subscribers as wit;

fn rate(a: &Ambr) -> wit::BitRate {
    wit::BitRate { uplink: a.uplink.bps(), downlink: a.downlink.bps() }
}

/// Open5GS session type (1 IPv4, 2 IPv6, 3 IPv4v6) to S6a PDN-Type (TS 29.272 7.3.62:
/// 0 IPv4, 1 IPv6, 2 IPv4v6).
fn pdn_type(session_type: u8) -> u32 {
    match session_type {
        1 => 0,
        2 => 1,
        _ => 2,
    }
}

pub fn to_wit(s: &Subscriber) -> wit::Profile {
    let mut apns = Vec::new();
    // The default APN is the first session of the default slice (Open5GS marks one slice
    // with default_indicator), else the first session of all.
    let default_slice = s.slice.iter().position(|sl| sl.default_indicator).unwrap_or(0);
    for (si, slice) in s.slice.iter().enumerate() {
        for (i, sess) in slice.session.iter().enumerate() {
            apns.push(wit::Apn {
                context_id: apns.len() as u32 + 1,
                name: sess.name.clone(),
                pdn_type: pdn_type(sess.session_type),
                qci: u32::from(sess.qos.index),
                arp: wit::Arp {
                    priority_level: sess.qos.arp.priority_level,
                    pre_emption_capability: sess.qos.arp.pre_emption_capability == 2,
                    pre_emption_vulnerability: sess.qos.arp.pre_emption_vulnerability == 2,
                },
                ambr: rate(&sess.ambr),
                ipv4: sess.ue.as_ref().and_then(|u| u.ipv4.clone()),
                ipv6: sess.ue.as_ref().and_then(|u| u.ipv6.clone()),
                is_default: si == default_slice && i == 0,
            });
        }
    }
    wit::Profile {
        imsi: s.imsi.clone(),
        msisdn: s.msisdn.clone(),
        ambr: rate(&s.ambr),
        apns,
        access_restriction_data: s.access_restriction_data,
        subscriber_status: s.subscriber_status,
        operator_determined_barring: s.operator_determined_barring,
        network_access_mode: s.network_access_mode,
        // Open5GS keeps minutes; TS 29.272 7.3.134 carries seconds.
        subscribed_periodic_rau_tau_timer: s.subscribed_rau_tau_timer.saturating_mul(60),
        mme_host: s.mme_host.clone(),
        mme_realm: s.mme_realm.clone(),
        purge_flag: s.purge_flag,
        ims: s.ims.as_ref().map(|i| wit::ImsProfile {
            impi: i.impi.clone(),
            impu: i.impu.clone(),
            ifc: i.ifc.clone(),
            scscf: i.scscf.clone(),
            registration_state: i.registration_state.clone(),
        }),
    }
}

pub fn serving_to_wit(n: ServingNode) -> wit::ServingNode {
    wit::ServingNode {
        mme_host: n.mme_host,
        mme_realm: n.mme_realm,
        mme_timestamp: n.mme_timestamp,
        purge_flag: n.purge_flag,
    }
}

/// Plugins have no clock: the host stamps a registration with the current time when
/// the plugin leaves the timestamp out.
pub fn serving_from_wit(n: wit::ServingNode) -> ServingNode {
    let now = || {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).ok()
    };
    let mme_timestamp = n.mme_timestamp.or_else(|| n.mme_host.as_ref().and_then(|_| now()));
    ServingNode { mme_host: n.mme_host, mme_realm: n.mme_realm, mme_timestamp, purge_flag: n.purge_flag }
}
