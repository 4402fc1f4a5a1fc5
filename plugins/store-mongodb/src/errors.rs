//! Driver errors to [`StoreError`]. The line that matters: anything a retry could cure
//! (no reachable server, a dropped connection, a primary stepping down, a server shutting
//! down) is `Unavailable`, which the host answers with 5012 DIAMETER_UNABLE_TO_COMPLY
//! and the API with 503; a document the server refuses to update because of its shape is
//! `Invalid` naming the field; the rest is `Internal`.

use mongodb::error::{Error, ErrorKind, WriteFailure};
use plughss_plugin_api::store::StoreError;

/// MongoDB's duplicate key error (a second subscriber with the same IMSI).
pub const DUPLICATE_KEY: i32 = 11000;

/// Server error codes that mean "not now": not primary, recovering, shutting down,
/// interrupted, network errors reported by a router, time limits.
/// (src/mongo/base/error_codes.yml in the MongoDB server.)
const TRANSIENT_CODES: &[i32] = &[
    6,     // HostUnreachable
    7,     // HostNotFound
    50,    // MaxTimeMSExpired
    89,    // NetworkTimeout
    91,    // ShutdownInProgress
    189,   // PrimarySteppedDown
    262,   // ExceededTimeLimit
    9001,  // SocketException
    10058, // LegacyNotPrimary
    10107, // NotWritablePrimary
    11600, // InterruptedAtShutdown
    11602, // InterruptedDueToReplStateChange
    13435, // NotPrimaryNoSecondaryOk
    13436, // NotPrimaryOrSecondary
];

/// Codes for an update the document's shape makes impossible: a `$inc` on a string,
/// a `$set` below a field that is not a document.
const SHAPE_CODES: &[i32] = &[
    14, // TypeMismatch
    28, // PathNotViable
];

/// The store error for a driver error; `field` is the field an update to a misshapen
/// document is named after.
pub fn store_error(e: Error, field: &str) -> StoreError {
    if e.contains_label("RetryableWriteError") || e.contains_label("TransientTransactionError") {
        return StoreError::Unavailable(format!("MongoDB: {e}"));
    }
    match *e.kind {
        ErrorKind::ServerSelection { ref message, .. } => {
            StoreError::Unavailable(format!("no MongoDB server reachable: {message}"))
        }
        ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::DnsResolve { .. }
        | ErrorKind::Shutdown => StoreError::Unavailable(format!("MongoDB: {e}")),
        ErrorKind::Command(ref c) => by_code(c.code, &c.message, field, &e),
        ErrorKind::Write(WriteFailure::WriteError(ref w)) => by_code(w.code, &w.message, field, &e),
        ErrorKind::Write(WriteFailure::WriteConcernError(_)) => {
            StoreError::Unavailable(format!("MongoDB write concern not satisfied: {e}"))
        }
        ErrorKind::Authentication { .. } => {
            StoreError::Internal(format!("MongoDB authentication failed: {e}"))
        }
        _ => StoreError::Internal(format!("MongoDB: {e}")),
    }
}

fn by_code(code: i32, message: &str, field: &str, e: &Error) -> StoreError {
    if code == DUPLICATE_KEY {
        StoreError::Conflict
    } else if TRANSIENT_CODES.contains(&code) {
        StoreError::Unavailable(format!("MongoDB: {e}"))
    } else if SHAPE_CODES.contains(&code) {
        StoreError::Invalid {
            field: field.into(),
            reason: format!("the stored document refuses the update: {message}"),
        }
    } else {
        StoreError::Internal(format!("MongoDB: {e}"))
    }
}

/// Whether the error is a duplicate key (used where a race between two creates of one
/// IMSI is expected).
pub fn is_duplicate_key(e: &Error) -> bool {
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == DUPLICATE_KEY,
        ErrorKind::Command(c) => c.code == DUPLICATE_KEY,
        _ => false,
    }
}
