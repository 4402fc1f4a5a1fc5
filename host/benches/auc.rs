//! The AuC's native cost: one E-UTRAN vector (Milenage f1-f5 + KASME derivation), and a
//! vector through the AuC service with a sled store (keys fetched, SQN from a block).

use criterion::{Criterion, criterion_group, criterion_main};
use plughss::auc::service::Auc;
use plughss::auc::sqn::SqnPolicy;
use plughss::auc::{Milenage, eutran_vector};
use plughss::store::loader::{StoreSelection, open_store};
use plughss_plugin_api::store::PutMode;
use plughss_plugin_api::subscriber::{AuthData, OpcOrOp, Subscriber};

fn vector(c: &mut Criterion) {
    let k = [0x46; 16];
    let opc = [0xcd; 16];
    let m = Milenage::new(&k, &opc);
    let rand = [0x23; 16];
    let sqn = [0, 0, 0, 0, 0x10, 0];
    c.bench_function("auc/eutran_vector_milenage_kdf", |b| {
        b.iter(|| std::hint::black_box(eutran_vector(&m, &rand, &sqn, &[0x80, 0], &[0x00, 0xf1, 0x10])))
    });
    c.bench_function("auc/milenage_setup_from_k_opc", |b| {
        b.iter(|| std::hint::black_box(Milenage::new(&k, &opc)))
    });
}

fn service(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sel = StoreSelection { backend: "sled".into(), plugin: None, settings: serde_json::json!({}) };
    let opened = open_store(&sel, dir.path()).unwrap();
    let sub = Subscriber { imsi: "001010000000001".into(), ..Default::default() };
    let auth =
        AuthData { k: [0x46; 16], opc: OpcOrOp::Opc([0xcd; 16]), amf: [0x80, 0], sqn: 0, digest_ha1: None };
    rt.block_on(opened.put(sub, Some(auth), PutMode::Create)).unwrap();
    // Keys read from the store on every vector (a shared store such as MongoDB), and
    // kept in memory (what `serve` does for sled).
    for (name, store) in [
        ("auc/service_one_vector_sled_block32", opened.clone()),
        ("auc/service_one_vector_sled_block32_keys_cached", opened.with_auth_cache(1024)),
    ] {
        let auc = Auc::new(store, SqnPolicy::new(5).unwrap(), 0, 32);
        c.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                std::hint::black_box(
                    auc.eutran("001010000000001", 1, [0x00, 0xf1, 0x10], None).await.unwrap(),
                )
            })
        });
    }
}

criterion_group!(benches, vector, service);
criterion_main!(benches);
