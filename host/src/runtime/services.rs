//! What host imports reach: the node identity and peer table, and the subscriber
//! store with its AuC once wired.

use std::sync::Arc;

use crate::diameter::peers::PeerTable;

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
}
