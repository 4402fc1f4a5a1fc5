//! `--provision`: creates the run's subscribers through the REST API's bulk import
//! (`POST /api/v1/subscribers/import`, create-or-replace, at most 10,000 per request),
//! with known keys so that AIRs find them and get vectors.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::options::ImsiRange;
use crate::api::subscribers::MAX_IMPORT;
use crate::cli::api_client::ApiClient;

/// The subscriber documents for IMSIs `from..to` of `range` (AMF 8000, SQN 0, the
/// server's default profile).
pub fn documents(range: &ImsiRange, from: u64, to: u64, k: &str, opc: &str) -> Vec<Value> {
    (from..to)
        .map(|i| json!({ "imsi": range.format(range.nth(i)), "security": { "k": k, "opc": opc } }))
        .collect()
}

/// Imports every IMSI of `range`; returns how many and how long it took.
pub async fn provision(
    api: &ApiClient,
    range: &ImsiRange,
    k: &str,
    opc: &str,
) -> anyhow::Result<(u64, Duration)> {
    let t = Instant::now();
    let mut done = 0u64;
    while done < range.count {
        let to = (done + MAX_IMPORT as u64).min(range.count);
        let body = Value::Array(documents(range, done, to, k, opc));
        let answer =
            api.call(Method::POST, "/api/v1/subscribers/import", Some(&body)).await.map_err(|e| {
                anyhow::anyhow!(
                    "provisioning IMSIs {}..{}: {e:#}",
                    range.format(range.nth(done)),
                    range.format(range.nth(to - 1))
                )
            })?;
        let imported = answer["imported"].as_u64().unwrap_or(0);
        if imported != to - done {
            anyhow::bail!("provisioning: the server imported {imported} of {} subscribers", to - done);
        }
        done = to;
    }
    Ok((done, t.elapsed()))
}
