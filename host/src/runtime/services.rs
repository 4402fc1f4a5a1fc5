//! What host imports reach: the node identity and peer table, and the subscriber
//! store with its AuC once wired.

use std::sync::Arc;

use crate::auc::service::Auc;
use crate::diameter::peers::PeerTable;
use crate::store::StoreHandle;

/// Node facts a plugin reads through `config.node-identity`.
#[derive(Debug, Clone)]
pub struct NodeIdentity {
    pub origin_host: String,
    pub origin_realm: String,
    pub mcc: String,
    pub mnc: String,
}

pub struct Services {
    pub identity: NodeIdentity,
    pub peers: Arc<PeerTable>,
    /// The subscriber store and the AuC over it; `None` in nodes without a store
    /// (then the imports answer `store-unavailable`).
    pub store: Option<StoreHandle>,
    pub auc: Option<Arc<Auc>>,
}
