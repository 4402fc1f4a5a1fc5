//! The Diameter base protocol codec (RFC 6733), shared by the host and every plugin.
//!
//! - [`header`]: the 20-octet header and the framing decision on a byte stream;
//! - [`avp`] and [`message`]: zero-copy views over received bytes, with checks that map
//!   to RFC 6733 7.1 Result-Codes ([`error`]);
//! - [`builder`]: encoding into a reusable buffer;
//! - [`answer`]: answer-message construction for errors;
//! - [`owned`]: an owned tree form for tools and tests.

pub mod answer;
pub mod avp;
pub mod builder;
pub mod error;
pub mod header;
pub mod message;
pub mod owned;
pub mod result_code;

pub use avp::{Avp, AvpIter, avp_flags};
pub use builder::MessageBuilder;
pub use error::{AvpError, MessageError};
pub use header::{Frame, HEADER_LEN, Header, flags, frame_length};
pub use message::Message;
pub use owned::{OwnedAvp, OwnedMessage, OwnedValue};
