//! `plughss subscriber add|get|list|delete|import` against a running server's REST API.
//!
//! `import FILE.csv` streams the file: a header row names the columns (`imsi`, `k`, one
//! of `opc`/`op`, and optionally `amf`, `sqn`, `msisdn`, `apn`, in any order), each row
//! is checked locally as the server would check it (a malformed row stops the import
//! naming its line), and rows go to `POST /api/v1/subscribers/import` in batches. A
//! progress bar shows on a terminal. Within `msisdn`, several numbers are separated by
//! `;`. Blank lines and lines starting with `#` are skipped; fields may be quoted with
//! `"` but may not contain commas.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{ArgGroup, Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::api_client::{ApiArgs, ApiClient};
use crate::api::provision;

#[derive(Args, Debug)]
pub struct SubscriberArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(subcommand)]
    pub command: SubscriberCommand,
}

#[derive(Subcommand, Debug)]
pub enum SubscriberCommand {
    /// Provision one subscriber (APN, QoS and AMBR default as open5gs-dbctl add).
    Add(AddArgs),
    /// Print a subscriber's document (keys are never returned).
    Get { imsi: String },
    /// List subscribers in IMSI order.
    List {
        /// Subscribers per page (1 to 1000).
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Start after this IMSI.
        #[arg(long)]
        after: Option<String>,
        /// Follow pages to the end.
        #[arg(long)]
        all: bool,
        /// Print one JSON document per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a subscriber.
    Delete { imsi: String },
    /// Create or replace subscribers from a CSV file (header: imsi,k,opc|op[,amf,sqn,msisdn,apn]).
    Import {
        file: PathBuf,
        /// Subscribers per request (at most 10000).
        #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch: u32,
    },
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("opc_or_op").required(true).args(["opc", "op"])))]
pub struct AddArgs {
    /// IMSI (6 to 15 digits).
    #[arg(long)]
    pub imsi: String,
    /// K (32 hex digits).
    #[arg(long, value_name = "HEX")]
    pub k: String,
    /// OPc (32 hex digits).
    #[arg(long, value_name = "HEX")]
    pub opc: Option<String>,
    /// OP (32 hex digits); the AuC derives OPc from it.
    #[arg(long, value_name = "HEX")]
    pub op: Option<String>,
    /// AMF (4 hex digits).
    #[arg(long, value_name = "HEX", default_value = "8000")]
    pub amf: String,
    /// The next SQN to issue.
    #[arg(long, default_value_t = 0)]
    pub sqn: u64,
    /// MSISDN (repeatable).
    #[arg(long)]
    pub msisdn: Vec<String>,
    /// APN of the default session (default "internet").
    #[arg(long)]
    pub apn: Option<String>,
}

pub async fn run(args: SubscriberArgs) -> anyhow::Result<()> {
    let api = ApiClient::new(&args.api);
    match args.command {
        SubscriberCommand::Add(a) => {
            let row = Row {
                imsi: a.imsi,
                k: a.k,
                opc: a.opc,
                op: a.op,
                amf: Some(a.amf),
                sqn: Some(a.sqn),
                msisdn: a.msisdn,
                apn: a.apn,
            };
            let doc = row.document();
            provision::parse_new(&doc)?;
            let v = api.call(Method::POST, "/api/v1/subscribers", Some(&doc)).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        SubscriberCommand::Get { imsi } => {
            let v = api.call(Method::GET, &format!("/api/v1/subscribers/{imsi}"), None).await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        SubscriberCommand::Delete { imsi } => {
            api.call(Method::DELETE, &format!("/api/v1/subscribers/{imsi}"), None).await?;
            println!("deleted {imsi}");
        }
        SubscriberCommand::List { limit, after, all, json } => list(&api, limit, after, all, json).await?,
        SubscriberCommand::Import { file, batch } => import(&api, &file, batch as usize).await?,
    }
    Ok(())
}

async fn list(
    api: &ApiClient,
    limit: usize,
    mut after: Option<String>,
    all: bool,
    json: bool,
) -> anyhow::Result<()> {
    if !json {
        println!("{:<16} {:<16} {:<16} {:<5} SQN", "IMSI", "MSISDN", "APN", "AMF");
    }
    loop {
        let mut path = format!("/api/v1/subscribers?limit={limit}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let page = api.call(Method::GET, &path, None).await?;
        for s in page["subscribers"].as_array().into_iter().flatten() {
            if json {
                println!("{s}");
            } else {
                let msisdn: Vec<&str> =
                    s["msisdn"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                println!(
                    "{:<16} {:<16} {:<16} {:<5} {}",
                    s["imsi"].as_str().unwrap_or("?"),
                    if msisdn.is_empty() { "-".to_string() } else { msisdn.join(",") },
                    s["slice"][0]["session"][0]["name"].as_str().unwrap_or("-"),
                    s["security"]["amf"].as_str().unwrap_or("?"),
                    s["security"]["sqn"],
                );
            }
        }
        after = page["next"].as_str().map(str::to_owned);
        match &after {
            Some(next) if !all => {
                eprintln!("more subscribers follow: --after {next} (or --all)");
                break;
            }
            Some(_) => {}
            None => break,
        }
    }
    Ok(())
}

/// One CSV row (or the `add` arguments).
#[derive(Default)]
struct Row {
    imsi: String,
    k: String,
    opc: Option<String>,
    op: Option<String>,
    amf: Option<String>,
    sqn: Option<u64>,
    msisdn: Vec<String>,
    apn: Option<String>,
}

impl Row {
    /// The API document; defaults are left to the server (open5gs-dbctl's).
    fn document(&self) -> Value {
        let mut security = Map::new();
        security.insert("k".into(), json!(self.k));
        if let Some(o) = &self.opc {
            security.insert("opc".into(), json!(o));
        }
        if let Some(o) = &self.op {
            security.insert("op".into(), json!(o));
        }
        if let Some(a) = &self.amf {
            security.insert("amf".into(), json!(a));
        }
        if let Some(s) = self.sqn {
            security.insert("sqn".into(), json!(s));
        }
        let mut doc = json!({ "imsi": self.imsi, "security": security });
        if !self.msisdn.is_empty() {
            doc["msisdn"] = json!(self.msisdn);
        }
        if let Some(apn) = &self.apn {
            doc["slice"] = json!([{ "sst": 1, "default_indicator": true, "session": [{ "name": apn }] }]);
        }
        doc
    }
}

const COLUMNS: &[&str] = &["imsi", "k", "opc", "op", "amf", "sqn", "msisdn", "apn"];

/// Column positions from the header row.
struct Header {
    index: Vec<(usize, &'static str)>,
    width: usize,
}

impl Header {
    fn parse(fields: &[String]) -> anyhow::Result<Header> {
        let mut index = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            let name = f.to_ascii_lowercase();
            let Some(known) = COLUMNS.iter().find(|c| **c == name) else {
                bail!("unknown column {f:?}; expected imsi,k,opc|op,amf,sqn,msisdn,apn");
            };
            if index.iter().any(|(_, n)| n == known) {
                bail!("column {known} is given twice");
            }
            index.push((i, *known));
        }
        let has = |n: &str| index.iter().any(|(_, c)| *c == n);
        if !has("imsi") || !has("k") {
            bail!("the header must name the columns imsi and k");
        }
        match (has("opc"), has("op")) {
            (true, true) => bail!("the header names both opc and op; give one"),
            (false, false) => bail!("the header must name an opc or an op column"),
            _ => {}
        }
        Ok(Header { index, width: fields.len() })
    }

    fn row(&self, fields: Vec<String>) -> anyhow::Result<Row> {
        if fields.len() != self.width {
            bail!("{} fields where the header has {}", fields.len(), self.width);
        }
        let mut row = Row::default();
        for (i, name) in &self.index {
            let v = fields[*i].clone();
            let opt = (!v.is_empty()).then(|| v.clone());
            match *name {
                "imsi" => row.imsi = v,
                "k" => row.k = v,
                "opc" => row.opc = opt,
                "op" => row.op = opt,
                "amf" => row.amf = opt,
                "sqn" => {
                    row.sqn = match opt {
                        None => None,
                        Some(s) => Some(
                            s.parse().map_err(|_| anyhow::anyhow!("sqn {s:?} is not a decimal number"))?,
                        ),
                    }
                }
                "msisdn" => {
                    row.msisdn =
                        v.split(';').map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned).collect()
                }
                "apn" => row.apn = opt,
                _ => {}
            }
        }
        Ok(row)
    }
}

/// Splits one CSV line; fields are trimmed and may be wrapped in double quotes.
fn split_line(line: &str) -> Vec<String> {
    line.split(',')
        .map(|f| {
            let f = f.trim();
            f.strip_prefix('"').and_then(|g| g.strip_suffix('"')).unwrap_or(f).to_string()
        })
        .collect()
}

async fn import(api: &ApiClient, path: &Path, batch: usize) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = BufReader::new(file);
    let target = if std::io::stdout().is_terminal() {
        ProgressDrawTarget::stdout()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(size), target);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({elapsed}, eta {eta})")
    {
        bar.set_style(style);
    }

    let name = path.display();
    let mut header: Option<Header> = None;
    let mut docs: Vec<Value> = Vec::with_capacity(batch);
    let mut lines: Vec<usize> = Vec::with_capacity(batch);
    let mut imported = 0usize;
    let mut line = String::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).with_context(|| format!("reading {name}"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        bar.inc(n as u64);
        let text = line.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() || text.starts_with('#') {
            continue;
        }
        let fields = split_line(text);
        let Some(h) = &header else {
            header = Some(Header::parse(&fields).with_context(|| format!("{name}: line {line_no}"))?);
            continue;
        };
        let doc = h.row(fields).map(|r| r.document()).with_context(|| format!("{name}: line {line_no}"))?;
        provision::parse_new(&doc).with_context(|| format!("{name}: line {line_no}"))?;
        docs.push(doc);
        lines.push(line_no);
        if docs.len() >= batch {
            imported += send(api, &mut docs, &mut lines, &name.to_string()).await?;
            bar.set_message(format!("{imported} subscribers"));
        }
    }
    if header.is_none() {
        bail!("{name}: no header row (imsi,k,opc|op,...)");
    }
    if !docs.is_empty() {
        imported += send(api, &mut docs, &mut lines, &name.to_string()).await?;
    }
    bar.finish_and_clear();
    println!("imported {imported} subscribers from {name}");
    Ok(())
}

/// Sends one batch; a rejection naming `[i].field` is reported with the file's line.
async fn send(
    api: &ApiClient,
    docs: &mut Vec<Value>,
    lines: &mut Vec<usize>,
    name: &str,
) -> anyhow::Result<usize> {
    let body = Value::Array(std::mem::take(docs));
    let result = api.call(Method::POST, "/api/v1/subscribers/import", Some(&body)).await;
    let sent_lines = std::mem::take(lines);
    match result {
        Ok(v) => Ok(v["imported"].as_u64().unwrap_or(0) as usize),
        Err(e) => {
            let msg = format!("{e:#}");
            let at = msg.find('[').and_then(|s| {
                let rest = &msg[s + 1..];
                rest[..rest.find(']')?].parse::<usize>().ok()
            });
            match at.and_then(|i| sent_lines.get(i)) {
                Some(l) => bail!("{name}: line {l}: the server refused it: {msg}"),
                None => bail!(
                    "{name}: lines {}..: the server refused the batch: {msg}",
                    sent_lines.first().copied().unwrap_or(0)
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_rows() {
        let h = Header::parse(&split_line("IMSI, k ,opc,msisdn,apn")).unwrap();
        let r = h.row(split_line("001010000000001,\"465b5ce8b199b49faa5f0a2ee238a6bc\",cd63cb71954a9f4e48a5994e37a02baf,1;2,ims"))
            .unwrap();
        let d = r.document();
        assert_eq!(d["msisdn"], json!(["1", "2"]));
        assert_eq!(d["slice"][0]["session"][0]["name"], "ims");
        assert!(provision::parse_new(&d).is_ok());
        assert!(h.row(split_line("1,2")).is_err());
        assert!(Header::parse(&split_line("imsi,k")).is_err());
        assert!(Header::parse(&split_line("imsi,k,opc,op")).is_err());
        assert!(Header::parse(&split_line("imsi,k,opc,colour")).is_err());
    }
}
