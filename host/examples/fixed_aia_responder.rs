//! A bare Diameter responder that answers every AIR with one fixed AIA (no crypto, no
//! store): run `plughss bench air` against it to see what the generator and the
//! machine's loopback TCP can do without a server behind them.
//!
//! ```sh
//! cargo run --release --example fixed_aia_responder -- 127.0.0.1:0 [VECTORS]
//! ```
//!
//! Prints `listening on ADDR` on stdout, then serves until killed. It runs on one thread,
//! like a single-reactor server.

use std::sync::Arc;

use plughss::bench::responder::{Counters, ResponderOptions, serve};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".into());
    let vectors = match args.next().map(|v| v.parse::<u32>()) {
        None => 1,
        Some(Ok(v)) if (1..=5).contains(&v) => v,
        Some(_) => {
            eprintln!("usage: fixed_aia_responder [ADDR] [VECTORS 1..5]");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        println!("listening on {}", listener.local_addr()?);
        let opts = ResponderOptions { vectors, ..ResponderOptions::default() };
        serve(listener, opts, Arc::new(Counters::default())).await
    })
}
