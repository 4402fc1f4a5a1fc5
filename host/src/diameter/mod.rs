//! The Diameter node: socket, framing codec, peer state machine, router, and back.

pub mod capabilities;
pub mod client;
pub mod codec;
pub mod connection;
pub mod escape;
pub mod peers;
pub mod pending;
pub mod router;
pub mod server;
pub mod testing;
pub mod watchdog;
