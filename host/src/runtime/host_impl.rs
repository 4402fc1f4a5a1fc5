//! The host side of each WIT import. Every import that needs a grant checks it first
//! (fail closed); waits in async imports are accounted so they do not count against
//! the plugin's deadline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use plughss_plugin_api::store::{ImsState, StoreError};

use super::bindings::HostError;
use super::bindings::plughss::plugin::{auc, config, events, log, metrics, ng, peers, subscribers, types};
use super::capability::Import;
use super::message_checks;
use super::plugin_log;
use super::profile;
use super::state::{Counters, HostState, MAX_PLUGIN_METRICS};
use crate::auc::service::{Auc, AucFailure, Resync};
use crate::store::StoreHandle;

fn no_store() -> HostError {
    HostError::StoreUnavailable("no subscriber store is configured".into())
}

impl HostState {
    /// A wait in a host call begins: from here until `waited`, the time is not the
    /// plugin's own (see deadline.rs).
    fn waiting(&self) -> Instant {
        self.clock.enter_host()
    }

    fn waited(&mut self, since: Instant) {
        self.clock.leave_host(since);
    }
}

impl types::Host for HostState {}
impl events::Host for HostState {}

fn host_error(e: AucFailure) -> HostError {
    match e {
        AucFailure::UnknownSubscriber => HostError::UnknownSubscriber,
        AucFailure::ResyncFailed => HostError::ResyncFailed,
        AucFailure::Invalid(s) => HostError::Invalid(s),
        AucFailure::Store(e) => store_error(e),
    }
}

fn store_error(e: StoreError) -> HostError {
    match e {
        StoreError::NotFound => HostError::UnknownSubscriber,
        StoreError::Unavailable(s) => HostError::StoreUnavailable(s),
        StoreError::Invalid { field, reason } => HostError::Invalid(format!("{field}: {reason}")),
        e => HostError::Other(e.to_string()),
    }
}

fn resync_of(r: Option<auc::ResyncInfo>) -> Result<Option<Resync>, HostError> {
    let Some(r) = r else { return Ok(None) };
    let rand =
        r.rand.as_slice().try_into().map_err(|_| HostError::Invalid("RAND must be 16 octets".into()))?;
    let auts =
        r.auts.as_slice().try_into().map_err(|_| HostError::Invalid("AUTS must be 14 octets".into()))?;
    Ok(Some(Resync { rand, auts }))
}

impl HostState {
    fn auc(&self) -> Result<Arc<Auc>, HostError> {
        self.services.auc.clone().ok_or_else(no_store)
    }

    fn store(&self) -> Result<StoreHandle, HostError> {
        self.services.store.clone().ok_or_else(no_store)
    }
}

impl auc::Host for HostState {
    async fn eutran_vectors(
        &mut self,
        imsi: String,
        count: u32,
        visited_plmn: Vec<u8>,
        resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::EutranVector>, HostError> {
        self.check(Import::AucVectors)?;
        let plmn: [u8; 3] = visited_plmn
            .as_slice()
            .try_into()
            .map_err(|_| HostError::Invalid("Visited-PLMN-Id must be 3 octets".into()))?;
        let (auc, resync) = (self.auc()?, resync_of(resync)?);
        let t = self.waiting();
        let r = auc.eutran(&imsi, count, plmn, resync).await;
        self.waited(t);
        Ok(r.map_err(host_error)?
            .into_iter()
            .map(|v| auc::EutranVector {
                rand: v.rand.to_vec(),
                xres: v.xres.to_vec(),
                autn: v.autn.to_vec(),
                kasme: v.kasme.to_vec(),
            })
            .collect())
    }

    async fn utran_vectors(
        &mut self,
        imsi: String,
        count: u32,
        resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::UtranVector>, HostError> {
        self.check(Import::AucVectors)?;
        let (auc, resync) = (self.auc()?, resync_of(resync)?);
        let t = self.waiting();
        let r = auc.utran(&imsi, count, resync).await;
        self.waited(t);
        Ok(r.map_err(host_error)?
            .into_iter()
            .map(|v| auc::UtranVector {
                rand: v.rand.to_vec(),
                xres: v.xres.to_vec(),
                autn: v.autn.to_vec(),
                ck: v.ck.to_vec(),
                ik: v.ik.to_vec(),
            })
            .collect())
    }

    async fn geran_vectors(&mut self, imsi: String, count: u32) -> Result<Vec<auc::GeranVector>, HostError> {
        self.check(Import::AucVectors)?;
        let auc = self.auc()?;
        let t = self.waiting();
        let r = auc.geran(&imsi, count).await;
        self.waited(t);
        Ok(r.map_err(host_error)?
            .into_iter()
            .map(|v| auc::GeranVector { rand: v.rand.to_vec(), sres: v.sres.to_vec(), kc: v.kc.to_vec() })
            .collect())
    }

    async fn ims_vectors(
        &mut self,
        identity: String,
        count: u32,
        resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::ImsVector>, HostError> {
        self.check(Import::AucVectors)?;
        let (auc, resync) = (self.auc()?, resync_of(resync)?);
        let t = self.waiting();
        let r = auc.ims(&identity, count, resync).await;
        self.waited(t);
        Ok(r.map_err(host_error)?
            .into_iter()
            .map(|v| auc::ImsVector {
                rand: v.rand.to_vec(),
                autn: v.autn.to_vec(),
                xres: v.xres.to_vec(),
                ck: v.ck.to_vec(),
                ik: v.ik.to_vec(),
            })
            .collect())
    }
}

impl subscribers::Host for HostState {
    async fn get_profile(&mut self, imsi: String) -> Result<subscribers::Profile, HostError> {
        self.check(Import::SubscribersGetProfile)?;
        let store = self.store()?;
        let t = self.waiting();
        let r = store.profile(&imsi).await;
        self.waited(t);
        match r.map_err(store_error)? {
            Some(s) => Ok(profile::to_wit(&s)),
            None => Err(HostError::UnknownSubscriber),
        }
    }

    async fn update_serving_node(
        &mut self,
        imsi: String,
        node: subscribers::ServingNode,
    ) -> Result<subscribers::ServingNode, HostError> {
        self.check(Import::SubscribersUpdateServingNode)?;
        let store = self.store()?;
        let t = self.waiting();
        let r = store.update_serving(&imsi, profile::serving_from_wit(node)).await;
        self.waited(t);
        r.map(profile::serving_to_wit).map_err(store_error)
    }

    async fn set_ims_state(
        &mut self,
        imsi: String,
        scscf: Option<String>,
        registration_state: String,
    ) -> Result<(), HostError> {
        self.check(Import::SubscribersSetImsState)?;
        let store = self.store()?;
        let t = self.waiting();
        let r = store.set_ims_state(&imsi, ImsState { scscf, registration_state }).await;
        self.waited(t);
        r.map_err(store_error)
    }
}

impl peers::Host for HostState {
    async fn send_request(
        &mut self,
        destination_host: String,
        request: Vec<u8>,
        timeout_ms: u32,
    ) -> Result<Vec<u8>, HostError> {
        self.check(Import::PeersSendRequest)?;
        let Some(peer) = self.services.peers.get(&destination_host) else {
            return Err(HostError::PeerUnavailable(destination_host));
        };
        message_checks::check_request(&request, &self.services.identity, &peer.info)
            .map_err(HostError::Invalid)?;
        let timeout = Duration::from_millis(u64::from(timeout_ms.clamp(1, 60_000)));
        let t = self.waiting();
        let r = peer.request_within(request, timeout).await;
        self.waited(t);
        use crate::diameter::peers::RequestError as E;
        match r {
            Ok(answer) => Ok(answer.to_vec()),
            Err(E::Timeout(_)) => Err(HostError::Timeout),
            Err(E::NotARequest(why)) => Err(HostError::Invalid(why.into())),
            Err(e) => Err(HostError::PeerUnavailable(e.to_string())),
        }
    }
}

impl ng::Host for HostState {
    async fn command(&mut self, _request: Vec<u8>) -> Result<Vec<u8>, HostError> {
        self.check(Import::NgCommand)?;
        Err(HostError::Other("no RTPengine is configured".into()))
    }
}

impl log::Host for HostState {
    fn log(&mut self, level: log::Level, message: String) {
        use tracing::{Level, enabled};
        // A line the filter would discard costs nothing and spends no budget.
        let wanted = match level {
            log::Level::Trace => enabled!(Level::TRACE),
            log::Level::Debug => enabled!(Level::DEBUG),
            log::Level::Info => enabled!(Level::INFO),
            log::Level::Warn => enabled!(Level::WARN),
            log::Level::Error => enabled!(Level::ERROR),
        };
        if !wanted {
            return;
        }
        self.log_lines = self.log_lines.saturating_add(1);
        let mut gate = self.meta.log_gate.lock().unwrap_or_else(|p| p.into_inner());
        if self.log_lines > plugin_log::MAX_LINES_PER_CALL || !gate.take(Instant::now()) {
            gate.dropped();
            drop(gate);
            Counters::bump(&self.meta.counters.log_lines_dropped);
            self.log_dropped = true;
            return;
        }
        drop(gate);
        let msg = plugin_log::escape_line(&message);
        let plugin = self.meta.name.as_str();
        match level {
            log::Level::Trace => tracing::trace!(plugin, "{msg}"),
            log::Level::Debug => tracing::debug!(plugin, "{msg}"),
            log::Level::Info => tracing::info!(plugin, "{msg}"),
            log::Level::Warn => tracing::warn!(plugin, "{msg}"),
            log::Level::Error => tracing::error!(plugin, "{msg}"),
        }
    }
}

impl metrics::Host for HostState {
    fn counter_add(&mut self, name: String, value: u64) {
        if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return;
        }
        let mut m = self.meta.plugin_metrics.lock().unwrap_or_else(|p| p.into_inner());
        let len = m.len();
        if let Some(v) = m.get_mut(&name) {
            *v = v.saturating_add(value);
        } else if len < MAX_PLUGIN_METRICS {
            m.insert(name, value);
        }
    }
}

impl config::Host for HostState {
    fn node_identity(&mut self) -> config::Node {
        let id = &self.services.identity;
        config::Node {
            origin_host: id.origin_host.clone(),
            origin_realm: id.origin_realm.clone(),
            mcc: id.mcc.clone(),
            mnc: id.mnc.clone(),
        }
    }

    fn plugin_config(&mut self) -> String {
        self.meta.config_json.clone()
    }
}
