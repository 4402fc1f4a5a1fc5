//! What a provisioning write or a resynchronisation must never do, seen from real MMEs
//! (TCP peers) and the REST API of a running node: issue an SQN twice (the vectors'
//! SQNs are recovered with an independent Milenage), or make the HSS forget the MME
//! serving a subscriber (it must still get IDR and CLR). Issue #13, items 1 to 3.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::s6a_node::*;
use common::s6a_requests::*;
use common::*;
use plughss_plugin_api::diameter::Message;
use plughss_plugin_api::dictionary::cmd;
use serde_json::{Value, json};

/// Every SQN of the E-UTRAN vectors of one AIA, checked independently.
async fn sqns(c: &plughss::diameter::client::Client, count: u32, resync: Option<&[u8; 30]>) -> Vec<u64> {
    let a = c.request(air(IMSI, "mme1.client.local", count, resync)).await.unwrap();
    let m = Message::parse(&a).unwrap();
    assert_eq!(m.result(), Some((0, 2001)), "AIA result");
    vectors(&m).iter().map(verify_vector).collect()
}

fn api(node: &plughss::app::Running, path: &str) -> String {
    format!("http://{}/api/v1/subscribers{path}", node.api_addr)
}

/// Re-keying through the API while AIRs run (the keys PATCHed to the same value, as
/// an operator re-saving a form would) never issues an SQN twice. Before the fix the
/// write put back the SQN it had read, under the AuC's reservations: with 2-SEQ blocks
/// hundreds of SQNs came out twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rekeying_while_airs_run_never_issues_an_sqn_twice() {
    let mut cfg = test_config();
    cfg.auc.sqn_block = 2;
    let node = s6a_node_with(cfg).await;
    let c = Arc::new(mme(&node, "mme1.client.local").await);
    let done = Arc::new(AtomicBool::new(false));
    let airs = {
        let (c, done) = (c.clone(), done.clone());
        tokio::spawn(async move {
            let mut all = Vec::new();
            // Bounded: stops when the writer is done, or after 4000 AIRs.
            for _ in 0..4000 {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                all.extend(sqns(&c, 1, None).await);
            }
            all
        })
    };
    let http = reqwest::Client::new();
    for i in 0..150 {
        let body = json!({ "security": { "k": K } });
        let r = http.patch(api(&node, &format!("/{IMSI}"))).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200, "PATCH {i}");
    }
    done.store(true, Ordering::Relaxed);
    let issued = airs.await.unwrap();
    assert!(issued.len() > 50, "AIRs ran alongside the writes ({})", issued.len());
    let distinct: HashSet<u64> = issued.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        issued.len(),
        "{} of {} SQNs issued twice",
        issued.len() - distinct.len(),
        issued.len()
    );
    assert!(issued.windows(2).all(|w| w[0] < w[1]), "SQNs went backwards");
}

/// Re-importing a subscriber (its document says SQN 0) and a PUT naming a lower SQN
/// keep the SQN: the next vectors are above every one issued before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_and_put_never_move_the_sqn_back() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let before = sqns(&c, 5, None).await;
    let highest = *before.iter().max().unwrap();
    let http = reqwest::Client::new();

    let doc = json!({ "imsi": IMSI, "security": { "k": K, "opc": OPC, "amf": "8000", "sqn": 0 } });
    let r = http.post(api(&node, "/import")).json(&json!([doc])).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let after_import = sqns(&c, 3, None).await;
    assert!(
        after_import.iter().all(|s| *s > highest),
        "after the import {after_import:x?}, before {highest:#x}"
    );

    let mut current: Value =
        http.get(api(&node, &format!("/{IMSI}"))).send().await.unwrap().json().await.unwrap();
    let stored_sqn = current["security"]["sqn"].as_u64().unwrap();
    assert!(stored_sqn > *after_import.iter().max().unwrap(), "GET shows the reserved SQN");
    current["security"] = json!({ "k": K, "opc": OPC, "sqn": 32 });
    let r = http.put(api(&node, &format!("/{IMSI}"))).json(&current).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let answered: Value = r.json().await.unwrap();
    assert_eq!(answered["security"]["sqn"].as_u64(), Some(stored_sqn), "the answer shows the SQN kept");
    let after_put = sqns(&c, 3, None).await;
    assert!(
        after_put.iter().all(|s| *s > *after_import.iter().max().unwrap()),
        "after the PUT {after_put:x?}"
    );

    // A higher SQN is taken (an operator moving a SIM's counter forward).
    let forward = stored_sqn + (1 << 20);
    let r = http
        .patch(api(&node, &format!("/{IMSI}")))
        .json(&json!({ "security": { "sqn": forward } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(sqns(&c, 1, None).await[0] >= forward, "an explicit higher SQN is used");
}

/// An AUTS is sent in clear and can be replayed. One the USIM made early (for the
/// first SQN it saw) must not roll SEQ_HE back into SQNs issued since (TS 33.102 6.3.5:
/// SQN_HE is reset only when the next SQN would be refused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_auts_never_moves_the_sqn_back() {
    let node = s6a_node().await;
    let c = mme(&node, "mme1.client.local").await;
    let first = sqns(&c, 1, None).await[0];
    let old = resync_info([0x5a; 16], first);
    let mut issued = vec![first];
    for _ in 0..40 {
        issued.extend(sqns(&c, 5, None).await);
    }
    let highest = *issued.iter().max().unwrap();
    assert!(highest >= first + 200 * 32, "200 SEQs issued after the AUTS was made");

    for replay in 0..3 {
        let answered = sqns(&c, 2, Some(&old)).await;
        assert!(
            answered.iter().all(|s| *s > highest),
            "replay {replay}: {answered:x?} re-issues SQNs up to {highest:#x}"
        );
        issued.extend(answered);
    }
    let distinct: HashSet<u64> = issued.iter().copied().collect();
    assert_eq!(distinct.len(), issued.len(), "an SQN was issued twice");

    // A genuine resynchronisation (SQN_MS above SEQ_HE) still moves it forward.
    let ahead = highest + 1_000_000 * 32;
    let answered = sqns(&c, 1, Some(&resync_info([0xa5; 16], ahead))).await;
    assert!(answered[0] > ahead, "{:#x} is above SQN_MS {ahead:#x}", answered[0]);
}

/// Answers the next HSS-initiated request (IDR, DSR, CLR) from the raw MME with
/// success and returns its command code.
async fn answer(mme: &mut RawPeer) -> u32 {
    let req = mme.recv().await.expect("a request from the HSS");
    let req = Message::parse(&req).unwrap();
    assert!(req.header.is_request());
    answer_hss_request(mme, &req).await;
    req.header.command_code
}

/// After a ULR, neither a PUT of a fresh document (no `mme_host`: the client never
/// read one) nor an import erases the serving MME: barring the subscriber reaches the
/// MME as IDR, and deleting it as CLR. The API refuses to set the serving MME itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_and_import_keep_the_serving_mme_so_idr_and_clr_still_reach_it() {
    let node = s6a_node().await;
    let http = reqwest::Client::new();
    let url = api(&node, &format!("/{IMSI}"));
    let mut mme1 = RawPeer::open(node.diameter_addrs[0]).await;
    mme1.send(&ulr(IMSI, "mme.client.local", 0)).await;
    assert_eq!(Message::parse(&mme1.recv_answer().await).unwrap().result(), Some((0, 2001)));

    // A fresh document: default slice (the `ims` APN goes, so DSR first, TS 29.272
    // 5.2.2.2), barred.
    let barred = json!({ "imsi": IMSI, "msisdn": ["491721234567"], "subscriber_status": 1 });
    let (r, commands) = tokio::join!(http.put(&url).json(&barred).send(), async {
        (answer(&mut mme1).await, answer(&mut mme1).await)
    });
    assert_eq!(r.unwrap().status(), 200);
    assert_eq!(
        commands,
        (cmd::DELETE_SUBSCRIBER_DATA, cmd::INSERT_SUBSCRIBER_DATA),
        "the change reaches the serving MME"
    );
    let doc: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["mme_host"], "mme.client.local", "the PUT kept the serving MME: {doc}");
    assert_eq!(doc["subscriber_status"], 1);

    let import =
        json!([{ "imsi": IMSI, "security": { "k": K, "opc": OPC }, "mme_host": "elsewhere.example" }]);
    let r = http.post(api(&node, "/import")).json(&import).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["mme_host"], "mme.client.local", "the import kept the serving MME: {doc}");

    for (body, field) in [
        (json!({ "mme_host": "forged.example" }), "mme_host"),
        (json!({ "purge_flag": true }), "purge_flag"),
        (json!({ "ims": { "impi": "a@b", "scscf": "sip:forged" } }), "ims.scscf"),
    ] {
        let r = http.patch(&url).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 400, "PATCH {body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], field, "{e}");
    }
    let mut round_trip: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
    round_trip["ambr"]["downlink"] = json!({ "value": 2, "unit": 2 });
    let (r, command) = tokio::join!(http.put(&url).json(&round_trip).send(), answer(&mut mme1));
    assert_eq!(r.unwrap().status(), 200, "a GET document PUT back, state fields unchanged, is accepted");
    assert_eq!(command, cmd::INSERT_SUBSCRIBER_DATA);

    let (r, command) = tokio::join!(http.delete(&url).send(), answer(&mut mme1));
    assert_eq!(r.unwrap().status(), 204);
    assert_eq!(command, cmd::CANCEL_LOCATION, "the delete reaches the serving MME");
}
