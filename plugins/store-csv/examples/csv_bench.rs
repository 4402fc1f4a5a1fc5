//! Measures the CSV store on files of given sizes: load time and memory, `get_auth`,
//! `reserve_sqn` latency from one caller (each call rewrites and fsyncs the whole
//! file), and from 16 concurrent callers (sharing rewrites by group commit).
//!
//! ```sh
//! cargo run -p plughss-store-csv --release --example csv_bench -- 1000 100000 1000000
//! ```
//!
//! Files go to a temporary directory beside the current one (`$TMPDIR` if set): put
//! it on the disk you mean to measure.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use plughss_plugin_api::store::Store;
use plughss_store_csv::CsvStore;

const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1000, 100_000] } else { sizes };
    for n in sizes {
        run(n);
    }
}

fn imsi(i: usize) -> String {
    format!("00101{i:010}")
}

fn run(n: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("subscribers.csv");
    let mut text = String::with_capacity(n * 120);
    text.push_str("imsi,k,opc,amf,sqn,msisdn,apn\n");
    for i in 0..n {
        let _ = writeln!(text, "{},{K},{OPC},8000,{},49172{i:08},internet", imsi(i), i * 32);
    }
    std::fs::write(&path, &text).expect("write the file");
    let rss_before = rss_kib();

    let t = Instant::now();
    let store = CsvStore::open_path(&path, true).expect("open");
    let load = t.elapsed();
    let rss = rss_kib().saturating_sub(rss_before);
    println!(
        "{n} rows ({:.1} MB): load {load:.2?}, memory +{:.0} MB ({} bytes/row)",
        text.len() as f64 / 1e6,
        rss as f64 / 1024.0,
        rss * 1024 / n as u64
    );

    let probes = 10_000.min(n);
    let t = Instant::now();
    for i in 0..probes {
        std::hint::black_box(store.get_auth(&imsi(i * (n / probes))).expect("get_auth"));
    }
    println!("  get_auth: {:.2?} per call", t.elapsed() / probes as u32);

    let calls = if n >= 1_000_000 {
        10
    } else if n >= 100_000 {
        40
    } else {
        200
    };
    let mut lat: Vec<Duration> = (0..calls)
        .map(|i| {
            let t = Instant::now();
            store.reserve_sqn(&imsi(i % n), 1, 32).expect("reserve_sqn");
            t.elapsed()
        })
        .collect();
    lat.sort();
    println!(
        "  reserve_sqn, one caller: median {:.2?}, p90 {:.2?}, max {:.2?} ({calls} calls)",
        lat[calls / 2],
        lat[calls * 9 / 10],
        lat[calls - 1]
    );

    const THREADS: usize = 16;
    let each = (calls / 4).max(5);
    let t = Instant::now();
    let mut lat: Vec<Duration> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|w| {
                let store = &store;
                s.spawn(move || {
                    (0..each)
                        .map(|i| {
                            let t = Instant::now();
                            store.reserve_sqn(&imsi((w * each + i) % n), 1, 32).expect("reserve_sqn");
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    let wall = t.elapsed();
    lat.sort();
    println!(
        "  reserve_sqn, {THREADS} callers: {:.0} calls/s, median {:.2?}, p90 {:.2?} ({} calls)",
        lat.len() as f64 / wall.as_secs_f64(),
        lat[lat.len() / 2],
        lat[lat.len() * 9 / 10],
        lat.len()
    );
}

/// This process's resident memory in KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
