//! `plughss bench air|ulr`: runs the load generator ([`crate::bench`]) on a runtime of
//! `--threads` workers and prints its report.

use std::process::ExitCode;

use crate::bench;
use crate::bench::options::BenchArgs;

/// Exit status 0 when the run completed with every connection intact, 1 otherwise (the
/// report is printed either way), 2 when the run could not start (bad arguments,
/// connection refused, capabilities refused, provisioning failed).
pub fn run(args: BenchArgs) -> ExitCode {
    let rt = if args.threads == 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads as usize).enable_all().build()
    };
    let rt = match rt {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plughss bench: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let note = |s: &str| eprintln!("plughss bench: {s}");
    let report = match rt.block_on(bench::run(&args, &note)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("plughss bench: {e:#}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    if report.stats.connection_errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
