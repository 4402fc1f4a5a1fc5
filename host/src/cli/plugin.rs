//! `plughss plugin list|reload` against a running server.

use clap::Subcommand;
use serde_json::Value;

use super::api_client::{ApiArgs, ApiClient};

#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Show each loaded plugin: name, version, hash, applications, grants, counters.
    List {
        #[command(flatten)]
        api: ApiArgs,
        /// Print the server's JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Reload plugins (as SIGHUP does) and print what changed.
    Reload {
        #[command(flatten)]
        api: ApiArgs,
    },
}

pub async fn run(cmd: PluginCommand) -> anyhow::Result<()> {
    match cmd {
        PluginCommand::List { api, json } => {
            let v = ApiClient::new(&api).call(reqwest::Method::GET, "/api/v1/plugins", None).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", table(&v));
            }
        }
        PluginCommand::Reload { api } => {
            let v = ApiClient::new(&api).call(reqwest::Method::POST, "/api/v1/plugins/reload", None).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
    }
    Ok(())
}

fn table(v: &Value) -> String {
    let mut out = format!(
        "{:<12} {:<9} {:<14} {:<28} {:<32} {}\n",
        "NAME", "VERSION", "SHA256", "APPLICATIONS", "CAPABILITIES", "REQUESTS/ANSWERED/TRAPS"
    );
    for p in v["plugins"].as_array().into_iter().flatten() {
        let apps: Vec<String> = p["applications"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| format!("{}:{}", a["id"], a["commands"].as_array().map(|c| c.len()).unwrap_or(0)))
            .collect();
        let caps: Vec<&str> =
            p["capabilities"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let c = &p["counters"];
        out.push_str(&format!(
            "{:<12} {:<9} {:<14} {:<28} {:<32} {}/{}/{}\n",
            p["name"].as_str().unwrap_or("?"),
            p["version"].as_str().unwrap_or("?"),
            p["sha256"].as_str().map(|s| &s[..12.min(s.len())]).unwrap_or("?"),
            apps.join(","),
            if caps.is_empty() { "-".to_string() } else { caps.join(",") },
            c["requests"],
            c["answered"],
            c["traps"],
        ));
    }
    out
}
