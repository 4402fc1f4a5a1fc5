//! The host side of each WIT import. Every import that needs a grant checks it first
//! (fail closed); waits in async imports are accounted so they do not count against
//! the plugin's deadline.

use std::time::{Duration, Instant};

use super::bindings::HostError;
use super::bindings::plughss::plugin::{auc, config, events, log, metrics, ng, peers, subscribers, types};
use super::capability::Import;
use super::state::{HostState, MAX_PLUGIN_METRICS};

fn no_store() -> HostError {
    HostError::StoreUnavailable("no subscriber store is configured".into())
}

impl HostState {
    fn waited(&mut self, since: Instant) {
        self.host_wait += since.elapsed();
    }
}

impl types::Host for HostState {}
impl events::Host for HostState {}

impl auc::Host for HostState {
    async fn eutran_vectors(
        &mut self,
        _imsi: String,
        _count: u32,
        _visited_plmn: Vec<u8>,
        _resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::EutranVector>, HostError> {
        self.check(Import::AucVectors)?;
        Err(no_store())
    }

    async fn utran_vectors(
        &mut self,
        _imsi: String,
        _count: u32,
        _resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::UtranVector>, HostError> {
        self.check(Import::AucVectors)?;
        Err(no_store())
    }

    async fn geran_vectors(
        &mut self,
        _imsi: String,
        _count: u32,
    ) -> Result<Vec<auc::GeranVector>, HostError> {
        self.check(Import::AucVectors)?;
        Err(no_store())
    }

    async fn ims_vectors(
        &mut self,
        _identity: String,
        _count: u32,
        _resync: Option<auc::ResyncInfo>,
    ) -> Result<Vec<auc::ImsVector>, HostError> {
        self.check(Import::AucVectors)?;
        Err(no_store())
    }
}

impl subscribers::Host for HostState {
    async fn get_profile(&mut self, _imsi: String) -> Result<subscribers::Profile, HostError> {
        self.check(Import::SubscribersGetProfile)?;
        Err(no_store())
    }

    async fn update_serving_node(
        &mut self,
        _imsi: String,
        _node: subscribers::ServingNode,
    ) -> Result<subscribers::ServingNode, HostError> {
        self.check(Import::SubscribersUpdateServingNode)?;
        Err(no_store())
    }

    async fn set_ims_state(
        &mut self,
        _imsi: String,
        _scscf: Option<String>,
        _registration_state: String,
    ) -> Result<(), HostError> {
        self.check(Import::SubscribersSetImsState)?;
        Err(no_store())
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
        let timeout = Duration::from_millis(u64::from(timeout_ms.clamp(1, 60_000)));
        let t = Instant::now();
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
        // Bounded, so a plugin cannot flood the log with megabyte lines.
        let msg: String = message.chars().take(2048).collect();
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
