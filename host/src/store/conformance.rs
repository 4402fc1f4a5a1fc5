//! The store conformance suite: the behaviour every store backend (sled, CSV, MongoDB,
//! third-party libraries) must show through the [`StoreHandle`], written once.
//!
//! [`run`] runs every check in turn; each check is also a public function, so a
//! backend's tests can run them one by one. Checks panic with a message naming the rule
//! on the first violation, as test code does. Each check uses its own block of IMSIs
//! (`00101` + a two-digit check number + 8 digits) and measures counts as differences,
//! so checks can share one store, which need not start empty; no other writer may use
//! the `00101` block meanwhile.

use std::collections::HashSet;

use plughss_plugin_api::store::{ImsState, PutMode, SQN_MODULUS, ServingNode, StoreError};
use plughss_plugin_api::subscriber::{
    Ambr, Arp, AuthData, BitRate, Ims, OpcOrOp, Qos, SecurityInfo, Session, Slice, Subscriber, UeAddress,
    to_hex,
};

use super::StoreHandle;

/// Runs every check, in an order where earlier checks cover what later ones rely on.
pub async fn run(store: &StoreHandle) {
    create_get_round_trip(store).await;
    create_conflicts_with_existing(store).await;
    create_validates_input(store).await;
    update_of_absent_is_not_found(store).await;
    update_keeps_keys_and_sqn_without_auth(store).await;
    get_auth_is_exact(store).await;
    delete_reports_existence(store).await;
    list_orders_and_paginates(store).await;
    count_follows_creates_and_deletes(store).await;
    reserve_sqn_advances_and_wraps(store).await;
    advance_sqn_only_raises(store).await;
    updates_keep_state_and_never_lower_the_sqn(store).await;
    updates_racing_reservations_never_repeat_an_sqn(store).await;
    update_serving_returns_previous(store).await;
    update_serving_many_answers_each_in_order(store).await;
    set_ims_state_is_visible(store).await;
    put_many_thousand(store).await;
    profiles_carry_no_secrets(store).await;
    concurrent_reserve_sqn_is_gapless(store).await;
}

/// An IMSI of check `check`'s block.
pub fn imsi(check: u8, n: u32) -> String {
    format!("00101{:02}{:08}", check % 100, n)
}

/// A profile with every field set, none to its default: two slices, three sessions,
/// static addresses, IMS identities and state, a serving MME.
pub fn full_profile(imsi: &str) -> Subscriber {
    let session = |name: &str, qci: u8, ue: Option<UeAddress>| Session {
        name: name.into(),
        session_type: 1,
        qos: Qos {
            index: qci,
            arp: Arp { priority_level: 2, pre_emption_capability: 2, pre_emption_vulnerability: 2 },
        },
        ambr: Ambr { downlink: BitRate { value: 300, unit: 2 }, uplink: BitRate { value: 50, unit: 2 } },
        ue,
    };
    Subscriber {
        imsi: imsi.into(),
        msisdn: vec!["491701234567".into(), "491701234568".into()],
        security: SecurityInfo { amf: "9001".into(), sqn: 0 },
        ambr: Ambr { downlink: BitRate { value: 2, unit: 3 }, uplink: BitRate { value: 500, unit: 2 } },
        slice: vec![
            Slice {
                sst: 1,
                sd: Some("000001".into()),
                default_indicator: true,
                session: vec![
                    session(
                        "internet",
                        8,
                        Some(UeAddress { ipv4: Some("10.45.0.7".into()), ipv6: Some("2001:db8::7".into()) }),
                    ),
                    session("ims", 5, None),
                ],
            },
            Slice {
                sst: 2,
                sd: Some("00abcd".into()),
                default_indicator: false,
                session: vec![session(
                    "iot",
                    7,
                    Some(UeAddress { ipv4: Some("10.46.0.9".into()), ipv6: None }),
                )],
            },
        ],
        access_restriction_data: 0x22,
        subscriber_status: 1,
        operator_determined_barring: 0x8,
        network_access_mode: 2,
        subscribed_rau_tau_timer: 54,
        mme_host: Some("mme.epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_timestamp: Some(1_700_000_000),
        purge_flag: true,
        ims: Some(Ims {
            impi: format!("{imsi}@ims.mnc001.mcc001.3gppnetwork.org"),
            impu: vec![format!("sip:{imsi}@ims.mnc001.mcc001.3gppnetwork.org"), "tel:+491701234567".into()],
            digest_realm: Some("ims.mnc001.mcc001.3gppnetwork.org".into()),
            ifc: Some("<InitialFilterCriteria><Priority>0</Priority></InitialFilterCriteria>".into()),
            scscf: Some("sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060".into()),
            registration_state: "registered".into(),
        }),
    }
}

/// A default (open5gs-dbctl) profile.
pub fn plain_profile(imsi: &str) -> Subscriber {
    Subscriber { imsi: imsi.into(), ..Subscriber::default() }
}

/// Distinct keys for each `seed`; OPc for even seeds, OP for odd ones, digest HA1 on
/// every third.
pub fn sample_auth(seed: u8, sqn: u64) -> AuthData {
    let key =
        |tag: u8| core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(tag).wrapping_add(i as u8));
    AuthData {
        k: key(0x10),
        opc: if seed.is_multiple_of(2) { OpcOrOp::Opc(key(0x60)) } else { OpcOrOp::Op(key(0xa0)) },
        amf: [0x80, seed],
        sqn,
        digest_ha1: seed.is_multiple_of(3).then(|| format!("{:032x}", u128::from(seed) * 0x1234_5678_9abc)),
    }
}

fn ok<T>(r: Result<T, StoreError>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("store conformance: {what} failed: {e:?}"),
    }
}

async fn create(store: &StoreHandle, sub: Subscriber, auth: AuthData) {
    let what = format!("creating {}", sub.imsi);
    ok(store.put(sub, Some(auth), PutMode::Create).await, &what);
}

async fn get(store: &StoreHandle, imsi: &str) -> Subscriber {
    match ok(store.get(imsi).await, "get") {
        Some(s) => s,
        None => panic!("store conformance: {imsi} was created but get returns None"),
    }
}

async fn stored_sqn(store: &StoreHandle, imsi: &str) -> u64 {
    match ok(store.get_auth(imsi).await, "get_auth") {
        Some(a) => a.sqn,
        None => panic!("store conformance: {imsi} was created but get_auth returns None"),
    }
}

/// `full_profile` as a create stores it: without serving MME and IMS registration,
/// which only ULR/PUR and SAR write.
pub fn created_profile(imsi: &str) -> Subscriber {
    let mut sub = full_profile(imsi);
    sub.clear_state();
    sub
}

/// `put(Create)` then `get` gives the profile back field for field, with
/// `security.sqn` taken from the auth data, not from the profile, and no state.
pub async fn create_get_round_trip(store: &StoreHandle) {
    let id = imsi(1, 1);
    let mut sub = full_profile(&id);
    sub.security.sqn = 999_999; // ignored: only auth data, reserve and advance move the SQN
    let auth = sample_auth(1, 0x1234_5678);
    create(store, sub.clone(), auth.clone()).await;
    let mut expected = created_profile(&id);
    expected.security.sqn = auth.sqn;
    assert_eq!(get(store, &id).await, expected, "get must return the created profile with the stored SQN");
    assert_eq!(ok(store.get(&imsi(1, 2)).await, "get of absent"), None, "get of an absent IMSI is None");
}

/// A second `Create` of an IMSI fails with `Conflict` and changes nothing.
pub async fn create_conflicts_with_existing(store: &StoreHandle) {
    let id = imsi(2, 1);
    create(store, full_profile(&id), sample_auth(2, 64)).await;
    let again = store.put(plain_profile(&id), Some(sample_auth(3, 0)), PutMode::Create).await;
    assert_eq!(again, Err(StoreError::Conflict), "a duplicate create is a Conflict");
    let mut expected = created_profile(&id);
    expected.security.sqn = 64;
    assert_eq!(get(store, &id).await, expected, "a refused create must not change the profile");
    assert_eq!(ok(store.get_auth(&id).await, "get_auth"), Some(sample_auth(2, 64)), "nor the keys");
}

/// `Create` needs auth data (`Invalid` naming `auth`), a valid IMSI (`Invalid` naming
/// `imsi`) and an SQN below 2^48 (`Invalid` naming `sqn`); none of these is stored.
pub async fn create_validates_input(store: &StoreHandle) {
    let id = imsi(3, 1);
    let invalid_field = |r: Result<(), StoreError>| match r {
        Err(StoreError::Invalid { field, .. }) => field,
        other => panic!("store conformance: expected Invalid, got {other:?}"),
    };
    let r = store.put(plain_profile(&id), None, PutMode::Create).await;
    assert_eq!(invalid_field(r), "auth", "create without auth data");
    for bad in ["00101abc", "12345", "0010100000000001"] {
        let r = store.put(plain_profile(bad), Some(sample_auth(3, 0)), PutMode::Create).await;
        assert_eq!(invalid_field(r), "imsi", "create with IMSI {bad:?}");
    }
    let r = store.put(plain_profile(&id), Some(sample_auth(3, SQN_MODULUS)), PutMode::Create).await;
    assert_eq!(invalid_field(r), "sqn", "create with a 49-bit SQN");
    assert_eq!(ok(store.get(&id).await, "get"), None, "refused creates store nothing");
}

/// `Update` of an absent IMSI is `NotFound`, with or without auth data.
pub async fn update_of_absent_is_not_found(store: &StoreHandle) {
    let id = imsi(4, 1);
    let r = store.put(plain_profile(&id), None, PutMode::Update).await;
    assert_eq!(r, Err(StoreError::NotFound), "update without auth of an absent IMSI");
    let r = store.put(plain_profile(&id), Some(sample_auth(4, 0)), PutMode::Update).await;
    assert_eq!(r, Err(StoreError::NotFound), "update with auth of an absent IMSI");
    assert_eq!(ok(store.get(&id).await, "get"), None, "a refused update creates nothing");
}

/// `Update` with `auth: None` replaces the profile but keeps keys and SQN (even one
/// moved by `reserve_sqn` since the create); with `auth: Some` it replaces the keys and
/// raises the SQN to the given one.
pub async fn update_keeps_keys_and_sqn_without_auth(store: &StoreHandle) {
    let id = imsi(5, 1);
    create(store, full_profile(&id), sample_auth(5, 320)).await;
    ok(store.reserve_sqn(&id, 3, 32).await, "reserve_sqn");
    let mut changed = plain_profile(&id);
    changed.msisdn = vec!["15550001".into()];
    changed.security.sqn = 7; // ignored
    ok(store.put(changed.clone(), None, PutMode::Update).await, "update without auth");
    let mut expected = changed.clone();
    expected.security.sqn = 320 + 3 * 32;
    assert_eq!(get(store, &id).await, expected, "update replaces the profile, keeps the SQN");
    let mut kept = sample_auth(5, 320 + 3 * 32);
    assert_eq!(ok(store.get_auth(&id).await, "get_auth"), Some(kept.clone()), "update keeps the keys");
    kept = sample_auth(6, 4096);
    ok(store.put(changed, Some(kept.clone()), PutMode::Update).await, "update with auth");
    assert_eq!(
        ok(store.get_auth(&id).await, "get_auth"),
        Some(kept),
        "update with auth replaces keys and SQN"
    );
}

/// `get_auth` returns exactly what was stored, for OPc and OP, with and without HA1.
pub async fn get_auth_is_exact(store: &StoreHandle) {
    for seed in 0..6u8 {
        let id = imsi(6, u32::from(seed));
        let auth = sample_auth(seed, u64::from(seed) * 1_000_003);
        create(store, plain_profile(&id), auth.clone()).await;
        assert_eq!(ok(store.get_auth(&id).await, "get_auth"), Some(auth), "get_auth of seed {seed}");
    }
    assert_eq!(
        ok(store.get_auth(&imsi(6, 99)).await, "get_auth of absent"),
        None,
        "get_auth of an absent IMSI"
    );
}

/// `delete` is `true` once, then `false`; the subscriber is gone with its keys and
/// SQN, and a new create of the IMSI starts afresh.
pub async fn delete_reports_existence(store: &StoreHandle) {
    let id = imsi(7, 1);
    create(store, full_profile(&id), sample_auth(7, 5000)).await;
    assert!(ok(store.delete(&id).await, "delete"), "deleting an existing subscriber is true");
    assert!(!ok(store.delete(&id).await, "delete again"), "deleting it again is false");
    assert_eq!(ok(store.get(&id).await, "get"), None, "a deleted subscriber has no profile");
    assert_eq!(ok(store.get_auth(&id).await, "get_auth"), None, "nor keys");
    assert_eq!(store.reserve_sqn(&id, 1, 32).await, Err(StoreError::NotFound), "nor SQN");
    create(store, plain_profile(&id), sample_auth(8, 32)).await;
    assert_eq!(stored_sqn(store, &id).await, 32, "a re-created subscriber has the new SQN");
    assert!(!ok(store.delete(&imsi(7, 2)).await, "delete of absent"), "deleting an absent IMSI is false");
}

/// `list` returns profiles in IMSI order, strictly after `after`, at most `limit`, with
/// their SQNs; paging with the last IMSI of a page visits every one exactly once.
pub async fn list_orders_and_paginates(store: &StoreHandle) {
    const N: u32 = 25;
    // Create out of order, so that insertion order cannot pass for IMSI order.
    for i in (0..N).map(|i| (i * 7) % N) {
        create(store, plain_profile(&imsi(8, i * 3)), sample_auth(9, u64::from(i) * 32)).await;
    }
    let before_block = "0010108"; // sorts before every IMSI of the block
    let mut seen = Vec::new();
    let mut after = before_block.to_owned();
    let mut pages = Vec::new();
    while seen.len() < N as usize {
        let page = ok(store.list(Some(&after), 10).await, "list");
        assert!(!page.is_empty(), "list ended after {} of {N}", seen.len());
        pages.push(page.len());
        let Some(last) = page.last() else { break };
        after = last.imsi.clone();
        seen.extend(page);
    }
    assert_eq!(&pages[..2], &[10, 10], "full pages of the limit");
    let ids: Vec<&str> = seen.iter().take(N as usize).map(|s| s.imsi.as_str()).collect();
    let want: Vec<String> = (0..N).map(|i| imsi(8, i * 3)).collect();
    assert_eq!(ids, want, "list is in IMSI order without gaps or repeats");
    for s in seen.iter().take(N as usize) {
        let i = want.iter().position(|w| *w == s.imsi).unwrap_or_default() as u64;
        assert_eq!(s.security.sqn, i * 32, "list carries the stored SQN of {}", s.imsi);
    }
    if let Some(next) = seen.get(N as usize) {
        assert!(!next.imsi.starts_with(before_block), "list returned an IMSI twice: {}", next.imsi);
    }
    assert!(ok(store.list(Some(before_block), 0).await, "list limit 0").is_empty(), "limit 0 lists nothing");
    let tail = ok(store.list(Some(&imsi(8, 3 * 22)), 10).await, "list after");
    let tail: Vec<&str> = tail.iter().take(2).map(|s| s.imsi.as_str()).collect();
    assert_eq!(tail, [imsi(8, 69), imsi(8, 72)], "after is exclusive");
    let between = ok(store.list(Some(&imsi(8, 4)), 1).await, "list after a gap");
    assert_eq!(between[0].imsi, imsi(8, 6), "after need not be a stored IMSI");
    let from_start = ok(store.list(None, 1).await, "list from the start");
    assert_eq!(from_start.len(), 1, "list without after starts at the first IMSI");
}

/// `count` goes up by one per create and down by one per delete.
pub async fn count_follows_creates_and_deletes(store: &StoreHandle) {
    let before = ok(store.count().await, "count");
    for i in 0..5 {
        create(store, plain_profile(&imsi(9, i)), sample_auth(10, 0)).await;
    }
    assert_eq!(ok(store.count().await, "count"), before + 5, "count after 5 creates");
    ok(store.delete(&imsi(9, 0)).await, "delete");
    ok(store.delete(&imsi(9, 0)).await, "delete again");
    assert_eq!(ok(store.count().await, "count"), before + 4, "count after a delete (and a no-op one)");
    ok(store.put(plain_profile(&imsi(9, 1)), None, PutMode::Update).await, "update");
    assert_eq!(ok(store.count().await, "count"), before + 4, "an update does not count");
}

/// `reserve_sqn` returns the SQN it found and advances it by `count * step`, modulo
/// 2^48 (TS 33.102 Annex C.1.1: SQN = SEQ || IND is 48 bits); `count = 0` reads it.
pub async fn reserve_sqn_advances_and_wraps(store: &StoreHandle) {
    let id = imsi(10, 1);
    create(store, plain_profile(&id), sample_auth(11, 100)).await;
    assert_eq!(ok(store.reserve_sqn(&id, 1, 32).await, "reserve"), 100, "reserve returns the old SQN");
    assert_eq!(ok(store.reserve_sqn(&id, 10, 32).await, "reserve"), 132, "and advances by count * step");
    assert_eq!(ok(store.reserve_sqn(&id, 0, 32).await, "reserve 0"), 452, "count 0 reserves nothing");
    assert_eq!(ok(store.reserve_sqn(&id, 3, 1).await, "reserve step 1"), 452, "IND width 0: step 1");
    assert_eq!(stored_sqn(store, &id).await, 455, "the stored SQN is past every reserved one");
    assert_eq!(get(store, &id).await.security.sqn, 455, "get shows the same SQN");
    assert_eq!(ok(store.advance_sqn(&id, SQN_MODULUS - 64).await, "advance near the top"), SQN_MODULUS - 64);
    assert_eq!(ok(store.reserve_sqn(&id, 4, 32).await, "reserve across 2^48"), SQN_MODULUS - 64);
    assert_eq!(stored_sqn(store, &id).await, 64, "the SQN wraps modulo 2^48");
    let huge = ok(store.reserve_sqn(&id, u32::MAX, u64::MAX).await, "reserve with an overflowing product");
    assert_eq!(huge, 64);
    let want = (64 + u64::from(u32::MAX).wrapping_mul(u64::MAX)) % SQN_MODULUS;
    assert_eq!(stored_sqn(store, &id).await, want, "count * step is taken modulo 2^48 without overflow");
    assert_eq!(store.reserve_sqn(&imsi(10, 2), 1, 32).await, Err(StoreError::NotFound), "absent IMSI");
}

/// `advance_sqn` raises the stored SQN (TS 33.102 6.3.5 resynchronisation) and
/// answers the SQN stored afterwards; it never lowers it (an SQN issued twice could be
/// replayed), refuses 49-bit values and absent IMSIs, and leaves the keys alone.
pub async fn advance_sqn_only_raises(store: &StoreHandle) {
    let id = imsi(11, 1);
    create(store, plain_profile(&id), sample_auth(12, 1 << 40)).await;
    assert_eq!(ok(store.advance_sqn(&id, (1 << 40) + 0x7_0000).await, "advance"), (1 << 40) + 0x7_0000);
    assert_eq!(
        ok(store.reserve_sqn(&id, 1, 32).await, "reserve"),
        (1 << 40) + 0x7_0000,
        "reserve continues from the advanced SQN"
    );
    let now = (1 << 40) + 0x7_0000 + 32;
    assert_eq!(ok(store.advance_sqn(&id, 5).await, "advance backwards"), now, "a lower SQN is ignored");
    assert_eq!(ok(store.advance_sqn(&id, now).await, "advance to the same"), now);
    assert_eq!(ok(store.get_auth(&id).await, "get_auth"), Some(sample_auth(12, now)), "only the SQN moved");
    match store.advance_sqn(&id, SQN_MODULUS).await {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "sqn"),
        other => panic!("store conformance: advance_sqn(2^48) must be Invalid(sqn), got {other:?}"),
    }
    assert_eq!(stored_sqn(store, &id).await, now, "a refused advance changes nothing");
    assert_eq!(store.advance_sqn(&imsi(11, 2), 1).await, Err(StoreError::NotFound), "absent IMSI");
}

/// A provisioning write changes only what it names. `Update` (with or without keys)
/// and `put_many` over an existing IMSI keep the serving MME (only ULR/PUR write it,
/// TS 29.272 7.2.3, 7.2.13) and the IMS registration (only SAR, TS 29.228 6.1.2), and
/// never lower the SQN: new keys with SQN 0 keep the SQN already reserved.
pub async fn updates_keep_state_and_never_lower_the_sqn(store: &StoreHandle) {
    let id = imsi(18, 1);
    create(store, full_profile(&id), sample_auth(18, 32)).await;
    let node = ServingNode {
        mme_host: Some("mme7.epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_timestamp: Some(1_800_000_007),
        purge_flag: false,
    };
    ok(store.update_serving(&id, node.clone()).await, "update_serving");
    let registered =
        ImsState { scscf: Some("sip:scscf7.example.org".into()), registration_state: "registered".into() };
    ok(store.set_ims_state(&id, registered.clone()).await, "set_ims_state");
    let reserved = ok(store.reserve_sqn(&id, 1024, 32).await, "reserve") + 1024 * 32;

    // The request's own idea of the state is ignored, whatever it says.
    let mut request = full_profile(&id);
    request.msisdn = vec!["4915550007".into()];
    request.mme_host = Some("forged.example".into());
    request.purge_flag = true;
    let mut expected = request.clone();
    expected.keep_state_of(&Subscriber {
        mme_host: node.mme_host.clone(),
        mme_realm: node.mme_realm.clone(),
        mme_timestamp: node.mme_timestamp,
        purge_flag: node.purge_flag,
        ims: Some(Ims {
            scscf: registered.scscf.clone(),
            registration_state: registered.registration_state.clone(),
            ..Ims::default()
        }),
        ..plain_profile(&id)
    });
    expected.security.sqn = reserved;
    ok(store.put(request.clone(), None, PutMode::Update).await, "update without keys");
    assert_eq!(get(store, &id).await, expected, "an update without keys keeps the state");

    let rekeyed = sample_auth(19, 0);
    ok(store.put(request.clone(), Some(rekeyed.clone()), PutMode::Update).await, "update with keys");
    assert_eq!(get(store, &id).await, expected, "an update with keys keeps the state and the SQN");
    assert_eq!(
        ok(store.get_auth(&id).await, "get_auth"),
        Some(AuthData { sqn: reserved, ..rekeyed }),
        "the keys are replaced, the SQN is not lowered"
    );

    ok(store.put_many(vec![(request.clone(), sample_auth(20, 64))]).await, "put_many over it");
    assert_eq!(get(store, &id).await, expected, "put_many keeps the state and the SQN");
    assert_eq!(stored_sqn(store, &id).await, reserved, "put_many does not lower the SQN");

    let higher = reserved + (1 << 20);
    ok(store.put(request, Some(sample_auth(21, higher)), PutMode::Update).await, "update raising the SQN");
    assert_eq!(stored_sqn(store, &id).await, higher, "an explicit higher SQN is taken");
}

/// Provisioning writes with keys (SQN 0) racing `reserve_sqn`: every reservation
/// starts above the one before, so no SQN is handed out twice.
pub async fn updates_racing_reservations_never_repeat_an_sqn(store: &StoreHandle) {
    const RESERVATIONS: usize = 300;
    const UPDATES: usize = 60;
    let id = imsi(19, 1);
    create(store, plain_profile(&id), sample_auth(22, 0)).await;
    let writer = {
        let (store, id) = (store.clone(), id.clone());
        tokio::spawn(async move {
            for i in 0..UPDATES {
                let r = store.put(plain_profile(&id), Some(sample_auth(23, 0)), PutMode::Update).await;
                ok(r, &format!("update {i} racing reservations"));
            }
        })
    };
    let mut starts = Vec::with_capacity(RESERVATIONS);
    for _ in 0..RESERVATIONS {
        starts.push(ok(store.reserve_sqn(&id, 2, 32).await, "reserve racing updates"));
    }
    if let Err(e) = writer.await {
        panic!("store conformance: the updating task failed: {e}");
    }
    for pair in starts.windows(2) {
        assert!(
            pair[1] >= pair[0] + 64,
            "a reservation started at {} after one at {}: SQN reuse",
            pair[1],
            pair[0]
        );
    }
}

/// `update_serving` records the MME (TS 29.272 7.2.3 ULR, 7.2.13 PUR), returns the one
/// recorded before, and `get` shows the new one; nothing else in the profile moves.
pub async fn update_serving_returns_previous(store: &StoreHandle) {
    let id = imsi(12, 1);
    let profile = full_profile(&id);
    create(store, profile.clone(), sample_auth(13, 0)).await;
    let initial = ServingNode::default();
    let first = ServingNode {
        mme_host: Some("mme2.epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_timestamp: Some(1_800_000_000),
        purge_flag: false,
    };
    let prev = ok(store.update_serving(&id, first.clone()).await, "update_serving");
    assert_eq!(prev, initial, "the first update returns the empty node: a create records no MME");
    let purged = ServingNode { purge_flag: true, ..first.clone() };
    assert_eq!(
        ok(store.update_serving(&id, purged.clone()).await, "update_serving"),
        first,
        "returns previous"
    );
    let mut expected = created_profile(&id);
    expected.mme_host = purged.mme_host.clone();
    expected.mme_realm = purged.mme_realm.clone();
    expected.mme_timestamp = purged.mme_timestamp;
    expected.purge_flag = true;
    assert_eq!(get(store, &id).await, expected, "get shows the serving node, the rest unchanged");
    let cleared = ok(store.update_serving(&id, ServingNode::default()).await, "clear");
    assert_eq!(cleared, purged, "returns previous");
    let now = get(store, &id).await;
    assert_eq!((now.mme_host, now.mme_realm, now.mme_timestamp, now.purge_flag), (None, None, None, false));
    let r = store.update_serving(&imsi(12, 2), ServingNode::default()).await;
    assert_eq!(r, Err(StoreError::NotFound), "absent IMSI");
}

/// `update_serving_many` answers each update as `update_serving` would, in order: an
/// unknown IMSI fails alone, and two updates of one IMSI chain.
pub async fn update_serving_many_answers_each_in_order(store: &StoreHandle) {
    let (a, b) = (imsi(30, 1), imsi(30, 2));
    create(store, plain_profile(&a), sample_auth(30, 0)).await;
    create(store, plain_profile(&b), sample_auth(31, 0)).await;
    let node = |host: &str| ServingNode {
        mme_host: Some(host.into()),
        mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
        mme_timestamp: Some(1_800_000_000),
        purge_flag: false,
    };
    let updates = vec![
        (a.clone(), node("mme1")),
        (imsi(30, 3), node("mme9")),
        (b.clone(), node("mme2")),
        (a.clone(), node("mme3")),
    ];
    let s = store.store().clone();
    let results = tokio::task::spawn_blocking(move || s.update_serving_many(&updates)).await.unwrap();
    assert_eq!(results.len(), 4, "one result per update");
    assert_eq!(results[0], Ok(ServingNode::default()), "a new subscriber had no MME");
    assert_eq!(results[1], Err(StoreError::NotFound), "the unknown IMSI alone fails");
    assert_eq!(results[2], Ok(ServingNode::default()));
    assert_eq!(results[3], Ok(node("mme1")), "the second update of an IMSI sees the first");
    assert_eq!(get(store, &a).await.mme_host.as_deref(), Some("mme3"));
    assert_eq!(get(store, &b).await.mme_host.as_deref(), Some("mme2"));
}

/// `set_ims_state` records S-CSCF and registration state (TS 29.228 6.1.2 SAR) in the
/// profile's IMS object, keeping its identities; an IMS object is made if missing.
pub async fn set_ims_state_is_visible(store: &StoreHandle) {
    let id = imsi(13, 1);
    create(store, full_profile(&id), sample_auth(14, 0)).await;
    let scscf = "sip:scscf2.ims.mnc001.mcc001.3gppnetwork.org";
    let state = ImsState { scscf: Some(scscf.into()), registration_state: "registered".into() };
    ok(store.set_ims_state(&id, state).await, "set_ims_state");
    let got = get(store, &id).await;
    let mut expected = created_profile(&id);
    if let Some(ims) = expected.ims.as_mut() {
        ims.scscf = Some(scscf.into());
        ims.registration_state = "registered".into();
    }
    assert_eq!(got, expected, "set_ims_state changes only S-CSCF and registration state");
    let state = ImsState { scscf: None, registration_state: "not_registered".into() };
    ok(store.set_ims_state(&id, state).await, "set_ims_state back");
    assert_eq!(get(store, &id).await, created_profile(&id), "and back");

    let bare = imsi(13, 2);
    create(store, plain_profile(&bare), sample_auth(15, 0)).await;
    let state =
        ImsState { scscf: Some("sip:scscf.example.org".into()), registration_state: "registered".into() };
    ok(store.set_ims_state(&bare, state).await, "set_ims_state without IMS object");
    let ims = get(store, &bare).await.ims.unwrap_or_default();
    assert_eq!(
        (ims.scscf.as_deref(), ims.registration_state.as_str()),
        (Some("sip:scscf.example.org"), "registered")
    );
    let r = store.set_ims_state(&imsi(13, 3), ImsState::default()).await;
    assert_eq!(r, Err(StoreError::NotFound), "absent IMSI");
}

/// `put_many` of 1000 stores all of them (replacing an existing one), and a batch with
/// one invalid record is refused.
pub async fn put_many_thousand(store: &StoreHandle) {
    let before = ok(store.count().await, "count");
    let existing = imsi(14, 500);
    create(store, full_profile(&existing), sample_auth(16, 9999)).await;
    let batch: Vec<(Subscriber, AuthData)> = (0..1000u32)
        .map(|i| {
            let mut s = plain_profile(&imsi(14, i));
            s.msisdn = vec![format!("4917{i:08}")];
            (s, sample_auth((i % 251) as u8, u64::from(i) * 32))
        })
        .collect();
    ok(store.put_many(batch.clone()).await, "put_many of 1000");
    assert_eq!(ok(store.count().await, "count"), before + 1000, "1000 new subscribers (one replaced)");
    for i in [0u32, 1, 499, 500, 501, 998, 999] {
        let (mut want, auth) = batch[i as usize].clone();
        want.security.sqn = auth.sqn;
        assert_eq!(get(store, &want.imsi).await, want, "profile {i} of the batch");
        assert_eq!(ok(store.get_auth(&want.imsi).await, "get_auth"), Some(auth), "auth {i} of the batch");
    }
    let bad = vec![
        (plain_profile(&imsi(15, 1)), sample_auth(1, 0)),
        (plain_profile("not-an-imsi"), sample_auth(1, 0)),
    ];
    assert!(
        matches!(store.put_many(bad).await, Err(StoreError::Invalid { .. })),
        "put_many with an invalid IMSI is Invalid"
    );
    assert_eq!(ok(store.get(&imsi(15, 1)).await, "get"), None, "a refused batch stores nothing");
}

/// Profiles from `get` and `list` serialise without K, OP, OPc or HA1 in any form.
pub async fn profiles_carry_no_secrets(store: &StoreHandle) {
    let id = imsi(16, 1);
    let auth = sample_auth(3, 0); // OP and HA1
    create(store, full_profile(&id), auth.clone()).await;
    let id2 = imsi(16, 2);
    let auth2 = sample_auth(4, 0); // OPc
    create(store, full_profile(&id2), auth2.clone()).await;
    let mut json = serde_json::to_string(&get(store, &id).await).unwrap_or_default();
    let listed = ok(store.list(Some("0010116"), 2).await, "list");
    json.push_str(&serde_json::to_string(&listed).unwrap_or_default());
    let mut secrets = Vec::new();
    for a in [&auth, &auth2] {
        let key = match a.opc {
            OpcOrOp::Opc(k) | OpcOrOp::Op(k) => k,
        };
        secrets.extend([
            to_hex(&a.k),
            to_hex(&key),
            to_hex(&a.k).to_uppercase(),
            to_hex(&key).to_uppercase(),
        ]);
        secrets.push(format!("{:?}", a.k.to_vec()).replace(' ', ""));
        secrets.extend(a.digest_ha1.clone());
    }
    for s in secrets {
        assert!(!json.contains(&s), "a serialised profile contains a secret: {s}");
    }
    for field in ["\"k\"", "\"opc\"", "\"op\"", "digest_ha1"] {
        assert!(!json.contains(field), "a serialised profile has a {field} field");
    }
}

/// 16 tasks × 500 `reserve_sqn(imsi, 1, 32)` on one IMSI hand out 8000 distinct SQNs
/// forming exactly `start, start + 32, ..`: no value twice, none skipped.
pub async fn concurrent_reserve_sqn_is_gapless(store: &StoreHandle) {
    const TASKS: u64 = 16;
    const EACH: u64 = 500;
    const STEP: u64 = 32;
    let id = imsi(17, 1);
    let start = 7 * STEP + 3; // IND 3
    create(store, plain_profile(&id), sample_auth(17, start)).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let store = store.clone();
        let id = id.clone();
        tasks.spawn(async move {
            let mut got = Vec::with_capacity(EACH as usize);
            for _ in 0..EACH {
                got.push(ok(store.reserve_sqn(&id, 1, STEP).await, "concurrent reserve_sqn"));
            }
            got
        });
    }
    let mut all = Vec::with_capacity((TASKS * EACH) as usize);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(got) => all.extend(got),
            Err(e) => panic!("store conformance: a reserving task failed: {e}"),
        }
    }
    let distinct: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "concurrent reserve_sqn handed out a value twice");
    all.sort_unstable();
    let want: Vec<u64> = (0..TASKS * EACH).map(|i| start + i * STEP).collect();
    assert!(all == want, "concurrent reserve_sqn values are not the gapless sequence start + 32 i");
    assert_eq!(stored_sqn(store, &id).await, start + TASKS * EACH * STEP, "the stored SQN is past them all");
}
