//! # plughss-plugin-api
//!
//! What a PlugHSS plugin author depends on:
//! - [`diameter`]: the Diameter codec the host and all plugins share (RFC 6733);
//! - [`dictionary`]: AVP codes, types and flags for the base protocol, S6a/S6d, Cx/Dx,
//!   Sh and Rx, with application ids and command codes.
//!
//! The crate is `no_std` + `alloc` so it builds for `wasm32-wasip2` guests unchanged.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// Generated guest bindings name the crate by its own name.
extern crate self as plughss_plugin_api;

pub mod diameter;
pub mod dictionary;
#[cfg(feature = "guest")]
pub mod guest;
pub mod store;
pub mod subscriber;
