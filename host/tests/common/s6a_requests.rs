//! S6a requests (AIR, ULR) as an MME sends them, and the independent check of an
//! E-UTRAN vector (the `milenage` crate and a KASME derivation written here, not the
//! host's AuC), shared by the tests that drive the built-in S6a plugin.

use hmac::{KeyInit, Mac};
use plughss::app::Running;
use plughss::diameter::client::{Client, ClientOptions};
use plughss_plugin_api::diameter::{Avp, Message, MessageBuilder};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd, s6a};

use super::s6a_node::{K, OPC, PLMN};
use super::{HSS_REALM, S6A};

pub fn air(imsi: &str, origin: &str, vectors: u32, resync: Option<&[u8; 30]>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, &format!("{origin};air;{vectors}"))
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(origin, "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, imsi)
        .grouped(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, vectors).u32(&s6a::IMMEDIATE_RESPONSE_PREFERRED, 0);
            if let Some(r) = resync {
                g.bytes(&s6a::RE_SYNCHRONIZATION_INFO, r);
            }
        })
        .bytes(&s6a::VISITED_PLMN_ID, &PLMN);
    b.finish();
    buf
}

pub fn ulr(imsi: &str, origin: &str, flags: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::UPDATE_LOCATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, &format!("{origin};ulr"))
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(origin, "client.local")
        .str(&base::DESTINATION_REALM, HSS_REALM)
        .str(&base::USER_NAME, imsi)
        .enumerated(&s6a::RAT_TYPE, 1004)
        .u32(&s6a::ULR_FLAGS, flags)
        .bytes(&s6a::VISITED_PLMN_ID, &PLMN);
    b.finish();
    buf
}

/// A vector checked from first principles (with the keys of [`super::s6a_node`]): AUTN = SQN^AK || AMF || MAC-A (TS 33.102
/// 6.3.2), KASME = KDF(CK||IK, 0x10 || PLMN || SQN^AK) (TS 33.401 A.2). Returns SQN.
pub fn verify_vector(v: &Avp<'_>) -> u64 {
    verify_vector_with(v, K, OPC)
}

/// [`verify_vector`] for the subscriber keys `k` and `opc` (hex).
pub fn verify_vector_with(v: &Avp<'_>, k: &str, opc: &str) -> u64 {
    let get = |def: &plughss_plugin_api::dictionary::AvpDef| {
        v.child(def.code, VENDOR_3GPP).unwrap().payload().to_vec()
    };
    let rand: [u8; 16] = get(&s6a::RAND).try_into().unwrap();
    let autn = get(&s6a::AUTN);
    let mut m = milenage::Milenage::new_with_opc(
        hex::decode(k).unwrap().try_into().unwrap(),
        hex::decode(opc).unwrap().try_into().unwrap(),
    );
    let (res, ck, ik, ak) = m.f2345(&rand);
    let sqn: [u8; 6] = std::array::from_fn(|i| autn[i] ^ ak[i]);
    let amf: [u8; 2] = [autn[6], autn[7]];
    assert_eq!(amf, [0x80, 0x00], "AMF with the E-UTRAN separation bit (TS 33.401 6.1.2)");
    assert_eq!(&autn[8..], &m.f1(&rand, &sqn, &amf), "MAC-A");
    assert_eq!(get(&s6a::XRES), res.to_vec(), "XRES");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&[ck, ik].concat()).unwrap();
    mac.update(&[0x10]);
    mac.update(&PLMN);
    mac.update(&[0, 3]);
    mac.update(&autn[..6]);
    mac.update(&[0, 6]);
    assert_eq!(get(&s6a::KASME), mac.finalize().into_bytes().to_vec(), "KASME");
    u64::from_be_bytes([0, 0, sqn[0], sqn[1], sqn[2], sqn[3], sqn[4], sqn[5]])
}

pub fn vectors<'a>(m: &Message<'a>) -> Vec<Avp<'a>> {
    let info = m.find(&s6a::AUTHENTICATION_INFO).expect("Authentication-Info");
    info.grouped().flatten().filter(|a| a.is(s6a::E_UTRAN_VECTOR.code, VENDOR_3GPP)).collect()
}

pub async fn mme(node: &Running, host: &str) -> Client {
    Client::connect(node.diameter_addrs[0], ClientOptions::new(host, "client.local", vec![S6A]))
        .await
        .unwrap()
}

/// Re-Synchronization-Info (RAND || AUTS) as the USIM of the test subscriber makes it
/// for `sqn_ms` (TS 33.102 6.3.3): AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S over AMF
/// 0000, by the independent `milenage` crate.
pub fn resync_info(rand: [u8; 16], sqn_ms: u64) -> [u8; 30] {
    let sqn_ms_b: [u8; 6] = sqn_ms.to_be_bytes()[2..].try_into().unwrap();
    let mut m = milenage::Milenage::new_with_opc(
        hex::decode(K).unwrap().try_into().unwrap(),
        hex::decode(OPC).unwrap().try_into().unwrap(),
    );
    let ak_star = m.f5star(&rand);
    let mac_s = m.f1star(&rand, &sqn_ms_b, &[0, 0]);
    let mut resync = [0u8; 30];
    resync[..16].copy_from_slice(&rand);
    for i in 0..6 {
        resync[16 + i] = sqn_ms_b[i] ^ ak_star[i];
    }
    resync[22..].copy_from_slice(&mac_s);
    resync
}

/// Answers an HSS-initiated request (IDR, DSR, CLR) from a raw MME with success.
pub async fn answer_hss_request(mme: &mut super::RawPeer, req: &Message<'_>) {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::answer(&mut buf, &req.header);
    b.bytes(&base::SESSION_ID, req.find(&base::SESSION_ID).unwrap().payload())
        .result_code(2001)
        .origin("mme.client.local", "client.local")
        .u32(&base::AUTH_SESSION_STATE, 1);
    b.finish();
    mme.send(&buf).await;
}
