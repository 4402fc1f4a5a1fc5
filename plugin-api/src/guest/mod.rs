//! The plugin author's SDK: implement [`DiameterApp`], call [`register_app!`], build
//! with `cargo build --target wasm32-wasip2 --release`, and the result is a component
//! the host loads. Host calls are one documented function each in [`host`].
//!
//! ```ignore
//! use plughss_plugin_api::guest::prelude::*;
//!
//! struct Echo;
//!
//! impl DiameterApp for Echo {
//!     fn describe() -> PluginInfo {
//!         plugin_info("echo", "0.1.0", &[(16777251, 10415, &[318])], &[])
//!     }
//!     fn handle(request: &[u8]) -> Result<Vec<u8>, HandleError> {
//!         let req = parse_request(request)?;
//!         let mut buf = Vec::new();
//!         let mut a = answer(&mut buf, &req);
//!         a.result_code(DIAMETER_SUCCESS);
//!         a.finish();
//!         Ok(buf)
//!     }
//! }
//!
//! register_app!(Echo);
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::sync::OnceLock;

use crate::diameter::{Message, MessageBuilder};
use crate::dictionary::base;

/// Generated bindings of `wit/plugin.wit` (world `application`).
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "application",
        path: "../wit",
        pub_export_macro: true,
        export_macro_name: "__export_application",
        default_bindings_module: "plughss_plugin_api::guest::bindings",
        runtime_path: "plughss_plugin_api::guest::__wit_bindgen::rt",
    });
}

#[doc(hidden)]
pub use wit_bindgen as __wit_bindgen;

pub use bindings::SubscriberEvent;
pub use bindings::plughss::plugin::auc::{EutranVector, GeranVector, ImsVector, ResyncInfo, UtranVector};
pub use bindings::plughss::plugin::events::ProfileChange;
pub use bindings::plughss::plugin::subscribers::{Apn, Arp, BitRate, ImsProfile, Profile, ServingNode};
pub use bindings::plughss::plugin::types::{Application, Capability, HandleError, HostError, PluginInfo};

/// What a plugin implements. Only `describe` and `handle` are required.
pub trait DiameterApp {
    /// Name, version, the applications and commands served, the capabilities wanted.
    fn describe() -> PluginInfo;

    /// Answers one request. An `Err` makes the host answer with its Result-Code.
    fn handle(request: &[u8]) -> Result<Vec<u8>, HandleError>;

    /// Reacts to a subscriber change made through the API (IDR, CLR, ...).
    fn notify(event: SubscriberEvent) -> Result<String, String> {
        let _ = event;
        Ok("ignored".to_string())
    }
}

/// Exports a [`DiameterApp`] implementation as the component's `application` world.
#[macro_export]
macro_rules! register_app {
    ($app:ty) => {
        #[doc(hidden)]
        pub struct __PlugHssExport;

        impl $crate::guest::bindings::Guest for __PlugHssExport {
            fn describe() -> $crate::guest::PluginInfo {
                <$app as $crate::guest::DiameterApp>::describe()
            }
            fn handle(request: ::std::vec::Vec<u8>) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::guest::HandleError> {
                <$app as $crate::guest::DiameterApp>::handle(&request)
            }
            fn notify(event: $crate::guest::SubscriberEvent) -> ::core::result::Result<::std::string::String, ::std::string::String> {
                <$app as $crate::guest::DiameterApp>::notify(event)
            }
        }

        $crate::guest::bindings::__export_application!(__PlugHssExport with_types_in $crate::guest::bindings);
    };
}

/// Builds a [`PluginInfo`] from `(application id, vendor id, commands)` triples.
pub fn plugin_info(
    name: &str,
    version: &str,
    apps: &[(u32, u32, &[u32])],
    caps: &[Capability],
) -> PluginInfo {
    PluginInfo {
        name: name.into(),
        version: version.into(),
        applications: apps
            .iter()
            .map(|(id, vendor, cmds)| Application { id: *id, vendor_id: *vendor, commands: cmds.to_vec() })
            .collect(),
        capabilities: caps.to_vec(),
    }
}

/// A [`HandleError`] asking the host to answer with `result_code`.
pub fn fail(result_code: u32, message: impl Into<String>) -> HandleError {
    HandleError { result_code, message: message.into() }
}

/// Parses the request (the host has already checked it; this cannot fail on bytes the
/// host delivers, but a plugin should not trust that).
pub fn parse_request(request: &[u8]) -> Result<Message<'_>, HandleError> {
    Message::parse(request).map_err(|e| fail(e.result_code(), e.to_string()))
}

/// The node identity, fetched from the host once per instance.
pub fn node() -> &'static bindings::plughss::plugin::config::Node {
    static NODE: OnceLock<bindings::plughss::plugin::config::Node> = OnceLock::new();
    NODE.get_or_init(bindings::plughss::plugin::config::node_identity)
}

/// Starts the answer to `req`: Session-Id echoed first (RFC 6733 8.8), then our
/// Origin-Host and Origin-Realm. Add the Result-Code and the command's AVPs, then
/// `finish()`.
pub fn answer<'b>(buf: &'b mut Vec<u8>, req: &Message<'_>) -> MessageBuilder<'b> {
    let mut b = MessageBuilder::answer(buf, &req.header);
    if let Some(sid) = req.find(&base::SESSION_ID) {
        b.bytes(&base::SESSION_ID, sid.payload());
    }
    let n = node();
    b.origin(&n.origin_host, &n.origin_realm);
    b
}

/// One function per host import, so handlers read without the generated paths.
pub mod host {
    pub use super::bindings::plughss::plugin::auc::{
        eutran_vectors, geran_vectors, ims_vectors, utran_vectors,
    };
    pub use super::bindings::plughss::plugin::config::{node_identity, plugin_config};
    pub use super::bindings::plughss::plugin::metrics::counter_add;
    pub use super::bindings::plughss::plugin::ng::command as ng_command;
    pub use super::bindings::plughss::plugin::peers::send_request;
    pub use super::bindings::plughss::plugin::subscribers::{
        get_profile, set_ims_state, update_serving_node,
    };

    use super::bindings::plughss::plugin::log::{Level, log};

    pub fn debug(msg: &str) {
        log(Level::Debug, msg)
    }

    pub fn info(msg: &str) {
        log(Level::Info, msg)
    }

    pub fn warn(msg: &str) {
        log(Level::Warn, msg)
    }

    pub fn error(msg: &str) {
        log(Level::Error, msg)
    }
}

/// Everything a plugin usually needs, in one import.
pub mod prelude {
    pub use super::{
        Capability, DiameterApp, HandleError, HostError, PluginInfo, SubscriberEvent, answer, fail, host,
        node, parse_request, plugin_info,
    };
    pub use crate::diameter::result_code::*;
    pub use crate::diameter::{Avp, Message, MessageBuilder};
    pub use crate::dictionary::{self, VENDOR_3GPP, app, base, cmd};
    pub use crate::register_app;
    pub use alloc::vec::Vec;
}
