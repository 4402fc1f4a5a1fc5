//! A PlugHSS subscriber store on MongoDB, in Open5GS's own schema: PlugHSS serves the
//! subscribers an Open5GS deployment already keeps (WebUI, `open5gs-dbctl`, the Open5GS
//! Python library), and what PlugHSS writes is read by Open5GS's own HSS, PCRF and SMF.
//!
//! Built as a shared library (`libplughss_store_mongodb.so`) exporting the store C ABI
//! ([`plughss_plugin_api::store::abi`]); the host loads it for `[store] backend =
//! "mongodb"` from beside its executable, or from `plugin = "<path>"`:
//!
//! ```sh
//! cargo build --release -p plughss-store-mongodb   # target/release/libplughss_store_mongodb.so
//! ```
//!
//! ```toml
//! [store]
//! backend = "mongodb"
//! uri = "mongodb://127.0.0.1:27017"
//! database = "open5gs"
//! ```
//!
//! Settings: [`config::MongoConfig`]. `tls=true` URIs work as built (rustls);
//! `mongodb+srv://` URIs need the crate feature `srv`.
//!
//! # The document
//!
//! One document per subscriber in `open5gs.subscribers`, keyed by `imsi` (a unique
//! index, as the WebUI makes). Reading ([`read`]) accepts the current schema
//! (`slice[].session[]`, `schema_version: 1`) and NextEPC's (`pdn[]`, see [`nextepc`]),
//! every number as Int32, Int64 or a whole Double, and the WebUI's quirks (`op: null`,
//! `mme_host: []`, keys with spaces). Writing ([`write`]) produces what the WebUI saves,
//! with Int32 and Int64 exactly where Open5GS reads them.
//!
//! | Model | Document |
//! | --- | --- |
//! | keys, AMF | `security.k`, `security.opc` or `security.op`, `security.amf` (hex) |
//! | SQN | `security.sqn`, Int64 (Open5GS ignores any other type) |
//! | serving MME | `mme_host`, `mme_realm`, `mme_timestamp` (Int64 µs), `purge_flag` |
//! | IMS identities and state | `plughss.ims` |
//! | SIP digest credential | `plughss.digest_ha1` |
//!
//! PlugHSS's own fields sit in a `plughss` sub-document, which Open5GS never reads and
//! which does not collide with Open5GS's IMS fields (`ifc`). One more lives there: the
//! model keeps the profile's AMF apart from the keys' AMF, Open5GS has one
//! `security.amf` (the keys' one, used for vectors). When a profile is written with an
//! AMF that differs from the keys', `plughss.amf = {profile, security}` records it; it
//! is shown only while `security.amf` still holds the value it was written beside.
//!
//! # SQN
//!
//! `reserve_sqn` is one atomic `$inc` returning the previous value, so any number of
//! PlugHSS instances (each with its own `[auc] ind`) and Open5GS itself can share the
//! collection without ever issuing one SQN twice. Wrapping at 2^48 and type repairs
//! (a Double stays a Double under `$inc`) are done by a compare-and-set afterwards.
//!
//! # Availability
//!
//! Operations are bounded: with no reachable server they fail as `Unavailable` (5012
//! to a Diameter peer) after `server_selection_timeout_ms` (1.5 s by default), and any
//! single round trip after `operation_timeout_ms` (3 s). The driver reconnects by
//! itself when the server returns. Nothing is cached between requests.

pub mod config;
mod errors;
pub mod nextepc;
pub mod numbers;
pub mod read;
mod store;
pub mod write;

pub use store::MongoStore;

plughss_plugin_api::declare_store!(MongoStore);
