//! Cx/Dx AVPs: 3GPP TS 29.229 section 6.3 (Table 6.3.1), plus the IETF/ETSI AVPs it
//! imports for SIP-Auth-Data-Item and SIP-Digest-Authenticate (Table 6.3.2: RFC 7155
//! Framed-*, RFC 4740 Digest-*, ETSI Line-Identifier).
//!
//! Visited-Network-Identifier, Confidentiality-Key, Integrity-Key, Supported-Features,
//! Feature-List-ID and Feature-List are defined in [`super::s6a`] (S6a carries them too)
//! and re-exported here. User-Data here is the Cx one (606); Sh's is 702.
//!
//! Generated: codes and types from Wireshark 4.0.17's Diameter dictionary, M bits from the
//! spec AVP flag tables (Rel-15; later AVPs marked); corrections are marked with comments.
//! `scripts/check_dictionary.py` re-checks every code and type against Wireshark.
//!
//! Not included: OC-*/Load and User-Data-Request-Type (627, obsolete).

use super::{AvpDef, AvpType::*, VENDOR_3GPP, VENDOR_ETSI};

pub use super::s6a::CONFIDENTIALITY_KEY; // Confidentiality-Key, defined in s6a.rs
pub use super::s6a::FEATURE_LIST; // Feature-List, defined in s6a.rs
pub use super::s6a::FEATURE_LIST_ID; // Feature-List-ID, defined in s6a.rs
pub use super::s6a::INTEGRITY_KEY; // Integrity-Key, defined in s6a.rs
pub use super::s6a::SUPPORTED_FEATURES; // Supported-Features, defined in s6a.rs
pub use super::s6a::VISITED_NETWORK_IDENTIFIER; // Visited-Network-Identifier, defined in s6a.rs

// Defined by this specification (M bits from its Rel-15 AVP table).
pub const PUBLIC_IDENTITY: AvpDef = AvpDef::new("Public-Identity", 601, VENDOR_3GPP, UTF8String, true);
pub const SERVER_NAME: AvpDef = AvpDef::new("Server-Name", 602, VENDOR_3GPP, UTF8String, true);
pub const SERVER_CAPABILITIES: AvpDef = AvpDef::new("Server-Capabilities", 603, VENDOR_3GPP, Grouped, true);
pub const MANDATORY_CAPABILITY: AvpDef =
    AvpDef::new("Mandatory-Capability", 604, VENDOR_3GPP, Unsigned32, true);
pub const OPTIONAL_CAPABILITY: AvpDef =
    AvpDef::new("Optional-Capability", 605, VENDOR_3GPP, Unsigned32, true);
// User-Data: Wireshark calls it Cx-User-Data.
pub const USER_DATA: AvpDef = AvpDef::new("User-Data", 606, VENDOR_3GPP, OctetString, true);
// SIP-Number-Auth-Items: Wireshark calls it 3GPP-SIP-Number-Auth-Items.
pub const SIP_NUMBER_AUTH_ITEMS: AvpDef =
    AvpDef::new("SIP-Number-Auth-Items", 607, VENDOR_3GPP, Unsigned32, true);
// SIP-Authentication-Scheme: Wireshark calls it 3GPP-SIP-Authentication-Scheme.
pub const SIP_AUTHENTICATION_SCHEME: AvpDef =
    AvpDef::new("SIP-Authentication-Scheme", 608, VENDOR_3GPP, UTF8String, true);
// SIP-Authenticate: Wireshark calls it 3GPP-SIP-Authenticate.
pub const SIP_AUTHENTICATE: AvpDef = AvpDef::new("SIP-Authenticate", 609, VENDOR_3GPP, OctetString, true);
// SIP-Authorization: Wireshark calls it 3GPP-SIP-Authorization.
pub const SIP_AUTHORIZATION: AvpDef = AvpDef::new("SIP-Authorization", 610, VENDOR_3GPP, OctetString, true);
pub const SIP_AUTHENTICATION_CONTEXT: AvpDef =
    AvpDef::new("SIP-Authentication-Context", 611, VENDOR_3GPP, OctetString, true);
// SIP-Auth-Data-Item: Wireshark calls it 3GPP-SIP-Auth-Data-Item.
pub const SIP_AUTH_DATA_ITEM: AvpDef = AvpDef::new("SIP-Auth-Data-Item", 612, VENDOR_3GPP, Grouped, true);
// SIP-Item-Number: Wireshark calls it 3GPP-SIP-Item-Number.
pub const SIP_ITEM_NUMBER: AvpDef = AvpDef::new("SIP-Item-Number", 613, VENDOR_3GPP, Unsigned32, true);
pub const SERVER_ASSIGNMENT_TYPE: AvpDef =
    AvpDef::new("Server-Assignment-Type", 614, VENDOR_3GPP, Enumerated, true);
pub const DEREGISTRATION_REASON: AvpDef =
    AvpDef::new("Deregistration-Reason", 615, VENDOR_3GPP, Grouped, true);
pub const REASON_CODE: AvpDef = AvpDef::new("Reason-Code", 616, VENDOR_3GPP, Enumerated, true);
pub const REASON_INFO: AvpDef = AvpDef::new("Reason-Info", 617, VENDOR_3GPP, UTF8String, true);
pub const CHARGING_INFORMATION: AvpDef = AvpDef::new("Charging-Information", 618, VENDOR_3GPP, Grouped, true);
pub const PRIMARY_EVENT_CHARGING_FUNCTION_NAME: AvpDef =
    AvpDef::new("Primary-Event-Charging-Function-Name", 619, VENDOR_3GPP, DiameterURI, true);
pub const SECONDARY_EVENT_CHARGING_FUNCTION_NAME: AvpDef =
    AvpDef::new("Secondary-Event-Charging-Function-Name", 620, VENDOR_3GPP, DiameterURI, true);
pub const PRIMARY_CHARGING_COLLECTION_FUNCTION_NAME: AvpDef =
    AvpDef::new("Primary-Charging-Collection-Function-Name", 621, VENDOR_3GPP, DiameterURI, true);
pub const SECONDARY_CHARGING_COLLECTION_FUNCTION_NAME: AvpDef =
    AvpDef::new("Secondary-Charging-Collection-Function-Name", 622, VENDOR_3GPP, DiameterURI, true);
pub const USER_AUTHORIZATION_TYPE: AvpDef =
    AvpDef::new("User-Authorization-Type", 623, VENDOR_3GPP, Enumerated, true);
pub const USER_DATA_ALREADY_AVAILABLE: AvpDef =
    AvpDef::new("User-Data-Already-Available", 624, VENDOR_3GPP, Enumerated, true);
pub const SUPPORTED_APPLICATIONS: AvpDef =
    AvpDef::new("Supported-Applications", 631, VENDOR_3GPP, Grouped, false);
pub const ASSOCIATED_IDENTITIES: AvpDef =
    AvpDef::new("Associated-Identities", 632, VENDOR_3GPP, Grouped, false);
pub const ORIGINATING_REQUEST: AvpDef =
    AvpDef::new("Originating-Request", 633, VENDOR_3GPP, Enumerated, true);
// Wildcarded-Public-Identity: Wireshark calls it Wildcarded-PSI.
pub const WILDCARDED_PUBLIC_IDENTITY: AvpDef =
    AvpDef::new("Wildcarded-Public-Identity", 634, VENDOR_3GPP, UTF8String, false);
pub const SIP_DIGEST_AUTHENTICATE: AvpDef =
    AvpDef::new("SIP-Digest-Authenticate", 635, VENDOR_3GPP, Grouped, false);
pub const WILDCARDED_IMPU: AvpDef = AvpDef::new("Wildcarded-IMPU", 636, VENDOR_3GPP, UTF8String, false);
pub const UAR_FLAGS: AvpDef = AvpDef::new("UAR-Flags", 637, VENDOR_3GPP, Unsigned32, false);
pub const LOOSE_ROUTE_INDICATION: AvpDef =
    AvpDef::new("Loose-Route-Indication", 638, VENDOR_3GPP, Enumerated, false);
pub const SCSCF_RESTORATION_INFO: AvpDef =
    AvpDef::new("SCSCF-Restoration-Info", 639, VENDOR_3GPP, Grouped, false);
pub const PATH: AvpDef = AvpDef::new("Path", 640, VENDOR_3GPP, OctetString, false);
pub const CONTACT: AvpDef = AvpDef::new("Contact", 641, VENDOR_3GPP, OctetString, false);
pub const SUBSCRIPTION_INFO: AvpDef = AvpDef::new("Subscription-Info", 642, VENDOR_3GPP, Grouped, false);
pub const CALL_ID_SIP_HEADER: AvpDef =
    AvpDef::new("Call-ID-SIP-Header", 643, VENDOR_3GPP, OctetString, false);
pub const FROM_SIP_HEADER: AvpDef = AvpDef::new("From-SIP-Header", 644, VENDOR_3GPP, OctetString, false);
pub const TO_SIP_HEADER: AvpDef = AvpDef::new("To-SIP-Header", 645, VENDOR_3GPP, OctetString, false);
pub const RECORD_ROUTE: AvpDef = AvpDef::new("Record-Route", 646, VENDOR_3GPP, OctetString, false);
pub const ASSOCIATED_REGISTERED_IDENTITIES: AvpDef =
    AvpDef::new("Associated-Registered-Identities", 647, VENDOR_3GPP, Grouped, false);
pub const MULTIPLE_REGISTRATION_INDICATION: AvpDef =
    AvpDef::new("Multiple-Registration-Indication", 648, VENDOR_3GPP, Enumerated, false);
pub const RESTORATION_INFO: AvpDef = AvpDef::new("Restoration-Info", 649, VENDOR_3GPP, Grouped, false);
pub const SESSION_PRIORITY: AvpDef = AvpDef::new("Session-Priority", 650, VENDOR_3GPP, Enumerated, false);
pub const IDENTITY_WITH_EMERGENCY_REGISTRATION: AvpDef =
    AvpDef::new("Identity-with-Emergency-Registration", 651, VENDOR_3GPP, Grouped, false);
pub const PRIVILEDGED_SENDER_INDICATION: AvpDef =
    AvpDef::new("Priviledged-Sender-Indication", 652, VENDOR_3GPP, Enumerated, false);
pub const LIA_FLAGS: AvpDef = AvpDef::new("LIA-Flags", 653, VENDOR_3GPP, Unsigned32, false);
pub const INITIAL_CSEQ_SEQUENCE_NUMBER: AvpDef =
    AvpDef::new("Initial-CSeq-Sequence-Number", 654, VENDOR_3GPP, Unsigned32, false);
pub const SAR_FLAGS: AvpDef = AvpDef::new("SAR-Flags", 655, VENDOR_3GPP, Unsigned32, false);
pub const ALLOWED_WAF_WWSF_IDENTITIES: AvpDef =
    AvpDef::new("Allowed-WAF-WWSF-Identities", 656, VENDOR_3GPP, Grouped, false);
pub const WEBRTC_AUTHENTICATION_FUNCTION_NAME: AvpDef =
    AvpDef::new("WebRTC-Authentication-Function-Name", 657, VENDOR_3GPP, UTF8String, false);
pub const WEBRTC_WEB_SERVER_FUNCTION_NAME: AvpDef =
    AvpDef::new("WebRTC-Web-Server-Function-Name", 658, VENDOR_3GPP, UTF8String, false);
// RTR-Flags: not in Wireshark 4.0.17; type from TS 29.229 6.3.69.
pub const RTR_FLAGS: AvpDef = AvpDef::new("RTR-Flags", 659, VENDOR_3GPP, Unsigned32, false);

// Added in Rel-16 or later. M bit: not in the Rel-15 tables used here; set to 'must not',
// like every AVP these specs added since Rel-10 (unverified).
// P-CSCF-Subscription-Info: not in Wireshark 4.0.17; type from TS 29.229 (Rel-16).
pub const P_CSCF_SUBSCRIPTION_INFO: AvpDef =
    AvpDef::new("P-CSCF-Subscription-Info", 660, VENDOR_3GPP, Grouped, false);
// Registration-Time-Out: not in Wireshark 4.0.17; type from TS 29.229 (Rel-16).
pub const REGISTRATION_TIME_OUT: AvpDef = AvpDef::new("Registration-Time-Out", 661, VENDOR_3GPP, Time, false);
// Alternate-Digest-Algorithm: not in Wireshark 4.0.17; type from TS 29.229 (Rel-17).
pub const ALTERNATE_DIGEST_ALGORITHM: AvpDef =
    AvpDef::new("Alternate-Digest-Algorithm", 662, VENDOR_3GPP, UTF8String, false);
// Alternate-Digest-HA1: not in Wireshark 4.0.17; type from TS 29.229 (Rel-17).
pub const ALTERNATE_DIGEST_HA1: AvpDef =
    AvpDef::new("Alternate-Digest-HA1", 663, VENDOR_3GPP, UTF8String, false);
// Failed-PCSCF: not in Wireshark 4.0.17; type from TS 29.229 (Rel-17).
pub const FAILED_PCSCF: AvpDef = AvpDef::new("Failed-PCSCF", 664, VENDOR_3GPP, Grouped, false);
// PCSCF-FQDN: not in Wireshark 4.0.17; type from TS 29.229 (Rel-17).
pub const PCSCF_FQDN: AvpDef = AvpDef::new("PCSCF-FQDN", 665, VENDOR_3GPP, DiameterIdentity, false);
// PCSCF-IP-Address: not in Wireshark 4.0.17; type from TS 29.229 (Rel-17).
pub const PCSCF_IP_ADDRESS: AvpDef = AvpDef::new("PCSCF-IP-Address", 666, VENDOR_3GPP, Address, false);

// Defined by other specifications (M bits from the defining spec).
// - ETSI ES 283 035
// Line-Identifier: M bit: must not (ETSI ES 283 035 flag rules); Wireshark says may.
pub const LINE_IDENTIFIER: AvpDef = AvpDef::new("Line-Identifier", 500, VENDOR_ETSI, OctetString, false);
// - RFC 4740
pub const DIGEST_REALM: AvpDef = AvpDef::new("Digest-Realm", 104, 0, UTF8String, true);
// Digest-QoP: Wireshark calls it Digest-Qop.
pub const DIGEST_QOP: AvpDef = AvpDef::new("Digest-QoP", 110, 0, UTF8String, true);
pub const DIGEST_ALGORITHM: AvpDef = AvpDef::new("Digest-Algorithm", 111, 0, UTF8String, true);
pub const DIGEST_HA1: AvpDef = AvpDef::new("Digest-HA1", 121, 0, UTF8String, true);
// - RFC 7155
// Framed-IP-Address: Wireshark says Address; RFC 7155 4.4.10.5.1: Framed-IP-Address is OctetString
// (raw address, no Address family prefix).
pub const FRAMED_IP_ADDRESS: AvpDef = AvpDef::new("Framed-IP-Address", 8, 0, OctetString, true);
pub const FRAMED_INTERFACE_ID: AvpDef = AvpDef::new("Framed-Interface-Id", 96, 0, Unsigned64, true);
pub const FRAMED_IPV6_PREFIX: AvpDef = AvpDef::new("Framed-IPv6-Prefix", 97, 0, OctetString, true);

/// Sorted by (vendor, code).
pub static TABLE: &[AvpDef] = &[
    FRAMED_IP_ADDRESS,
    FRAMED_INTERFACE_ID,
    FRAMED_IPV6_PREFIX,
    DIGEST_REALM,
    DIGEST_QOP,
    DIGEST_ALGORITHM,
    DIGEST_HA1,
    PUBLIC_IDENTITY,
    SERVER_NAME,
    SERVER_CAPABILITIES,
    MANDATORY_CAPABILITY,
    OPTIONAL_CAPABILITY,
    USER_DATA,
    SIP_NUMBER_AUTH_ITEMS,
    SIP_AUTHENTICATION_SCHEME,
    SIP_AUTHENTICATE,
    SIP_AUTHORIZATION,
    SIP_AUTHENTICATION_CONTEXT,
    SIP_AUTH_DATA_ITEM,
    SIP_ITEM_NUMBER,
    SERVER_ASSIGNMENT_TYPE,
    DEREGISTRATION_REASON,
    REASON_CODE,
    REASON_INFO,
    CHARGING_INFORMATION,
    PRIMARY_EVENT_CHARGING_FUNCTION_NAME,
    SECONDARY_EVENT_CHARGING_FUNCTION_NAME,
    PRIMARY_CHARGING_COLLECTION_FUNCTION_NAME,
    SECONDARY_CHARGING_COLLECTION_FUNCTION_NAME,
    USER_AUTHORIZATION_TYPE,
    USER_DATA_ALREADY_AVAILABLE,
    SUPPORTED_APPLICATIONS,
    ASSOCIATED_IDENTITIES,
    ORIGINATING_REQUEST,
    WILDCARDED_PUBLIC_IDENTITY,
    SIP_DIGEST_AUTHENTICATE,
    WILDCARDED_IMPU,
    UAR_FLAGS,
    LOOSE_ROUTE_INDICATION,
    SCSCF_RESTORATION_INFO,
    PATH,
    CONTACT,
    SUBSCRIPTION_INFO,
    CALL_ID_SIP_HEADER,
    FROM_SIP_HEADER,
    TO_SIP_HEADER,
    RECORD_ROUTE,
    ASSOCIATED_REGISTERED_IDENTITIES,
    MULTIPLE_REGISTRATION_INDICATION,
    RESTORATION_INFO,
    SESSION_PRIORITY,
    IDENTITY_WITH_EMERGENCY_REGISTRATION,
    PRIVILEDGED_SENDER_INDICATION,
    LIA_FLAGS,
    INITIAL_CSEQ_SEQUENCE_NUMBER,
    SAR_FLAGS,
    ALLOWED_WAF_WWSF_IDENTITIES,
    WEBRTC_AUTHENTICATION_FUNCTION_NAME,
    WEBRTC_WEB_SERVER_FUNCTION_NAME,
    RTR_FLAGS,
    P_CSCF_SUBSCRIPTION_INFO,
    REGISTRATION_TIME_OUT,
    ALTERNATE_DIGEST_ALGORITHM,
    ALTERNATE_DIGEST_HA1,
    FAILED_PCSCF,
    PCSCF_FQDN,
    PCSCF_IP_ADDRESS,
    LINE_IDENTIFIER,
];
