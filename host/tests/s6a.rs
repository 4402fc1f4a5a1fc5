//! The built-in S6a plugin end to end: real TCP peers play MMEs against `plughss`'s node;
//! vectors are checked with an independent Milenage (the `milenage` crate) and KASME
//! derivation (`common::s6a_requests`), not with the host's AuC.

mod common;

use std::time::Duration;

use common::s6a_node::*;
use common::s6a_requests::*;
use common::*;
use plughss_plugin_api::diameter::result_code::experimental as x;
use plughss_plugin_api::diameter::{Avp, Message, MessageBuilder, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd, s6a};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn air_gives_independently_verifiable_vectors_with_increasing_sqn() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let a = c.request(air(IMSI, "mme1.client.local", 1, None)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    assert_eq!(m.u32(&base::AUTH_SESSION_STATE), Some(1));
    assert_eq!(m.session_id(), Some("mme1.client.local;air;1"));
    assert_eq!(m.origin_host(), Some(HSS_HOST));
    let v = vectors(&m);
    assert_eq!(v.len(), 1);
    let mut last = verify_vector(&v[0]);
    assert!(last >= 64, "starts at the provisioned SQN");

    let a = c.request(air(IMSI, "mme1.client.local", 3, None)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    let v = vectors(&m);
    assert_eq!(v.len(), 3);
    for (i, vec) in v.iter().enumerate() {
        assert_eq!(vec.child(s6a::ITEM_NUMBER.code, VENDOR_3GPP).unwrap().as_u32(), Ok(i as u32 + 1));
        let sqn = verify_vector(vec);
        assert!(sqn > last, "SQN strictly increasing: {sqn} after {last}");
        last = sqn;
    }
    // More than the configured maximum (5) is capped.
    let a = c.request(air(IMSI, "mme1.client.local", 9, None)).await.unwrap();
    assert_eq!(vectors(&Message::parse(&a).unwrap()).len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_with_a_valid_auts_moves_sqn_and_a_forged_one_does_not() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let a = c.request(air(IMSI, "mme1.client.local", 1, None)).await.unwrap();
    let before = verify_vector(&vectors(&Message::parse(&a).unwrap())[0]);

    // The USIM reports SQN_MS far ahead; build AUTS = (SQN_MS ^ AK*) || MAC-S as the USIM
    // does (TS 33.102 6.3.3), with MAC-S over AMF 0000.
    let rand: [u8; 16] = std::array::from_fn(|i| i as u8 * 7 + 1);
    let sqn_ms: u64 = before + 1_000_000 * 32;
    let resync = resync_info(rand, sqn_ms);

    let mut forged = resync;
    forged[29] ^= 1;
    let a = c.request(air(IMSI, "mme1.client.local", 1, Some(&forged))).await.unwrap();
    assert_eq!(
        Message::parse(&a).unwrap().result(),
        Some((VENDOR_3GPP, x::DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE))
    );
    let a = c.request(air(IMSI, "mme1.client.local", 1, None)).await.unwrap();
    let after_forged = verify_vector(&vectors(&Message::parse(&a).unwrap())[0]);
    assert!(after_forged > before && after_forged < sqn_ms, "a forged AUTS never moves the SQN");

    let a = c.request(air(IMSI, "mme1.client.local", 2, Some(&resync))).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    for v in vectors(&m) {
        let sqn = verify_vector(&v);
        assert!(sqn > sqn_ms, "vectors after resync are above SQN_MS: {sqn:#x} vs {sqn_ms:#x}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_imsi_and_malformed_requests() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let a = c.request(air("001019999999999", "mme1.client.local", 1, None)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((VENDOR_3GPP, x::DIAMETER_ERROR_USER_UNKNOWN)));
    assert!(!m.header.is_error());
    assert!(m.find(&s6a::AUTHENTICATION_INFO).is_none());

    // An AVP with the M bit that AIR does not define: 5001 with Failed-AVP (RFC 6733 7.1.5).
    let mut req = air(IMSI, "mme1.client.local", 1, None);
    let extra = {
        let mut b = Vec::new();
        let mut mb = MessageBuilder::new(&mut b, 0, 0, 0, 0, 0);
        mb.avp_raw(99_999, 0xc0, VENDOR_3GPP, &[1, 2, 3, 4]);
        mb.finish();
        b[20..].to_vec()
    };
    req.extend_from_slice(&extra);
    let len = req.len() as u32;
    req[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    let a = c.request(req).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_AVP_UNSUPPORTED)));
    let failed = m.find(&base::FAILED_AVP).unwrap();
    assert_eq!(failed.grouped().next().unwrap().unwrap().code, 99_999);

    // No Visited-PLMN-Id: 5005 naming it.
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, "s;nop")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme1.client.local", "client.local");
    b.str(&base::USER_NAME, IMSI);
    b.finish();
    let a = c.request(buf).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_MISSING_AVP)));
    let failed = m.find(&base::FAILED_AVP).unwrap();
    assert_eq!(failed.grouped().next().unwrap().unwrap().code, s6a::VISITED_PLMN_ID.code);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ulr_returns_the_subscription_field_by_field() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let a = c.request(ulr(IMSI, "mme1.client.local", 0b10_0010)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
    assert_eq!(m.u32(&s6a::ULA_FLAGS), Some(1));
    let sd = m.find(&s6a::SUBSCRIPTION_DATA).expect("Subscription-Data");
    fn child<'a>(a: &Avp<'a>, def: &plughss_plugin_api::dictionary::AvpDef) -> Option<Avp<'a>> {
        a.child(def.code, def.vendor)
    }
    assert_eq!(child(&sd, &s6a::MSISDN).unwrap().payload(), &[0x94, 0x71, 0x12, 0x32, 0x54, 0x76], "TBCD");
    assert_eq!(child(&sd, &s6a::SUBSCRIBER_STATUS).unwrap().as_enum(), Ok(0));
    assert_eq!(child(&sd, &s6a::NETWORK_ACCESS_MODE).unwrap().as_enum(), Ok(0));
    assert_eq!(child(&sd, &s6a::ACCESS_RESTRICTION_DATA).unwrap().as_u32(), Ok(32));
    assert_eq!(child(&sd, &s6a::SUBSCRIBED_PERIODIC_RAU_TAU_TIMER).unwrap().as_u32(), Ok(720));
    let ambr = child(&sd, &s6a::AMBR).unwrap();
    assert_eq!(child(&ambr, &s6a::MAX_REQUESTED_BANDWIDTH_UL).unwrap().as_u32(), Ok(1_000_000_000));
    assert_eq!(child(&ambr, &s6a::MAX_REQUESTED_BANDWIDTH_DL).unwrap().as_u32(), Ok(1_000_000_000));
    let prof = child(&sd, &s6a::APN_CONFIGURATION_PROFILE).unwrap();
    assert_eq!(child(&prof, &s6a::CONTEXT_IDENTIFIER).unwrap().as_u32(), Ok(1));
    assert_eq!(child(&prof, &s6a::ALL_APN_CONFIGURATIONS_INCLUDED_INDICATOR).unwrap().as_enum(), Ok(0));
    let apns: Vec<_> =
        prof.grouped().flatten().filter(|a| a.is(s6a::APN_CONFIGURATION.code, VENDOR_3GPP)).collect();
    assert_eq!(apns.len(), 2);
    fn field<'a>(apn: &Avp<'a>, def: &plughss_plugin_api::dictionary::AvpDef) -> Avp<'a> {
        apn.child(def.code, def.vendor).unwrap()
    }
    assert_eq!(field(&apns[0], &s6a::SERVICE_SELECTION).as_str(), Ok("internet"));
    assert_eq!(field(&apns[0], &s6a::PDN_TYPE).as_enum(), Ok(2), "IPv4v6");
    assert_eq!(field(&apns[1], &s6a::CONTEXT_IDENTIFIER).as_u32(), Ok(2));
    assert_eq!(field(&apns[1], &s6a::SERVICE_SELECTION).as_str(), Ok("ims"));
    assert_eq!(field(&apns[1], &s6a::PDN_TYPE).as_enum(), Ok(0), "IPv4");
    assert_eq!(field(&apns[1], &s6a::SERVED_PARTY_IP_ADDRESS).as_address().unwrap().to_string(), "10.45.0.7");
    let qos = field(&apns[1], &s6a::EPS_SUBSCRIBED_QOS_PROFILE);
    assert_eq!(child(&qos, &s6a::QOS_CLASS_IDENTIFIER).unwrap().as_enum(), Ok(5));
    let arp = child(&qos, &s6a::ALLOCATION_RETENTION_PRIORITY).unwrap();
    assert_eq!(child(&arp, &s6a::PRIORITY_LEVEL).unwrap().as_u32(), Ok(1));
    assert_eq!(child(&arp, &s6a::PRE_EMPTION_CAPABILITY).unwrap().as_enum(), Ok(0), "ENABLED");
    assert_eq!(child(&arp, &s6a::PRE_EMPTION_VULNERABILITY).unwrap().as_enum(), Ok(1), "DISABLED");
    // The serving MME is recorded.
    let s = node.store.get(IMSI).await.unwrap().unwrap();
    assert_eq!(s.mme_host.as_deref(), Some("mme1.client.local"));
    assert!(s.mme_timestamp.is_some());

    // Skip-Subscriber-Data (ULR-Flags bit 2).
    let a = c.request(ulr(IMSI, "mme1.client.local", 0b100)).await.unwrap();
    assert!(Message::parse(&a).unwrap().find(&s6a::SUBSCRIPTION_DATA).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ulr_from_a_second_mme_cancels_the_first_then_pur_and_nor() {
    let node = s6a_node().await;
    // MME1 is a raw peer (Origin-Host mme.client.local) that will receive the CLR.
    let mut mme1 = RawPeer::open(node.diameter_addrs[0]).await;
    mme1.send(&ulr(IMSI, "mme.client.local", 0)).await;
    assert_eq!(Message::parse(&mme1.recv_answer().await).unwrap().result(), Some((0, 2001)));

    let mme2 = mme(&node, "mme2.client.local").await;
    let (ula, ()) = tokio::join!(mme2.request(ulr(IMSI, "mme2.client.local", 0)), async {
        let clr = mme1.recv().await.expect("CLR to the previous MME");
        let m = Message::parse(&clr).unwrap();
        assert!(m.header.is_request());
        assert_eq!(m.header.command_code, cmd::CANCEL_LOCATION);
        assert_eq!(m.destination_host(), Some("mme.client.local"));
        assert_eq!(m.str(&base::USER_NAME), Some(IMSI));
        assert_eq!(m.find(&s6a::CANCELLATION_TYPE).unwrap().as_enum(), Ok(0), "MME_UPDATE_PROCEDURE");
        let mut buf = Vec::new();
        let mut b = MessageBuilder::answer(&mut buf, &m.header);
        b.bytes(&base::SESSION_ID, m.find(&base::SESSION_ID).unwrap().payload())
            .result_code(2001)
            .origin("mme.client.local", "client.local");
        b.u32(&base::AUTH_SESSION_STATE, 1);
        b.finish();
        mme1.send(&buf).await;
    });
    assert_eq!(Message::parse(&ula.unwrap()).unwrap().result(), Some((0, 2001)));
    let st = node.plugins.runtime.status();
    let s6a = st.iter().find(|p| p.name == "s6a").unwrap();
    assert_eq!(s6a.plugin_metrics.get("clr_ok"), Some(&1));

    // PUR from the old MME: not the serving one, so no purge and no frozen M-TMSI.
    let pur = |origin: &str| {
        let mut buf = Vec::new();
        let mut b = MessageBuilder::request(&mut buf, cmd::PURGE_UE, apps::S6A, 0, 0);
        b.str(&base::SESSION_ID, &format!("{origin};pur"))
            .u32(&base::AUTH_SESSION_STATE, 1)
            .origin(origin, "client.local")
            .str(&base::DESTINATION_REALM, HSS_REALM)
            .str(&base::USER_NAME, IMSI);
        b.finish();
        buf
    };
    mme1.send(&pur("mme.client.local")).await;
    let m = mme1.recv_answer().await;
    let m = Message::parse(&m).unwrap();
    assert_eq!((m.result(), m.u32(&s6a::PUA_FLAGS)), (Some((0, 2001)), Some(0)));
    assert!(!node.store.get(IMSI).await.unwrap().unwrap().purge_flag);
    let a = mme2.request(pur("mme2.client.local")).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!((m.result(), m.u32(&s6a::PUA_FLAGS)), (Some((0, 2001)), Some(1)));
    assert!(node.store.get(IMSI).await.unwrap().unwrap().purge_flag);

    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::NOTIFY, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, "mme2;nor")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme2.client.local", "client.local");
    b.str(&base::DESTINATION_REALM, HSS_REALM).str(&base::USER_NAME, IMSI);
    b.finish();
    let a = mme2.request(buf).await.unwrap();
    assert_eq!(Message::parse(&a).unwrap().result(), Some((0, 2001)));
    let _ = Duration::ZERO;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_changes_reach_the_serving_mme_as_idr_and_clr() {
    let node = s6a_node().await;
    let api = format!("http://{}/api/v1/subscribers/{IMSI}", node.api_addr);
    let http = reqwest::Client::new();
    let mut mme1 = RawPeer::open(node.diameter_addrs[0]).await;
    mme1.send(&ulr(IMSI, "mme.client.local", 0)).await;
    assert_eq!(Message::parse(&mme1.recv_answer().await).unwrap().result(), Some((0, 2001)));

    // PATCH the AMBR: the serving MME gets IDR with the new Subscription-Data.
    let r = http
        .patch(&api)
        .json(&serde_json::json!({ "ambr": { "downlink": { "value": 2, "unit": 2 } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let idr = mme1.recv().await.expect("IDR");
    let m = Message::parse(&idr).unwrap();
    assert!(m.header.is_request());
    assert_eq!(m.header.command_code, cmd::INSERT_SUBSCRIBER_DATA);
    assert_eq!(m.destination_host(), Some("mme.client.local"));
    assert_eq!(m.str(&base::USER_NAME), Some(IMSI));
    let ambr = m.find(&s6a::SUBSCRIPTION_DATA).unwrap().child(s6a::AMBR.code, VENDOR_3GPP).unwrap();
    assert_eq!(
        ambr.child(s6a::MAX_REQUESTED_BANDWIDTH_DL.code, VENDOR_3GPP).unwrap().as_u32(),
        Ok(2_000_000)
    );
    answer_hss_request(&mut mme1, &m).await;

    // Explicit cancel-location: CLR with SUBSCRIPTION_WITHDRAWAL; the API reports it.
    let (r, ()) = tokio::join!(http.post(format!("{api}/cancel-location")).send(), async {
        let clr = mme1.recv().await.expect("CLR");
        let m = Message::parse(&clr).unwrap();
        assert_eq!(m.header.command_code, cmd::CANCEL_LOCATION);
        assert_eq!(m.find(&s6a::CANCELLATION_TYPE).unwrap().as_enum(), Ok(2), "SUBSCRIPTION_WITHDRAWAL");
        answer_hss_request(&mut mme1, &m).await;
    });
    let r = r.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["reports"][0]["report"].as_str().unwrap().contains("result 2001"), "{body}");

    // DELETE: the serving MME is told to withdraw the subscription.
    let r = http.delete(&api).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let clr = mme1.recv().await.expect("CLR after delete");
    let m = Message::parse(&clr).unwrap();
    assert_eq!(m.header.command_code, cmd::CANCEL_LOCATION);
    assert_eq!(m.find(&s6a::CANCELLATION_TYPE).unwrap().as_enum(), Ok(2));
    answer_hss_request(&mut mme1, &m).await;
    let r = http.post(format!("{api}/cancel-location")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

/// TS 29.272 5.2.2.2: data the operator removes is deleted at the serving MME with DSR
/// (DSR-Flags 7.3.25 naming what goes, Context-Identifier of each removed APN as the
/// MME was given it), then the rest arrives with IDR.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_apn_and_msisdn_reach_the_serving_mme_as_dsr_then_idr() {
    let node = s6a_node().await;
    let mut mme1 = RawPeer::open(node.diameter_addrs[0]).await;
    mme1.send(&ulr(IMSI, "mme.client.local", 0)).await;
    assert_eq!(Message::parse(&mme1.recv_answer().await).unwrap().result(), Some((0, 2001)));

    let ((), ()) = tokio::join!(remove_ims_apn_and_msisdn(&node), async {
        let dsr = mme1.recv().await.expect("DSR");
        let m = Message::parse(&dsr).unwrap();
        assert!(m.header.is_request());
        assert_eq!(m.header.command_code, cmd::DELETE_SUBSCRIBER_DATA);
        assert_eq!(m.header.application_id, apps::S6A);
        assert_eq!(m.destination_host(), Some("mme.client.local"));
        assert_eq!(m.str(&base::USER_NAME), Some(IMSI));
        // Bit 3 PDN subscription contexts Withdrawal, bit 23 MSISDN Withdrawal.
        assert_eq!(m.u32(&s6a::DSR_FLAGS), Some((1 << 3) | (1 << 23)));
        let contexts: Vec<u32> = m
            .avps()
            .flatten()
            .filter(|a| a.is(s6a::CONTEXT_IDENTIFIER.code, VENDOR_3GPP))
            .map(|a| a.as_u32().unwrap())
            .collect();
        assert_eq!(contexts, [2], "the ims APN had Context-Identifier 2 in the ULA");
        answer_hss_request(&mut mme1, &m).await;

        let idr = mme1.recv().await.expect("IDR after DSR");
        let m = Message::parse(&idr).unwrap();
        assert_eq!(m.header.command_code, cmd::INSERT_SUBSCRIBER_DATA);
        let sd = m.find(&s6a::SUBSCRIPTION_DATA).unwrap();
        assert!(sd.child(s6a::MSISDN.code, VENDOR_3GPP).is_none());
        let prof = sd.child(s6a::APN_CONFIGURATION_PROFILE.code, VENDOR_3GPP).unwrap();
        let names: Vec<String> = prof
            .grouped()
            .flatten()
            .filter(|a| a.is(s6a::APN_CONFIGURATION.code, VENDOR_3GPP))
            .map(|c| {
                c.child(s6a::SERVICE_SELECTION.code, s6a::SERVICE_SELECTION.vendor)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(names, ["internet"]);
        answer_hss_request(&mut mme1, &m).await;
    });

    // Both answers reached the plugin and were counted.
    let counted = |name: &str| {
        let st = node.plugins.runtime.status();
        st.iter().find(|p| p.name == "s6a").unwrap().plugin_metrics.get(name).copied()
    };
    tokio::time::timeout(Duration::from_secs(5), async {
        while counted("idr_ok") != Some(1) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("IDA counted");
    assert_eq!(counted("dsr_ok"), Some(1));
    node.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utran_and_geran_vectors_when_asked() {
    let node = s6a_node().await;
    let c = mme(&node, "sgsn.client.local").await;
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, apps::S6A, 0, 0);
    b.str(&base::SESSION_ID, "sgsn;air")
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("sgsn.client.local", "client.local")
        .str(&base::USER_NAME, IMSI)
        .grouped(&s6a::REQUESTED_UTRAN_GERAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, 2);
        })
        .bytes(&s6a::VISITED_PLMN_ID, &PLMN);
    b.finish();
    let a = c.request(buf).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, 2001)));
    let info = m.find(&s6a::AUTHENTICATION_INFO).unwrap();
    let kids: Vec<_> = info.grouped().flatten().collect();
    let utran: Vec<_> = kids.iter().filter(|a| a.is(s6a::UTRAN_VECTOR.code, VENDOR_3GPP)).collect();
    let geran: Vec<_> = kids.iter().filter(|a| a.is(s6a::GERAN_VECTOR.code, VENDOR_3GPP)).collect();
    assert_eq!((utran.len(), geran.len()), (2, 2));
    let k: [u8; 16] = hex::decode(K).unwrap().try_into().unwrap();
    let opc: [u8; 16] = hex::decode(OPC).unwrap().try_into().unwrap();
    for u in &utran {
        let get = |d: &plughss_plugin_api::dictionary::AvpDef| {
            u.child(d.code, VENDOR_3GPP).unwrap().payload().to_vec()
        };
        let rand: [u8; 16] = get(&s6a::RAND).try_into().unwrap();
        let mut mil = milenage::Milenage::new_with_opc(k, opc);
        let (res, ck, ik, ak) = mil.f2345(&rand);
        let autn = get(&s6a::AUTN);
        let sqn: [u8; 6] = std::array::from_fn(|i| autn[i] ^ ak[i]);
        assert_eq!(&autn[6..8], &[0x80, 0x00], "UTRAN uses the stored AMF");
        assert_eq!(&autn[8..], &mil.f1(&rand, &sqn, &[0x80, 0x00]));
        assert_eq!(
            (get(&s6a::XRES), get(&s6a::CONFIDENTIALITY_KEY), get(&s6a::INTEGRITY_KEY)),
            (res.to_vec(), ck.to_vec(), ik.to_vec())
        );
    }
    for g in &geran {
        let get = |d: &plughss_plugin_api::dictionary::AvpDef| {
            g.child(d.code, VENDOR_3GPP).unwrap().payload().to_vec()
        };
        let rand: [u8; 16] = get(&s6a::RAND).try_into().unwrap();
        let (res, ck, ik, _) = milenage::Milenage::new_with_opc(k, opc).f2345(&rand);
        // TS 33.102 6.8.1.2: SRES = c2(XRES), Kc = c3(CK, IK).
        let sres: Vec<u8> = (0..4).map(|i| res[i] ^ res[i + 4]).collect();
        let kc: Vec<u8> = (0..8).map(|i| ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8]).collect();
        assert_eq!((get(&s6a::SRES), get(&s6a::KC)), (sres, kc));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rat_restriction_and_barring_follow_the_profile() {
    let node = s6a_node().await;
    let api = format!("http://{}/api/v1/subscribers/{IMSI}", node.api_addr);
    let http = reqwest::Client::new();
    // Bit 4 of Access-Restriction-Data forbids E-UTRAN (TS 29.272 7.3.31).
    let r =
        http.patch(&api).json(&serde_json::json!({ "access_restriction_data": 16 })).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let c = mme(&node, "mme1.client.local").await;
    let a = c.request(ulr(IMSI, "mme1.client.local", 0)).await.unwrap();
    assert_eq!(Message::parse(&a).unwrap().result(), Some((VENDOR_3GPP, x::DIAMETER_ERROR_RAT_NOT_ALLOWED)));
    // A barred subscriber still gets its data, with Subscriber-Status and the barring
    // categories for the MME to enforce (TS 29.272 7.3.29, 7.3.30).
    let patch = serde_json::json!({ "access_restriction_data": 32, "subscriber_status": 1, "operator_determined_barring": 3 });
    assert_eq!(http.patch(&api).json(&patch).send().await.unwrap().status(), 200);
    let a = c.request(ulr(IMSI, "mme1.client.local", 0)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, 2001)));
    let sd = m.find(&s6a::SUBSCRIPTION_DATA).unwrap();
    assert_eq!(sd.child(s6a::SUBSCRIBER_STATUS.code, VENDOR_3GPP).unwrap().as_enum(), Ok(1));
    assert_eq!(sd.child(s6a::OPERATOR_DETERMINED_BARRING.code, VENDOR_3GPP).unwrap().as_u32(), Ok(3));
}
