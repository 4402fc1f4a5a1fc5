//! `plughss bench` arguments, and their checks beyond what clap does.

use std::time::Duration;

use anyhow::bail;
use clap::{Args, ValueEnum};

use super::request::{Air, RequestKind, Ulr};
use crate::cli::api_client::ApiArgs;

/// The request kinds the generator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindName {
    /// S6a Authentication-Information-Request.
    Air,
    /// S6a Update-Location-Request.
    Ulr,
}

/// `plughss bench air|ulr ...`
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// What to send.
    #[arg(value_enum)]
    pub kind: KindName,
    /// The Diameter server (host:port).
    #[arg(long, default_value = "127.0.0.1:3868")]
    pub target: String,
    /// TCP connections, each with its own Origin-Host.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub connections: u32,
    /// Requests in flight per connection (the cap, in open loop).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub inflight: u32,
    /// How long to send (after the warm-up), e.g. 10s, 500ms, 1m.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Open loop: this many requests per second over all connections, latency measured
    /// from each request's scheduled send time. Without it: closed loop.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub rate: Option<u64>,
    /// Load sent but not measured before the measured duration starts.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// How long a request may wait for its answer before it counts as a timeout.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// First IMSI (6 to 15 digits); the run cycles through --imsi-count IMSIs from it.
    #[arg(long, default_value = "001010000000001")]
    pub imsi_start: String,
    /// How many IMSIs to cycle through (and to create with --provision).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub imsi_count: u64,
    /// E-UTRAN vectors asked for per AIR.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=5))]
    pub vectors: u32,
    /// Visited-PLMN-Id as MCC+MNC digits (5 or 6); default: the first 5 digits of the IMSI.
    #[arg(long, value_name = "MCCMNC")]
    pub plmn: Option<String>,
    /// Our Origin-Realm; connection i is Origin-Host bench-<i>.<realm>.
    #[arg(long, default_value = "bench.localdomain")]
    pub origin_realm: String,
    /// Destination-Realm; default: the Origin-Realm of the server's CEA.
    #[arg(long)]
    pub destination_realm: Option<String>,
    /// First create the --imsi-count subscribers through the REST API (bulk import) with
    /// the keys of --k and --opc, so that the requests find them.
    #[arg(long)]
    pub provision: bool,
    /// K of provisioned subscribers (32 hex digits).
    #[arg(long, value_name = "HEX", default_value = "465b5ce8b199b49faa5f0a2ee238a6bc")]
    pub k: String,
    /// OPc of provisioned subscribers (32 hex digits).
    #[arg(long, value_name = "HEX", default_value = "cd63cb71954a9f4e48a5994e37a02baf")]
    pub opc: String,
    #[command(flatten)]
    pub api: ApiArgs,
    /// The server's process id (same machine, Linux): report its CPU time per answer over
    /// the measured window, and its resident memory.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Worker threads of the generator's runtime.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: u32,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    pub json: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write e.g. 10s, 500ms, 2m)"))
}

/// The IMSIs a run cycles through: `count` values from `start`, all `width` digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImsiRange {
    pub start: u64,
    pub count: u64,
    pub width: usize,
}

impl ImsiRange {
    pub fn parse(start: &str, count: u64) -> anyhow::Result<ImsiRange> {
        if !(6..=15).contains(&start.len()) || !start.bytes().all(|b| b.is_ascii_digit()) {
            bail!("--imsi-start {start:?} must be 6 to 15 digits");
        }
        let width = start.len();
        let first: u64 = start.parse()?;
        let limit = 10u64.pow(width as u32);
        if first.checked_add(count).is_none_or(|end| end > limit) {
            bail!("--imsi-start {start} with --imsi-count {count} runs past {width} digits");
        }
        Ok(ImsiRange { start: first, count, width })
    }

    /// The `i`-th IMSI (cycling).
    pub fn nth(&self, i: u64) -> u64 {
        self.start + i % self.count
    }

    /// An IMSI as text, leading zeros kept.
    pub fn format(&self, imsi: u64) -> String {
        format!("{imsi:0width$}", width = self.width)
    }
}

/// Visited-PLMN-Id octets from MCC+MNC digits (TS 24.008 10.5.1.13: MCC digit 2|1,
/// MNC digit 3|MCC digit 3, MNC digit 2|1, with F for a 2-digit MNC's third digit).
pub fn plmn_id(digits: &str) -> anyhow::Result<[u8; 3]> {
    let d: Vec<u8> = digits.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if !(5..=6).contains(&d.len()) || d.iter().any(|&x| x > 9) {
        bail!("--plmn {digits:?} must be MCC and MNC, 5 or 6 digits");
    }
    let mnc3 = if d.len() == 6 { d[5] } else { 0xf };
    Ok([d[1] << 4 | d[0], mnc3 << 4 | d[2], d[4] << 4 | d[3]])
}

impl BenchArgs {
    /// The checks clap cannot express.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.duration.is_zero() {
            bail!("--duration must be more than 0");
        }
        if self.timeout.is_zero() {
            bail!("--timeout must be more than 0");
        }
        ImsiRange::parse(&self.imsi_start, self.imsi_count)?;
        plmn_id(self.plmn_digits())?;
        if self.provision {
            for (name, v) in [("--k", &self.k), ("--opc", &self.opc)] {
                if v.len() != 32 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    bail!("{name} must be 32 hex digits");
                }
            }
        }
        Ok(())
    }

    pub fn plmn_digits(&self) -> &str {
        match &self.plmn {
            Some(p) => p,
            None => self.imsi_start.get(..5).unwrap_or(&self.imsi_start),
        }
    }

    /// The kind to send.
    pub fn request_kind(&self) -> Box<dyn RequestKind> {
        match self.kind {
            KindName::Air => Box::new(Air { vectors: self.vectors }),
            KindName::Ulr => Box::new(Ulr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imsi_ranges_keep_their_width() {
        let r = ImsiRange::parse("001010000000001", 1000).unwrap();
        assert_eq!(r.width, 15);
        assert_eq!(r.format(r.nth(0)), "001010000000001");
        assert_eq!(r.format(r.nth(999)), "001010000001000");
        assert_eq!(r.format(r.nth(1000)), "001010000000001");
        assert!(ImsiRange::parse("999999999999999", 1).is_ok());
        assert!(ImsiRange::parse("999999999999999", 2).is_err());
        assert!(ImsiRange::parse("12345", 1).is_err());
        assert!(ImsiRange::parse("00101x000000001", 1).is_err());
    }

    #[test]
    fn plmn_ids_in_tbcd() {
        assert_eq!(plmn_id("00101").unwrap(), [0x00, 0xf1, 0x10]);
        assert_eq!(plmn_id("310260").unwrap(), [0x13, 0x00, 0x62]);
        assert!(plmn_id("0010").is_err());
        assert!(plmn_id("0010a").is_err());
    }
}
