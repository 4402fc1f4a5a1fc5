//! Procedures the HSS starts (TS 29.272 5.2.1.2 CLR, 5.2.2.1 IDR, 5.2.2.2 DSR), on an
//! MME change or when the operator changes, deletes or cancels a subscriber through the
//! API.

use plughss_plugin_api::dictionary::s6a;
use plughss_plugin_api::guest::host;
use plughss_plugin_api::guest::prelude::*;
use plughss_plugin_api::guest::{Profile, ProfileChange};

use crate::{common, ulr};

/// Cancellation-Type (TS 29.272 7.3.24).
pub const MME_UPDATE_PROCEDURE: i32 = 0;
pub const SUBSCRIPTION_WITHDRAWAL: i32 = 2;

/// The head of an HSS-initiated request to `dest_host`.
fn request<'b>(
    buf: &'b mut Vec<u8>,
    command: u32,
    imsi: &str,
    dest_host: &str,
    dest_realm: &str,
) -> MessageBuilder<'b> {
    let n = node();
    let mut b = MessageBuilder::request(buf, command, app::S6A, 0, 0);
    b.str(&base::SESSION_ID, &format!("{};{command};{imsi};{}", n.origin_host, next_session()))
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, common::NO_STATE_MAINTAINED)
        .origin(&n.origin_host, &n.origin_realm)
        .str(&base::DESTINATION_HOST, dest_host)
        .str(&base::DESTINATION_REALM, dest_realm)
        .str(&base::USER_NAME, imsi);
    b
}

/// Sends the request and reports the answer's result, counting outcomes per `what`.
fn send(what: &str, dest_host: &str, imsi: &str, buf: &[u8]) -> Result<String, String> {
    match host::send_request(dest_host, buf, common::settings().clr_timeout_ms) {
        Ok(answer) => {
            let code = Message::parse(&answer).ok().and_then(|m| m.result()).map(|(_, c)| c).unwrap_or(0);
            let ok = code == DIAMETER_SUCCESS;
            host::counter_add(&format!("{what}_{}", if ok { "ok" } else { "failed" }), 1);
            let report = format!("{} to {dest_host} for {imsi}: result {code}", what.to_uppercase());
            host::info(&report);
            if ok { Ok(report) } else { Err(report) }
        }
        Err(e) => {
            host::counter_add(&format!("{what}_failed"), 1);
            let report = format!("{} to {dest_host} for {imsi} failed: {e:?}", what.to_uppercase());
            host::warn(&report);
            Err(report)
        }
    }
}

/// CLR (TS 29.272 5.2.1.2, 7.2.7).
pub fn cancel_location(
    imsi: &str,
    host_name: &str,
    realm: &str,
    cancellation_type: i32,
) -> Result<String, String> {
    let mut buf = Vec::with_capacity(256);
    let mut b = request(&mut buf, cmd::CANCEL_LOCATION, imsi, host_name, realm);
    b.enumerated(&s6a::CANCELLATION_TYPE, cancellation_type)
        // CLR-Flags (TS 29.272 7.3.152): bit 0 S6a/S6d-Indicator.
        .u32(&s6a::CLR_FLAGS, 1);
    b.finish();
    send("clr", host_name, imsi, &buf)
}

// DSR-Flags bits (TS 29.272 7.3.25, table 7.3.25/1).
/// PDN subscription contexts Withdrawal: the contexts named by Context-Identifier.
pub const DSR_PDN_CONTEXTS_WITHDRAWAL: u32 = 1 << 3;
/// Subscribed periodic RAU-TAU Timer Withdrawal.
pub const DSR_RAU_TAU_TIMER_WITHDRAWAL: u32 = 1 << 14;
/// MSISDN Withdrawal.
pub const DSR_MSISDN_WITHDRAWAL: u32 = 1 << 23;

/// What an operator's change removed from the subscription the serving MME holds:
/// DSR-Flags and the Context-Identifiers (as the MME was given them) of removed APNs.
/// IDR can add and replace data but not remove it (TS 29.272 5.2.2.1.2: the MME
/// replaces what it receives), so removals go in a DSR (5.2.2.2).
pub fn removed_data(previous: &Profile, current: &Profile) -> (u32, Vec<u32>) {
    let contexts: Vec<u32> = previous
        .apns
        .iter()
        .filter(|old| !current.apns.iter().any(|new| new.name.eq_ignore_ascii_case(&old.name)))
        .map(|old| old.context_id)
        .collect();
    let mut flags = 0;
    if !contexts.is_empty() {
        flags |= DSR_PDN_CONTEXTS_WITHDRAWAL;
    }
    if previous.subscribed_periodic_rau_tau_timer != 0 && current.subscribed_periodic_rau_tau_timer == 0 {
        flags |= DSR_RAU_TAU_TIMER_WITHDRAWAL;
    }
    if !previous.msisdn.is_empty() && current.msisdn.is_empty() {
        flags |= DSR_MSISDN_WITHDRAWAL;
    }
    (flags, contexts)
}

/// DSR (TS 29.272 5.2.2.2, 7.2.11).
fn delete_subscriber_data(
    imsi: &str,
    mme: &str,
    realm: &str,
    flags: u32,
    contexts: &[u32],
) -> Result<String, String> {
    let mut buf = Vec::with_capacity(256);
    let mut b = request(&mut buf, cmd::DELETE_SUBSCRIBER_DATA, imsi, mme, realm);
    b.u32(&s6a::DSR_FLAGS, flags);
    for id in contexts {
        b.u32(&s6a::CONTEXT_IDENTIFIER, *id);
    }
    b.finish();
    send("dsr", mme, imsi, &buf)
}

/// An operator's change reaches the serving MME: DSR for what was removed, then IDR
/// with the whole current Subscription-Data. Both are sent even if the first fails, and
/// the report names both outcomes.
pub fn profile_changed(change: &ProfileChange) -> Result<String, String> {
    let imsi = change.imsi.as_str();
    let p = host::get_profile(imsi).map_err(|e| format!("{e:?}"))?;
    let (Some(mme), false) = (p.mme_host.clone(), p.purge_flag) else {
        return Ok(format!("{imsi} has no serving MME; no IDR"));
    };
    let realm = p.mme_realm.clone().unwrap_or_default();
    let (flags, contexts) = removed_data(&change.previous, &p);
    let dsr = (flags != 0).then(|| delete_subscriber_data(imsi, &mme, &realm, flags, &contexts));
    let idr = insert_subscriber_data(imsi, &mme, &realm, &p);
    match dsr {
        None => idr,
        Some(dsr) => {
            let failed = dsr.is_err() || idr.is_err();
            let report = format!("{}; {}", dsr.unwrap_or_else(|e| e), idr.unwrap_or_else(|e| e));
            if failed { Err(report) } else { Ok(report) }
        }
    }
}

/// IDR with the whole current Subscription-Data (TS 29.272 5.2.2.1, 7.2.9).
fn insert_subscriber_data(imsi: &str, mme: &str, realm: &str, p: &Profile) -> Result<String, String> {
    let mut buf = Vec::with_capacity(1024);
    let mut b = request(&mut buf, cmd::INSERT_SUBSCRIBER_DATA, imsi, mme, realm);
    ulr::subscription_data(&mut b, p);
    b.finish();
    send("idr", mme, imsi, &buf)
}

/// Withdraws the subscription from the serving MME, then forgets it (API delete or
/// cancel-location).
pub fn withdraw(imsi: &str, host_name: Option<&str>, realm: Option<&str>) -> Result<String, String> {
    match host_name {
        Some(h) => cancel_location(imsi, h, realm.unwrap_or_default(), SUBSCRIPTION_WITHDRAWAL),
        None => Ok(format!("{imsi} has no serving MME; no CLR")),
    }
}

/// Session-Id uniqueness for HSS-initiated requests (RFC 6733 8.8): a per-instance
/// counter from a random start, so instances of the plugin do not collide.
fn next_session() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        // std seeds RandomState from the sandbox's WASI random source.
        let mut h = RandomState::new().build_hasher();
        h.write_u8(0);
        h.finish()
    });
    start.wrapping_add(N.fetch_add(1, Ordering::Relaxed))
}
