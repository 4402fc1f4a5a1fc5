//! Notify-Request/Answer (TS 29.272 5.2.5.1, 7.2.17, 7.2.18): the MME tells the HSS about
//! events (e.g. a UE reachable for SMS again). PlugHSS keeps no such state yet, so it
//! acknowledges a NOR for a known subscriber.

use plughss_plugin_api::dictionary::{AvpDef, s6a};
use plughss_plugin_api::guest::host;
use plughss_plugin_api::guest::prelude::*;

use crate::common;

const KNOWN: &[&AvpDef] = &[
    &s6a::TERMINAL_INFORMATION,
    &s6a::MIP6_AGENT_INFO,
    &s6a::VISITED_NETWORK_IDENTIFIER,
    &s6a::CONTEXT_IDENTIFIER,
    &s6a::SERVICE_SELECTION,
    &s6a::ALERT_REASON,
    &s6a::UE_SRVCC_CAPABILITY,
    &s6a::NOR_FLAGS,
    &s6a::HOMOGENEOUS_SUPPORT_OF_IMS_VOICE_OVER_PS_SESSIONS,
];

pub fn handle(req: &Message<'_>) -> Result<Vec<u8>, HandleError> {
    Ok(answer_nor(req).unwrap_or_else(|early| early))
}

fn answer_nor(req: &Message<'_>) -> Result<Vec<u8>, Vec<u8>> {
    common::check_mandatory(req, KNOWN)?;
    let imsi = common::imsi(req)?;
    host::get_profile(imsi).map_err(|e| common::host_failure(req, &e))?;
    Ok(common::result(req, DIAMETER_SUCCESS, None))
}
