//! Bearer-token access control for the REST API (RFC 6750).
//!
//! With `[api] token` (or `PLUGHSS_API_TOKEN`) set, every `/api/v1` route except
//! `/api/v1/health` requires `Authorization: Bearer <token>` (RFC 6750 2.1). Health stays
//! open so that load balancers and liveness probes need no secret; it tells only that
//! the node runs and its Diameter identity. A request without the header, with another
//! scheme or with a wrong token gets 401 with a JSON reason and a `WWW-Authenticate:
//! Bearer` challenge (RFC 6750 3). The token is compared in constant time over SHA-256
//! digests, so neither its content nor its length shows in the timing, and it is never
//! logged.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The token the API requires, as its digest; `open()` requires none.
#[derive(Clone)]
pub struct BearerAuth {
    digest: Option<[u8; 32]>,
}

impl std::fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuth").field("required", &self.digest.is_some()).finish()
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// RFC 6750 3.1: no credentials, so no `error` attribute in the challenge.
    #[error("missing bearer token: send Authorization: Bearer <token>")]
    Missing,
    #[error("the Authorization header is not a Bearer token (RFC 6750 2.1)")]
    NotBearer,
    /// RFC 6750 3.1 `invalid_token`.
    #[error("invalid bearer token")]
    Invalid,
}

impl BearerAuth {
    /// Requires `token` when given; `None` leaves the API open (loopback only, which
    /// `Config::validate` enforces).
    pub fn new(token: Option<&str>) -> Self {
        BearerAuth { digest: token.map(digest) }
    }

    pub fn open() -> Self {
        BearerAuth { digest: None }
    }

    pub fn is_required(&self) -> bool {
        self.digest.is_some()
    }

    /// Checks an `Authorization` header value.
    pub fn check(&self, header: Option<&HeaderValue>) -> Result<(), AuthFailure> {
        let Some(expected) = &self.digest else { return Ok(()) };
        let value = header.ok_or(AuthFailure::Missing)?.to_str().map_err(|_| AuthFailure::NotBearer)?;
        // RFC 6750 2.1: credentials = "Bearer" 1*SP b64token; the scheme is
        // case-insensitive (RFC 9110 11.1).
        let (scheme, token) = value.split_once(' ').ok_or(AuthFailure::NotBearer)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AuthFailure::NotBearer);
        }
        if crate::auc::ct_eq(&digest(token.trim_start_matches(' ')), expected) {
            Ok(())
        } else {
            Err(AuthFailure::Invalid)
        }
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl IntoResponse for AuthFailure {
    fn into_response(self) -> Response {
        let challenge = match self {
            AuthFailure::Missing => r#"Bearer realm="plughss""#,
            AuthFailure::NotBearer => r#"Bearer realm="plughss", error="invalid_request""#,
            AuthFailure::Invalid => r#"Bearer realm="plughss", error="invalid_token""#,
        };
        let mut r =
            (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": self.to_string() }))).into_response();
        r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        r
    }
}

/// The middleware: passes the request on, or answers 401.
pub async fn require_bearer(State(auth): State<BearerAuth>, req: Request, next: Next) -> Response {
    match auth.check(req.headers().get(AUTHORIZATION)) {
        Ok(()) => next.run(req).await,
        Err(e) => {
            tracing::info!(method = %req.method(), path = req.uri().path(), reason = %e, "API request refused");
            e.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hv(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn checks_scheme_and_token() {
        let a = BearerAuth::new(Some("s3cret"));
        assert_eq!(a.check(None), Err(AuthFailure::Missing));
        assert_eq!(a.check(Some(&hv("Basic czNjcmV0"))), Err(AuthFailure::NotBearer));
        assert_eq!(a.check(Some(&hv("Bearer"))), Err(AuthFailure::NotBearer));
        assert_eq!(a.check(Some(&hv("Bearer s3cre"))), Err(AuthFailure::Invalid));
        assert_eq!(a.check(Some(&hv("Bearer s3cret2"))), Err(AuthFailure::Invalid));
        assert_eq!(a.check(Some(&hv("Bearer s3cret"))), Ok(()));
        assert_eq!(a.check(Some(&hv("bearer s3cret"))), Ok(()));
        assert_eq!(BearerAuth::open().check(None), Ok(()));
        assert!(!format!("{a:?}").contains("s3cret"));
    }
}
