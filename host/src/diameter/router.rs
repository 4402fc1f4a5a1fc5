//! Maps (Application-Id, Command-Code) to the handler that answers it. Handlers are
//! trait objects, so native Rust handlers and WebAssembly plugins route the same way.
//! The active router is swapped atomically on plugin reload: requests already routed
//! keep their `Arc` to the old handler until they finish.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;
use plughss_plugin_api::diameter::result_code as rc;

use super::peers::PeerInfo;

/// The answer a handler produces: encoded answer bytes, or a failure the host answers.
pub type HandlerResult = Result<Bytes, HandlerError>;
pub type HandlerFuture = Pin<Box<dyn Future<Output = HandlerResult> + Send>>;

/// A handler failure; the host answers it with `result_code` (normally 5012).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct HandlerError {
    pub result_code: u32,
    pub reason: String,
}

impl HandlerError {
    /// RFC 6733 7.1.5 DIAMETER_UNABLE_TO_COMPLY.
    pub fn unable_to_comply(reason: impl Into<String>) -> Self {
        HandlerError { result_code: rc::DIAMETER_UNABLE_TO_COMPLY, reason: reason.into() }
    }
}

/// What a handler sees of a request besides its bytes.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub peer: Arc<PeerInfo>,
}

/// Answers requests of one or more commands.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, ctx: RequestContext, request: Bytes) -> HandlerFuture;
}

/// An application as advertised in CER/CEA: `vendor_id` 0 means a plain
/// Auth-Application-Id, otherwise a Vendor-Specific-Application-Id (RFC 6733 6.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Application {
    pub id: u32,
    pub vendor_id: u32,
}

/// Outcome of a routing decision (RFC 6733 7.1.3 for the two failures).
pub enum Route<'a> {
    Found(&'a Arc<dyn Handler>),
    /// 3007 DIAMETER_APPLICATION_UNSUPPORTED.
    NoApplication,
    /// 3001 DIAMETER_COMMAND_UNSUPPORTED.
    NoCommand,
}

/// The handlers of one application, by command code.
type Commands = HashMap<u32, Arc<dyn Handler>>;

#[derive(Default, Clone)]
pub struct Router {
    apps: HashMap<u32, (Application, Commands)>,
}

impl Router {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` for `command_code` of `app`.
    pub fn add(&mut self, app: Application, command_code: u32, handler: Arc<dyn Handler>) -> &mut Self {
        self.apps.entry(app.id).or_insert_with(|| (app, HashMap::new())).1.insert(command_code, handler);
        self
    }

    pub fn route(&self, application_id: u32, command_code: u32) -> Route<'_> {
        match self.apps.get(&application_id) {
            None => Route::NoApplication,
            Some((_, cmds)) => cmds.get(&command_code).map_or(Route::NoCommand, Route::Found),
        }
    }

    /// The applications served, for capability exchange.
    pub fn applications(&self) -> impl Iterator<Item = Application> + '_ {
        self.apps.values().map(|(a, _)| *a)
    }

    pub fn serves(&self, application_id: u32) -> bool {
        self.apps.contains_key(&application_id)
    }
}

/// The router in force, replaceable while requests flow.
pub type SharedRouter = Arc<ArcSwap<Router>>;

pub fn shared(router: Router) -> SharedRouter {
    Arc::new(ArcSwap::from_pointee(router))
}
