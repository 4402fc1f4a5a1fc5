//! The MongoDB store (plugins/store-mongodb), loaded through the loader as the shared
//! library `backend = "mongodb"` names, against a real MongoDB wire-protocol server
//! (nx-27017) started per test on an ephemeral port.

mod common;

use std::path::Path;

use common::mongo::{self, Mongo};
use common::*;
use plughss::store::StoreHandle;
use plughss::store::conformance;
use plughss::store::loader::{StoreSelection, open_store};
use serde_json::json;

/// The store as an operator configures it: `backend = "mongodb"`, found by the loader
/// beside the running executable.
fn open(m: &Mongo, database: &str) -> StoreHandle {
    let sel = StoreSelection {
        backend: "mongodb".into(),
        plugin: None,
        settings: json!({ "uri": m.uri(), "database": database }),
    };
    open_store(&sel, Path::new("/nonexistent")).expect("load and open the MongoDB store library")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_through_the_loader() {
    if !mongo::available("conformance_through_the_loader") {
        return;
    }
    let m = Mongo::start();
    let store = open(&m, "conformance");
    assert_eq!(store.name(), "plughss-store-mongodb");
    let t = std::time::Instant::now();
    conformance::run(&store).await;
    eprintln!("conformance suite against nx-27017: {:?}", t.elapsed());
    store.close().await;
}
