//! Refuses requests that a web browser could have been made to send, before any route
//! (and before the bearer-token check) sees them.
//!
//! Without a token, the loopback API trusts whoever can reach it, and a browser on the
//! same machine can: any page may send a "simple" cross-origin request (a POST with a
//! `text/plain`, form or multipart body, which needs no CORS preflight; WHATWG Fetch,
//! "CORS-safelisted request-header"), and a page whose own name the attacker re-points
//! at 127.0.0.1 (DNS rebinding) is even same-origin for the browser. Three checks close
//! both:
//!
//! 1. `Host` must name this server (RFC 9110 7.2): a loopback name or address, the IP
//!    address it listens on, or a name in `[api] allowed_hosts`. A rebinding page sends
//!    its own name. A request without `Host` (HTTP/1.0) passes: browsers always send it.
//! 2. `Sec-Fetch-Site: cross-site` (W3C Fetch Metadata) is refused, and an `Origin`
//!    (RFC 6454 7), which browsers send on every cross-origin request and on any POST,
//!    must be the API's own origin (`http://` + the request's `Host`, RFC 6454 5) or be
//!    listed in `[api] allowed_origins`.
//! 3. A request that has a body, or says what its body is, must say
//!    `application/json` (`application/merge-patch+json` for PATCH, RFC 7396); else 415
//!    (RFC 9110 15.5.16). No browser can send JSON cross-origin without a preflight,
//!    which check 2 refuses. A body-less POST (`.../cancel-location`) needs no type.
//!
//! A refusal is a 4xx with a JSON reason like every API error, and is logged at info.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::{HostName, WebOrigin};

/// W3C Fetch Metadata: which site the request comes from, as the browser sees it.
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The `Host` and `Origin` values the API accepts.
#[derive(Debug, Clone)]
pub struct RequestGuard(Arc<Allowed>);

#[derive(Debug)]
struct Allowed {
    /// The listen address's IP; an unspecified one (0.0.0.0, ::) stands for every
    /// address of this machine.
    listen: IpAddr,
    hosts: Vec<HostName>,
    origins: Vec<WebOrigin>,
}

impl Default for RequestGuard {
    /// Loopback names only, no other origin.
    fn default() -> Self {
        RequestGuard::new(IpAddr::from([127, 0, 0, 1]), Vec::new(), Vec::new())
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// RFC 9112 3.2: a request with more than one Host is answered 400.
    #[error("more than one Host header")]
    TwoHosts,
    #[error("Host {0:?} is not a name of this server; add it to [api] allowed_hosts to reach the API by it")]
    ForeignHost(String),
    #[error("cross-site request refused (Sec-Fetch-Site: cross-site)")]
    CrossSite,
    #[error(
        "cross-origin request refused: Origin {0:?} is not this API's origin nor in [api] allowed_origins"
    )]
    ForeignOrigin(String),
    #[error("unsupported Content-Type {0:?}: send the body as application/json")]
    NotJson(String),
    #[error("a request body needs Content-Type: application/json")]
    NoType,
}

impl RequestGuard {
    pub fn new(listen: IpAddr, hosts: Vec<HostName>, origins: Vec<WebOrigin>) -> Self {
        RequestGuard(Arc::new(Allowed { listen, hosts, origins }))
    }

    /// Checks a request's target, headers and whether it has a body.
    pub fn check(&self, req: &Request) -> Result<(), Refusal> {
        let headers = req.headers();
        let host = self.check_host(req)?;
        if headers.get(SEC_FETCH_SITE).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site")) {
            return Err(Refusal::CrossSite);
        }
        self.check_origin(headers, host.as_ref())?;
        check_content_type(req.method(), headers, !req.body().is_end_stream())
    }

    /// The request's authority (`Host`, or the target's own in absolute form) when it
    /// is one of ours.
    fn check_host(&self, req: &Request) -> Result<Option<Authority>, Refusal> {
        let mut hosts = req.headers().get_all(HOST).iter();
        let header = hosts.next();
        if hosts.next().is_some() {
            return Err(Refusal::TwoHosts);
        }
        // RFC 9112 3.2.2: with an absolute-form target the server uses its authority
        // and ignores Host; check both, so that neither can carry a foreign name.
        if let Some(a) = req.uri().authority() {
            self.allowed_authority(a.as_str())?;
        }
        header.map(|h| self.allowed_authority(h.to_str().unwrap_or(""))).transpose()
    }

    fn allowed_authority(&self, text: &str) -> Result<Authority, Refusal> {
        let refuse = || Refusal::ForeignHost(text.chars().take(200).collect());
        // uri-host [":" port] only: a user name has no place in Host (RFC 9110 7.2).
        if text.contains('@') {
            return Err(refuse());
        }
        let authority: Authority = text.parse().map_err(|_| refuse())?;
        let host = HostName::try_from(authority.host().to_owned()).map_err(|_| refuse())?;
        if self.allowed_host(&host) { Ok(authority) } else { Err(refuse()) }
    }

    fn allowed_host(&self, host: &HostName) -> bool {
        let bare = host.0.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            // An address cannot be re-pointed as a name can; the listen address and
            // loopback are this server's own.
            Ok(ip) => {
                let ip = ip.to_canonical();
                ip.is_loopback()
                    || ip == self.0.listen.to_canonical()
                    || self.0.listen.is_unspecified()
                    || self.0.hosts.contains(host)
            }
            Err(_) => host.0 == "localhost" || self.0.hosts.contains(host),
        }
    }

    fn check_origin(&self, headers: &HeaderMap, host: Option<&Authority>) -> Result<(), Refusal> {
        for value in headers.get_all(ORIGIN) {
            let text = value.to_str().unwrap_or("");
            let refuse = || Refusal::ForeignOrigin(text.chars().take(200).collect());
            // `null` (an opaque origin: sandboxed frames, file: pages) is never ours.
            let origin = WebOrigin::parse(text).ok_or_else(refuse)?;
            let own = host.and_then(|h| WebOrigin::parse(&format!("http://{h}")));
            if own.as_ref() != Some(&origin) && !self.0.origins.contains(&origin) {
                return Err(refuse());
            }
        }
        Ok(())
    }
}

/// Check 3 of the module documentation.
fn check_content_type(method: &Method, headers: &HeaderMap, has_body: bool) -> Result<(), Refusal> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return if has_body { Err(Refusal::NoType) } else { Ok(()) };
    };
    let text = value.to_str().unwrap_or("");
    // RFC 9110 8.3.1: type/subtype are case-insensitive; parameters (charset) follow ';'.
    let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let json = essence == "application/json"
        || (method == Method::PATCH && essence == "application/merge-patch+json");
    if json { Ok(()) } else { Err(Refusal::NotJson(text.chars().take(100).collect())) }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Refusal::TwoHosts => StatusCode::BAD_REQUEST,
            Refusal::ForeignHost(_) | Refusal::CrossSite | Refusal::ForeignOrigin(_) => StatusCode::FORBIDDEN,
            Refusal::NotJson(_) | Refusal::NoType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        };
        (status, axum::Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// The middleware: passes the request on, or answers with the refusal.
pub async fn guard(State(guard): State<RequestGuard>, req: Request, next: Next) -> Response {
    match guard.check(&req) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            tracing::info!(method = %req.method(), path = req.uri().path(), reason = %e, "API request refused");
            let patch = req.method() == Method::PATCH && matches!(e, Refusal::NotJson(_) | Refusal::NoType);
            let mut r = e.into_response();
            if patch {
                // RFC 5789 3.1: a 415 to a PATCH lists the patch formats accepted.
                r.headers_mut().insert(
                    HeaderName::from_static("accept-patch"),
                    HeaderValue::from_static("application/json, application/merge-patch+json"),
                );
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn guard() -> RequestGuard {
        RequestGuard::new(
            "10.1.2.3".parse().unwrap(),
            vec![HostName::try_from("hss.example.net".to_owned()).unwrap()],
            vec![WebOrigin::parse("https://ops.example.net").unwrap()],
        )
    }

    fn req(method: Method, uri: &str, headers: &[(&str, &str)], body: &'static str) -> Request {
        let mut b = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(if body.is_empty() { Body::empty() } else { Body::from(body) }).unwrap()
    }

    fn check(method: Method, headers: &[(&str, &str)], body: &'static str) -> Result<(), Refusal> {
        guard().check(&req(method, "/api/v1/subscribers", headers, body))
    }

    #[test]
    fn hosts() {
        for ok in ["localhost:8080", "LOCALHOST", "127.0.0.1:1", "127.9.9.9", "[::1]:8080", "10.1.2.3:8080"] {
            assert_eq!(check(Method::GET, &[("host", ok)], ""), Ok(()), "{ok}");
        }
        assert_eq!(check(Method::GET, &[("host", "hss.example.net:8080")], ""), Ok(()));
        assert_eq!(check(Method::GET, &[], ""), Ok(()), "no Host (HTTP/1.0)");
        for bad in
            ["rebind.evil.example", "10.1.2.4:8080", "localhost.evil.example", "user@localhost", "", "a b"]
        {
            assert!(
                matches!(check(Method::GET, &[("host", bad)], ""), Err(Refusal::ForeignHost(_))),
                "{bad}"
            );
        }
        let two = req(Method::GET, "/", &[("host", "localhost"), ("host", "evil.example")], "");
        assert_eq!(guard().check(&two), Err(Refusal::TwoHosts));
        let absolute = req(Method::GET, "http://evil.example/api/v1/peers", &[("host", "localhost")], "");
        assert!(matches!(guard().check(&absolute), Err(Refusal::ForeignHost(_))));
        let any = RequestGuard::new("0.0.0.0".parse().unwrap(), vec![], vec![]);
        assert_eq!(any.check(&req(Method::GET, "/", &[("host", "192.0.2.8:8080")], "")), Ok(()));
        assert!(any.check(&req(Method::GET, "/", &[("host", "evil.example")], "")).is_err());
    }

    #[test]
    fn origins() {
        let h = ("host", "127.0.0.1:8080");
        assert_eq!(check(Method::GET, &[h, ("origin", "http://127.0.0.1:8080")], ""), Ok(()));
        assert_eq!(
            check(Method::GET, &[("host", "localhost:80"), ("origin", "http://localhost")], ""),
            Ok(())
        );
        assert_eq!(check(Method::GET, &[h, ("origin", "https://ops.example.net")], ""), Ok(()));
        for bad in ["http://evil.example", "http://127.0.0.1:8081", "https://127.0.0.1:8080", "null", "x"] {
            assert!(
                matches!(check(Method::GET, &[h, ("origin", bad)], ""), Err(Refusal::ForeignOrigin(_))),
                "{bad}"
            );
        }
        assert!(check(Method::GET, &[("origin", "http://127.0.0.1:8080")], "").is_err(), "no Host to match");
        assert_eq!(check(Method::GET, &[h, ("sec-fetch-site", "cross-site")], ""), Err(Refusal::CrossSite));
        assert_eq!(check(Method::GET, &[h, ("sec-fetch-site", "same-origin")], ""), Ok(()));
    }

    #[test]
    fn content_types() {
        let json = ("content-type", "application/json; charset=utf-8");
        assert_eq!(check(Method::POST, &[json], "{}"), Ok(()));
        assert_eq!(check(Method::POST, &[("content-type", "Application/JSON")], "{}"), Ok(()));
        assert_eq!(check(Method::POST, &[], ""), Ok(()), "a body-less POST needs no type");
        assert_eq!(check(Method::POST, &[], "{}"), Err(Refusal::NoType));
        assert_eq!(check(Method::GET, &[], "{}"), Err(Refusal::NoType), "any request with a body");
        for bad in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            assert!(matches!(check(Method::POST, &[("content-type", bad)], "{}"), Err(Refusal::NotJson(_))));
            assert!(matches!(check(Method::POST, &[("content-type", bad)], ""), Err(Refusal::NotJson(_))));
        }
        let merge = ("content-type", "application/merge-patch+json");
        assert_eq!(check(Method::PATCH, &[merge], "{}"), Ok(()));
        assert!(check(Method::POST, &[merge], "{}").is_err(), "merge patch is for PATCH");
    }
}
