//! Plugins embedded in the binary, so a fresh clone serves with no plugin build step.
//! host/build.rs builds them for wasm32-wasip2; this list includes the results.

/// (name, component bytes).
pub static BUILTINS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/builtins.rs"));
