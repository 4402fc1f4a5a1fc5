//! What one request costs on the way through the host, without the network:
//! decoding and encoding an AIR/AIA, and a full plugin dispatch (checks + WASM call
//! on a warm instance + answer validation) through the echo fixture component.

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

use std::sync::Arc;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use plughss::diameter::peers::PeerTable;
use plughss::diameter::router::{self, Router};
use plughss::runtime::services::{NodeIdentity, Services};
use plughss::runtime::state::Limits;
use plughss::runtime::{PluginRuntime, PluginSpec, Source};
use plughss_plugin_api::diameter::{Message, MessageBuilder};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app, base, cmd, s6a};

fn air() -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::AUTHENTICATION_INFORMATION, app::S6A, 7, 9);
    b.str(&base::SESSION_ID, "mme.bench.local;1234567;1")
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, app::S6A);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("mme.bench.local", "bench.local")
        .str(&base::DESTINATION_REALM, "test.local")
        .str(&base::USER_NAME, "001010000000001")
        .grouped(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO, |g| {
            g.u32(&s6a::NUMBER_OF_REQUESTED_VECTORS, 1).u32(&s6a::IMMEDIATE_RESPONSE_PREFERRED, 1);
        })
        .bytes(&s6a::VISITED_PLMN_ID, &[0x00, 0xf1, 0x10]);
    b.finish();
    buf
}

fn aia(req: &Message<'_>, out: &mut Vec<u8>) {
    let mut b = MessageBuilder::answer(out, &req.header);
    b.bytes(&base::SESSION_ID, req.find(&base::SESSION_ID).unwrap().payload())
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin("hss.test.local", "test.local")
        .result_code(2001)
        .grouped(&s6a::AUTHENTICATION_INFO, |g| {
            g.grouped(&s6a::E_UTRAN_VECTOR, |v| {
                v.u32(&s6a::ITEM_NUMBER, 1)
                    .bytes(&s6a::RAND, &[1; 16])
                    .bytes(&s6a::XRES, &[2; 8])
                    .bytes(&s6a::AUTN, &[3; 16])
                    .bytes(&s6a::KASME, &[4; 32]);
            });
        });
    b.finish();
}

fn codec(c: &mut Criterion) {
    let req = air();
    let mut out = Vec::with_capacity(512);
    c.bench_function("codec/air_decode_check_aia_encode", |b| {
        b.iter(|| {
            let m = Message::parse(std::hint::black_box(&req)).unwrap();
            m.check_types().unwrap();
            let n = m.find(&s6a::REQUESTED_EUTRAN_AUTHENTICATION_INFO).unwrap();
            std::hint::black_box(n.child(s6a::NUMBER_OF_REQUESTED_VECTORS.code, VENDOR_3GPP));
            out.clear();
            aia(&m, &mut out);
            std::hint::black_box(&out);
        })
    });
}

fn dispatch(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let services = Arc::new(Services {
        identity: NodeIdentity {
            origin_host: "hss.test.local".into(),
            origin_realm: "test.local".into(),
            mcc: "001".into(),
            mnc: "01".into(),
        },
        peers: Arc::new(PeerTable::default()),
        store: None,
        auc: None,
    });
    let shared = router::shared(Router::new());
    let cache = tempfile::tempdir().unwrap();
    let runtime =
        PluginRuntime::new(services, Router::new(), shared, Some(cache.path().to_path_buf()), false).unwrap();
    let spec = PluginSpec {
        name: "echo".into(),
        source: Source::File(fixtures::fixture("echo")),
        sha256: None,
        grants: Some(vec![]),
        config_json: "{}".into(),
        limits: Limits::default(),
    };
    rt.block_on(runtime.start(vec![spec])).unwrap();
    let plugin = runtime.plugins()[0].clone();
    let req = Bytes::from(air());
    c.bench_function("dispatch/echo_plugin_warm_instance", |b| {
        b.to_async(&rt)
            .iter(|| async { std::hint::black_box(plugin.handle_request(req.clone()).await.unwrap()) })
    });
}

criterion_group!(benches, codec, dispatch);
criterion_main!(benches);
