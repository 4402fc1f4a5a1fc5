//! Host bindings of `wit/plugin.wit`, generated in exactly one place.
//! Imports that may wait on I/O (vectors, store, peers, RTPengine) are async so a slow
//! store or peer never blocks a reactor thread; log, metrics and config are sync.

wasmtime::component::bindgen!({
    world: "application",
    path: "../wit",
    imports: {
        "plughss:plugin/auc": async,
        "plughss:plugin/subscribers": async,
        "plughss:plugin/peers": async,
        "plughss:plugin/ng": async,
    },
    exports: { default: async },
});

pub use plughss::plugin::types::{Capability, HostError};
