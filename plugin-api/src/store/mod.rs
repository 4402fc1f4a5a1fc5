//! The subscriber store contract. A store is a native plugin: a crate implementing
//! [`Store`] and exporting it with [`crate::declare_store!`] over a versioned C ABI
//! ([`abi`]), so the host can load it from a shared library or link it in, and call it
//! the same way. Every operation is synchronous and short; the host calls stores off
//! its reactor threads.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::subscriber::{AuthData, FieldError, Subscriber};

#[cfg(feature = "std")]
pub mod abi;

/// Why a store operation failed. Each maps to an API status and a Diameter result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StoreError {
    /// No such subscriber (API 404; S6a DIAMETER_ERROR_USER_UNKNOWN).
    #[error("subscriber not found")]
    NotFound,
    /// The subscriber exists already (API 409).
    #[error("subscriber already exists")]
    Conflict,
    /// A value the store cannot keep (API 400), naming the field.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The backend cannot be reached now (Diameter 5012, API 503); retrying may work.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store does not implement this operation (an older plugin).
    #[error("operation not supported by this store")]
    Unsupported,
    #[error("store error: {0}")]
    Internal(String),
}

/// SQN is 48 bits (TS 33.102 6.3.7, Annex C.1.1: SEQ || IND): stores keep it below
/// this modulus and `reserve_sqn` wraps modulo it.
pub const SQN_MODULUS: u64 = 1 << 48;

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid { field: e.field, reason: e.reason }
    }
}

/// Whether [`Store::put`] creates or replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PutMode {
    /// Fails with `Conflict` if the IMSI exists; `auth` is required. The new record
    /// has no serving node and no IMS registration ([`Subscriber::clear_state`]).
    Create,
    /// Fails with `NotFound` if the IMSI does not exist. The profile is replaced except
    /// its state ([`Subscriber::keep_state_of`]: the serving MME and the IMS
    /// registration, which only `update_serving` and `set_ims_state` write).
    /// `auth: None` keeps keys and SQN (the profile's `security.sqn` is ignored).
    /// `auth: Some` replaces K, OP/OPc, AMF and the digest credential; its `sqn` is a
    /// floor, never a value: the stored SQN becomes the larger of the two (see
    /// [`Store::advance_sqn`]), so an update can never make the AuC issue an SQN twice.
    Update,
}

/// The SQN after a write that names `requested`: the SQN only moves forward
/// (TS 33.102 6.3.2, C.1: the USIM accepts an SQN only above what it has seen, and an
/// SQN issued twice would let a recorded challenge be replayed). Every store applies
/// this inside its own atomic update.
pub fn sqn_floor(stored: u64, requested: u64) -> u64 {
    stored.max(requested)
}

/// The serving MME as recorded by ULR/PUR (TS 29.272 7.2.3, 7.2.13).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingNode {
    pub mme_host: Option<String>,
    pub mme_realm: Option<String>,
    /// Unix seconds.
    pub mme_timestamp: Option<i64>,
    /// Set by PUR: the UE was purged from the MME.
    pub purge_flag: bool,
}

/// IMS registration state as Cx SAR sets it (TS 29.228 6.1.2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImsState {
    pub scscf: Option<String>,
    pub registration_state: String,
}

/// What a store promises about its data, so the host knows what it may assume.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreTraits {
    /// This process is the only writer of the data (the store holds an exclusive lock
    /// on its files), so everything that changes the data passes through this store
    /// instance. The host may then keep keys and SQN state in memory between requests.
    /// `false` (the default) for stores shared with other programs or PlugHSS
    /// instances, such as MongoDB, whose data the host must read afresh every time.
    #[serde(default)]
    pub exclusive: bool,
    /// [`Store::update_serving_many`] makes a whole batch durable at once (one flush),
    /// so the host queues concurrent `update_serving` calls (a ULR storm) into batches
    /// instead of making each wait for its own flush.
    #[serde(default)]
    pub batches_serving: bool,
}

/// A subscriber store. Implementations must be safe to call from many threads at
/// once; `reserve_sqn` must be atomic against concurrent callers, including other
/// PlugHSS instances sharing the same backend.
pub trait Store: Send + Sync + 'static {
    /// Creates or replaces a subscriber (see [`PutMode`]). The IMSI must pass
    /// [`crate::subscriber::validate_imsi`] (`Invalid` naming `imsi` otherwise); an SQN
    /// must be below [`SQN_MODULUS`] (`Invalid` naming `sqn`).
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError>;

    /// Creates many subscribers (bulk import). An existing IMSI is updated as
    /// [`PutMode::Update`] with keys would: its state is kept and its SQN never goes
    /// back. The default puts them one by one; stores override it to batch.
    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        for (s, a) in subs {
            match self.put(s, Some(a), PutMode::Create) {
                Err(StoreError::Conflict) => self.put(s, Some(a), PutMode::Update)?,
                r => r?,
            }
        }
        Ok(())
    }

    /// The profile, with `security.sqn` set to the stored SQN.
    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError>;

    /// Removes a subscriber; `Ok(false)` when there was none.
    fn delete(&self, imsi: &str) -> Result<bool, StoreError>;

    /// Up to `limit` profiles with IMSI greater than `after`, in IMSI order.
    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError>;

    /// The number of subscribers.
    fn count(&self) -> Result<u64, StoreError>;

    /// Keys and SQN, for the host's AuC only.
    fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError>;

    /// Atomically advances the stored SQN by `count * step` (modulo 2^48) and returns
    /// the value it had: the caller owns SQNs `old, old+step, ..` below the new value.
    fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError>;

    /// Raises the stored SQN to at least `sqn` (a resynchronisation, TS 33.102 6.3.5,
    /// or an operator's explicit value) and returns the stored SQN afterwards: the
    /// larger of the two ([`sqn_floor`]). Atomic against `reserve_sqn`, so a value
    /// already reserved is never handed out again. `Invalid` naming `sqn` at or above
    /// [`SQN_MODULUS`].
    fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError>;

    /// Records the serving MME and returns the one recorded before.
    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError>;

    /// Several [`update_serving`](Self::update_serving)s, each applied as that method
    /// would, with one result per update in order. All are durable when this returns,
    /// as after `update_serving`; a store that can makes them durable together (see
    /// [`StoreTraits::batches_serving`]). The default applies them one by one.
    fn update_serving_many(&self, updates: &[(String, ServingNode)]) -> Vec<Result<ServingNode, StoreError>> {
        updates.iter().map(|(imsi, node)| self.update_serving(imsi, node)).collect()
    }

    /// Records the IMS registration state.
    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError>;

    /// What the store promises (see [`StoreTraits`]); the default promises nothing.
    fn traits(&self) -> StoreTraits {
        StoreTraits::default()
    }
}
