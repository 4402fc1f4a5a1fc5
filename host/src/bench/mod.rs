//! `plughss bench`: a Diameter load generator for sizing deployments.
//!
//! It opens `--connections` TCP connections, each with its own Origin-Host and its own
//! capabilities exchange, and keeps up to `--inflight` requests outstanding on each
//! (closed loop), or sends at a fixed total `--rate` (open loop, latency from each
//! request's scheduled send time). Answers are matched by Hop-by-Hop and End-to-End
//! Identifier, classified by Result-Code / Experimental-Result, and timed into an HDR
//! histogram.
//!
//! - [`options`]: the command line;
//! - [`request`]: request kinds (AIR, ULR) and their templates;
//! - [`connection`]: one connection's send/receive loop;
//! - [`pacer`]: the open-loop send timer;
//! - [`procstat`]: CPU time and memory of the server and the generator;
//! - [`stats`]: tallies, percentiles, text and JSON reports;
//! - [`provision`]: creating the subscribers through the REST API;
//! - [`responder`]: a bare responder with a fixed answer, the transport ceiling.

pub mod connection;
pub mod options;
pub mod pacer;
pub mod procstat;
pub mod provision;
pub mod request;
pub mod responder;
pub mod stats;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;

use self::connection::{Hello, Plan};
use self::options::{BenchArgs, ImsiRange, plmn_id};
use self::stats::{Report, Resources, Setup, Stats};
use crate::cli::api_client::ApiClient;

/// How long a connection may take to connect and exchange capabilities.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections opened at once while setting up.
const OPEN_CONCURRENCY: usize = 64;

/// Runs a benchmark as the arguments say. Progress notes go to `note` (stderr in the CLI).
pub async fn run(args: &BenchArgs, note: &(dyn Fn(&str) + Sync)) -> anyhow::Result<Report> {
    args.validate()?;
    let imsi = ImsiRange::parse(&args.imsi_start, args.imsi_count)?;
    let plmn = plmn_id(args.plmn_digits())?;
    let target = resolve(&args.target).await?;
    if let Some(pid) = args.server_pid {
        procstat::cpu_time(pid).with_context(|| format!("--server-pid {pid}: cannot read its CPU time"))?;
    }
    let kind: Arc<dyn request::RequestKind> = Arc::from(args.request_kind());

    if args.provision {
        let api = ApiClient::new(&args.api);
        let (n, took) = provision::provision(&api, &imsi, &args.k, &args.opc).await?;
        note(&format!("provisioned {n} subscribers through {} in {:.2} s", args.api.api, took.as_secs_f64()));
    }

    // RFC 6733 8.8: the Session-Id's high part; also the End-to-End's high bits.
    let session_high = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as u32).unwrap_or(1);
    let mut opened = Vec::with_capacity(args.connections as usize);
    for chunk in (0..args.connections).collect::<Vec<_>>().chunks(OPEN_CONCURRENCY) {
        let dials = chunk.iter().map(|&i| {
            let kind = kind.clone();
            let hello = Hello {
                origin_host: format!("bench-{i}.{}", args.origin_realm),
                origin_realm: &args.origin_realm,
                destination_realm: args.destination_realm.as_deref(),
                visited_plmn: plmn,
                session_high,
            };
            async move { connection::open(target, kind.as_ref(), hello, OPEN_TIMEOUT).await }
        });
        for r in futures_util::future::join_all(dials).await {
            opened.push(r?);
        }
    }

    let start = Instant::now();
    let measure_from = start + args.warmup;
    let stop_at = measure_from + args.duration;
    // Open loop: each connection sends every C/R seconds, staggered by 1/R.
    let gap = args.rate.map(|r| Duration::from_secs_f64(args.connections as f64 / r as f64));
    let mut tasks = Vec::with_capacity(opened.len());
    for (i, conn) in opened.into_iter().enumerate() {
        let offset = args.rate.map(|r| Duration::from_secs_f64(i as f64 / r as f64)).unwrap_or_default();
        let plan = Plan {
            index: i as u32,
            connections: args.connections,
            inflight: args.inflight,
            timeout: args.timeout,
            interval: gap,
            start: start + offset,
            measure_from,
            stop_at,
            imsi,
        };
        let kind = kind.clone();
        tasks.push(tokio::spawn(async move { connection::run(conn, kind.as_ref(), plan).await }));
    }

    // CPU time is sampled at the edges of the measured window (the end includes the
    // drain of the last answers).
    tokio::time::sleep_until(measure_from.into()).await;
    let cpu_start = sample_cpu(args.server_pid);

    let mut stats = Stats::new();
    let mut last = measure_from + args.duration;
    for t in tasks {
        let f = t.await.context("a connection task failed")?;
        stats.merge(&f.stats);
        if let Some(l) = f.last_answer {
            last = last.max(l);
        }
    }
    let cpu_end = sample_cpu(args.server_pid);
    let resources = Resources {
        server_cpu: cpu_end.server.zip(cpu_start.server).map(|(b, a)| b.saturating_sub(a)),
        server_rss_kib: args.server_pid.and_then(|p| procstat::rss_kib(p).ok()),
        generator_cpu: cpu_end.generator.zip(cpu_start.generator).map(|(b, a)| b.saturating_sub(a)),
    };
    let setup = Setup {
        kind: kind.name(),
        target: target.to_string(),
        connections: args.connections,
        inflight: args.inflight,
        threads: args.threads,
        rate: args.rate,
        vectors: matches!(args.kind, options::KindName::Air).then_some(args.vectors),
        imsi_start: args.imsi_start.clone(),
        imsi_count: args.imsi_count,
        duration: args.duration,
        warmup: args.warmup,
    };
    Ok(Report { setup, stats, elapsed: last - measure_from, resources })
}

struct CpuSample {
    server: Option<Duration>,
    generator: Option<Duration>,
}

fn sample_cpu(server_pid: Option<u32>) -> CpuSample {
    CpuSample {
        server: server_pid.and_then(|pid| procstat::cpu_time(pid).ok()),
        generator: procstat::cpu_time(std::process::id()).ok(),
    }
}

async fn resolve(target: &str) -> anyhow::Result<SocketAddr> {
    tokio::net::lookup_host(target)
        .await
        .with_context(|| format!("--target {target:?} is not a host:port that resolves"))?
        .next()
        .with_context(|| format!("--target {target:?} resolves to no address"))
}
