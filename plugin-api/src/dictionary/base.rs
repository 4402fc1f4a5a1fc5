//! RFC 6733 4.5 base protocol AVPs.

use super::{AvpDef, AvpType::*};

pub const USER_NAME: AvpDef = AvpDef::new("User-Name", 1, 0, UTF8String, true);
pub const CLASS: AvpDef = AvpDef::new("Class", 25, 0, OctetString, true);
pub const SESSION_TIMEOUT: AvpDef = AvpDef::new("Session-Timeout", 27, 0, Unsigned32, true);
pub const PROXY_STATE: AvpDef = AvpDef::new("Proxy-State", 33, 0, OctetString, true);
pub const ACCT_SESSION_ID: AvpDef = AvpDef::new("Acct-Session-Id", 44, 0, OctetString, true);
pub const ACCT_MULTI_SESSION_ID: AvpDef = AvpDef::new("Acct-Multi-Session-Id", 50, 0, UTF8String, true);
pub const EVENT_TIMESTAMP: AvpDef = AvpDef::new("Event-Timestamp", 55, 0, Time, true);
pub const ACCT_INTERIM_INTERVAL: AvpDef = AvpDef::new("Acct-Interim-Interval", 85, 0, Unsigned32, true);
pub const HOST_IP_ADDRESS: AvpDef = AvpDef::new("Host-IP-Address", 257, 0, Address, true);
pub const AUTH_APPLICATION_ID: AvpDef = AvpDef::new("Auth-Application-Id", 258, 0, Unsigned32, true);
pub const ACCT_APPLICATION_ID: AvpDef = AvpDef::new("Acct-Application-Id", 259, 0, Unsigned32, true);
pub const VENDOR_SPECIFIC_APPLICATION_ID: AvpDef =
    AvpDef::new("Vendor-Specific-Application-Id", 260, 0, Grouped, true);
pub const REDIRECT_HOST_USAGE: AvpDef = AvpDef::new("Redirect-Host-Usage", 261, 0, Enumerated, true);
pub const REDIRECT_MAX_CACHE_TIME: AvpDef = AvpDef::new("Redirect-Max-Cache-Time", 262, 0, Unsigned32, true);
pub const SESSION_ID: AvpDef = AvpDef::new("Session-Id", 263, 0, UTF8String, true);
pub const ORIGIN_HOST: AvpDef = AvpDef::new("Origin-Host", 264, 0, DiameterIdentity, true);
pub const SUPPORTED_VENDOR_ID: AvpDef = AvpDef::new("Supported-Vendor-Id", 265, 0, Unsigned32, true);
pub const VENDOR_ID: AvpDef = AvpDef::new("Vendor-Id", 266, 0, Unsigned32, true);
pub const FIRMWARE_REVISION: AvpDef = AvpDef::new("Firmware-Revision", 267, 0, Unsigned32, false);
pub const RESULT_CODE: AvpDef = AvpDef::new("Result-Code", 268, 0, Unsigned32, true);
pub const PRODUCT_NAME: AvpDef = AvpDef::new("Product-Name", 269, 0, UTF8String, false);
pub const SESSION_BINDING: AvpDef = AvpDef::new("Session-Binding", 270, 0, Unsigned32, true);
pub const SESSION_SERVER_FAILOVER: AvpDef = AvpDef::new("Session-Server-Failover", 271, 0, Enumerated, true);
pub const MULTI_ROUND_TIME_OUT: AvpDef = AvpDef::new("Multi-Round-Time-Out", 272, 0, Unsigned32, true);
pub const DISCONNECT_CAUSE: AvpDef = AvpDef::new("Disconnect-Cause", 273, 0, Enumerated, true);
pub const AUTH_REQUEST_TYPE: AvpDef = AvpDef::new("Auth-Request-Type", 274, 0, Enumerated, true);
pub const AUTH_GRACE_PERIOD: AvpDef = AvpDef::new("Auth-Grace-Period", 276, 0, Unsigned32, true);
pub const AUTH_SESSION_STATE: AvpDef = AvpDef::new("Auth-Session-State", 277, 0, Enumerated, true);
pub const ORIGIN_STATE_ID: AvpDef = AvpDef::new("Origin-State-Id", 278, 0, Unsigned32, true);
pub const FAILED_AVP: AvpDef = AvpDef::new("Failed-AVP", 279, 0, Grouped, true);
pub const PROXY_HOST: AvpDef = AvpDef::new("Proxy-Host", 280, 0, DiameterIdentity, true);
pub const ERROR_MESSAGE: AvpDef = AvpDef::new("Error-Message", 281, 0, UTF8String, false);
pub const ROUTE_RECORD: AvpDef = AvpDef::new("Route-Record", 282, 0, DiameterIdentity, true);
pub const DESTINATION_REALM: AvpDef = AvpDef::new("Destination-Realm", 283, 0, DiameterIdentity, true);
pub const PROXY_INFO: AvpDef = AvpDef::new("Proxy-Info", 284, 0, Grouped, true);
pub const RE_AUTH_REQUEST_TYPE: AvpDef = AvpDef::new("Re-Auth-Request-Type", 285, 0, Enumerated, true);
pub const ACCOUNTING_SUB_SESSION_ID: AvpDef =
    AvpDef::new("Accounting-Sub-Session-Id", 287, 0, Unsigned64, true);
pub const AUTHORIZATION_LIFETIME: AvpDef = AvpDef::new("Authorization-Lifetime", 291, 0, Integer32, true);
pub const REDIRECT_HOST: AvpDef = AvpDef::new("Redirect-Host", 292, 0, DiameterURI, true);
pub const DESTINATION_HOST: AvpDef = AvpDef::new("Destination-Host", 293, 0, DiameterIdentity, true);
pub const ERROR_REPORTING_HOST: AvpDef = AvpDef::new("Error-Reporting-Host", 294, 0, DiameterIdentity, false);
pub const TERMINATION_CAUSE: AvpDef = AvpDef::new("Termination-Cause", 295, 0, Enumerated, true);
pub const ORIGIN_REALM: AvpDef = AvpDef::new("Origin-Realm", 296, 0, DiameterIdentity, true);
pub const EXPERIMENTAL_RESULT: AvpDef = AvpDef::new("Experimental-Result", 297, 0, Grouped, true);
pub const EXPERIMENTAL_RESULT_CODE: AvpDef =
    AvpDef::new("Experimental-Result-Code", 298, 0, Unsigned32, true);
pub const INBAND_SECURITY_ID: AvpDef = AvpDef::new("Inband-Security-Id", 299, 0, Unsigned32, true);
pub const E2E_SEQUENCE: AvpDef = AvpDef::new("E2E-Sequence", 300, 0, Grouped, true);
pub const ACCOUNTING_RECORD_TYPE: AvpDef = AvpDef::new("Accounting-Record-Type", 480, 0, Enumerated, true);
pub const ACCOUNTING_REALTIME_REQUIRED: AvpDef =
    AvpDef::new("Accounting-Realtime-Required", 483, 0, Enumerated, true);
pub const ACCOUNTING_RECORD_NUMBER: AvpDef =
    AvpDef::new("Accounting-Record-Number", 485, 0, Unsigned32, true);

/// Sorted by (vendor, code).
pub static TABLE: &[AvpDef] = &[
    USER_NAME,
    CLASS,
    SESSION_TIMEOUT,
    PROXY_STATE,
    ACCT_SESSION_ID,
    ACCT_MULTI_SESSION_ID,
    EVENT_TIMESTAMP,
    ACCT_INTERIM_INTERVAL,
    HOST_IP_ADDRESS,
    AUTH_APPLICATION_ID,
    ACCT_APPLICATION_ID,
    VENDOR_SPECIFIC_APPLICATION_ID,
    REDIRECT_HOST_USAGE,
    REDIRECT_MAX_CACHE_TIME,
    SESSION_ID,
    ORIGIN_HOST,
    SUPPORTED_VENDOR_ID,
    VENDOR_ID,
    FIRMWARE_REVISION,
    RESULT_CODE,
    PRODUCT_NAME,
    SESSION_BINDING,
    SESSION_SERVER_FAILOVER,
    MULTI_ROUND_TIME_OUT,
    DISCONNECT_CAUSE,
    AUTH_REQUEST_TYPE,
    AUTH_GRACE_PERIOD,
    AUTH_SESSION_STATE,
    ORIGIN_STATE_ID,
    FAILED_AVP,
    PROXY_HOST,
    ERROR_MESSAGE,
    ROUTE_RECORD,
    DESTINATION_REALM,
    PROXY_INFO,
    RE_AUTH_REQUEST_TYPE,
    ACCOUNTING_SUB_SESSION_ID,
    AUTHORIZATION_LIFETIME,
    REDIRECT_HOST,
    DESTINATION_HOST,
    ERROR_REPORTING_HOST,
    TERMINATION_CAUSE,
    ORIGIN_REALM,
    EXPERIMENTAL_RESULT,
    EXPERIMENTAL_RESULT_CODE,
    INBAND_SECURITY_ID,
    E2E_SEQUENCE,
    ACCOUNTING_RECORD_TYPE,
    ACCOUNTING_REALTIME_REQUIRED,
    ACCOUNTING_RECORD_NUMBER,
];
