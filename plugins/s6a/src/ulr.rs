//! Update-Location-Request/Answer (TS 29.272 5.2.1.1, 7.2.3, 7.2.4): the MME registers
//! as serving the UE and receives the subscription.

use plughss_plugin_api::diameter::result_code::experimental as x;
use plughss_plugin_api::dictionary::{AvpDef, s6a};
use plughss_plugin_api::guest::host;
use plughss_plugin_api::guest::prelude::*;
use plughss_plugin_api::guest::{Apn, Profile, ServingNode};

use crate::tbcd;
use crate::{common, hss_initiated};

const KNOWN: &[&AvpDef] = &[
    &s6a::TERMINAL_INFORMATION,
    &s6a::RAT_TYPE,
    &s6a::ULR_FLAGS,
    &s6a::UE_SRVCC_CAPABILITY,
    &s6a::VISITED_PLMN_ID,
    &s6a::SGSN_NUMBER,
    &s6a::HOMOGENEOUS_SUPPORT_OF_IMS_VOICE_OVER_PS_SESSIONS,
    &s6a::GMLC_ADDRESS,
    &s6a::ACTIVE_APN,
    &s6a::EQUIVALENT_PLMN_LIST,
    &s6a::MME_NUMBER_FOR_MT_SMS,
    &s6a::SMS_REGISTER_REQUEST,
    &s6a::SGS_MME_IDENTITY,
    &s6a::COUPLED_NODE_DIAMETER_ID,
    &s6a::ADJACENT_PLMNS,
];

// ULR-Flags bits (TS 29.272 7.3.7).
const SKIP_SUBSCRIBER_DATA: u32 = 1 << 2;
/// ULA-Flags bit 0, Separation Indication (TS 29.272 7.3.8): the HSS keeps MME and
/// SGSN registrations apart.
const SEPARATION_INDICATION: u32 = 1;
use crate::hss_initiated::MME_UPDATE_PROCEDURE;
/// All-APN-Configurations-Included-Indicator All_APN_CONFIGURATIONS_INCLUDED (7.3.33).
const ALL_APN_CONFIGURATIONS_INCLUDED: i32 = 0;
/// Subscriber-Status OPERATOR_DETERMINED_BARRING (7.3.29).
const BARRED: u32 = 1;

/// Access-Restriction-Data bit that forbids a RAT-Type (TS 29.272 7.3.31 against the
/// RAT-Type values of TS 29.212 5.3.31).
fn restriction_bit(rat_type: u32) -> Option<u32> {
    Some(match rat_type {
        1000 => 0, // UTRAN
        1001 => 1, // GERAN
        1002 => 2, // GAN
        1003 => 3, // HSPA_EVOLUTION
        1004 => 4, // EUTRAN (WB-E-UTRAN)
        1005 => 6, // EUTRAN-NB-IoT
        _ => return None,
    })
}

pub fn handle(req: &Message<'_>) -> Result<Vec<u8>, HandleError> {
    Ok(answer_ulr(req).unwrap_or_else(|early| early))
}

fn answer_ulr(req: &Message<'_>) -> Result<Vec<u8>, Vec<u8>> {
    common::check_mandatory(req, KNOWN)?;
    let imsi = common::imsi(req)?;
    for def in [&s6a::RAT_TYPE, &s6a::ULR_FLAGS, &s6a::VISITED_PLMN_ID] {
        if req.find(def).is_none() {
            return Err(common::missing(req, def));
        }
    }
    let rat = req.u32(&s6a::RAT_TYPE).unwrap_or(1004);
    let flags = req.u32(&s6a::ULR_FLAGS).unwrap_or(0);
    let profile = host::get_profile(imsi).map_err(|e| common::host_failure(req, &e))?;

    // TS 29.272 5.2.1.1.3: a RAT barred by Access-Restriction-Data is refused.
    if restriction_bit(rat).is_some_and(|b| profile.access_restriction_data & (1 << b) != 0) {
        return Err(common::experimental(req, x::DIAMETER_ERROR_RAT_NOT_ALLOWED));
    }

    // Record the new serving MME; the host stamps the time.
    let origin_host = req.origin_host().unwrap_or_default().to_string();
    let origin_realm = req.origin_realm().unwrap_or_default().to_string();
    let node = ServingNode {
        mme_host: Some(origin_host.clone()),
        mme_realm: Some(origin_realm),
        mme_timestamp: None,
        purge_flag: false,
    };
    let previous = host::update_serving_node(imsi, &node).map_err(|e| common::host_failure(req, &e))?;
    if let Some(old) = previous.mme_host.as_deref().filter(|h| !h.eq_ignore_ascii_case(&origin_host)) {
        // TS 29.272 5.2.1.1.3: the previous MME is told to cancel (MME_UPDATE_PROCEDURE).
        // The outcome is logged and counted; the ULA does not depend on it.
        let _ = hss_initiated::cancel_location(
            imsi,
            old,
            previous.mme_realm.as_deref().unwrap_or_default(),
            MME_UPDATE_PROCEDURE,
        );
    }

    let mut buf = Vec::with_capacity(1024);
    let mut a = common::s6a_answer(&mut buf, req);
    a.result_code(DIAMETER_SUCCESS).u32(&s6a::ULA_FLAGS, SEPARATION_INDICATION);
    if flags & SKIP_SUBSCRIBER_DATA == 0 {
        subscription_data(&mut a, &profile);
    }
    a.finish();
    Ok(buf)
}

/// Subscription-Data (TS 29.272 7.3.2) from the profile.
pub fn subscription_data(a: &mut MessageBuilder<'_>, p: &Profile) {
    a.grouped(&s6a::SUBSCRIPTION_DATA, |sd| {
        if let Some(m) = p.msisdn.first() {
            sd.bytes(&s6a::MSISDN, &tbcd::encode(m));
        }
        sd.enumerated(&s6a::SUBSCRIBER_STATUS, p.subscriber_status as i32);
        if p.subscriber_status == BARRED || p.operator_determined_barring != 0 {
            sd.u32(&s6a::OPERATOR_DETERMINED_BARRING, p.operator_determined_barring);
        }
        sd.enumerated(&s6a::NETWORK_ACCESS_MODE, p.network_access_mode as i32);
        if p.access_restriction_data != 0 {
            sd.u32(&s6a::ACCESS_RESTRICTION_DATA, p.access_restriction_data);
        }
        ambr(sd, p.ambr.uplink, p.ambr.downlink);
        if let Some(default) = p.apns.iter().find(|a| a.is_default).or(p.apns.first()) {
            sd.grouped(&s6a::APN_CONFIGURATION_PROFILE, |prof| {
                prof.u32(&s6a::CONTEXT_IDENTIFIER, default.context_id).enumerated(
                    &s6a::ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR,
                    ALL_APN_CONFIGURATIONS_INCLUDED,
                );
                for apn in &p.apns {
                    apn_configuration(prof, apn);
                }
            });
        }
        if p.subscribed_periodic_rau_tau_timer != 0 {
            sd.u32(&s6a::SUBSCRIBED_PERIODIC_RAU_TAU_TIMER, p.subscribed_periodic_rau_tau_timer);
        }
    });
}

/// AMBR (TS 29.272 7.3.41): bits per second in Unsigned32; above 4294967295 bps the
/// Extended-Max-Requested-BW-* AVPs carry kbps (TS 29.272 7.3.41, Rel-12).
fn ambr(b: &mut MessageBuilder<'_>, ul: u64, dl: u64) {
    b.grouped(&s6a::AMBR, |g| {
        g.u32(&s6a::MAX_REQUESTED_BANDWIDTH_UL, ul.min(u64::from(u32::MAX)) as u32)
            .u32(&s6a::MAX_REQUESTED_BANDWIDTH_DL, dl.min(u64::from(u32::MAX)) as u32);
        if ul > u64::from(u32::MAX) {
            g.u32(&s6a::EXTENDED_MAX_REQUESTED_BW_UL, (ul / 1000).min(u64::from(u32::MAX)) as u32);
        }
        if dl > u64::from(u32::MAX) {
            g.u32(&s6a::EXTENDED_MAX_REQUESTED_BW_DL, (dl / 1000).min(u64::from(u32::MAX)) as u32);
        }
    });
}

/// APN-Configuration (TS 29.272 7.3.35).
fn apn_configuration(b: &mut MessageBuilder<'_>, apn: &Apn) {
    b.grouped(&s6a::APN_CONFIGURATION, |c| {
        c.u32(&s6a::CONTEXT_IDENTIFIER, apn.context_id);
        for ip in [&apn.ipv4, &apn.ipv6].into_iter().flatten() {
            // Static UE addresses (TS 29.272 7.3.35: Served-Party-IP-Address).
            if let Ok(addr) = ip.parse::<std::net::IpAddr>() {
                c.address(&s6a::SERVED_PARTY_IP_ADDRESS, addr);
            }
        }
        c.enumerated(&s6a::PDN_TYPE, apn.pdn_type as i32).str(&s6a::SERVICE_SELECTION, &apn.name);
        // TS 29.272 7.3.37 EPS-Subscribed-QoS-Profile; ARP per TS 29.212 5.3.32, where
        // 0 means ENABLED and 1 DISABLED for both pre-emption flags.
        c.grouped(&s6a::EPS_SUBSCRIBED_QOS_PROFILE, |q| {
            q.enumerated(&s6a::QOS_CLASS_IDENTIFIER, apn.qci as i32).grouped(
                &s6a::ALLOCATION_RETENTION_PRIORITY,
                |arp| {
                    arp.u32(&s6a::PRIORITY_LEVEL, u32::from(apn.arp.priority_level))
                        .enumerated(
                            &s6a::PRE_EMPTION_CAPABILITY,
                            if apn.arp.pre_emption_capability { 0 } else { 1 },
                        )
                        .enumerated(
                            &s6a::PRE_EMPTION_VULNERABILITY,
                            if apn.arp.pre_emption_vulnerability { 0 } else { 1 },
                        );
                },
            );
        });
        ambr(c, apn.ambr.uplink, apn.ambr.downlink);
    });
}
