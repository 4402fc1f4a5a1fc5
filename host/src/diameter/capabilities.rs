//! Capabilities exchange (RFC 6733 5.3): building CER/CEA, reading a peer's
//! capabilities, and the application intersection the CEA advertises.

use std::net::IpAddr;

use plughss_plugin_api::diameter::{
    Header, Message, MessageBuilder, MessageError, message, result_code as rc,
};
use plughss_plugin_api::dictionary::{app, base, cmd};

use super::router::Application;

/// Who we are on the wire.
#[derive(Debug, Clone)]
pub struct LocalNode {
    pub origin_host: String,
    pub origin_realm: String,
    /// Advertised Host-IP-Address values; empty means "the connection's local address".
    pub host_ips: Vec<IpAddr>,
    pub vendor_id: u32,
    pub product_name: String,
    /// RFC 6733 8.16: changes each time we restart with state lost.
    pub origin_state_id: u32,
    pub firmware_revision: u32,
}

impl LocalNode {
    /// Firmware-Revision from the crate version: major*10000 + minor*100 + patch.
    pub fn firmware_from_version(v: &str) -> u32 {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let (a, b, c) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        a * 10_000 + b * 100 + c
    }
}

/// What a peer said about itself in its CER or CEA.
#[derive(Debug, Clone, Default)]
pub struct PeerCapabilities {
    pub origin_host: String,
    pub origin_realm: String,
    pub host_ips: Vec<IpAddr>,
    pub vendor_id: u32,
    pub product_name: String,
    pub origin_state_id: Option<u32>,
    pub firmware_revision: Option<u32>,
    pub supported_vendors: Vec<u32>,
    /// Auth applications, from Auth-Application-Id and Vendor-Specific-Application-Id.
    pub auth_apps: Vec<Application>,
    pub acct_apps: Vec<u32>,
    /// The peer advertised the relay application (RFC 6733 2.4): it takes everything.
    pub relay: bool,
}

/// Reads a CER or CEA. Missing required AVPs (RFC 6733 5.3.1/5.3.2) give 5005.
pub fn read_capabilities(m: &Message<'_>) -> Result<PeerCapabilities, MessageError> {
    let str_of = |def| m.require(def).and_then(|a| a.as_str().map_err(|_| bad_value(a)));
    let mut caps = PeerCapabilities {
        origin_host: str_of(&base::ORIGIN_HOST)?.to_owned(),
        origin_realm: str_of(&base::ORIGIN_REALM)?.to_owned(),
        vendor_id: m.require(&base::VENDOR_ID)?.as_u32().map_err(|_| message::missing(&base::VENDOR_ID))?,
        product_name: str_of(&base::PRODUCT_NAME)?.to_owned(),
        origin_state_id: m.u32(&base::ORIGIN_STATE_ID),
        firmware_revision: m.u32(&base::FIRMWARE_REVISION),
        ..Default::default()
    };
    for a in m.find_all(&base::HOST_IP_ADDRESS) {
        caps.host_ips.push(a.as_address().map_err(|_| bad_value(a))?);
    }
    if caps.host_ips.is_empty() {
        return Err(message::missing(&base::HOST_IP_ADDRESS));
    }
    caps.supported_vendors = m.find_all(&base::SUPPORTED_VENDOR_ID).filter_map(|a| a.as_u32().ok()).collect();
    for a in m.find_all(&base::AUTH_APPLICATION_ID).filter_map(|a| a.as_u32().ok()) {
        caps.add_auth(Application { id: a, vendor_id: 0 });
    }
    for a in m.find_all(&base::ACCT_APPLICATION_ID).filter_map(|a| a.as_u32().ok()) {
        caps.relay |= a == app::RELAY;
        caps.acct_apps.push(a);
    }
    for vsai in m.find_all(&base::VENDOR_SPECIFIC_APPLICATION_ID) {
        let vendor = vsai.child(base::VENDOR_ID.code, 0).and_then(|v| v.as_u32().ok()).unwrap_or(0);
        if let Some(id) = vsai.child(base::AUTH_APPLICATION_ID.code, 0).and_then(|v| v.as_u32().ok()) {
            caps.add_auth(Application { id, vendor_id: vendor });
        }
        if let Some(id) = vsai.child(base::ACCT_APPLICATION_ID.code, 0).and_then(|v| v.as_u32().ok()) {
            caps.acct_apps.push(id);
        }
    }
    Ok(caps)
}

fn bad_value(a: plughss_plugin_api::diameter::Avp<'_>) -> MessageError {
    MessageError::AvpValue { code: a.code, failed_avp: a.raw().to_vec() }
}

impl PeerCapabilities {
    fn add_auth(&mut self, a: Application) {
        self.relay |= a.id == app::RELAY;
        if !self.auth_apps.iter().any(|x| x.id == a.id) {
            self.auth_apps.push(a);
        }
    }

    pub fn supports(&self, application_id: u32) -> bool {
        self.relay || self.auth_apps.iter().any(|a| a.id == application_id)
    }
}

/// Our applications that the peer also advertised (RFC 6733 5.3: an empty result is
/// answered 5010 DIAMETER_NO_COMMON_APPLICATION).
pub fn common_applications(
    ours: impl IntoIterator<Item = Application>,
    peer: &PeerCapabilities,
) -> Vec<Application> {
    let mut v: Vec<Application> = ours.into_iter().filter(|a| peer.supports(a.id)).collect();
    v.sort_by_key(|a| a.id);
    v
}

fn write_identity(
    b: &mut MessageBuilder<'_>,
    local: &LocalNode,
    local_ip: Option<IpAddr>,
    apps: &[Application],
) {
    b.origin(&local.origin_host, &local.origin_realm);
    if local.host_ips.is_empty()
        && let Some(ip) = local_ip
    {
        b.address(&base::HOST_IP_ADDRESS, ip);
    }
    for ip in &local.host_ips {
        b.address(&base::HOST_IP_ADDRESS, *ip);
    }
    b.u32(&base::VENDOR_ID, local.vendor_id).str(&base::PRODUCT_NAME, &local.product_name);
    b.u32(&base::ORIGIN_STATE_ID, local.origin_state_id);
    let mut vendors: Vec<u32> = apps.iter().map(|a| a.vendor_id).filter(|v| *v != 0).collect();
    vendors.sort_unstable();
    vendors.dedup();
    for v in vendors {
        b.u32(&base::SUPPORTED_VENDOR_ID, v);
    }
    for a in apps {
        if a.vendor_id == 0 {
            b.u32(&base::AUTH_APPLICATION_ID, a.id);
        } else {
            b.grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
                g.u32(&base::VENDOR_ID, a.vendor_id).u32(&base::AUTH_APPLICATION_ID, a.id);
            });
        }
    }
    b.u32(&base::FIRMWARE_REVISION, local.firmware_revision);
}

/// CER (RFC 6733 5.3.1).
pub fn write_cer(
    buf: &mut Vec<u8>,
    local: &LocalNode,
    local_ip: Option<IpAddr>,
    apps: &[Application],
    hop_by_hop: u32,
    end_to_end: u32,
) -> usize {
    let mut b = MessageBuilder::new(
        buf,
        plughss_plugin_api::diameter::flags::REQUEST,
        cmd::CAPABILITIES_EXCHANGE,
        app::COMMON,
        hop_by_hop,
        end_to_end,
    );
    write_identity(&mut b, local, local_ip, apps);
    b.finish()
}

/// CEA (RFC 6733 5.3.2). On failure the E bit is set for 3xxx codes and the
/// applications are omitted.
#[allow(clippy::too_many_arguments)]
pub fn write_cea(
    buf: &mut Vec<u8>,
    req: &Header,
    local: &LocalNode,
    local_ip: Option<IpAddr>,
    result_code: u32,
    apps: &[Application],
    error_message: Option<&str>,
    failed_avp: Option<&[u8]>,
) -> usize {
    let mut b = MessageBuilder::answer(buf, req);
    b.set_error(rc::is_protocol_error(result_code));
    b.result_code(result_code);
    let apps = if result_code == rc::DIAMETER_SUCCESS { apps } else { &[] };
    write_identity(&mut b, local, local_ip, apps);
    if let Some(text) = error_message {
        b.str(&base::ERROR_MESSAGE, text);
    }
    if let Some(f) = failed_avp.filter(|f| !f.is_empty()) {
        b.grouped(&base::FAILED_AVP, |g| {
            g.encoded(f);
        });
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plughss_plugin_api::dictionary::{VENDOR_3GPP, app};

    fn local() -> LocalNode {
        LocalNode {
            origin_host: "hss.test".into(),
            origin_realm: "test".into(),
            host_ips: vec![],
            vendor_id: 0,
            product_name: "PlugHSS".into(),
            origin_state_id: 7,
            firmware_revision: 100,
        }
    }

    #[test]
    fn cer_round_trips_through_read_capabilities() {
        let s6a = Application { id: app::S6A, vendor_id: VENDOR_3GPP };
        let mut buf = Vec::new();
        write_cer(&mut buf, &local(), Some("127.0.0.1".parse().unwrap()), &[s6a], 1, 2);
        let m = Message::parse(&buf).unwrap();
        m.check_types().unwrap();
        let caps = read_capabilities(&m).unwrap();
        assert_eq!(caps.origin_host, "hss.test");
        assert_eq!(caps.host_ips, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(caps.supported_vendors, vec![VENDOR_3GPP]);
        assert_eq!(caps.auth_apps, vec![s6a]);
        assert_eq!(caps.origin_state_id, Some(7));
    }

    #[test]
    fn intersection_and_relay() {
        let ours = [
            Application { id: app::S6A, vendor_id: VENDOR_3GPP },
            Application { id: app::CX, vendor_id: VENDOR_3GPP },
        ];
        let mut peer = PeerCapabilities {
            auth_apps: vec![Application { id: app::S6A, vendor_id: 0 }],
            ..Default::default()
        };
        assert_eq!(common_applications(ours, &peer), vec![ours[0]]);
        peer.auth_apps = vec![Application { id: app::SH, vendor_id: VENDOR_3GPP }];
        assert!(common_applications(ours, &peer).is_empty());
        peer.relay = true;
        assert_eq!(common_applications(ours, &peer).len(), 2);
    }

    #[test]
    fn missing_host_ip_address_is_5005_with_failed_avp() {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::new(&mut buf, 0x80, 257, 0, 1, 1);
        b.origin("a", "b").u32(&base::VENDOR_ID, 0).str(&base::PRODUCT_NAME, "x");
        b.finish();
        let e = read_capabilities(&Message::parse(&buf).unwrap()).unwrap_err();
        assert_eq!(e.result_code(), rc::DIAMETER_MISSING_AVP);
        assert_eq!(&e.failed_avp().unwrap()[..4], &257u32.to_be_bytes());
    }

    #[test]
    fn firmware_revision_from_version() {
        assert_eq!(LocalNode::firmware_from_version("1.2.3"), 10203);
        assert_eq!(LocalNode::firmware_from_version("0.1.0"), 100);
    }
}
