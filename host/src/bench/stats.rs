//! What a run measured: per-connection [`Stats`] (an HDR histogram of latencies and
//! tallies) merged into one [`Report`], printed as text or as one JSON object.
//!
//! The JSON object's field names are stable (scripts read them):
//!
//! | field | meaning |
//! |---|---|
//! | `kind` | `"AIR"`, `"ULR"` |
//! | `target` | the server address |
//! | `mode` | `"closed"` (keep `inflight` outstanding) or `"open"` (fixed `rate`) |
//! | `connections`, `inflight`, `threads` | as given |
//! | `rate` | requests/s over all connections, `null` in closed loop |
//! | `vectors` | E-UTRAN vectors per AIR, `null` for other kinds |
//! | `imsi_start`, `imsi_count` | the IMSIs cycled through |
//! | `duration_s`, `warmup_s` | as given |
//! | `elapsed_s` | from the end of the warm-up to the last answer (at least `duration_s`) |
//! | `sent`, `answered` | requests scheduled after the warm-up, and their answers |
//! | `throughput` | `answered / elapsed_s` (answers per second) |
//! | `result_codes` | `{"2001": n, ...}`: answers per Result-Code |
//! | `experimental_results` | `{"10415": {"5001": n}}`: answers per Vendor-Id and Experimental-Result-Code |
//! | `invalid` | `{"reason": n}`: answers without a result, malformed, or failing the kind's check |
//! | `timeouts` | requests unanswered within `--timeout` |
//! | `unmatched` | answers whose Hop-by-Hop or End-to-End matched no outstanding request |
//! | `lost` | requests outstanding on a connection that failed |
//! | `connection_errors` | connections that failed during the run |
//! | `errors` | the sum of `invalid`, `timeouts`, `unmatched`, `lost` and `connection_errors` |
//! | `server_requests` | `{"280": n}`: requests the server sent us, by command code (DWR 280, CLR 317, ...) |
//! | `latency_us` | `{min, mean, p50, p90, p99, p99_9, max}` in microseconds, `null` without answers |
//! | `send_lag_us` | open loop: `{p50, p99, max}` of how late requests left after their scheduled time (the generator's share of the latency), `null` in closed loop |
//! | `server_cpu_s`, `server_cpu_us_per_answer` | the `--server-pid` process's CPU time (user + system) over the measured window, and per answer; `null` without `--server-pid` |
//! | `server_rss_kib` | its resident memory at the end; `null` without `--server-pid` |
//! | `generator_cpu_s`, `generator_cpu_us_per_answer` | the same for the generator itself |
//!
//! In open loop a request's latency runs from its *scheduled* send time, so a server
//! that stalls is charged for the requests that queued behind the stall.

use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};

use super::request::Outcome;

/// Latencies above this are recorded as this (60 s, beyond any sane timeout).
const MAX_LATENCY_NS: u64 = 60_000_000_000;

/// What one connection (or, merged, the whole run) measured.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Latency of each answered request, in nanoseconds.
    pub latency: Histogram<u64>,
    /// Open loop: how late each request left after its scheduled time (the generator's
    /// own lag, part of the latency above), in nanoseconds.
    pub send_lag: Histogram<u64>,
    pub sent: u64,
    pub answered: u64,
    pub timeouts: u64,
    pub unmatched: u64,
    pub lost: u64,
    pub connection_errors: u64,
    /// Answers per Result-Code (vendor 0) or (Vendor-Id, Experimental-Result-Code).
    pub results: Vec<((u32, u32, bool), u64)>,
    pub invalid: Vec<(&'static str, u64)>,
    pub server_requests: Vec<(u32, u64)>,
    /// Why connections failed (the first few).
    pub failures: Vec<String>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats::new()
    }
}

/// Adds `n` to the tally for `key`; tallies hold a handful of keys, so a linear scan
/// beats hashing.
fn bump<K: PartialEq>(tally: &mut Vec<(K, u64)>, key: K, n: u64) {
    match tally.iter_mut().find(|(k, _)| *k == key) {
        Some((_, c)) => *c += n,
        None => tally.push((key, n)),
    }
}

impl Stats {
    pub fn new() -> Stats {
        Stats {
            latency: Histogram::new_with_bounds(1, MAX_LATENCY_NS, 3).expect("valid histogram bounds"),
            send_lag: Histogram::new_with_bounds(1, MAX_LATENCY_NS, 2).expect("valid histogram bounds"),
            sent: 0,
            answered: 0,
            timeouts: 0,
            unmatched: 0,
            lost: 0,
            connection_errors: 0,
            results: Vec::new(),
            invalid: Vec::new(),
            server_requests: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// Records one answer: its latency and how it turned out.
    pub fn answer(&mut self, latency: Duration, outcome: Outcome) {
        self.answered += 1;
        self.latency.saturating_record((latency.as_nanos() as u64).max(1));
        match outcome {
            Outcome::Result(code) => bump(&mut self.results, (0, code, false), 1),
            Outcome::Experimental(vendor, code) => bump(&mut self.results, (vendor, code, true), 1),
            Outcome::Invalid(why) => bump(&mut self.invalid, why, 1),
        }
    }

    pub fn send_lag(&mut self, lag: Duration) {
        self.send_lag.saturating_record((lag.as_nanos() as u64).max(1));
    }

    pub fn server_request(&mut self, command: u32) {
        bump(&mut self.server_requests, command, 1);
    }

    pub fn connection_failed(&mut self, why: String) {
        self.connection_errors += 1;
        if self.failures.len() < 8 {
            self.failures.push(why);
        }
    }

    pub fn merge(&mut self, other: &Stats) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        let _ = self.send_lag.add(&other.send_lag);
        self.sent += other.sent;
        self.answered += other.answered;
        self.timeouts += other.timeouts;
        self.unmatched += other.unmatched;
        self.lost += other.lost;
        self.connection_errors += other.connection_errors;
        for (k, n) in &other.results {
            bump(&mut self.results, *k, *n);
        }
        for (k, n) in &other.invalid {
            bump(&mut self.invalid, *k, *n);
        }
        for (k, n) in &other.server_requests {
            bump(&mut self.server_requests, *k, *n);
        }
        for f in &other.failures {
            if self.failures.len() < 8 {
                self.failures.push(f.clone());
            }
        }
    }

    pub fn invalid_total(&self) -> u64 {
        self.invalid.iter().map(|(_, n)| n).sum()
    }

    /// Everything that is not a measured answer with a result.
    pub fn errors(&self) -> u64 {
        self.invalid_total() + self.timeouts + self.unmatched + self.lost + self.connection_errors
    }

    /// Answers with this Result-Code.
    pub fn result_code(&self, code: u32) -> u64 {
        self.results.iter().filter(|((_, c, x), _)| *c == code && !x).map(|(_, n)| n).sum()
    }
}

/// Latency summary in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub max: f64,
}

impl Percentiles {
    /// From a histogram of nanoseconds; `None` when it is empty.
    pub fn of(h: &Histogram<u64>) -> Option<Percentiles> {
        if h.is_empty() {
            return None;
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        Some(Percentiles {
            min: us(h.min()),
            mean: h.mean() / 1000.0,
            p50: us(h.value_at_quantile(0.50)),
            p90: us(h.value_at_quantile(0.90)),
            p99: us(h.value_at_quantile(0.99)),
            p99_9: us(h.value_at_quantile(0.999)),
            max: us(h.max()),
        })
    }
}

/// How the run was set up, as reported.
#[derive(Debug, Clone)]
pub struct Setup {
    pub kind: &'static str,
    pub target: String,
    pub connections: u32,
    pub inflight: u32,
    pub threads: u32,
    pub rate: Option<u64>,
    pub vectors: Option<u32>,
    pub imsi_start: String,
    pub imsi_count: u64,
    pub duration: Duration,
    pub warmup: Duration,
}

/// CPU and memory over the measured window.
#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub server_cpu: Option<Duration>,
    pub server_rss_kib: Option<u64>,
    pub generator_cpu: Option<Duration>,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Report {
    pub setup: Setup,
    pub stats: Stats,
    /// From the end of the warm-up to the last answer, at least the duration.
    pub elapsed: Duration,
    pub resources: Resources,
}

fn command_name(code: u32) -> String {
    use plughss_plugin_api::dictionary::cmd;
    match code {
        cmd::DEVICE_WATCHDOG => "DWR".into(),
        cmd::DISCONNECT_PEER => "DPR".into(),
        cmd::CANCEL_LOCATION => "CLR".into(),
        cmd::INSERT_SUBSCRIBER_DATA => "IDR".into(),
        cmd::DELETE_SUBSCRIBER_DATA => "DSR".into(),
        cmd::RESET => "RSR".into(),
        c => format!("command {c}"),
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

impl Report {
    /// Answers per second over the measured window.
    pub fn throughput(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.stats.answered as f64 / s } else { 0.0 }
    }

    /// CPU microseconds per answer.
    fn per_answer(&self, cpu: Option<Duration>) -> Option<f64> {
        let n = self.stats.answered;
        cpu.filter(|_| n > 0).map(|c| c.as_secs_f64() * 1e6 / n as f64)
    }

    pub fn server_cpu_us_per_answer(&self) -> Option<f64> {
        self.per_answer(self.resources.server_cpu)
    }

    pub fn generator_cpu_us_per_answer(&self) -> Option<f64> {
        self.per_answer(self.resources.generator_cpu)
    }

    pub fn latency(&self) -> Option<Percentiles> {
        Percentiles::of(&self.stats.latency)
    }

    /// The JSON object described in the module documentation.
    pub fn to_json(&self) -> Value {
        let s = &self.stats;
        let mut rc = Map::new();
        let mut er: Map<String, Value> = Map::new();
        let mut results = s.results.clone();
        results.sort();
        for ((vendor, code, experimental), n) in results {
            if experimental {
                let v = er.entry(vendor.to_string()).or_insert_with(|| json!({}));
                v[code.to_string()] = json!(n);
            } else {
                rc.insert(code.to_string(), json!(n));
            }
        }
        let invalid: Map<String, Value> = s.invalid.iter().map(|(k, n)| (k.to_string(), json!(n))).collect();
        let server: Map<String, Value> =
            s.server_requests.iter().map(|(k, n)| (k.to_string(), json!(n))).collect();
        let latency = self.latency().map(|p| {
            json!({
                "min": round(p.min, 3), "mean": round(p.mean, 3), "p50": round(p.p50, 3),
                "p90": round(p.p90, 3), "p99": round(p.p99, 3), "p99_9": round(p.p99_9, 3),
                "max": round(p.max, 3),
            })
        });
        let lag = (!s.send_lag.is_empty()).then(|| {
            let us = |q: f64| round(s.send_lag.value_at_quantile(q) as f64 / 1000.0, 3);
            json!({ "p50": us(0.5), "p99": us(0.99), "max": round(s.send_lag.max() as f64 / 1000.0, 3) })
        });
        let u = &self.setup;
        json!({
            "kind": u.kind,
            "target": u.target,
            "mode": if u.rate.is_some() { "open" } else { "closed" },
            "connections": u.connections,
            "inflight": u.inflight,
            "threads": u.threads,
            "rate": u.rate,
            "vectors": u.vectors,
            "imsi_start": u.imsi_start,
            "imsi_count": u.imsi_count,
            "duration_s": u.duration.as_secs_f64(),
            "warmup_s": u.warmup.as_secs_f64(),
            "elapsed_s": round(self.elapsed.as_secs_f64(), 6),
            "sent": s.sent,
            "answered": s.answered,
            "throughput": round(self.throughput(), 1),
            "result_codes": rc,
            "experimental_results": er,
            "invalid": invalid,
            "timeouts": s.timeouts,
            "unmatched": s.unmatched,
            "lost": s.lost,
            "connection_errors": s.connection_errors,
            "errors": s.errors(),
            "server_requests": server,
            "latency_us": latency,
            "send_lag_us": lag,
            "server_cpu_s": self.resources.server_cpu.map(|c| round(c.as_secs_f64(), 3)),
            "server_cpu_us_per_answer": self.server_cpu_us_per_answer().map(|v| round(v, 3)),
            "server_rss_kib": self.resources.server_rss_kib,
            "generator_cpu_s": self.resources.generator_cpu.map(|c| round(c.as_secs_f64(), 3)),
            "generator_cpu_us_per_answer": self.generator_cpu_us_per_answer().map(|v| round(v, 3)),
        })
    }

    /// A human-readable summary.
    pub fn to_text(&self) -> String {
        let u = &self.setup;
        let s = &self.stats;
        let mut o = String::new();
        let mode = match u.rate {
            Some(r) => format!("open loop at {r} requests/s"),
            None => "closed loop".into(),
        };
        let _ = write!(
            o,
            "{} to {}: {} connection(s) x {} in flight, {mode}, {:.1} s",
            u.kind,
            u.target,
            u.connections,
            u.inflight,
            u.duration.as_secs_f64()
        );
        if !u.warmup.is_zero() {
            let _ = write!(o, " after {:.1} s of warm-up", u.warmup.as_secs_f64());
        }
        if let Some(v) = u.vectors {
            let _ = write!(o, ", {v} vector(s) per AIR");
        }
        let _ = writeln!(o, ", {} IMSI(s) from {}", u.imsi_count, u.imsi_start);
        let _ = writeln!(o, "  requests sent       {}", s.sent);
        let _ = writeln!(
            o,
            "  answers             {}  ({:.0} answers/s over {:.2} s)",
            s.answered,
            self.throughput(),
            self.elapsed.as_secs_f64()
        );
        let mut results = s.results.clone();
        results.sort();
        for (i, ((vendor, code, experimental), n)) in results.iter().enumerate() {
            let label = if i == 0 { "  results" } else { "" };
            let what = if *experimental {
                format!("Experimental-Result {vendor}/{code}")
            } else {
                format!("Result-Code {code}")
            };
            let _ = writeln!(o, "{label:<22}{what}: {n}");
        }
        for (why, n) in &s.invalid {
            let _ = writeln!(o, "  invalid answers     {why}: {n}");
        }
        let _ = writeln!(
            o,
            "  errors              {} (timeouts {}, unmatched {}, lost {}, connection errors {})",
            s.errors(),
            s.timeouts,
            s.unmatched,
            s.lost,
            s.connection_errors
        );
        for f in &s.failures {
            let _ = writeln!(o, "    {f}");
        }
        if !s.server_requests.is_empty() {
            let list: Vec<String> =
                s.server_requests.iter().map(|(c, n)| format!("{} {n}", command_name(*c))).collect();
            let _ = writeln!(o, "  server requests     {} (answered)", list.join(", "));
        }
        match self.latency() {
            Some(p) => {
                let _ = writeln!(
                    o,
                    "  latency (µs)        p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1}  (mean {:.1})",
                    p.p50, p.p90, p.p99, p.p99_9, p.max, p.mean
                );
            }
            None => {
                let _ = writeln!(o, "  latency             no answers");
            }
        }
        if !s.send_lag.is_empty() {
            let us = |v: u64| v as f64 / 1000.0;
            let _ = writeln!(
                o,
                "  send lag (µs)       p50 {:.1}  p99 {:.1}  max {:.1}  (scheduled to sent, included above)",
                us(s.send_lag.value_at_quantile(0.5)),
                us(s.send_lag.value_at_quantile(0.99)),
                us(s.send_lag.max())
            );
        }
        if let (Some(cpu), Some(per)) = (self.resources.server_cpu, self.server_cpu_us_per_answer()) {
            let _ = writeln!(o, "  server CPU          {:.2} s, {per:.2} µs per answer", cpu.as_secs_f64());
        }
        if let Some(rss) = self.resources.server_rss_kib {
            let _ = writeln!(o, "  server memory       {:.1} MiB resident", rss as f64 / 1024.0);
        }
        if let (Some(cpu), Some(per)) = (self.resources.generator_cpu, self.generator_cpu_us_per_answer()) {
            let _ = writeln!(o, "  generator CPU       {:.2} s, {per:.2} µs per answer", cpu.as_secs_f64());
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        Setup {
            kind: "AIR",
            target: "127.0.0.1:3868".into(),
            connections: 2,
            inflight: 8,
            threads: 1,
            rate: None,
            vectors: Some(1),
            imsi_start: "001010000000001".into(),
            imsi_count: 10,
            duration: Duration::from_secs(2),
            warmup: Duration::ZERO,
        }
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        let mut s = Stats::new();
        // 1..=1000 µs, one each: p50 = 500 µs, p90 = 900, p99 = 990, p99.9 = 999.
        for us in 1..=1000u64 {
            s.answer(Duration::from_micros(us), Outcome::Result(2001));
        }
        let p = Percentiles::of(&s.latency).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 0.001;
        assert!(close(p.p50, 500.0), "{p:?}");
        assert!(close(p.p90, 900.0), "{p:?}");
        assert!(close(p.p99, 990.0), "{p:?}");
        assert!(close(p.p99_9, 999.0), "{p:?}");
        assert!(close(p.max, 1000.0) && close(p.min, 1.0), "{p:?}");
        assert!(close(p.mean, 500.5), "{p:?}");
        assert!(Percentiles::of(&Stats::new().latency).is_none());
    }

    #[test]
    fn merging_adds_tallies_and_histograms() {
        let mut a = Stats::new();
        a.sent = 3;
        a.answer(Duration::from_micros(10), Outcome::Result(2001));
        a.answer(Duration::from_micros(20), Outcome::Experimental(10415, 5001));
        let mut b = Stats::new();
        b.sent = 2;
        b.timeouts = 1;
        b.answer(Duration::from_micros(30), Outcome::Result(2001));
        b.answer(Duration::from_micros(40), Outcome::Invalid("no result"));
        b.server_request(280);
        b.connection_failed("closed by the server".into());
        a.merge(&b);
        assert_eq!((a.sent, a.answered, a.latency.len()), (5, 4, 4));
        assert_eq!(a.result_code(2001), 2);
        assert_eq!(a.errors(), 1 + 1 + 1); // timeout, invalid, connection error
        assert_eq!(a.failures, vec!["closed by the server".to_string()]);
    }

    #[test]
    fn json_has_the_documented_shape() {
        let mut s = Stats::new();
        s.sent = 4;
        for _ in 0..3 {
            s.answer(Duration::from_micros(100), Outcome::Result(2001));
        }
        s.answer(Duration::from_micros(200), Outcome::Experimental(10415, 5001));
        s.server_request(280);
        let r = Report {
            setup: setup(),
            stats: s,
            elapsed: Duration::from_secs(2),
            resources: Resources {
                server_cpu: Some(Duration::from_millis(8)),
                server_rss_kib: Some(2048),
                generator_cpu: None,
            },
        };
        let j = r.to_json();
        for key in [
            "kind",
            "target",
            "mode",
            "connections",
            "inflight",
            "threads",
            "rate",
            "vectors",
            "imsi_start",
            "imsi_count",
            "duration_s",
            "warmup_s",
            "elapsed_s",
            "sent",
            "answered",
            "throughput",
            "result_codes",
            "experimental_results",
            "invalid",
            "timeouts",
            "unmatched",
            "lost",
            "connection_errors",
            "errors",
            "server_requests",
            "latency_us",
            "send_lag_us",
            "server_cpu_s",
            "server_cpu_us_per_answer",
            "server_rss_kib",
            "generator_cpu_s",
            "generator_cpu_us_per_answer",
        ] {
            assert!(j.get(key).is_some(), "missing {key} in {j}");
        }
        assert_eq!(j["mode"], "closed");
        assert_eq!(j["rate"], Value::Null);
        assert_eq!(j["answered"], 4);
        assert_eq!(j["throughput"], 2.0);
        assert_eq!(j["result_codes"]["2001"], 3);
        assert_eq!(j["experimental_results"]["10415"]["5001"], 1);
        assert_eq!(j["server_requests"]["280"], 1);
        assert_eq!(j["errors"], 0);
        let l = &j["latency_us"];
        for k in ["min", "mean", "p50", "p90", "p99", "p99_9", "max"] {
            assert!(l[k].is_f64(), "latency_us.{k} in {l}");
        }
        assert!((l["p50"].as_f64().unwrap() - 100.0).abs() < 0.1);
        assert!((l["max"].as_f64().unwrap() - 200.0).abs() < 0.2);

        let empty = Report {
            setup: setup(),
            stats: Stats::new(),
            elapsed: Duration::from_secs(2),
            resources: Resources::default(),
        };
        assert_eq!(empty.to_json()["latency_us"], Value::Null);
        assert_eq!(empty.to_json()["server_cpu_us_per_answer"], Value::Null);
        assert_eq!(j["server_cpu_us_per_answer"], 2000.0); // 8 ms over 4 answers
        assert_eq!(j["server_rss_kib"], 2048);
        assert_eq!(j["generator_cpu_s"], Value::Null);
        assert_eq!(j["send_lag_us"], Value::Null, "closed loop");
        let text = r.to_text();
        assert!(text.contains("Result-Code 2001: 3"), "{text}");
        assert!(text.contains("Experimental-Result 10415/5001: 1"), "{text}");
        assert!(text.contains("DWR 1"), "{text}");
    }
}
