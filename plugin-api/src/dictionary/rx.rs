//! Rx AVPs: 3GPP TS 29.214 section 5.3 (Table 5.3.0.1), plus the AVPs from other
//! specifications (TS 29.212, 29.061, 29.273, 32.299, RFC 4006, RFC 7155, ETSI
//! TS 183 017) that AAR/AAA, RAR/RAA, STR/STA and ASR/ASA carry.
//!
//! Max-Requested-Bandwidth-UL/DL, Extended-Max-Requested-BW-UL/DL and RAT-Type are
//! defined in [`super::s6a`]; Framed-IP-Address and Framed-IPv6-Prefix in [`super::cx`];
//! they are re-exported here.
//!
//! Generated: codes and types from Wireshark 4.0.17's Diameter dictionary, M bits from the
//! spec AVP flag tables (Rel-15; later AVPs marked); corrections are marked with comments.
//! `scripts/check_dictionary.py` re-checks every code and type against Wireshark.
//!
//! Not included: the children of Callee-Information, TWAN-User-Location-Info and its
//! children, Granted-/Used-Service-Unit (inside Sponsored-Connectivity-Data), OC-*/Load.

use super::{AvpDef, AvpType::*, VENDOR_3GPP, VENDOR_ETSI};

pub use super::cx::FRAMED_IP_ADDRESS; // Framed-IP-Address, defined in cx.rs
pub use super::cx::FRAMED_IPV6_PREFIX; // Framed-IPv6-Prefix, defined in cx.rs
pub use super::s6a::EXTENDED_MAX_REQUESTED_BW_DL; // Extended-Max-Requested-BW-DL, defined in s6a.rs
pub use super::s6a::EXTENDED_MAX_REQUESTED_BW_UL; // Extended-Max-Requested-BW-UL, defined in s6a.rs
pub use super::s6a::MAX_REQUESTED_BANDWIDTH_DL; // Max-Requested-Bandwidth-DL, defined in s6a.rs
pub use super::s6a::MAX_REQUESTED_BANDWIDTH_UL; // Max-Requested-Bandwidth-UL, defined in s6a.rs
pub use super::s6a::RAT_TYPE; // RAT-Type, defined in s6a.rs

// Defined by this specification (M bits from its Rel-15 AVP table).
pub const ABORT_CAUSE: AvpDef = AvpDef::new("Abort-Cause", 500, VENDOR_3GPP, Enumerated, true);
pub const ACCESS_NETWORK_CHARGING_ADDRESS: AvpDef =
    AvpDef::new("Access-Network-Charging-Address", 501, VENDOR_3GPP, Address, true);
pub const ACCESS_NETWORK_CHARGING_IDENTIFIER: AvpDef =
    AvpDef::new("Access-Network-Charging-Identifier", 502, VENDOR_3GPP, Grouped, true);
pub const ACCESS_NETWORK_CHARGING_IDENTIFIER_VALUE: AvpDef =
    AvpDef::new("Access-Network-Charging-Identifier-Value", 503, VENDOR_3GPP, OctetString, true);
pub const AF_APPLICATION_IDENTIFIER: AvpDef =
    AvpDef::new("AF-Application-Identifier", 504, VENDOR_3GPP, OctetString, true);
pub const AF_CHARGING_IDENTIFIER: AvpDef =
    AvpDef::new("AF-Charging-Identifier", 505, VENDOR_3GPP, OctetString, true);
pub const FLOW_DESCRIPTION: AvpDef = AvpDef::new("Flow-Description", 507, VENDOR_3GPP, IPFilterRule, true);
pub const FLOW_NUMBER: AvpDef = AvpDef::new("Flow-Number", 509, VENDOR_3GPP, Unsigned32, true);
pub const FLOWS: AvpDef = AvpDef::new("Flows", 510, VENDOR_3GPP, Grouped, true);
pub const FLOW_STATUS: AvpDef = AvpDef::new("Flow-Status", 511, VENDOR_3GPP, Enumerated, true);
pub const FLOW_USAGE: AvpDef = AvpDef::new("Flow-Usage", 512, VENDOR_3GPP, Enumerated, true);
pub const SPECIFIC_ACTION: AvpDef = AvpDef::new("Specific-Action", 513, VENDOR_3GPP, Enumerated, true);
pub const MEDIA_COMPONENT_DESCRIPTION: AvpDef =
    AvpDef::new("Media-Component-Description", 517, VENDOR_3GPP, Grouped, true);
pub const MEDIA_COMPONENT_NUMBER: AvpDef =
    AvpDef::new("Media-Component-Number", 518, VENDOR_3GPP, Unsigned32, true);
pub const MEDIA_SUB_COMPONENT: AvpDef = AvpDef::new("Media-Sub-Component", 519, VENDOR_3GPP, Grouped, true);
pub const MEDIA_TYPE: AvpDef = AvpDef::new("Media-Type", 520, VENDOR_3GPP, Enumerated, true);
pub const RR_BANDWIDTH: AvpDef = AvpDef::new("RR-Bandwidth", 521, VENDOR_3GPP, Unsigned32, true);
pub const RS_BANDWIDTH: AvpDef = AvpDef::new("RS-Bandwidth", 522, VENDOR_3GPP, Unsigned32, true);
pub const SIP_FORKING_INDICATION: AvpDef =
    AvpDef::new("SIP-Forking-Indication", 523, VENDOR_3GPP, Enumerated, true);
// Codec-Data: Wireshark says UTF8String; TS 29.214 5.3.7 defines Codec-Data as OctetString.
pub const CODEC_DATA: AvpDef = AvpDef::new("Codec-Data", 524, VENDOR_3GPP, OctetString, true);
pub const SERVICE_URN: AvpDef = AvpDef::new("Service-URN", 525, VENDOR_3GPP, OctetString, true);
pub const ACCEPTABLE_SERVICE_INFO: AvpDef =
    AvpDef::new("Acceptable-Service-Info", 526, VENDOR_3GPP, Grouped, true);
pub const SERVICE_INFO_STATUS: AvpDef =
    AvpDef::new("Service-Info-Status", 527, VENDOR_3GPP, Enumerated, true);
pub const MPS_IDENTIFIER: AvpDef = AvpDef::new("MPS-Identifier", 528, VENDOR_3GPP, OctetString, false);
pub const AF_SIGNALLING_PROTOCOL: AvpDef =
    AvpDef::new("AF-Signalling-Protocol", 529, VENDOR_3GPP, Enumerated, false);
pub const SPONSORED_CONNECTIVITY_DATA: AvpDef =
    AvpDef::new("Sponsored-Connectivity-Data", 530, VENDOR_3GPP, Grouped, false);
pub const SPONSOR_IDENTITY: AvpDef = AvpDef::new("Sponsor-Identity", 531, VENDOR_3GPP, UTF8String, false);
pub const APPLICATION_SERVICE_PROVIDER_IDENTITY: AvpDef =
    AvpDef::new("Application-Service-Provider-Identity", 532, VENDOR_3GPP, UTF8String, false);
pub const RX_REQUEST_TYPE: AvpDef = AvpDef::new("Rx-Request-Type", 533, VENDOR_3GPP, Enumerated, false);
pub const MIN_REQUESTED_BANDWIDTH_DL: AvpDef =
    AvpDef::new("Min-Requested-Bandwidth-DL", 534, VENDOR_3GPP, Unsigned32, false);
pub const MIN_REQUESTED_BANDWIDTH_UL: AvpDef =
    AvpDef::new("Min-Requested-Bandwidth-UL", 535, VENDOR_3GPP, Unsigned32, false);
pub const REQUIRED_ACCESS_INFO: AvpDef =
    AvpDef::new("Required-Access-Info", 536, VENDOR_3GPP, Enumerated, false);
pub const IP_DOMAIN_ID: AvpDef = AvpDef::new("IP-Domain-Id", 537, VENDOR_3GPP, OctetString, false);
pub const GCS_IDENTIFIER: AvpDef = AvpDef::new("GCS-Identifier", 538, VENDOR_3GPP, OctetString, false);
pub const SHARING_KEY_DL: AvpDef = AvpDef::new("Sharing-Key-DL", 539, VENDOR_3GPP, Unsigned32, false);
pub const SHARING_KEY_UL: AvpDef = AvpDef::new("Sharing-Key-UL", 540, VENDOR_3GPP, Unsigned32, false);
pub const RETRY_INTERVAL: AvpDef = AvpDef::new("Retry-Interval", 541, VENDOR_3GPP, Unsigned32, false);
pub const SPONSORING_ACTION: AvpDef = AvpDef::new("Sponsoring-Action", 542, VENDOR_3GPP, Enumerated, false);
pub const MAX_SUPPORTED_BANDWIDTH_DL: AvpDef =
    AvpDef::new("Max-Supported-Bandwidth-DL", 543, VENDOR_3GPP, Unsigned32, false);
pub const MAX_SUPPORTED_BANDWIDTH_UL: AvpDef =
    AvpDef::new("Max-Supported-Bandwidth-UL", 544, VENDOR_3GPP, Unsigned32, false);
pub const MIN_DESIRED_BANDWIDTH_DL: AvpDef =
    AvpDef::new("Min-Desired-Bandwidth-DL", 545, VENDOR_3GPP, Unsigned32, false);
pub const MIN_DESIRED_BANDWIDTH_UL: AvpDef =
    AvpDef::new("Min-Desired-Bandwidth-UL", 546, VENDOR_3GPP, Unsigned32, false);
pub const MCPTT_IDENTIFIER: AvpDef = AvpDef::new("MCPTT-Identifier", 547, VENDOR_3GPP, OctetString, false);
pub const SERVICE_AUTHORIZATION_INFO: AvpDef =
    AvpDef::new("Service-Authorization-Info", 548, VENDOR_3GPP, Unsigned32, false);
// Media-Component-Status: not in Wireshark 4.0.17; type from TS 29.214 5.3.48.
pub const MEDIA_COMPONENT_STATUS: AvpDef =
    AvpDef::new("Media-Component-Status", 549, VENDOR_3GPP, Unsigned32, false);
pub const PRIORITY_SHARING_INDICATOR: AvpDef =
    AvpDef::new("Priority-Sharing-Indicator", 550, VENDOR_3GPP, Enumerated, false);
pub const AF_REQUESTED_DATA: AvpDef = AvpDef::new("AF-Requested-Data", 551, VENDOR_3GPP, Unsigned32, false);
pub const CONTENT_VERSION: AvpDef = AvpDef::new("Content-Version", 552, VENDOR_3GPP, Unsigned64, false);
pub const PRE_EMPTION_CONTROL_INFO: AvpDef =
    AvpDef::new("Pre-emption-Control-Info", 553, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MAX_SUPPORTED_BW_DL: AvpDef =
    AvpDef::new("Extended-Max-Supported-BW-DL", 556, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MAX_SUPPORTED_BW_UL: AvpDef =
    AvpDef::new("Extended-Max-Supported-BW-UL", 557, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MIN_DESIRED_BW_DL: AvpDef =
    AvpDef::new("Extended-Min-Desired-BW-DL", 558, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MIN_DESIRED_BW_UL: AvpDef =
    AvpDef::new("Extended-Min-Desired-BW-UL", 559, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MIN_REQUESTED_BW_DL: AvpDef =
    AvpDef::new("Extended-Min-Requested-BW-DL", 560, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MIN_REQUESTED_BW_UL: AvpDef =
    AvpDef::new("Extended-Min-Requested-BW-UL", 561, VENDOR_3GPP, Unsigned32, false);
pub const MCVIDEO_IDENTIFIER: AvpDef =
    AvpDef::new("MCVideo-Identifier", 562, VENDOR_3GPP, OctetString, false);
// IMS-Content-Identifier: M bit: blank in the Rel-15 table; must not assumed (uncertain).
pub const IMS_CONTENT_IDENTIFIER: AvpDef =
    AvpDef::new("IMS-Content-Identifier", 563, VENDOR_3GPP, OctetString, false);
// IMS-Content-Type: M bit: blank in the Rel-15 table; must not assumed (uncertain).
pub const IMS_CONTENT_TYPE: AvpDef = AvpDef::new("IMS-Content-Type", 564, VENDOR_3GPP, Enumerated, false);

// Added in Rel-16 or later. M bit: not in the Rel-15 tables used here; set to 'must not',
// like every AVP these specs added since Rel-10 (unverified).
// Callee-Information: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const CALLEE_INFORMATION: AvpDef = AvpDef::new("Callee-Information", 565, VENDOR_3GPP, Grouped, false);
// FLUS-Identifier: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const FLUS_IDENTIFIER: AvpDef = AvpDef::new("FLUS-Identifier", 566, VENDOR_3GPP, OctetString, false);
// Desired-Max-Latency: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const DESIRED_MAX_LATENCY: AvpDef = AvpDef::new("Desired-Max-Latency", 567, VENDOR_3GPP, Float32, false);
// Desired-Max-Loss: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const DESIRED_MAX_LOSS: AvpDef = AvpDef::new("Desired-Max-Loss", 568, VENDOR_3GPP, Float32, false);
// NID: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const NID: AvpDef = AvpDef::new("NID", 569, VENDOR_3GPP, OctetString, false);
// MA-Information: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const MA_INFORMATION: AvpDef = AvpDef::new("MA-Information", 570, VENDOR_3GPP, Grouped, false);
// MA-Information-Action: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const MA_INFORMATION_ACTION: AvpDef =
    AvpDef::new("MA-Information-Action", 571, VENDOR_3GPP, Unsigned32, false);
// 5GS-RAN-NAS-Release-Cause: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const FIVE_GS_RAN_NAS_RELEASE_CAUSE: AvpDef =
    AvpDef::new("5GS-RAN-NAS-Release-Cause", 572, VENDOR_3GPP, Grouped, false);
// 5GMM-Cause: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const FIVE_GMM_CAUSE: AvpDef = AvpDef::new("5GMM-Cause", 573, VENDOR_3GPP, Unsigned32, false);
// 5GSM-Cause: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const FIVE_GSM_CAUSE: AvpDef = AvpDef::new("5GSM-Cause", 574, VENDOR_3GPP, Unsigned32, false);
// NGAP-Cause: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const NGAP_CAUSE: AvpDef = AvpDef::new("NGAP-Cause", 575, VENDOR_3GPP, Grouped, false);
// NGAP-Group: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const NGAP_GROUP: AvpDef = AvpDef::new("NGAP-Group", 576, VENDOR_3GPP, Unsigned32, false);
// NGAP-Value: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const NGAP_VALUE: AvpDef = AvpDef::new("NGAP-Value", 577, VENDOR_3GPP, Unsigned32, false);
// Wireline-User-Location-Info: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const WIRELINE_USER_LOCATION_INFO: AvpDef =
    AvpDef::new("Wireline-User-Location-Info", 578, VENDOR_3GPP, Grouped, false);
// HFC-Node-Identifier: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const HFC_NODE_IDENTIFIER: AvpDef =
    AvpDef::new("HFC-Node-Identifier", 579, VENDOR_3GPP, OctetString, false);
// GLI-Identifier: not in Wireshark 4.0.17; type from TS 29.214 (Rel-16).
pub const GLI_IDENTIFIER: AvpDef = AvpDef::new("GLI-Identifier", 580, VENDOR_3GPP, OctetString, false);
// Line-Type: not in Wireshark 4.0.17; type from TS 29.214 5.3.78 (Rel-16).
pub const LINE_TYPE: AvpDef = AvpDef::new("Line-Type", 581, VENDOR_3GPP, Unsigned32, false);
// MPS-Action: not in Wireshark 4.0.17; type from TS 29.214 (Rel-17).
pub const MPS_ACTION: AvpDef = AvpDef::new("MPS-Action", 582, VENDOR_3GPP, Enumerated, false);

// Defined by other specifications (M bits from the defining spec).
// - ETSI TS 183 017
// Reservation-Priority: M bit: ETSI TS 183 017 flag rule not verified; Wireshark says must-not
// (uncertain).
pub const RESERVATION_PRIORITY: AvpDef =
    AvpDef::new("Reservation-Priority", 458, VENDOR_ETSI, Enumerated, false);
// - RFC 4006
pub const SUBSCRIPTION_ID: AvpDef = AvpDef::new("Subscription-Id", 443, 0, Grouped, true);
pub const SUBSCRIPTION_ID_DATA: AvpDef = AvpDef::new("Subscription-Id-Data", 444, 0, UTF8String, true);
pub const SUBSCRIPTION_ID_TYPE: AvpDef = AvpDef::new("Subscription-Id-Type", 450, 0, Enumerated, true);
// - RFC 7155
pub const CALLED_STATION_ID: AvpDef = AvpDef::new("Called-Station-Id", 30, 0, UTF8String, true);
// - TS 29.061
pub const TGPP_SGSN_MCC_MNC: AvpDef = AvpDef::new("3GPP-SGSN-MCC-MNC", 18, VENDOR_3GPP, UTF8String, true);
pub const TGPP_USER_LOCATION_INFO: AvpDef =
    AvpDef::new("3GPP-User-Location-Info", 22, VENDOR_3GPP, OctetString, true);
pub const TGPP_MS_TIMEZONE: AvpDef = AvpDef::new("3GPP-MS-TimeZone", 23, VENDOR_3GPP, OctetString, true);
// - TS 29.212
pub const TOS_TRAFFIC_CLASS: AvpDef = AvpDef::new("ToS-Traffic-Class", 1014, VENDOR_3GPP, OctetString, true);
pub const IP_CAN_TYPE: AvpDef = AvpDef::new("IP-CAN-Type", 1027, VENDOR_3GPP, Enumerated, true);
pub const AN_GW_ADDRESS: AvpDef = AvpDef::new("AN-GW-Address", 1050, VENDOR_3GPP, Address, false);
pub const UE_LOCAL_IP_ADDRESS: AvpDef = AvpDef::new("UE-Local-IP-Address", 2805, VENDOR_3GPP, Address, false);
pub const UDP_SOURCE_PORT: AvpDef = AvpDef::new("UDP-Source-Port", 2806, VENDOR_3GPP, Unsigned32, false);
pub const USER_LOCATION_INFO_TIME: AvpDef =
    AvpDef::new("User-Location-Info-Time", 2812, VENDOR_3GPP, Time, false);
pub const RAN_NAS_RELEASE_CAUSE: AvpDef =
    AvpDef::new("RAN-NAS-Release-Cause", 2819, VENDOR_3GPP, OctetString, false);
// NetLoc-Access-Support: Wireshark says Enumerated; TS 29.212 5.3.111 defines NetLoc-Access-Support
// as Unsigned32.
pub const NETLOC_ACCESS_SUPPORT: AvpDef =
    AvpDef::new("NetLoc-Access-Support", 2824, VENDOR_3GPP, Unsigned32, false);
// TCP-Source-Port: not in Wireshark 4.0.17; type from TS 29.212 5.3.129.
pub const TCP_SOURCE_PORT: AvpDef = AvpDef::new("TCP-Source-Port", 2843, VENDOR_3GPP, Unsigned32, false);
// Max-PLR-DL: Wireshark says Float32; TS 29.212 5.3.138 (AVP table and current clause text) defines
// Max-PLR-DL as Unsigned32.
pub const MAX_PLR_DL: AvpDef = AvpDef::new("Max-PLR-DL", 2852, VENDOR_3GPP, Unsigned32, false);
// Max-PLR-UL: Wireshark says Float32; TS 29.212 5.3.139 defines Max-PLR-UL as Unsigned32 (see
// Max-PLR-DL).
pub const MAX_PLR_UL: AvpDef = AvpDef::new("Max-PLR-UL", 2853, VENDOR_3GPP, Unsigned32, false);
// - TS 29.273
pub const AN_TRUSTED: AvpDef = AvpDef::new("AN-Trusted", 1503, VENDOR_3GPP, Enumerated, true);
// - TS 32.299
pub const EVENT_CHARGING_TIMESTAMP: AvpDef =
    AvpDef::new("Event-Charging-TimeStamp", 1258, VENDOR_3GPP, Time, true);

/// Sorted by (vendor, code).
pub static TABLE: &[AvpDef] = &[
    CALLED_STATION_ID,
    SUBSCRIPTION_ID,
    SUBSCRIPTION_ID_DATA,
    SUBSCRIPTION_ID_TYPE,
    TGPP_SGSN_MCC_MNC,
    TGPP_USER_LOCATION_INFO,
    TGPP_MS_TIMEZONE,
    ABORT_CAUSE,
    ACCESS_NETWORK_CHARGING_ADDRESS,
    ACCESS_NETWORK_CHARGING_IDENTIFIER,
    ACCESS_NETWORK_CHARGING_IDENTIFIER_VALUE,
    AF_APPLICATION_IDENTIFIER,
    AF_CHARGING_IDENTIFIER,
    FLOW_DESCRIPTION,
    FLOW_NUMBER,
    FLOWS,
    FLOW_STATUS,
    FLOW_USAGE,
    SPECIFIC_ACTION,
    MEDIA_COMPONENT_DESCRIPTION,
    MEDIA_COMPONENT_NUMBER,
    MEDIA_SUB_COMPONENT,
    MEDIA_TYPE,
    RR_BANDWIDTH,
    RS_BANDWIDTH,
    SIP_FORKING_INDICATION,
    CODEC_DATA,
    SERVICE_URN,
    ACCEPTABLE_SERVICE_INFO,
    SERVICE_INFO_STATUS,
    MPS_IDENTIFIER,
    AF_SIGNALLING_PROTOCOL,
    SPONSORED_CONNECTIVITY_DATA,
    SPONSOR_IDENTITY,
    APPLICATION_SERVICE_PROVIDER_IDENTITY,
    RX_REQUEST_TYPE,
    MIN_REQUESTED_BANDWIDTH_DL,
    MIN_REQUESTED_BANDWIDTH_UL,
    REQUIRED_ACCESS_INFO,
    IP_DOMAIN_ID,
    GCS_IDENTIFIER,
    SHARING_KEY_DL,
    SHARING_KEY_UL,
    RETRY_INTERVAL,
    SPONSORING_ACTION,
    MAX_SUPPORTED_BANDWIDTH_DL,
    MAX_SUPPORTED_BANDWIDTH_UL,
    MIN_DESIRED_BANDWIDTH_DL,
    MIN_DESIRED_BANDWIDTH_UL,
    MCPTT_IDENTIFIER,
    SERVICE_AUTHORIZATION_INFO,
    MEDIA_COMPONENT_STATUS,
    PRIORITY_SHARING_INDICATOR,
    AF_REQUESTED_DATA,
    CONTENT_VERSION,
    PRE_EMPTION_CONTROL_INFO,
    EXTENDED_MAX_SUPPORTED_BW_DL,
    EXTENDED_MAX_SUPPORTED_BW_UL,
    EXTENDED_MIN_DESIRED_BW_DL,
    EXTENDED_MIN_DESIRED_BW_UL,
    EXTENDED_MIN_REQUESTED_BW_DL,
    EXTENDED_MIN_REQUESTED_BW_UL,
    MCVIDEO_IDENTIFIER,
    IMS_CONTENT_IDENTIFIER,
    IMS_CONTENT_TYPE,
    CALLEE_INFORMATION,
    FLUS_IDENTIFIER,
    DESIRED_MAX_LATENCY,
    DESIRED_MAX_LOSS,
    NID,
    MA_INFORMATION,
    MA_INFORMATION_ACTION,
    FIVE_GS_RAN_NAS_RELEASE_CAUSE,
    FIVE_GMM_CAUSE,
    FIVE_GSM_CAUSE,
    NGAP_CAUSE,
    NGAP_GROUP,
    NGAP_VALUE,
    WIRELINE_USER_LOCATION_INFO,
    HFC_NODE_IDENTIFIER,
    GLI_IDENTIFIER,
    LINE_TYPE,
    MPS_ACTION,
    TOS_TRAFFIC_CLASS,
    IP_CAN_TYPE,
    AN_GW_ADDRESS,
    EVENT_CHARGING_TIMESTAMP,
    AN_TRUSTED,
    UE_LOCAL_IP_ADDRESS,
    UDP_SOURCE_PORT,
    USER_LOCATION_INFO_TIME,
    RAN_NAS_RELEASE_CAUSE,
    NETLOC_ACCESS_SUPPORT,
    TCP_SOURCE_PORT,
    MAX_PLR_DL,
    MAX_PLR_UL,
    RESERVATION_PRIORITY,
];
