//! Sh AVPs: 3GPP TS 29.329 section 6.3 (Table 6.3.1).
//!
//! MSISDN, Supported-Features, Feature-List-ID, Feature-List and External-Identifier are
//! defined in [`super::s6a`]; Public-Identity, Server-Name, Wildcarded-Public-Identity and
//! Wildcarded-IMPU in [`super::cx`] (TS 29.229); they are re-exported here. User-Data here
//! is the Sh one (702); Cx's is 606.
//!
//! Generated: codes and types from Wireshark 4.0.17's Diameter dictionary, M bits from the
//! spec AVP flag tables (Rel-15; later AVPs marked); corrections are marked with comments.
//! `scripts/check_dictionary.py` re-checks every code and type against Wireshark.
//!
//! Not included: OC-*/Load.

use super::{AvpDef, AvpType::*, VENDOR_3GPP};

pub use super::cx::PUBLIC_IDENTITY; // Public-Identity, defined in cx.rs
pub use super::cx::SERVER_NAME; // Server-Name, defined in cx.rs
pub use super::cx::WILDCARDED_IMPU; // Wildcarded-IMPU, defined in cx.rs
pub use super::cx::WILDCARDED_PUBLIC_IDENTITY; // Wildcarded-Public-Identity, defined in cx.rs
pub use super::s6a::EXTERNAL_IDENTIFIER; // External-Identifier, defined in s6a.rs
pub use super::s6a::FEATURE_LIST; // Feature-List, defined in s6a.rs
pub use super::s6a::FEATURE_LIST_ID; // Feature-List-ID, defined in s6a.rs
pub use super::s6a::MSISDN; // MSISDN, defined in s6a.rs
pub use super::s6a::SUPPORTED_FEATURES; // Supported-Features, defined in s6a.rs

// Defined by this specification (M bits from its Rel-15 AVP table).
pub const USER_IDENTITY: AvpDef = AvpDef::new("User-Identity", 700, VENDOR_3GPP, Grouped, true);
// User-Data: Wireshark calls it Sh-User-Data.
pub const USER_DATA: AvpDef = AvpDef::new("User-Data", 702, VENDOR_3GPP, OctetString, true);
pub const DATA_REFERENCE: AvpDef = AvpDef::new("Data-Reference", 703, VENDOR_3GPP, Enumerated, true);
pub const SERVICE_INDICATION: AvpDef = AvpDef::new("Service-Indication", 704, VENDOR_3GPP, OctetString, true);
pub const SUBS_REQ_TYPE: AvpDef = AvpDef::new("Subs-Req-Type", 705, VENDOR_3GPP, Enumerated, true);
pub const REQUESTED_DOMAIN: AvpDef = AvpDef::new("Requested-Domain", 706, VENDOR_3GPP, Enumerated, true);
pub const CURRENT_LOCATION: AvpDef = AvpDef::new("Current-Location", 707, VENDOR_3GPP, Enumerated, true);
pub const IDENTITY_SET: AvpDef = AvpDef::new("Identity-Set", 708, VENDOR_3GPP, Enumerated, false);
pub const EXPIRY_TIME: AvpDef = AvpDef::new("Expiry-Time", 709, VENDOR_3GPP, Time, false);
pub const SEND_DATA_INDICATION: AvpDef =
    AvpDef::new("Send-Data-Indication", 710, VENDOR_3GPP, Enumerated, false);
pub const DSAI_TAG: AvpDef = AvpDef::new("DSAI-Tag", 711, VENDOR_3GPP, OctetString, true);
pub const ONE_TIME_NOTIFICATION: AvpDef =
    AvpDef::new("One-Time-Notification", 712, VENDOR_3GPP, Enumerated, false);
pub const REQUESTED_NODES: AvpDef = AvpDef::new("Requested-Nodes", 713, VENDOR_3GPP, Unsigned32, false);
pub const SERVING_NODE_INDICATION: AvpDef =
    AvpDef::new("Serving-Node-Indication", 714, VENDOR_3GPP, Enumerated, false);
pub const REPOSITORY_DATA_ID: AvpDef = AvpDef::new("Repository-Data-ID", 715, VENDOR_3GPP, Grouped, false);
pub const SEQUENCE_NUMBER: AvpDef = AvpDef::new("Sequence-Number", 716, VENDOR_3GPP, Unsigned32, false);
pub const PRE_PAGING_SUPPORTED: AvpDef =
    AvpDef::new("Pre-paging-Supported", 717, VENDOR_3GPP, Enumerated, false);
pub const LOCAL_TIME_ZONE_INDICATION: AvpDef =
    AvpDef::new("Local-Time-Zone-Indication", 718, VENDOR_3GPP, Enumerated, false);
// UDR-Flags: Wireshark says Enumerated; TS 29.329 6.3.28 defines UDR-Flags as Unsigned32 (bit
// mask).
pub const UDR_FLAGS: AvpDef = AvpDef::new("UDR-Flags", 719, VENDOR_3GPP, Unsigned32, false);
// Call-Reference-Info: not in Wireshark 4.0.17; type from TS 29.329 6.3.29.
pub const CALL_REFERENCE_INFO: AvpDef = AvpDef::new("Call-Reference-Info", 720, VENDOR_3GPP, Grouped, false);
// Call-Reference-Number: not in Wireshark 4.0.17; type from TS 29.329 6.3.30.
pub const CALL_REFERENCE_NUMBER: AvpDef =
    AvpDef::new("Call-Reference-Number", 721, VENDOR_3GPP, OctetString, false);
// AS-Number: not in Wireshark 4.0.17; type from TS 29.329 6.3.31.
pub const AS_NUMBER: AvpDef = AvpDef::new("AS-Number", 722, VENDOR_3GPP, OctetString, false);

/// Sorted by (vendor, code).
pub static TABLE: &[AvpDef] = &[
    USER_IDENTITY,
    USER_DATA,
    DATA_REFERENCE,
    SERVICE_INDICATION,
    SUBS_REQ_TYPE,
    REQUESTED_DOMAIN,
    CURRENT_LOCATION,
    IDENTITY_SET,
    EXPIRY_TIME,
    SEND_DATA_INDICATION,
    DSAI_TAG,
    ONE_TIME_NOTIFICATION,
    REQUESTED_NODES,
    SERVING_NODE_INDICATION,
    REPOSITORY_DATA_ID,
    SEQUENCE_NUMBER,
    PRE_PAGING_SUPPORTED,
    LOCAL_TIME_ZONE_INDICATION,
    UDR_FLAGS,
    CALL_REFERENCE_INFO,
    CALL_REFERENCE_NUMBER,
    AS_NUMBER,
];
