//! Native handlers for embedding examples and tests: they answer like a minimal
//! application would, so the transport can be exercised without any plugin.

use std::time::Duration;

use bytes::Bytes;
use plughss_plugin_api::diameter::{Message, MessageBuilder, result_code as rc};
use plughss_plugin_api::dictionary::base;

use super::router::{Handler, HandlerError, HandlerFuture, RequestContext};

/// Answers any request with DIAMETER_SUCCESS, echoing Session-Id, after an optional delay.
pub struct SuccessHandler {
    pub origin_host: String,
    pub origin_realm: String,
    pub delay: Duration,
}

impl Handler for SuccessHandler {
    fn handle(&self, _ctx: RequestContext, request: Bytes) -> HandlerFuture {
        let (host, realm, delay) = (self.origin_host.clone(), self.origin_realm.clone(), self.delay);
        Box::pin(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let req = Message::parse(&request).map_err(|e| HandlerError::unable_to_comply(e.to_string()))?;
            let mut buf = Vec::with_capacity(256);
            let mut b = MessageBuilder::answer(&mut buf, &req.header);
            if let Some(sid) = req.find(&base::SESSION_ID) {
                b.bytes(&base::SESSION_ID, sid.payload());
            }
            b.result_code(rc::DIAMETER_SUCCESS).origin(&host, &realm);
            b.u32(&base::AUTH_SESSION_STATE, 1);
            b.finish();
            Ok(Bytes::from(buf))
        })
    }
}

/// Fails every request, to show how handler errors are answered.
pub struct FailingHandler;

impl Handler for FailingHandler {
    fn handle(&self, _ctx: RequestContext, _request: Bytes) -> HandlerFuture {
        Box::pin(async { Err(HandlerError::unable_to_comply("this handler always fails")) })
    }
}

/// Panics, to show a handler panic becomes 5012 and the node lives on.
pub struct PanickingHandler;

impl Handler for PanickingHandler {
    fn handle(&self, _ctx: RequestContext, _request: Bytes) -> HandlerFuture {
        Box::pin(async { panic!("handler panicked on purpose") })
    }
}
