//! The CLI's client of a running server's REST API.

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

/// Where the API is, shared by the commands that talk to a running server. Global, so
/// `plughss subscriber --api URL add ...` and `plughss subscriber add ... --api URL` both work.
#[derive(Args, Debug, Clone)]
pub struct ApiArgs {
    /// Base URL of the PlugHSS REST API.
    #[arg(long, env = "PLUGHSS_API", default_value = "http://127.0.0.1:8080", global = true)]
    pub api: String,
    /// Bearer token, when the server requires one.
    #[arg(long, env = "PLUGHSS_API_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
}

pub struct ApiClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl ApiClient {
    pub fn new(args: &ApiArgs) -> Self {
        ApiClient {
            base: args.api.trim_end_matches('/').to_string(),
            token: args.token.clone(),
            http: reqwest::Client::new(),
        }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    /// Sends a request and returns the JSON body; a non-2xx status becomes an error
    /// carrying the server's reason.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let mut r = self.req(method, path);
        if let Some(b) = body {
            r = r.json(b);
        }
        let resp =
            r.send().await.with_context(|| format!("cannot reach the PlugHSS API at {}", self.base))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if !status.is_success() {
            let reason = json
                .get("error")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| json.to_string());
            bail!("{status}: {reason}");
        }
        Ok(json)
    }
}
