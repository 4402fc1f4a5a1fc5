//! The S6a/S6d application (TS 29.272) as a PlugHSS plugin: the interface between the
//! MME and the HSS that lets a UE attach to an LTE network.
//!
//! One module per command, each implementing its TS 29.272 clause. Vectors come from
//! the host's AuC (`auc` capability), profiles and serving-node records from the store
//! (`subscribers.read`/`subscribers.write`), and CLR to a previous MME goes through
//! `peers.send-request` (`peers.send`).

mod air;
mod common;
mod hss_initiated;
mod nor;
mod pur;
mod tbcd;
mod ulr;

use plughss_plugin_api::guest::prelude::*;

pub struct S6a;

/// The commands this plugin answers (TS 29.272 7.2).
const COMMANDS: &[u32] = &[cmd::AUTHENTICATION_INFORMATION, cmd::UPDATE_LOCATION, cmd::PURGE_UE, cmd::NOTIFY];

impl DiameterApp for S6a {
    fn describe() -> PluginInfo {
        plugin_info(
            "s6a",
            env!("CARGO_PKG_VERSION"),
            &[(app::S6A, VENDOR_3GPP, COMMANDS)],
            &[
                Capability::Auc,
                Capability::SubscribersRead,
                Capability::SubscribersWrite,
                Capability::PeersSend,
            ],
        )
    }

    fn handle(request: &[u8]) -> Result<Vec<u8>, HandleError> {
        let req = parse_request(request)?;
        match req.header.command_code {
            cmd::AUTHENTICATION_INFORMATION => air::handle(&req),
            cmd::UPDATE_LOCATION => ulr::handle(&req),
            cmd::PURGE_UE => pur::handle(&req),
            cmd::NOTIFY => nor::handle(&req),
            // RFC 6733 7.1.3: the router only sends what describe() lists, but a plugin
            // answers anything else properly too.
            other => {
                Err(fail(DIAMETER_COMMAND_UNSUPPORTED, format!("command {other} is not an S6a command")))
            }
        }
    }
    /// Operator changes through the API: DSR for removed data and IDR on a change, CLR
    /// (SUBSCRIPTION_WITHDRAWAL) on delete or an explicit cancel-location (TS 29.272
    /// 5.2.1.2, 5.2.2.1, 5.2.2.2).
    fn notify(event: SubscriberEvent) -> Result<String, String> {
        match event {
            SubscriberEvent::Updated(change) => hss_initiated::profile_changed(&change),
            SubscriberEvent::Deleted((imsi, node)) => {
                hss_initiated::withdraw(&imsi, node.mme_host.as_deref(), node.mme_realm.as_deref())
            }
            SubscriberEvent::CancelLocation(imsi) => {
                let p = host::get_profile(&imsi).map_err(|e| format!("{e:?}"))?;
                hss_initiated::withdraw(&imsi, p.mme_host.as_deref(), p.mme_realm.as_deref())
            }
        }
    }
}

register_app!(S6a);
