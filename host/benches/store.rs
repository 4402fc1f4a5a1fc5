//! What the sled store costs per AuC operation: `reserve_sqn` (a compare-and-swap plus,
//! by default, a flush to disk) and `get_auth`, through the host's async
//! [`StoreHandle`] (blocking-pool hop + C ABI + JSON), through the `Store` trait on the
//! C ABI client, and on `SledStore` directly (no ABI), so each layer's share shows.
//! And a ULR batch: `update_serving_many` of 64 serving MMEs, made durable by the sled
//! store's serving journal (one append and `fdatasync`) rather than a sled flush.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use plughss::store::conformance::{plain_profile, sample_auth};
use plughss::store::{StoreHandle, StoreSelection, open_store};
use plughss_plugin_api::store::abi::OpenStore;
use plughss_plugin_api::store::{PutMode, ServingNode, Store};
use plughss_store_sled::SledStore;
use serde_json::json;

const IMSI: &str = "001010000000001";

fn handle(dir: &Path, flush: bool) -> StoreHandle {
    let sel = StoreSelection { settings: json!({ "flush_every_write": flush }), ..StoreSelection::default() };
    let store = open_store(&sel, dir).expect("open sled");
    store.store().put(&plain_profile(IMSI), Some(&sample_auth(1, 0)), PutMode::Create).expect("create");
    store
}

fn bench(c: &mut Criterion) {
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");

    let mut g = c.benchmark_group("sled");
    {
        let store = handle(&dir.path().join("flush"), true);
        g.bench_function("reserve_sqn/handle", |b| {
            b.to_async(&rt).iter(|| async { store.reserve_sqn(IMSI, 1, 32).await.expect("reserve") })
        });
        g.bench_function("reserve_sqn/trait", |b| {
            b.iter(|| store.store().reserve_sqn(IMSI, 1, 32).expect("reserve"))
        });
        g.bench_function("get_auth/handle", |b| {
            b.to_async(&rt).iter(|| async { store.get_auth(IMSI).await.expect("get_auth") })
        });
        g.bench_function("get_auth/trait", |b| b.iter(|| store.store().get_auth(IMSI).expect("get_auth")));
        let batch: Vec<(String, ServingNode)> = (0..64u64)
            .map(|i| {
                let imsi = format!("00101100000{i:04}");
                let profile = plain_profile(&imsi);
                store.store().put(&profile, Some(&sample_auth(1, 0)), PutMode::Create).expect("create");
                let node = ServingNode {
                    mme_host: Some(format!("mme{i}.epc.mnc001.mcc001.3gppnetwork.org")),
                    mme_realm: Some("epc.mnc001.mcc001.3gppnetwork.org".into()),
                    mme_timestamp: Some(1_700_000_000),
                    purge_flag: false,
                };
                (imsi, node)
            })
            .collect();
        g.bench_function("update_serving_many/trait, 64 records", |b| {
            b.iter(|| {
                let results = store.store().update_serving_many(&batch);
                assert!(results.iter().all(Result::is_ok), "{results:?}");
            })
        });
        rt.block_on(store.close());
    }
    {
        let store = handle(&dir.path().join("noflush"), false);
        g.bench_function("reserve_sqn/trait, no flush", |b| {
            b.iter(|| store.store().reserve_sqn(IMSI, 1, 32).expect("reserve"))
        });
        rt.block_on(store.close());
    }
    {
        let config = json!({ "data_dir": dir.path(), "path": "native" });
        let native = SledStore::open(&config).expect("open sled natively");
        native.put(&plain_profile(IMSI), Some(&sample_auth(1, 0)), PutMode::Create).expect("create");
        g.bench_function("reserve_sqn/native", |b| {
            b.iter(|| native.reserve_sqn(IMSI, 1, 32).expect("reserve"))
        });
        g.bench_function("get_auth/native", |b| b.iter(|| native.get_auth(IMSI).expect("get_auth")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
