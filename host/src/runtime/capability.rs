//! Which capability each host import needs: a pure function of the call, checked on
//! every call against what the operator granted.

use super::bindings::Capability;

/// The host imports a plugin can call that need a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Import {
    AucVectors,
    SubscribersGetProfile,
    SubscribersUpdateServingNode,
    SubscribersSetImsState,
    PeersSendRequest,
    NgCommand,
}

impl Import {
    pub fn name(self) -> &'static str {
        match self {
            Import::AucVectors => "auc",
            Import::SubscribersGetProfile => "subscribers.get-profile",
            Import::SubscribersUpdateServingNode => "subscribers.update-serving-node",
            Import::SubscribersSetImsState => "subscribers.set-ims-state",
            Import::PeersSendRequest => "peers.send-request",
            Import::NgCommand => "ng.command",
        }
    }

    pub fn required(self) -> Capability {
        match self {
            Import::AucVectors => Capability::Auc,
            Import::SubscribersGetProfile => Capability::SubscribersRead,
            Import::SubscribersUpdateServingNode | Import::SubscribersSetImsState => {
                Capability::SubscribersWrite
            }
            Import::PeersSendRequest => Capability::PeersSend,
            Import::NgCommand => Capability::Ng,
        }
    }
}

/// The configuration spelling of a capability.
pub fn parse(name: &str) -> Option<Capability> {
    Some(match name {
        "auc" => Capability::Auc,
        "subscribers.read" => Capability::SubscribersRead,
        "subscribers.write" => Capability::SubscribersWrite,
        "peers.send" => Capability::PeersSend,
        "ng" => Capability::Ng,
        _ => return None,
    })
}

pub fn name(c: Capability) -> &'static str {
    match c {
        Capability::Auc => "auc",
        Capability::SubscribersRead => "subscribers.read",
        Capability::SubscribersWrite => "subscribers.write",
        Capability::PeersSend => "peers.send",
        Capability::Ng => "ng",
    }
}

pub const ALL: [&str; 5] = ["auc", "subscribers.read", "subscribers.write", "peers.send", "ng"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_round_trips_through_its_name() {
        for n in ALL {
            assert_eq!(name(parse(n).unwrap()), n);
        }
        assert!(parse("filesystem").is_none());
    }

    #[test]
    fn writes_need_the_write_grant() {
        assert_eq!(Import::SubscribersUpdateServingNode.required(), Capability::SubscribersWrite);
        assert_eq!(Import::SubscribersGetProfile.required(), Capability::SubscribersRead);
    }
}
