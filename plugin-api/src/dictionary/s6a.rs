//! S6a/S6d AVPs: 3GPP TS 29.272 section 7.3 (Table 7.3.1/1), plus the AVPs defined in
//! other specifications that S6a/S6d messages carry (Table 7.3.1/2 and the children of the
//! grouped AVPs: TS 29.212, 29.214, 29.229, 29.329, 29.061, 29.173, 29.217, 29.336, 32.299,
//! RFC 4004, RFC 5447, RFC 5778, RFC 7944).
//!
//! AVPs that Cx, Sh or Rx also carry (Visited-Network-Identifier, Confidentiality-Key,
//! Integrity-Key, Supported-Features, Feature-List-ID, Feature-List, MSISDN,
//! Max-Requested-Bandwidth-UL/DL, Extended-Max-Requested-BW-UL/DL, RAT-Type,
//! External-Identifier) are defined here, the first table [`super::lookup`] searches, and
//! re-exported from the other modules.
//!
//! Generated: codes and types from Wireshark 4.0.17's Diameter dictionary, M bits from the
//! spec AVP flag tables (Rel-15; later AVPs marked); corrections are marked with comments.
//! `scripts/check_dictionary.py` re-checks every code and type against Wireshark.
//!
//! Not included: the TS 29.336 monitoring (MONTE/AESE) and TS 29.344 ProSe AVPs, OC-*/Load,
//! and Requesting-Node-Type (1455, dropped from Table 7.3.1/1).

use super::{AvpDef, AvpType::*, VENDOR_3GPP};

// Defined by this specification (M bits from its Rel-15 AVP table).
pub const SUBSCRIPTION_DATA: AvpDef = AvpDef::new("Subscription-Data", 1400, VENDOR_3GPP, Grouped, true);
pub const TERMINAL_INFORMATION: AvpDef =
    AvpDef::new("Terminal-Information", 1401, VENDOR_3GPP, Grouped, true);
pub const IMEI: AvpDef = AvpDef::new("IMEI", 1402, VENDOR_3GPP, UTF8String, true);
pub const SOFTWARE_VERSION: AvpDef = AvpDef::new("Software-Version", 1403, VENDOR_3GPP, UTF8String, true);
pub const QOS_SUBSCRIBED: AvpDef = AvpDef::new("QoS-Subscribed", 1404, VENDOR_3GPP, OctetString, true);
pub const ULR_FLAGS: AvpDef = AvpDef::new("ULR-Flags", 1405, VENDOR_3GPP, Unsigned32, true);
pub const ULA_FLAGS: AvpDef = AvpDef::new("ULA-Flags", 1406, VENDOR_3GPP, Unsigned32, true);
pub const VISITED_PLMN_ID: AvpDef = AvpDef::new("Visited-PLMN-Id", 1407, VENDOR_3GPP, OctetString, true);
pub const REQUESTED_EUTRAN_AUTHENTICATION_INFO: AvpDef =
    AvpDef::new("Requested-EUTRAN-Authentication-Info", 1408, VENDOR_3GPP, Grouped, true);
pub const REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO: AvpDef =
    AvpDef::new("Requested-UTRAN-GERAN-Authentication-Info", 1409, VENDOR_3GPP, Grouped, true);
pub const NUMBER_OF_REQUESTED_VECTORS: AvpDef =
    AvpDef::new("Number-Of-Requested-Vectors", 1410, VENDOR_3GPP, Unsigned32, true);
pub const RE_SYNCHRONIZATION_INFO: AvpDef =
    AvpDef::new("Re-Synchronization-Info", 1411, VENDOR_3GPP, OctetString, true);
pub const IMMEDIATE_RESPONSE_PREFERRED: AvpDef =
    AvpDef::new("Immediate-Response-Preferred", 1412, VENDOR_3GPP, Unsigned32, true);
pub const AUTHENTICATION_INFO: AvpDef = AvpDef::new("Authentication-Info", 1413, VENDOR_3GPP, Grouped, true);
pub const E_UTRAN_VECTOR: AvpDef = AvpDef::new("E-UTRAN-Vector", 1414, VENDOR_3GPP, Grouped, true);
pub const UTRAN_VECTOR: AvpDef = AvpDef::new("UTRAN-Vector", 1415, VENDOR_3GPP, Grouped, true);
pub const GERAN_VECTOR: AvpDef = AvpDef::new("GERAN-Vector", 1416, VENDOR_3GPP, Grouped, true);
pub const NETWORK_ACCESS_MODE: AvpDef =
    AvpDef::new("Network-Access-Mode", 1417, VENDOR_3GPP, Enumerated, true);
pub const HPLMN_ODB: AvpDef = AvpDef::new("HPLMN-ODB", 1418, VENDOR_3GPP, Unsigned32, true);
pub const ITEM_NUMBER: AvpDef = AvpDef::new("Item-Number", 1419, VENDOR_3GPP, Unsigned32, true);
pub const CANCELLATION_TYPE: AvpDef = AvpDef::new("Cancellation-Type", 1420, VENDOR_3GPP, Enumerated, true);
pub const DSR_FLAGS: AvpDef = AvpDef::new("DSR-Flags", 1421, VENDOR_3GPP, Unsigned32, true);
pub const DSA_FLAGS: AvpDef = AvpDef::new("DSA-Flags", 1422, VENDOR_3GPP, Unsigned32, true);
pub const CONTEXT_IDENTIFIER: AvpDef = AvpDef::new("Context-Identifier", 1423, VENDOR_3GPP, Unsigned32, true);
pub const SUBSCRIBER_STATUS: AvpDef = AvpDef::new("Subscriber-Status", 1424, VENDOR_3GPP, Enumerated, true);
pub const OPERATOR_DETERMINED_BARRING: AvpDef =
    AvpDef::new("Operator-Determined-Barring", 1425, VENDOR_3GPP, Unsigned32, true);
pub const ACCESS_RESTRICTION_DATA: AvpDef =
    AvpDef::new("Access-Restriction-Data", 1426, VENDOR_3GPP, Unsigned32, true);
pub const APN_OI_REPLACEMENT: AvpDef = AvpDef::new("APN-OI-Replacement", 1427, VENDOR_3GPP, UTF8String, true);
pub const ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR: AvpDef =
    AvpDef::new("All-APN-Configurations-Included-Indicator", 1428, VENDOR_3GPP, Enumerated, true);
pub const APN_CONFIGURATION_PROFILE: AvpDef =
    AvpDef::new("APN-Configuration-Profile", 1429, VENDOR_3GPP, Grouped, true);
pub const APN_CONFIGURATION: AvpDef = AvpDef::new("APN-Configuration", 1430, VENDOR_3GPP, Grouped, true);
pub const EPS_SUBSCRIBED_QOS_PROFILE: AvpDef =
    AvpDef::new("EPS-Subscribed-QoS-Profile", 1431, VENDOR_3GPP, Grouped, true);
pub const VPLMN_DYNAMIC_ADDRESS_ALLOWED: AvpDef =
    AvpDef::new("VPLMN-Dynamic-Address-Allowed", 1432, VENDOR_3GPP, Enumerated, true);
pub const STN_SR: AvpDef = AvpDef::new("STN-SR", 1433, VENDOR_3GPP, OctetString, true);
pub const ALERT_REASON: AvpDef = AvpDef::new("Alert-Reason", 1434, VENDOR_3GPP, Enumerated, true);
pub const AMBR: AvpDef = AvpDef::new("AMBR", 1435, VENDOR_3GPP, Grouped, true);
pub const CSG_SUBSCRIPTION_DATA: AvpDef =
    AvpDef::new("CSG-Subscription-Data", 1436, VENDOR_3GPP, Grouped, true);
pub const CSG_ID: AvpDef = AvpDef::new("CSG-Id", 1437, VENDOR_3GPP, Unsigned32, true);
pub const PDN_GW_ALLOCATION_TYPE: AvpDef =
    AvpDef::new("PDN-GW-Allocation-Type", 1438, VENDOR_3GPP, Enumerated, true);
pub const EXPIRATION_DATE: AvpDef = AvpDef::new("Expiration-Date", 1439, VENDOR_3GPP, Time, true);
pub const RAT_FREQUENCY_SELECTION_PRIORITY_ID: AvpDef =
    AvpDef::new("RAT-Frequency-Selection-Priority-ID", 1440, VENDOR_3GPP, Unsigned32, true);
pub const IDA_FLAGS: AvpDef = AvpDef::new("IDA-Flags", 1441, VENDOR_3GPP, Unsigned32, true);
pub const PUA_FLAGS: AvpDef = AvpDef::new("PUA-Flags", 1442, VENDOR_3GPP, Unsigned32, true);
pub const NOR_FLAGS: AvpDef = AvpDef::new("NOR-Flags", 1443, VENDOR_3GPP, Unsigned32, true);
pub const USER_ID: AvpDef = AvpDef::new("User-Id", 1444, VENDOR_3GPP, UTF8String, false);
pub const EQUIPMENT_STATUS: AvpDef = AvpDef::new("Equipment-Status", 1445, VENDOR_3GPP, Enumerated, true);
pub const REGIONAL_SUBSCRIPTION_ZONE_CODE: AvpDef =
    AvpDef::new("Regional-Subscription-Zone-Code", 1446, VENDOR_3GPP, OctetString, true);
pub const RAND: AvpDef = AvpDef::new("RAND", 1447, VENDOR_3GPP, OctetString, true);
pub const XRES: AvpDef = AvpDef::new("XRES", 1448, VENDOR_3GPP, OctetString, true);
pub const AUTN: AvpDef = AvpDef::new("AUTN", 1449, VENDOR_3GPP, OctetString, true);
pub const KASME: AvpDef = AvpDef::new("KASME", 1450, VENDOR_3GPP, OctetString, true);
pub const TRACE_COLLECTION_ENTITY: AvpDef =
    AvpDef::new("Trace-Collection-Entity", 1452, VENDOR_3GPP, Address, true);
pub const KC: AvpDef = AvpDef::new("Kc", 1453, VENDOR_3GPP, OctetString, true);
pub const SRES: AvpDef = AvpDef::new("SRES", 1454, VENDOR_3GPP, OctetString, true);
pub const PDN_TYPE: AvpDef = AvpDef::new("PDN-Type", 1456, VENDOR_3GPP, Enumerated, true);
pub const ROAMING_RESTRICTED_DUE_TO_UNSUPPORTED_FEATURE: AvpDef =
    AvpDef::new("Roaming-Restricted-Due-To-Unsupported-Feature", 1457, VENDOR_3GPP, Enumerated, true);
pub const TRACE_DATA: AvpDef = AvpDef::new("Trace-Data", 1458, VENDOR_3GPP, Grouped, true);
pub const TRACE_REFERENCE: AvpDef = AvpDef::new("Trace-Reference", 1459, VENDOR_3GPP, OctetString, true);
pub const TRACE_DEPTH: AvpDef = AvpDef::new("Trace-Depth", 1462, VENDOR_3GPP, Enumerated, true);
pub const TRACE_NE_TYPE_LIST: AvpDef =
    AvpDef::new("Trace-NE-Type-List", 1463, VENDOR_3GPP, OctetString, true);
pub const TRACE_INTERFACE_LIST: AvpDef =
    AvpDef::new("Trace-Interface-List", 1464, VENDOR_3GPP, OctetString, true);
pub const TRACE_EVENT_LIST: AvpDef = AvpDef::new("Trace-Event-List", 1465, VENDOR_3GPP, OctetString, true);
pub const OMC_ID: AvpDef = AvpDef::new("OMC-Id", 1466, VENDOR_3GPP, OctetString, true);
pub const GPRS_SUBSCRIPTION_DATA: AvpDef =
    AvpDef::new("GPRS-Subscription-Data", 1467, VENDOR_3GPP, Grouped, true);
pub const COMPLETE_DATA_LIST_INCLUDED_INDICATOR: AvpDef =
    AvpDef::new("Complete-Data-List-Included-Indicator", 1468, VENDOR_3GPP, Enumerated, true);
pub const PDP_CONTEXT: AvpDef = AvpDef::new("PDP-Context", 1469, VENDOR_3GPP, Grouped, true);
pub const PDP_TYPE: AvpDef = AvpDef::new("PDP-Type", 1470, VENDOR_3GPP, OctetString, true);
pub const TGPP2_MEID: AvpDef = AvpDef::new("3GPP2-MEID", 1471, VENDOR_3GPP, OctetString, true);
pub const SPECIFIC_APN_INFO: AvpDef = AvpDef::new("Specific-APN-Info", 1472, VENDOR_3GPP, Grouped, true);
pub const LCS_INFO: AvpDef = AvpDef::new("LCS-Info", 1473, VENDOR_3GPP, Grouped, true);
pub const GMLC_NUMBER: AvpDef = AvpDef::new("GMLC-Number", 1474, VENDOR_3GPP, OctetString, true);
pub const LCS_PRIVACYEXCEPTION: AvpDef =
    AvpDef::new("LCS-PrivacyException", 1475, VENDOR_3GPP, Grouped, true);
pub const SS_CODE: AvpDef = AvpDef::new("SS-Code", 1476, VENDOR_3GPP, OctetString, true);
pub const SS_STATUS: AvpDef = AvpDef::new("SS-Status", 1477, VENDOR_3GPP, OctetString, true);
pub const NOTIFICATION_TO_UE_USER: AvpDef =
    AvpDef::new("Notification-To-UE-User", 1478, VENDOR_3GPP, Enumerated, true);
pub const EXTERNAL_CLIENT: AvpDef = AvpDef::new("External-Client", 1479, VENDOR_3GPP, Grouped, true);
pub const CLIENT_IDENTITY: AvpDef = AvpDef::new("Client-Identity", 1480, VENDOR_3GPP, OctetString, true);
pub const GMLC_RESTRICTION: AvpDef = AvpDef::new("GMLC-Restriction", 1481, VENDOR_3GPP, Enumerated, true);
pub const PLMN_CLIENT: AvpDef = AvpDef::new("PLMN-Client", 1482, VENDOR_3GPP, Enumerated, true);
// Service-Type: Wireshark calls it 3GPP-Service-Type.
pub const SERVICE_TYPE: AvpDef = AvpDef::new("Service-Type", 1483, VENDOR_3GPP, Grouped, true);
pub const SERVICETYPEIDENTITY: AvpDef =
    AvpDef::new("ServiceTypeIdentity", 1484, VENDOR_3GPP, Unsigned32, true);
pub const MO_LR: AvpDef = AvpDef::new("MO-LR", 1485, VENDOR_3GPP, Grouped, true);
pub const TELESERVICE_LIST: AvpDef = AvpDef::new("Teleservice-List", 1486, VENDOR_3GPP, Grouped, true);
pub const TS_CODE: AvpDef = AvpDef::new("TS-Code", 1487, VENDOR_3GPP, OctetString, true);
// Call-Barring-Info: Wireshark calls it Call-Barring-Infor-List.
pub const CALL_BARRING_INFO: AvpDef = AvpDef::new("Call-Barring-Info", 1488, VENDOR_3GPP, Grouped, true);
pub const SGSN_NUMBER: AvpDef = AvpDef::new("SGSN-Number", 1489, VENDOR_3GPP, OctetString, true);
pub const IDR_FLAGS: AvpDef = AvpDef::new("IDR-Flags", 1490, VENDOR_3GPP, Unsigned32, true);
pub const ICS_INDICATOR: AvpDef = AvpDef::new("ICS-Indicator", 1491, VENDOR_3GPP, Enumerated, false);
pub const IMS_VOICE_OVER_PS_SESSIONS_SUPPORTED: AvpDef =
    AvpDef::new("IMS-Voice-Over-PS-Sessions-Supported", 1492, VENDOR_3GPP, Enumerated, false);
pub const HOMOGENEOUS_SUPPORT_OF_IMS_VOICE_OVER_PS_SESSIONS: AvpDef =
    AvpDef::new("Homogeneous-Support-of-IMS-Voice-Over-PS-Sessions", 1493, VENDOR_3GPP, Enumerated, false);
pub const LAST_UE_ACTIVITY_TIME: AvpDef =
    AvpDef::new("Last-UE-Activity-Time", 1494, VENDOR_3GPP, Time, false);
pub const EPS_USER_STATE: AvpDef = AvpDef::new("EPS-User-State", 1495, VENDOR_3GPP, Grouped, false);
pub const EPS_LOCATION_INFORMATION: AvpDef =
    AvpDef::new("EPS-Location-Information", 1496, VENDOR_3GPP, Grouped, false);
pub const MME_USER_STATE: AvpDef = AvpDef::new("MME-User-State", 1497, VENDOR_3GPP, Grouped, false);
pub const SGSN_USER_STATE: AvpDef = AvpDef::new("SGSN-User-State", 1498, VENDOR_3GPP, Grouped, false);
pub const USER_STATE: AvpDef = AvpDef::new("User-State", 1499, VENDOR_3GPP, Enumerated, false);
pub const MME_LOCATION_INFORMATION: AvpDef =
    AvpDef::new("MME-Location-Information", 1600, VENDOR_3GPP, Grouped, false);
pub const SGSN_LOCATION_INFORMATION: AvpDef =
    AvpDef::new("SGSN-Location-Information", 1601, VENDOR_3GPP, Grouped, false);
pub const E_UTRAN_CELL_GLOBAL_IDENTITY: AvpDef =
    AvpDef::new("E-UTRAN-Cell-Global-Identity", 1602, VENDOR_3GPP, OctetString, false);
pub const TRACKING_AREA_IDENTITY: AvpDef =
    AvpDef::new("Tracking-Area-Identity", 1603, VENDOR_3GPP, OctetString, false);
pub const CELL_GLOBAL_IDENTITY: AvpDef =
    AvpDef::new("Cell-Global-Identity", 1604, VENDOR_3GPP, OctetString, false);
pub const ROUTING_AREA_IDENTITY: AvpDef =
    AvpDef::new("Routing-Area-Identity", 1605, VENDOR_3GPP, OctetString, false);
pub const LOCATION_AREA_IDENTITY: AvpDef =
    AvpDef::new("Location-Area-Identity", 1606, VENDOR_3GPP, OctetString, false);
pub const SERVICE_AREA_IDENTITY: AvpDef =
    AvpDef::new("Service-Area-Identity", 1607, VENDOR_3GPP, OctetString, false);
pub const GEOGRAPHICAL_INFORMATION: AvpDef =
    AvpDef::new("Geographical-Information", 1608, VENDOR_3GPP, OctetString, false);
pub const GEODETIC_INFORMATION: AvpDef =
    AvpDef::new("Geodetic-Information", 1609, VENDOR_3GPP, OctetString, false);
pub const CURRENT_LOCATION_RETRIEVED: AvpDef =
    AvpDef::new("Current-Location-Retrieved", 1610, VENDOR_3GPP, Enumerated, false);
pub const AGE_OF_LOCATION_INFORMATION: AvpDef =
    AvpDef::new("Age-Of-Location-Information", 1611, VENDOR_3GPP, Unsigned32, false);
pub const ACTIVE_APN: AvpDef = AvpDef::new("Active-APN", 1612, VENDOR_3GPP, Grouped, false);
pub const SIPTO_PERMISSION: AvpDef = AvpDef::new("SIPTO-Permission", 1613, VENDOR_3GPP, Enumerated, false);
pub const ERROR_DIAGNOSTIC: AvpDef = AvpDef::new("Error-Diagnostic", 1614, VENDOR_3GPP, Enumerated, false);
pub const UE_SRVCC_CAPABILITY: AvpDef =
    AvpDef::new("UE-SRVCC-Capability", 1615, VENDOR_3GPP, Enumerated, false);
pub const MPS_PRIORITY: AvpDef = AvpDef::new("MPS-Priority", 1616, VENDOR_3GPP, Unsigned32, false);
pub const VPLMN_LIPA_ALLOWED: AvpDef =
    AvpDef::new("VPLMN-LIPA-Allowed", 1617, VENDOR_3GPP, Enumerated, false);
pub const LIPA_PERMISSION: AvpDef = AvpDef::new("LIPA-Permission", 1618, VENDOR_3GPP, Enumerated, false);
pub const SUBSCRIBED_PERIODIC_RAU_TAU_TIMER: AvpDef =
    AvpDef::new("Subscribed-Periodic-RAU-TAU-Timer", 1619, VENDOR_3GPP, Unsigned32, false);
pub const EXT_PDP_TYPE: AvpDef = AvpDef::new("Ext-PDP-Type", 1620, VENDOR_3GPP, OctetString, false);
pub const EXT_PDP_ADDRESS: AvpDef = AvpDef::new("Ext-PDP-Address", 1621, VENDOR_3GPP, Address, false);
pub const MDT_CONFIGURATION: AvpDef = AvpDef::new("MDT-Configuration", 1622, VENDOR_3GPP, Grouped, false);
pub const JOB_TYPE: AvpDef = AvpDef::new("Job-Type", 1623, VENDOR_3GPP, Enumerated, false);
pub const AREA_SCOPE: AvpDef = AvpDef::new("Area-Scope", 1624, VENDOR_3GPP, Grouped, false);
pub const LIST_OF_MEASUREMENTS: AvpDef =
    AvpDef::new("List-Of-Measurements", 1625, VENDOR_3GPP, Unsigned32, false);
pub const REPORTING_TRIGGER: AvpDef = AvpDef::new("Reporting-Trigger", 1626, VENDOR_3GPP, Unsigned32, false);
pub const REPORT_INTERVAL: AvpDef = AvpDef::new("Report-Interval", 1627, VENDOR_3GPP, Enumerated, false);
pub const REPORT_AMOUNT: AvpDef = AvpDef::new("Report-Amount", 1628, VENDOR_3GPP, Enumerated, false);
pub const EVENT_THRESHOLD_RSRP: AvpDef =
    AvpDef::new("Event-Threshold-RSRP", 1629, VENDOR_3GPP, Unsigned32, false);
pub const EVENT_THRESHOLD_RSRQ: AvpDef =
    AvpDef::new("Event-Threshold-RSRQ", 1630, VENDOR_3GPP, Unsigned32, false);
pub const LOGGING_INTERVAL: AvpDef = AvpDef::new("Logging-Interval", 1631, VENDOR_3GPP, Enumerated, false);
pub const LOGGING_DURATION: AvpDef = AvpDef::new("Logging-Duration", 1632, VENDOR_3GPP, Enumerated, false);
pub const RELAY_NODE_INDICATOR: AvpDef =
    AvpDef::new("Relay-Node-Indicator", 1633, VENDOR_3GPP, Enumerated, false);
pub const MDT_USER_CONSENT: AvpDef = AvpDef::new("MDT-User-Consent", 1634, VENDOR_3GPP, Enumerated, false);
pub const PUR_FLAGS: AvpDef = AvpDef::new("PUR-Flags", 1635, VENDOR_3GPP, Unsigned32, false);
pub const SUBSCRIBED_VSRVCC: AvpDef = AvpDef::new("Subscribed-VSRVCC", 1636, VENDOR_3GPP, Enumerated, false);
pub const EQUIVALENT_PLMN_LIST: AvpDef =
    AvpDef::new("Equivalent-PLMN-List", 1637, VENDOR_3GPP, Grouped, false);
pub const CLR_FLAGS: AvpDef = AvpDef::new("CLR-Flags", 1638, VENDOR_3GPP, Unsigned32, false);
pub const UVR_FLAGS: AvpDef = AvpDef::new("UVR-Flags", 1639, VENDOR_3GPP, Unsigned32, true);
pub const UVA_FLAGS: AvpDef = AvpDef::new("UVA-Flags", 1640, VENDOR_3GPP, Unsigned32, true);
pub const VPLMN_CSG_SUBSCRIPTION_DATA: AvpDef =
    AvpDef::new("VPLMN-CSG-Subscription-Data", 1641, VENDOR_3GPP, Grouped, true);
pub const TIME_ZONE: AvpDef = AvpDef::new("Time-Zone", 1642, VENDOR_3GPP, UTF8String, false);
pub const A_MSISDN: AvpDef = AvpDef::new("A-MSISDN", 1643, VENDOR_3GPP, OctetString, false);
pub const MME_NUMBER_FOR_MT_SMS: AvpDef =
    AvpDef::new("MME-Number-for-MT-SMS", 1645, VENDOR_3GPP, OctetString, false);
pub const SMS_REGISTER_REQUEST: AvpDef =
    AvpDef::new("SMS-Register-Request", 1648, VENDOR_3GPP, Enumerated, false);
pub const LOCAL_TIME_ZONE: AvpDef = AvpDef::new("Local-Time-Zone", 1649, VENDOR_3GPP, Grouped, false);
pub const DAYLIGHT_SAVING_TIME: AvpDef =
    AvpDef::new("Daylight-Saving-Time", 1650, VENDOR_3GPP, Enumerated, false);
pub const SUBSCRIPTION_DATA_FLAGS: AvpDef =
    AvpDef::new("Subscription-Data-Flags", 1654, VENDOR_3GPP, Unsigned32, false);
pub const MEASUREMENT_PERIOD_LTE: AvpDef =
    AvpDef::new("Measurement-Period-LTE", 1655, VENDOR_3GPP, Enumerated, false);
pub const MEASUREMENT_PERIOD_UMTS: AvpDef =
    AvpDef::new("Measurement-Period-UMTS", 1656, VENDOR_3GPP, Enumerated, false);
pub const COLLECTION_PERIOD_RRM_LTE: AvpDef =
    AvpDef::new("Collection-Period-RRM-LTE", 1657, VENDOR_3GPP, Enumerated, false);
pub const COLLECTION_PERIOD_RRM_UMTS: AvpDef =
    AvpDef::new("Collection-Period-RRM-UMTS", 1658, VENDOR_3GPP, Enumerated, false);
pub const POSITIONING_METHOD: AvpDef =
    AvpDef::new("Positioning-Method", 1659, VENDOR_3GPP, OctetString, false);
pub const MEASUREMENT_QUANTITY: AvpDef =
    AvpDef::new("Measurement-Quantity", 1660, VENDOR_3GPP, OctetString, false);
pub const EVENT_THRESHOLD_EVENT_1F: AvpDef =
    AvpDef::new("Event-Threshold-Event-1F", 1661, VENDOR_3GPP, Integer32, false);
pub const EVENT_THRESHOLD_EVENT_1I: AvpDef =
    AvpDef::new("Event-Threshold-Event-1I", 1662, VENDOR_3GPP, Integer32, false);
pub const RESTORATION_PRIORITY: AvpDef =
    AvpDef::new("Restoration-Priority", 1663, VENDOR_3GPP, Unsigned32, false);
pub const SGS_MME_IDENTITY: AvpDef = AvpDef::new("SGs-MME-Identity", 1664, VENDOR_3GPP, UTF8String, false);
// SIPTO-Local-Network-Permission: Wireshark says Enumerated; TS 29.272 7.3.176 defines
// SIPTO-Local-Network-Permission as Unsigned32.
pub const SIPTO_LOCAL_NETWORK_PERMISSION: AvpDef =
    AvpDef::new("SIPTO-Local-Network-Permission", 1665, VENDOR_3GPP, Unsigned32, false);
pub const COUPLED_NODE_DIAMETER_ID: AvpDef =
    AvpDef::new("Coupled-Node-Diameter-ID", 1666, VENDOR_3GPP, DiameterIdentity, false);
pub const WLAN_OFFLOADABILITY: AvpDef = AvpDef::new("WLAN-offloadability", 1667, VENDOR_3GPP, Grouped, false);
pub const WLAN_OFFLOADABILITY_EUTRAN: AvpDef =
    AvpDef::new("WLAN-offloadability-EUTRAN", 1668, VENDOR_3GPP, Unsigned32, false);
pub const WLAN_OFFLOADABILITY_UTRAN: AvpDef =
    AvpDef::new("WLAN-offloadability-UTRAN", 1669, VENDOR_3GPP, Unsigned32, false);
pub const RESET_ID: AvpDef = AvpDef::new("Reset-ID", 1670, VENDOR_3GPP, OctetString, false);
pub const MDT_ALLOWED_PLMN_ID: AvpDef =
    AvpDef::new("MDT-Allowed-PLMN-Id", 1671, VENDOR_3GPP, OctetString, false);
pub const ADJACENT_PLMNS: AvpDef = AvpDef::new("Adjacent-PLMNs", 1672, VENDOR_3GPP, Grouped, false);
pub const ADJACENT_ACCESS_RESTRICTION_DATA: AvpDef =
    AvpDef::new("Adjacent-Access-Restriction-Data", 1673, VENDOR_3GPP, Grouped, false);
pub const DL_BUFFERING_SUGGESTED_PACKET_COUNT: AvpDef =
    AvpDef::new("DL-Buffering-Suggested-Packet-Count", 1674, VENDOR_3GPP, Integer32, false);
pub const IMSI_GROUP_ID: AvpDef = AvpDef::new("IMSI-Group-Id", 1675, VENDOR_3GPP, Grouped, false);
pub const GROUP_SERVICE_ID: AvpDef = AvpDef::new("Group-Service-Id", 1676, VENDOR_3GPP, Unsigned32, false);
pub const GROUP_PLMN_ID: AvpDef = AvpDef::new("Group-PLMN-Id", 1677, VENDOR_3GPP, OctetString, false);
pub const LOCAL_GROUP_ID: AvpDef = AvpDef::new("Local-Group-Id", 1678, VENDOR_3GPP, OctetString, false);
pub const AIR_FLAGS: AvpDef = AvpDef::new("AIR-Flags", 1679, VENDOR_3GPP, Unsigned32, false);
pub const UE_USAGE_TYPE: AvpDef = AvpDef::new("UE-Usage-Type", 1680, VENDOR_3GPP, Unsigned32, false);
pub const NON_IP_PDN_TYPE_INDICATOR: AvpDef =
    AvpDef::new("Non-IP-PDN-Type-Indicator", 1681, VENDOR_3GPP, Enumerated, false);
// Non-IP-Data-Delivery-Mechanism: Wireshark says Enumerated; TS 29.272 7.3.205 defines
// Non-IP-Data-Delivery-Mechanism as Unsigned32.
pub const NON_IP_DATA_DELIVERY_MECHANISM: AvpDef =
    AvpDef::new("Non-IP-Data-Delivery-Mechanism", 1682, VENDOR_3GPP, Unsigned32, false);
pub const ADDITIONAL_CONTEXT_IDENTIFIER: AvpDef =
    AvpDef::new("Additional-Context-Identifier", 1683, VENDOR_3GPP, Unsigned32, false);
pub const SCEF_REALM: AvpDef = AvpDef::new("SCEF-Realm", 1684, VENDOR_3GPP, DiameterIdentity, false);
pub const SUBSCRIPTION_DATA_DELETION: AvpDef =
    AvpDef::new("Subscription-Data-Deletion", 1685, VENDOR_3GPP, Grouped, false);
pub const PREFERRED_DATA_MODE: AvpDef =
    AvpDef::new("Preferred-Data-Mode", 1686, VENDOR_3GPP, Unsigned32, false);
pub const EMERGENCY_INFO: AvpDef = AvpDef::new("Emergency-Info", 1687, VENDOR_3GPP, Grouped, false);
pub const V2X_SUBSCRIPTION_DATA: AvpDef =
    AvpDef::new("V2X-Subscription-Data", 1688, VENDOR_3GPP, Grouped, false);
pub const V2X_PERMISSION: AvpDef = AvpDef::new("V2X-Permission", 1689, VENDOR_3GPP, Unsigned32, false);
// PDN-Connection-Continuity: Wireshark says Enumerated; TS 29.272 7.3.214 defines
// PDN-Connection-Continuity as Unsigned32.
pub const PDN_CONNECTION_CONTINUITY: AvpDef =
    AvpDef::new("PDN-Connection-Continuity", 1690, VENDOR_3GPP, Unsigned32, false);
pub const EDRX_CYCLE_LENGTH: AvpDef = AvpDef::new("eDRX-Cycle-Length", 1691, VENDOR_3GPP, Grouped, false);
pub const EDRX_CYCLE_LENGTH_VALUE: AvpDef =
    AvpDef::new("eDRX-Cycle-Length-Value", 1692, VENDOR_3GPP, OctetString, false);
pub const UE_PC5_AMBR: AvpDef = AvpDef::new("UE-PC5-AMBR", 1693, VENDOR_3GPP, Unsigned32, false);
pub const MBSFN_AREA: AvpDef = AvpDef::new("MBSFN-Area", 1694, VENDOR_3GPP, Grouped, false);
pub const MBSFN_AREA_ID: AvpDef = AvpDef::new("MBSFN-Area-ID", 1695, VENDOR_3GPP, Unsigned32, false);
pub const CARRIER_FREQUENCY: AvpDef = AvpDef::new("Carrier-Frequency", 1696, VENDOR_3GPP, Unsigned32, false);
pub const RDS_INDICATOR: AvpDef = AvpDef::new("RDS-Indicator", 1697, VENDOR_3GPP, Enumerated, false);
pub const SERVICE_GAP_TIME: AvpDef = AvpDef::new("Service-Gap-Time", 1698, VENDOR_3GPP, Unsigned32, false);
pub const AERIAL_UE_SUBSCRIPTION_INFORMATION: AvpDef =
    AvpDef::new("Aerial-UE-Subscription-Information", 1699, VENDOR_3GPP, Unsigned32, false);
pub const BROADCAST_LOCATION_ASSISTANCE_DATA_TYPES: AvpDef =
    AvpDef::new("Broadcast-Location-Assistance-Data-Types", 1700, VENDOR_3GPP, Unsigned64, false);
pub const PAGING_TIME_WINDOW: AvpDef = AvpDef::new("Paging-Time-Window", 1701, VENDOR_3GPP, Grouped, false);
// Operation-Mode: Wireshark says Enumerated; TS 29.272 7.3.227 defines Operation-Mode as
// Unsigned32.
pub const OPERATION_MODE: AvpDef = AvpDef::new("Operation-Mode", 1702, VENDOR_3GPP, Unsigned32, false);
pub const PAGING_TIME_WINDOW_LENGTH: AvpDef =
    AvpDef::new("Paging-Time-Window-Length", 1703, VENDOR_3GPP, OctetString, false);
pub const CORE_NETWORK_RESTRICTIONS: AvpDef =
    AvpDef::new("Core-Network-Restrictions", 1704, VENDOR_3GPP, Unsigned32, false);
pub const EDRX_RELATED_RAT: AvpDef = AvpDef::new("eDRX-Related-RAT", 1705, VENDOR_3GPP, Grouped, false);
pub const INTERWORKING_5GS_INDICATOR: AvpDef =
    AvpDef::new("Interworking-5GS-Indicator", 1706, VENDOR_3GPP, Enumerated, false);

// Added in Rel-16 or later. M bit: not in the Rel-15 tables used here; set to 'must not',
// like every AVP these specs added since Rel-10 (unverified).
pub const ETHERNET_PDN_TYPE_INDICATOR: AvpDef =
    AvpDef::new("Ethernet-PDN-Type-Indicator", 1707, VENDOR_3GPP, Enumerated, false);
pub const SUBSCRIBED_ARPI: AvpDef = AvpDef::new("Subscribed-ARPI", 1708, VENDOR_3GPP, Unsigned32, false);
pub const IAB_OPERATION_PERMISSION: AvpDef =
    AvpDef::new("IAB-Operation-Permission", 1709, VENDOR_3GPP, Enumerated, false);
pub const V2X_SUBSCRIPTION_DATA_NR: AvpDef =
    AvpDef::new("V2X-Subscription-Data-Nr", 1710, VENDOR_3GPP, Grouped, false);
pub const UE_PC5_QOS: AvpDef = AvpDef::new("UE-PC5-QoS", 1711, VENDOR_3GPP, Grouped, false);
pub const PC5_QOS_FLOW: AvpDef = AvpDef::new("PC5-QoS-Flow", 1712, VENDOR_3GPP, Grouped, false);
pub const FIVE_QI: AvpDef = AvpDef::new("5QI", 1713, VENDOR_3GPP, Integer32, false);
pub const PC5_FLOW_BITRATES: AvpDef = AvpDef::new("PC5-Flow-Bitrates", 1714, VENDOR_3GPP, Grouped, false);
pub const GUARANTEED_FLOW_BITRATES: AvpDef =
    AvpDef::new("Guaranteed-Flow-Bitrates", 1715, VENDOR_3GPP, Integer32, false);
pub const MAXIMUM_FLOW_BITRATES: AvpDef =
    AvpDef::new("Maximum-Flow-Bitrates", 1716, VENDOR_3GPP, Integer32, false);
pub const PC5_RANGE: AvpDef = AvpDef::new("PC5-Range", 1717, VENDOR_3GPP, Integer32, false);
pub const PC5_LINK_AMBR: AvpDef = AvpDef::new("PC5-Link-AMBR", 1718, VENDOR_3GPP, Integer32, false);
// Third-Context-Identifier: not in Wireshark 4.0.17; type from TS 29.272 (Rel-16).
pub const THIRD_CONTEXT_IDENTIFIER: AvpDef =
    AvpDef::new("Third-Context-Identifier", 1719, VENDOR_3GPP, Unsigned32, false);

// Defined by other specifications (M bits from the defining spec).
// - RFC 4004
pub const MIP_HOME_AGENT_ADDRESS: AvpDef = AvpDef::new("MIP-Home-Agent-Address", 334, 0, Address, true);
pub const MIP_HOME_AGENT_HOST: AvpDef = AvpDef::new("MIP-Home-Agent-Host", 348, 0, Grouped, true);
// - RFC 5447
pub const MIP6_HOME_LINK_PREFIX: AvpDef = AvpDef::new("MIP6-Home-Link-Prefix", 125, 0, OctetString, true);
pub const MIP6_AGENT_INFO: AvpDef = AvpDef::new("MIP6-Agent-Info", 486, 0, Grouped, true);
// - RFC 5778
pub const SERVICE_SELECTION: AvpDef = AvpDef::new("Service-Selection", 493, 0, UTF8String, true);
// - RFC 7944
// DRMP: M bit: must not be set (RFC 7944).
pub const DRMP: AvpDef = AvpDef::new("DRMP", 301, 0, Enumerated, false);
// - TS 29.061
pub const TGPP_CHARGING_CHARACTERISTICS: AvpDef =
    AvpDef::new("3GPP-Charging-Characteristics", 13, VENDOR_3GPP, UTF8String, true);
// - TS 29.173
pub const GMLC_ADDRESS: AvpDef = AvpDef::new("GMLC-Address", 2405, VENDOR_3GPP, Address, true);
// - TS 29.212
pub const QOS_CLASS_IDENTIFIER: AvpDef =
    AvpDef::new("QoS-Class-Identifier", 1028, VENDOR_3GPP, Enumerated, true);
pub const RAT_TYPE: AvpDef = AvpDef::new("RAT-Type", 1032, VENDOR_3GPP, Enumerated, false);
pub const ALLOCATION_RETENTION_PRIORITY: AvpDef =
    AvpDef::new("Allocation-Retention-Priority", 1034, VENDOR_3GPP, Grouped, false);
pub const PRIORITY_LEVEL: AvpDef = AvpDef::new("Priority-Level", 1046, VENDOR_3GPP, Unsigned32, false);
pub const PRE_EMPTION_CAPABILITY: AvpDef =
    AvpDef::new("Pre-emption-Capability", 1047, VENDOR_3GPP, Enumerated, false);
pub const PRE_EMPTION_VULNERABILITY: AvpDef =
    AvpDef::new("Pre-emption-Vulnerability", 1048, VENDOR_3GPP, Enumerated, false);
// - TS 29.214
pub const MAX_REQUESTED_BANDWIDTH_DL: AvpDef =
    AvpDef::new("Max-Requested-Bandwidth-DL", 515, VENDOR_3GPP, Unsigned32, true);
pub const MAX_REQUESTED_BANDWIDTH_UL: AvpDef =
    AvpDef::new("Max-Requested-Bandwidth-UL", 516, VENDOR_3GPP, Unsigned32, true);
pub const EXTENDED_MAX_REQUESTED_BW_DL: AvpDef =
    AvpDef::new("Extended-Max-Requested-BW-DL", 554, VENDOR_3GPP, Unsigned32, false);
pub const EXTENDED_MAX_REQUESTED_BW_UL: AvpDef =
    AvpDef::new("Extended-Max-Requested-BW-UL", 555, VENDOR_3GPP, Unsigned32, false);
// - TS 29.217
pub const ENODEB_ID: AvpDef = AvpDef::new("eNodeB-ID", 4008, VENDOR_3GPP, OctetString, true);
pub const EXTENDED_ENODEB_ID: AvpDef =
    AvpDef::new("Extended-eNodeB-ID", 4013, VENDOR_3GPP, OctetString, false);
// - TS 29.229
pub const VISITED_NETWORK_IDENTIFIER: AvpDef =
    AvpDef::new("Visited-Network-Identifier", 600, VENDOR_3GPP, OctetString, true);
pub const CONFIDENTIALITY_KEY: AvpDef =
    AvpDef::new("Confidentiality-Key", 625, VENDOR_3GPP, OctetString, true);
pub const INTEGRITY_KEY: AvpDef = AvpDef::new("Integrity-Key", 626, VENDOR_3GPP, OctetString, true);
// Supported-Features: M bit: the spec tables say 'may'; not set, so a peer without the feature need
// not reject the message.
pub const SUPPORTED_FEATURES: AvpDef = AvpDef::new("Supported-Features", 628, VENDOR_3GPP, Grouped, false);
pub const FEATURE_LIST_ID: AvpDef = AvpDef::new("Feature-List-ID", 629, VENDOR_3GPP, Unsigned32, false);
pub const FEATURE_LIST: AvpDef = AvpDef::new("Feature-List", 630, VENDOR_3GPP, Unsigned32, false);
// - TS 29.329
pub const MSISDN: AvpDef = AvpDef::new("MSISDN", 701, VENDOR_3GPP, OctetString, true);
// - TS 29.336
pub const EXTERNAL_IDENTIFIER: AvpDef =
    AvpDef::new("External-Identifier", 3111, VENDOR_3GPP, UTF8String, true);
pub const SCEF_ID: AvpDef = AvpDef::new("SCEF-ID", 3125, VENDOR_3GPP, DiameterIdentity, true);
// - TS 32.299
pub const SERVED_PARTY_IP_ADDRESS: AvpDef =
    AvpDef::new("Served-Party-IP-Address", 848, VENDOR_3GPP, Address, true);
pub const PDP_ADDRESS: AvpDef = AvpDef::new("PDP-Address", 1227, VENDOR_3GPP, Address, true);
pub const CSG_ACCESS_MODE: AvpDef = AvpDef::new("CSG-Access-Mode", 2317, VENDOR_3GPP, Enumerated, true);
pub const CSG_MEMBERSHIP_INDICATION: AvpDef =
    AvpDef::new("CSG-Membership-Indication", 2318, VENDOR_3GPP, Enumerated, true);
pub const USER_CSG_INFORMATION: AvpDef =
    AvpDef::new("User-CSG-Information", 2319, VENDOR_3GPP, Grouped, true);

/// Sorted by (vendor, code).
pub static TABLE: &[AvpDef] = &[
    MIP6_HOME_LINK_PREFIX,
    DRMP,
    MIP_HOME_AGENT_ADDRESS,
    MIP_HOME_AGENT_HOST,
    MIP6_AGENT_INFO,
    SERVICE_SELECTION,
    TGPP_CHARGING_CHARACTERISTICS,
    MAX_REQUESTED_BANDWIDTH_DL,
    MAX_REQUESTED_BANDWIDTH_UL,
    EXTENDED_MAX_REQUESTED_BW_DL,
    EXTENDED_MAX_REQUESTED_BW_UL,
    VISITED_NETWORK_IDENTIFIER,
    CONFIDENTIALITY_KEY,
    INTEGRITY_KEY,
    SUPPORTED_FEATURES,
    FEATURE_LIST_ID,
    FEATURE_LIST,
    MSISDN,
    SERVED_PARTY_IP_ADDRESS,
    QOS_CLASS_IDENTIFIER,
    RAT_TYPE,
    ALLOCATION_RETENTION_PRIORITY,
    PRIORITY_LEVEL,
    PRE_EMPTION_CAPABILITY,
    PRE_EMPTION_VULNERABILITY,
    PDP_ADDRESS,
    SUBSCRIPTION_DATA,
    TERMINAL_INFORMATION,
    IMEI,
    SOFTWARE_VERSION,
    QOS_SUBSCRIBED,
    ULR_FLAGS,
    ULA_FLAGS,
    VISITED_PLMN_ID,
    REQUESTED_EUTRAN_AUTHENTICATION_INFO,
    REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO,
    NUMBER_OF_REQUESTED_VECTORS,
    RE_SYNCHRONIZATION_INFO,
    IMMEDIATE_RESPONSE_PREFERRED,
    AUTHENTICATION_INFO,
    E_UTRAN_VECTOR,
    UTRAN_VECTOR,
    GERAN_VECTOR,
    NETWORK_ACCESS_MODE,
    HPLMN_ODB,
    ITEM_NUMBER,
    CANCELLATION_TYPE,
    DSR_FLAGS,
    DSA_FLAGS,
    CONTEXT_IDENTIFIER,
    SUBSCRIBER_STATUS,
    OPERATOR_DETERMINED_BARRING,
    ACCESS_RESTRICTION_DATA,
    APN_OI_REPLACEMENT,
    ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR,
    APN_CONFIGURATION_PROFILE,
    APN_CONFIGURATION,
    EPS_SUBSCRIBED_QOS_PROFILE,
    VPLMN_DYNAMIC_ADDRESS_ALLOWED,
    STN_SR,
    ALERT_REASON,
    AMBR,
    CSG_SUBSCRIPTION_DATA,
    CSG_ID,
    PDN_GW_ALLOCATION_TYPE,
    EXPIRATION_DATE,
    RAT_FREQUENCY_SELECTION_PRIORITY_ID,
    IDA_FLAGS,
    PUA_FLAGS,
    NOR_FLAGS,
    USER_ID,
    EQUIPMENT_STATUS,
    REGIONAL_SUBSCRIPTION_ZONE_CODE,
    RAND,
    XRES,
    AUTN,
    KASME,
    TRACE_COLLECTION_ENTITY,
    KC,
    SRES,
    PDN_TYPE,
    ROAMING_RESTRICTED_DUE_TO_UNSUPPORTED_FEATURE,
    TRACE_DATA,
    TRACE_REFERENCE,
    TRACE_DEPTH,
    TRACE_NE_TYPE_LIST,
    TRACE_INTERFACE_LIST,
    TRACE_EVENT_LIST,
    OMC_ID,
    GPRS_SUBSCRIPTION_DATA,
    COMPLETE_DATA_LIST_INCLUDED_INDICATOR,
    PDP_CONTEXT,
    PDP_TYPE,
    TGPP2_MEID,
    SPECIFIC_APN_INFO,
    LCS_INFO,
    GMLC_NUMBER,
    LCS_PRIVACYEXCEPTION,
    SS_CODE,
    SS_STATUS,
    NOTIFICATION_TO_UE_USER,
    EXTERNAL_CLIENT,
    CLIENT_IDENTITY,
    GMLC_RESTRICTION,
    PLMN_CLIENT,
    SERVICE_TYPE,
    SERVICETYPEIDENTITY,
    MO_LR,
    TELESERVICE_LIST,
    TS_CODE,
    CALL_BARRING_INFO,
    SGSN_NUMBER,
    IDR_FLAGS,
    ICS_INDICATOR,
    IMS_VOICE_OVER_PS_SESSIONS_SUPPORTED,
    HOMOGENEOUS_SUPPORT_OF_IMS_VOICE_OVER_PS_SESSIONS,
    LAST_UE_ACTIVITY_TIME,
    EPS_USER_STATE,
    EPS_LOCATION_INFORMATION,
    MME_USER_STATE,
    SGSN_USER_STATE,
    USER_STATE,
    MME_LOCATION_INFORMATION,
    SGSN_LOCATION_INFORMATION,
    E_UTRAN_CELL_GLOBAL_IDENTITY,
    TRACKING_AREA_IDENTITY,
    CELL_GLOBAL_IDENTITY,
    ROUTING_AREA_IDENTITY,
    LOCATION_AREA_IDENTITY,
    SERVICE_AREA_IDENTITY,
    GEOGRAPHICAL_INFORMATION,
    GEODETIC_INFORMATION,
    CURRENT_LOCATION_RETRIEVED,
    AGE_OF_LOCATION_INFORMATION,
    ACTIVE_APN,
    SIPTO_PERMISSION,
    ERROR_DIAGNOSTIC,
    UE_SRVCC_CAPABILITY,
    MPS_PRIORITY,
    VPLMN_LIPA_ALLOWED,
    LIPA_PERMISSION,
    SUBSCRIBED_PERIODIC_RAU_TAU_TIMER,
    EXT_PDP_TYPE,
    EXT_PDP_ADDRESS,
    MDT_CONFIGURATION,
    JOB_TYPE,
    AREA_SCOPE,
    LIST_OF_MEASUREMENTS,
    REPORTING_TRIGGER,
    REPORT_INTERVAL,
    REPORT_AMOUNT,
    EVENT_THRESHOLD_RSRP,
    EVENT_THRESHOLD_RSRQ,
    LOGGING_INTERVAL,
    LOGGING_DURATION,
    RELAY_NODE_INDICATOR,
    MDT_USER_CONSENT,
    PUR_FLAGS,
    SUBSCRIBED_VSRVCC,
    EQUIVALENT_PLMN_LIST,
    CLR_FLAGS,
    UVR_FLAGS,
    UVA_FLAGS,
    VPLMN_CSG_SUBSCRIPTION_DATA,
    TIME_ZONE,
    A_MSISDN,
    MME_NUMBER_FOR_MT_SMS,
    SMS_REGISTER_REQUEST,
    LOCAL_TIME_ZONE,
    DAYLIGHT_SAVING_TIME,
    SUBSCRIPTION_DATA_FLAGS,
    MEASUREMENT_PERIOD_LTE,
    MEASUREMENT_PERIOD_UMTS,
    COLLECTION_PERIOD_RRM_LTE,
    COLLECTION_PERIOD_RRM_UMTS,
    POSITIONING_METHOD,
    MEASUREMENT_QUANTITY,
    EVENT_THRESHOLD_EVENT_1F,
    EVENT_THRESHOLD_EVENT_1I,
    RESTORATION_PRIORITY,
    SGS_MME_IDENTITY,
    SIPTO_LOCAL_NETWORK_PERMISSION,
    COUPLED_NODE_DIAMETER_ID,
    WLAN_OFFLOADABILITY,
    WLAN_OFFLOADABILITY_EUTRAN,
    WLAN_OFFLOADABILITY_UTRAN,
    RESET_ID,
    MDT_ALLOWED_PLMN_ID,
    ADJACENT_PLMNS,
    ADJACENT_ACCESS_RESTRICTION_DATA,
    DL_BUFFERING_SUGGESTED_PACKET_COUNT,
    IMSI_GROUP_ID,
    GROUP_SERVICE_ID,
    GROUP_PLMN_ID,
    LOCAL_GROUP_ID,
    AIR_FLAGS,
    UE_USAGE_TYPE,
    NON_IP_PDN_TYPE_INDICATOR,
    NON_IP_DATA_DELIVERY_MECHANISM,
    ADDITIONAL_CONTEXT_IDENTIFIER,
    SCEF_REALM,
    SUBSCRIPTION_DATA_DELETION,
    PREFERRED_DATA_MODE,
    EMERGENCY_INFO,
    V2X_SUBSCRIPTION_DATA,
    V2X_PERMISSION,
    PDN_CONNECTION_CONTINUITY,
    EDRX_CYCLE_LENGTH,
    EDRX_CYCLE_LENGTH_VALUE,
    UE_PC5_AMBR,
    MBSFN_AREA,
    MBSFN_AREA_ID,
    CARRIER_FREQUENCY,
    RDS_INDICATOR,
    SERVICE_GAP_TIME,
    AERIAL_UE_SUBSCRIPTION_INFORMATION,
    BROADCAST_LOCATION_ASSISTANCE_DATA_TYPES,
    PAGING_TIME_WINDOW,
    OPERATION_MODE,
    PAGING_TIME_WINDOW_LENGTH,
    CORE_NETWORK_RESTRICTIONS,
    EDRX_RELATED_RAT,
    INTERWORKING_5GS_INDICATOR,
    ETHERNET_PDN_TYPE_INDICATOR,
    SUBSCRIBED_ARPI,
    IAB_OPERATION_PERMISSION,
    V2X_SUBSCRIPTION_DATA_NR,
    UE_PC5_QOS,
    PC5_QOS_FLOW,
    FIVE_QI,
    PC5_FLOW_BITRATES,
    GUARANTEED_FLOW_BITRATES,
    MAXIMUM_FLOW_BITRATES,
    PC5_RANGE,
    PC5_LINK_AMBR,
    THIRD_CONTEXT_IDENTIFIER,
    CSG_ACCESS_MODE,
    CSG_MEMBERSHIP_INDICATION,
    USER_CSG_INFORMATION,
    GMLC_ADDRESS,
    EXTERNAL_IDENTIFIER,
    SCEF_ID,
    ENODEB_ID,
    EXTENDED_ENODEB_ID,
];
