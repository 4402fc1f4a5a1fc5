//! Purge-UE-Request/Answer (TS 29.272 5.2.1.3, 7.2.13, 7.2.14).

use plughss_plugin_api::dictionary::{AvpDef, s6a};
use plughss_plugin_api::guest::ServingNode;
use plughss_plugin_api::guest::host;
use plughss_plugin_api::guest::prelude::*;

use crate::common;

const KNOWN: &[&AvpDef] = &[&s6a::PUR_FLAGS, &s6a::EPS_LOCATION_INFORMATION];

/// PUA-Flags bit 0: Freeze M-TMSI (TS 29.272 7.3.48).
const FREEZE_M_TMSI: u32 = 1;

pub fn handle(req: &Message<'_>) -> Result<Vec<u8>, HandleError> {
    Ok(answer_pur(req).unwrap_or_else(|early| early))
}

fn answer_pur(req: &Message<'_>) -> Result<Vec<u8>, Vec<u8>> {
    common::check_mandatory(req, KNOWN)?;
    let imsi = common::imsi(req)?;
    let profile = host::get_profile(imsi).map_err(|e| common::host_failure(req, &e))?;
    let from = req.origin_host().unwrap_or_default();
    // TS 29.272 5.2.1.3: the purge flag is set only when the purging MME is the one
    // registered; the M-TMSI is frozen in that case.
    let serving = profile.mme_host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(from));
    if serving {
        let node = ServingNode {
            mme_host: profile.mme_host.clone(),
            mme_realm: profile.mme_realm.clone(),
            mme_timestamp: None,
            purge_flag: true,
        };
        host::update_serving_node(imsi, &node).map_err(|e| common::host_failure(req, &e))?;
    }
    let mut buf = Vec::with_capacity(256);
    let mut a = common::s6a_answer(&mut buf, req);
    a.result_code(DIAMETER_SUCCESS).u32(&s6a::PUA_FLAGS, if serving { FREEZE_M_TMSI } else { 0 });
    a.finish();
    Ok(buf)
}
