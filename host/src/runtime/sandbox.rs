//! The WASI context every plugin gets: nothing. No preopened directories, no
//! environment, no arguments, no sockets, no name lookup, stdio discarded, and clocks
//! frozen at zero: a plugin learns only what the WIT imports tell it.

use std::time::Duration;

use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx};

struct Frozen;

impl HostWallClock for Frozen {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for Frozen {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

/// The most bytes one `wasi:random` `get-random-bytes` (or `get-insecure-random-bytes`)
/// call may ask for; a larger request traps the plugin. wasmtime-wasi's own limit is
/// 64 MiB, which the host would allocate and fill (a quarter of a second of a reactor
/// thread) before the plugin's memory cap could refuse it. Seeding a generator needs
/// 32 bytes; 64 KiB costs tens of microseconds.
pub const MAX_RANDOM_BYTES: u64 = 64 << 10;

pub fn wasi_context() -> WasiCtx {
    WasiCtx::builder()
        .max_random_size(MAX_RANDOM_BYTES)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .wall_clock(Frozen)
        .monotonic_clock(Frozen)
        .build()
}
