//! The store plugin ABI, version 2: how a [`Store`] crosses a shared-library boundary
//! without any Rust type crossing it.
//!
//! A store library exports one C function, [`STORE_SYMBOL`] (`plughss_store_v2`), that
//! returns a pointer to a static [`StoreVTable`]. Everything else goes through the
//! vtable: `open` makes a store instance from a JSON config and returns an opaque
//! handle; `call` runs one operation (an [`op`] code) with a JSON request and writes a
//! JSON answer; `free` releases a buffer the library allocated; `close` drops the
//! instance. Plugin authors write none of this: they implement [`Store`] and
//! [`OpenStore`] and invoke [`crate::declare_store!`]. The host reaches every store,
//! linked in or loaded with `dlopen`, through [`RemoteStore`], so both take one path.
//!
//! # Why JSON and a version number
//!
//! Rust has no stable ABI: two crates built by different compilers (or the same
//! compiler with other flags) may lay out `Subscriber` differently. Bytes in a
//! documented format do not have that problem, and the encoding cost is small next to
//! a disk write. Ops can be added to a version later: a library that does not know an
//! op answers [`status::UNSUPPORTED`]. A change to the vtable layout or to the meaning
//! of an existing op needs a new symbol and a new [`STORE_ABI_VERSION`].
//!
//! Version 2 changed meanings, so a version 1 library (which exports
//! `plughss_store_v1`) is not loaded: `PUT` in `Update` mode and `PUT_MANY` over an
//! existing IMSI keep the serving node and IMS registration and never lower the SQN,
//! and `SET_SQN` (set to any value) gave way to `ADVANCE_SQN` (raise only). A version
//! 1 store would let a provisioning write roll the SQN back and the AuC issue SQNs
//! twice.
//!
//! # Payloads (UTF-8 JSON)
//!
//! | op | request | answer on success |
//! | --- | --- | --- |
//! | `PUT` | `{"subscriber": S, "auth": A or null, "mode": "Create" or "Update"}` | empty |
//! | `PUT_MANY` | `[{"subscriber": S, "auth": A}, ..]` | empty |
//! | `GET` | `{"imsi": ".."}` | `S` or `null` |
//! | `DELETE` | `{"imsi": ".."}` | `true` or `false` |
//! | `LIST` | `{"after": ".." or null, "limit": n}` | `[S, ..]` |
//! | `COUNT` | `{}` | `n` |
//! | `GET_AUTH` | `{"imsi": ".."}` | `A` or `null` |
//! | `RESERVE_SQN` | `{"imsi": "..", "count": n, "step": n}` | `n` (the old SQN) |
//! | `ADVANCE_SQN` | `{"imsi": "..", "sqn": n}` | `n` (the stored SQN after) |
//! | `UPDATE_SERVING` | `{"imsi": "..", "node": N}` | `N` (the previous one) |
//! | `SET_IMS_STATE` | `{"imsi": "..", "state": I}` | empty |
//! | `TRAITS` | `{}` | [`StoreTraits`], e.g. `{"exclusive": true, "batches_serving": true}` |
//! | `UPDATE_SERVING_MANY` | `[{"imsi": "..", "node": N}, ..]` | `[{"Ok": N} or {"Err": E}, ..]`, one per update, in order |
//!
//! `S` is a [`Subscriber`], `N` a [`ServingNode`], `I` an [`ImsState`] as serde
//! writes them; `E` a [`StoreError`] as serde writes it (`"NotFound"`,
//! `{"Unavailable": ".."}`, ..); `A` is an [`AuthWire`] (keys as hex strings, Open5GS style). On
//! failure `call` returns a [`status`] code and the answer is `{"field": .., "reason":
//! ..}` for `INVALID`, `{"message": ..}` for `UNAVAILABLE` and `INTERNAL`, or empty.
//!
//! # Safety contract
//!
//! Host side (enforced by [`RemoteStore`]):
//! - `open`'s config and `call`'s request are `len` readable bytes (any pointer when
//!   `len` is 0); `out` points to a writable [`RawBuf`] initialised to [`RawBuf::EMPTY`].
//! - A buffer the library wrote to `out` is passed to that library's `free` exactly
//!   once and not used afterwards.
//! - A handle from `open` is passed to `call` (from any number of threads at once, as
//!   [`Store`] is `Send + Sync`) until it is passed to `close`, exactly once, after all
//!   calls on it have returned.
//! - The library stays loaded while any handle or buffer of it is alive.
//!
//! Library side (guaranteed by [`crate::declare_store!`]):
//! - The vtable and its name/version strings are `'static`; the strings are UTF-8.
//! - No entry point unwinds: panics are caught and reported as [`status::INTERNAL`]
//!   with the panic message (or, from `open`, a null handle and the message).
//! - `out` is written at most once per entry, with a buffer only `free` may release.

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{Ordering, compiler_fence};
use std::any::Any;
use std::borrow::Cow;
use std::boxed::Box;
use std::format;
use std::mem::{self, ManuallyDrop};
use std::panic::{self, AssertUnwindSafe};
use std::string::{String, ToString};
use std::vec::Vec;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{ImsState, PutMode, ServingNode, Store, StoreError, StoreTraits};
use crate::subscriber::{AuthData, OpcOrOp, Subscriber, parse_hex, to_hex};

/// The name of the function a store library exports: `extern "C" fn() -> *const
/// StoreVTable`. The `v2` is the ABI version; a future version gets a new symbol so a
/// host can look for the newest one it knows.
pub const STORE_SYMBOL: &str = "plughss_store_v2";

/// The layout version of [`StoreVTable`] (its first field).
pub const STORE_ABI_VERSION: u32 = 2;

/// Operation codes for [`StoreVTable::call`], one per [`Store`] method. Codes are never
/// reused; new ones may be added within an ABI version.
pub mod op {
    pub const PUT: u32 = 1;
    pub const PUT_MANY: u32 = 2;
    pub const GET: u32 = 3;
    pub const DELETE: u32 = 4;
    pub const LIST: u32 = 5;
    pub const COUNT: u32 = 6;
    pub const GET_AUTH: u32 = 7;
    pub const RESERVE_SQN: u32 = 8;
    // 9 was version 1's SET_SQN, which set the SQN to any value; retired with it.
    pub const UPDATE_SERVING: u32 = 10;
    pub const SET_IMS_STATE: u32 = 11;
    /// [`Store::traits`]; a library that answers `UNSUPPORTED` promises nothing.
    pub const TRAITS: u32 = 12;
    /// [`Store::update_serving_many`]; a library that answers `UNSUPPORTED` gets the
    /// updates one by one.
    pub const UPDATE_SERVING_MANY: u32 = 13;
    /// [`Store::advance_sqn`].
    pub const ADVANCE_SQN: u32 = 14;
}

/// Status codes [`StoreVTable::call`] returns, one per [`StoreError`] variant.
/// A host maps a code it does not know to [`StoreError::Internal`].
pub mod status {
    pub const OK: i32 = 0;
    pub const NOT_FOUND: i32 = 1;
    pub const CONFLICT: i32 = 2;
    pub const INVALID: i32 = 3;
    pub const UNAVAILABLE: i32 = 4;
    pub const UNSUPPORTED: i32 = 5;
    pub const INTERNAL: i32 = 6;
}

/// A `'static` UTF-8 string as (pointer, length).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StaticStr {
    pub ptr: *const u8,
    pub len: usize,
}

impl StaticStr {
    pub const fn new(s: &'static str) -> Self {
        StaticStr { ptr: s.as_ptr(), len: s.len() }
    }

    /// The string, or `None` if it is not UTF-8.
    ///
    /// # Safety
    /// `ptr` must be valid for `len` bytes for `'a` (or null with any `len`, read as "").
    pub unsafe fn as_str<'a>(&self) -> Option<&'a str> {
        // SAFETY: forwarded to the caller.
        core::str::from_utf8(unsafe { bytes(self.ptr, self.len) }).ok()
    }
}

/// A byte buffer allocated by a store library and released by its `free`.
#[repr(C)]
#[derive(Debug)]
pub struct RawBuf {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl RawBuf {
    /// No buffer: what the host passes in `out`, and what `free` ignores.
    pub const EMPTY: RawBuf = RawBuf { ptr: ptr::null_mut(), len: 0, cap: 0 };

    fn from_vec(v: Vec<u8>) -> RawBuf {
        let mut v = ManuallyDrop::new(v);
        RawBuf { ptr: v.as_mut_ptr(), len: v.len(), cap: v.capacity() }
    }
}

/// `open(config_ptr, config_len, out)`: a handle, or null with the reason in `out`.
pub type OpenFn =
    unsafe extern "C" fn(config_ptr: *const u8, config_len: usize, out: *mut RawBuf) -> *mut c_void;
/// `call(handle, op, in_ptr, in_len, out)`: a [`status`] code, the answer in `out`.
pub type CallFn = unsafe extern "C" fn(
    handle: *mut c_void,
    op: u32,
    in_ptr: *const u8,
    in_len: usize,
    out: *mut RawBuf,
) -> i32;
/// `free(buf)`: releases a buffer the library wrote to an `out`.
pub type FreeFn = unsafe extern "C" fn(buf: RawBuf);
/// `close(handle)`: drops the store instance.
pub type CloseFn = unsafe extern "C" fn(handle: *mut c_void);

/// What [`STORE_SYMBOL`] returns. `abi_version` comes first so that a host can read it
/// before trusting the rest of the layout.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StoreVTable {
    pub abi_version: u32,
    /// The store's name, e.g. the crate name.
    pub name: StaticStr,
    pub version: StaticStr,
    pub open: OpenFn,
    pub call: CallFn,
    pub free: FreeFn,
    pub close: CloseFn,
}

// SAFETY: the vtable holds only function pointers and pointers to immutable 'static
// strings, so sharing it between threads cannot race.
unsafe impl Sync for StoreVTable {}
// SAFETY: as above; nothing in it is tied to a thread.
unsafe impl Send for StoreVTable {}

impl core::fmt::Debug for StoreVTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StoreVTable")
            .field("abi_version", &self.abi_version)
            .field("name", &self.name)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl StoreVTable {
    /// The vtable for store type `T`: what [`crate::declare_store!`] puts in a static.
    pub const fn new<T: OpenStore>(name: &'static str, version: &'static str) -> Self {
        StoreVTable {
            abi_version: STORE_ABI_VERSION,
            name: StaticStr::new(name),
            version: StaticStr::new(version),
            open: glue_open::<T>,
            call: glue_call::<T>,
            free: glue_free,
            close: glue_close::<T>,
        }
    }
}

/// How a store is made from its configuration: the `[store]` table as JSON, plus a
/// `data_dir` key with the host's data directory (for stores that keep files).
pub trait OpenStore: Store + Sized {
    fn open(config: &serde_json::Value) -> Result<Self, StoreError>;
}

/// Exports a [`Store`] type over the C ABI: emits `plughss_store_v2`, which returns a
/// static [`StoreVTable`] named after the invoking crate. Use once per library:
///
/// ```ignore
/// plughss_plugin_api::declare_store!(MyStore);
/// ```
///
/// A store that is only ever linked into the host (a built-in backend) uses the
/// `builtin` form, which names the entry function instead:
///
/// ```ignore
/// plughss_plugin_api::declare_store!(builtin CsvStore => csv_store_entry);
/// ```
///
/// This emits `pub extern "C" fn csv_store_entry() -> *const StoreVTable` with the same
/// vtable, but as an ordinary (mangled) Rust item. Why: `plughss_store_v2` is
/// `#[no_mangle]`, a single global symbol per binary, and one built-in store (sled)
/// already exports it from the host; a second linked-in store exporting it too would
/// clash at link time. The host reaches a built-in store by the function's Rust path
/// (its loader's table of built-in backends), so it needs no global symbol, and calls
/// it through the same vtable as a `dlopen`ed library.
#[macro_export]
macro_rules! declare_store {
    // The `builtin` arm comes first: `$store:ty` would otherwise try (and fail hard) to
    // parse `builtin X` as a type.
    (builtin $store:ty => $entry:ident) => {
        /// The entry point of this built-in store (store ABI version 2): returns its
        /// static vtable. Not exported under a fixed symbol name (see `declare_store!`).
        pub extern "C" fn $entry() -> *const $crate::store::abi::StoreVTable {
            static VTABLE: $crate::store::abi::StoreVTable = $crate::store::abi::StoreVTable::new::<$store>(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
            );
            &VTABLE
        }
    };
    ($store:ty) => {
        /// The store plugin entry point (ABI version 2).
        #[unsafe(no_mangle)]
        pub extern "C" fn plughss_store_v2() -> *const $crate::store::abi::StoreVTable {
            static VTABLE: $crate::store::abi::StoreVTable = $crate::store::abi::StoreVTable::new::<$store>(
                env!("CARGO_PKG_NAME"),
                env!("CARGO_PKG_VERSION"),
            );
            &VTABLE
        }
    };
}

/// Authentication data on the wire and at rest: keys as lower-case hex, as Open5GS
/// keeps them in `security`. Exactly one of `opc` and `op` is set. The strings are
/// overwritten with zeros when dropped.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthWire {
    pub k: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    pub amf: String,
    pub sqn: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_ha1: Option<String>,
}

impl core::fmt::Debug for AuthWire {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthWire").field("amf", &self.amf).field("sqn", &self.sqn).finish_non_exhaustive()
    }
}

impl From<&AuthData> for AuthWire {
    fn from(a: &AuthData) -> Self {
        let (opc, op) = match &a.opc {
            OpcOrOp::Opc(v) => (Some(to_hex(v)), None),
            OpcOrOp::Op(v) => (None, Some(to_hex(v))),
        };
        AuthWire {
            k: to_hex(&a.k),
            opc,
            op,
            amf: to_hex(&a.amf),
            sqn: a.sqn,
            digest_ha1: a.digest_ha1.clone(),
        }
    }
}

impl TryFrom<&AuthWire> for AuthData {
    type Error = StoreError;

    fn try_from(w: &AuthWire) -> Result<Self, StoreError> {
        let k = parse_hex("k", &w.k)?;
        let opc = match (&w.opc, &w.op) {
            (Some(opc), None) => OpcOrOp::Opc(parse_hex("opc", opc)?),
            (None, Some(op)) => OpcOrOp::Op(parse_hex("op", op)?),
            _ => {
                return Err(StoreError::Invalid {
                    field: "opc".into(),
                    reason: "exactly one of opc and op must be set".into(),
                });
            }
        };
        Ok(AuthData { k, opc, amf: parse_hex("amf", &w.amf)?, sqn: w.sqn, digest_ha1: w.digest_ha1.clone() })
    }
}

impl Drop for AuthWire {
    fn drop(&mut self) {
        for s in [Some(&mut self.k), self.opc.as_mut(), self.op.as_mut(), self.digest_ha1.as_mut()]
            .into_iter()
            .flatten()
        {
            wipe(&mut mem::take(s).into_bytes());
        }
    }
}

/// Overwrites `buf` with zeros in a way the optimiser keeps, so that keys do not
/// linger in freed memory.
pub fn wipe(buf: &mut [u8]) {
    for b in buf.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference to a byte.
        unsafe { ptr::write_volatile(b, 0) };
    }
    compiler_fence(Ordering::SeqCst);
}

// ---- Request and answer shapes (see the module docs) ----

#[derive(Serialize, Deserialize)]
struct ImsiArg<'a> {
    #[serde(borrow)]
    imsi: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
struct PutArg<'a> {
    subscriber: Cow<'a, Subscriber>,
    auth: Option<AuthWire>,
    mode: PutMode,
}

#[derive(Serialize, Deserialize)]
struct PutManyItem<'a> {
    subscriber: Cow<'a, Subscriber>,
    auth: AuthWire,
}

#[derive(Serialize, Deserialize)]
struct ListArg<'a> {
    #[serde(borrow)]
    after: Option<Cow<'a, str>>,
    limit: u64,
}

#[derive(Serialize, Deserialize)]
struct ReserveArg<'a> {
    #[serde(borrow)]
    imsi: Cow<'a, str>,
    count: u32,
    step: u64,
}

#[derive(Serialize, Deserialize)]
struct AdvanceSqnArg<'a> {
    #[serde(borrow)]
    imsi: Cow<'a, str>,
    sqn: u64,
}

#[derive(Serialize, Deserialize)]
struct ServingArg<'a> {
    #[serde(borrow)]
    imsi: Cow<'a, str>,
    node: Cow<'a, ServingNode>,
}

#[derive(Serialize, Deserialize)]
struct ImsArg<'a> {
    #[serde(borrow)]
    imsi: Cow<'a, str>,
    state: Cow<'a, ImsState>,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Default, Serialize, Deserialize)]
struct ErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// The [`status`] code for an error.
pub fn status_of(e: &StoreError) -> i32 {
    match e {
        StoreError::NotFound => status::NOT_FOUND,
        StoreError::Conflict => status::CONFLICT,
        StoreError::Invalid { .. } => status::INVALID,
        StoreError::Unavailable(_) => status::UNAVAILABLE,
        StoreError::Unsupported => status::UNSUPPORTED,
        StoreError::Internal(_) => status::INTERNAL,
    }
}

fn encode_error(e: &StoreError) -> Vec<u8> {
    let body = match e {
        StoreError::Invalid { field, reason } => {
            ErrorBody { field: Some(field.clone()), reason: Some(reason.clone()), message: None }
        }
        StoreError::Unavailable(m) | StoreError::Internal(m) => {
            ErrorBody { message: Some(m.clone()), ..ErrorBody::default() }
        }
        StoreError::NotFound | StoreError::Conflict | StoreError::Unsupported => return Vec::new(),
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The error for a non-OK status and its answer. Tolerant: a library written in
/// another language may put plain text in the answer.
fn decode_error(code: i32, body: &[u8]) -> StoreError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_else(|_| ErrorBody {
        message: Some(String::from_utf8_lossy(body).into_owned()),
        ..ErrorBody::default()
    });
    let message = || parsed.message.clone().unwrap_or_default();
    match code {
        status::NOT_FOUND => StoreError::NotFound,
        status::CONFLICT => StoreError::Conflict,
        status::INVALID => StoreError::Invalid {
            field: parsed.field.clone().unwrap_or_default(),
            reason: parsed.reason.clone().or_else(|| parsed.message.clone()).unwrap_or_default(),
        },
        status::UNAVAILABLE => StoreError::Unavailable(message()),
        status::UNSUPPORTED => StoreError::Unsupported,
        status::INTERNAL => StoreError::Internal(message()),
        other => StoreError::Internal(format!("store returned unknown status {other}: {}", message())),
    }
}

// ---- Library side ----

/// A byte slice from (ptr, len); empty when `len` is 0 or `ptr` is null.
///
/// # Safety
/// Unless empty as above, `ptr` must be valid for reads of `len` bytes for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: forwarded to the caller.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// Hands `data` to the host through `out` (dropped if `out` is null).
///
/// # Safety
/// `out` is null or valid for a write of a `RawBuf`.
unsafe fn write_out(out: *mut RawBuf, data: Vec<u8>) {
    if !out.is_null() {
        // SAFETY: forwarded to the caller; `write` does not read or drop the old value.
        unsafe { out.write(RawBuf::from_vec(data)) };
    }
}

/// The text of a panic, and the payload disposed of without unwinding further.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    };
    // A payload whose Drop panics would unwind out of the extern "C" caller; leak it.
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        mem::forget(again);
    }
    msg
}

unsafe extern "C" fn glue_open<T: OpenStore>(
    config_ptr: *const u8,
    config_len: usize,
    out: *mut RawBuf,
) -> *mut c_void {
    let opened = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the host passes `config_len` readable bytes (module contract).
        let raw = unsafe { bytes(config_ptr, config_len) };
        let config: serde_json::Value = serde_json::from_slice(raw)
            .map_err(|e| StoreError::Invalid { field: "config".into(), reason: e.to_string() })?;
        T::open(&config)
    }));
    let text = match opened {
        Ok(Ok(store)) => return Box::into_raw(Box::new(store)).cast(),
        // The host reports a failed open as `Unavailable(text)`: do not say it twice.
        Ok(Err(StoreError::Unavailable(reason))) => reason,
        Ok(Err(e)) => e.to_string(),
        Err(p) => format!("store panicked while opening: {}", panic_message(p)),
    };
    // SAFETY: `out` is writable (module contract).
    unsafe { write_out(out, text.into_bytes()) };
    ptr::null_mut()
}

unsafe extern "C" fn glue_call<T: Store>(
    handle: *mut c_void,
    op: u32,
    in_ptr: *const u8,
    in_len: usize,
    out: *mut RawBuf,
) -> i32 {
    if handle.is_null() {
        let e = StoreError::Internal("null store handle".into());
        // SAFETY: `out` is writable (module contract).
        unsafe { write_out(out, encode_error(&e)) };
        return status::INTERNAL;
    }
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a non-null handle came from `glue_open::<T>` (the same vtable) and has
        // not been closed (module contract); T: Sync allows shared use across threads.
        let store = unsafe { &*handle.cast::<T>() };
        // SAFETY: the host passes `in_len` readable bytes (module contract).
        let input = unsafe { bytes(in_ptr, in_len) };
        dispatch(store, op, input)
    }));
    let (code, answer) = match result {
        Ok(Ok(answer)) => (status::OK, answer),
        Ok(Err(e)) => (status_of(&e), encode_error(&e)),
        Err(p) => {
            let e = StoreError::Internal(format!("store panicked: {}", panic_message(p)));
            (status::INTERNAL, encode_error(&e))
        }
    };
    // SAFETY: `out` is writable (module contract).
    unsafe { write_out(out, answer) };
    code
}

unsafe extern "C" fn glue_free(buf: RawBuf) {
    if buf.ptr.is_null() {
        return;
    }
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a non-null RawBuf comes from `RawBuf::from_vec` in this library and is
        // freed once (module contract), so its parts rebuild that Vec.
        let mut v = unsafe { Vec::from_raw_parts(buf.ptr, buf.len, buf.cap) };
        wipe(&mut v);
    }));
}

unsafe extern "C" fn glue_close<T: Store>(handle: *mut c_void) {
    if handle.is_null() {
        return;
    }
    // A panicking Drop is swallowed: close cannot report, and must not unwind. The
    // panic hook has already printed it.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the handle came from `glue_open::<T>` and is closed once, after every
        // call on it returned (module contract).
        drop(unsafe { Box::from_raw(handle.cast::<T>()) });
    }));
}

fn parse<'a, R: Deserialize<'a>>(op: u32, input: &'a [u8]) -> Result<R, StoreError> {
    serde_json::from_slice(input)
        .map_err(|e| StoreError::Internal(format!("malformed request for store op {op}: {e}")))
}

fn answer<A: Serialize>(a: &A) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(a).map_err(|e| StoreError::Internal(format!("cannot encode store answer: {e}")))
}

/// Decodes one request, runs it on `store`, encodes the answer.
fn dispatch<T: Store + ?Sized>(store: &T, op: u32, input: &[u8]) -> Result<Vec<u8>, StoreError> {
    match op {
        op::PUT => {
            let a: PutArg = parse(op, input)?;
            let auth = a.auth.as_ref().map(AuthData::try_from).transpose()?;
            store.put(&a.subscriber, auth.as_ref(), a.mode)?;
            Ok(Vec::new())
        }
        op::PUT_MANY => {
            let items: Vec<PutManyItem> = parse(op, input)?;
            let subs = items
                .into_iter()
                .map(|i| Ok((i.subscriber.into_owned(), AuthData::try_from(&i.auth)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            store.put_many(&subs)?;
            Ok(Vec::new())
        }
        op::GET => {
            let a: ImsiArg = parse(op, input)?;
            answer(&store.get(&a.imsi)?)
        }
        op::DELETE => {
            let a: ImsiArg = parse(op, input)?;
            answer(&store.delete(&a.imsi)?)
        }
        op::LIST => {
            let a: ListArg = parse(op, input)?;
            let limit = usize::try_from(a.limit).unwrap_or(usize::MAX);
            answer(&store.list(a.after.as_deref(), limit)?)
        }
        op::COUNT => answer(&store.count()?),
        op::GET_AUTH => {
            let a: ImsiArg = parse(op, input)?;
            answer(&store.get_auth(&a.imsi)?.as_ref().map(AuthWire::from))
        }
        op::RESERVE_SQN => {
            let a: ReserveArg = parse(op, input)?;
            answer(&store.reserve_sqn(&a.imsi, a.count, a.step)?)
        }
        op::ADVANCE_SQN => {
            let a: AdvanceSqnArg = parse(op, input)?;
            answer(&store.advance_sqn(&a.imsi, a.sqn)?)
        }
        op::UPDATE_SERVING => {
            let a: ServingArg = parse(op, input)?;
            answer(&store.update_serving(&a.imsi, &a.node)?)
        }
        op::SET_IMS_STATE => {
            let a: ImsArg = parse(op, input)?;
            store.set_ims_state(&a.imsi, &a.state)?;
            Ok(Vec::new())
        }
        op::TRAITS => answer(&store.traits()),
        op::UPDATE_SERVING_MANY => {
            let args: Vec<ServingArg> = parse(op, input)?;
            let updates: Vec<(String, ServingNode)> =
                args.into_iter().map(|a| (a.imsi.into_owned(), a.node.into_owned())).collect();
            answer(&store.update_serving_many(&updates))
        }
        _ => Err(StoreError::Unsupported),
    }
}

// ---- Host side ----

/// A store instance behind a [`StoreVTable`], usable as a [`Store`]. Closes the
/// instance when dropped.
pub struct RemoteStore {
    vtable: &'static StoreVTable,
    handle: NonNull<c_void>,
    name: String,
    version: String,
    traits: StoreTraits,
}

// SAFETY: the handle is a `T: Store` (Send + Sync) owned by the library; the vtable's
// `call` only takes shared references to it, so it may be used from, and dropped on,
// any thread.
unsafe impl Send for RemoteStore {}
// SAFETY: as above.
unsafe impl Sync for RemoteStore {}

impl core::fmt::Debug for RemoteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RemoteStore").field("name", &self.name).field("version", &self.version).finish()
    }
}

impl RemoteStore {
    /// Opens a store instance with `config` (a JSON object).
    ///
    /// A version other than [`STORE_ABI_VERSION`] is refused with
    /// [`StoreError::Unsupported`]; a store that fails to open gives
    /// [`StoreError::Unavailable`] with its reason.
    ///
    /// # Safety
    /// `vtable` must come from [`crate::declare_store!`] or honour the library side of
    /// the contract in the module docs, and the code it points to must stay loaded for
    /// the life of the returned value (a linked-in store always is; a `dlopen`'ed
    /// library must not be unloaded before the `RemoteStore` is dropped).
    pub unsafe fn open(vtable: &'static StoreVTable, config: &serde_json::Value) -> Result<Self, StoreError> {
        if vtable.abi_version != STORE_ABI_VERSION {
            return Err(StoreError::Unsupported);
        }
        // SAFETY: the strings are 'static per the caller's contract.
        let (name, version) = unsafe { (vtable.name.as_str(), vtable.version.as_str()) };
        let config = serde_json::to_vec(config)
            .map_err(|e| StoreError::Invalid { field: "config".into(), reason: e.to_string() })?;
        let mut out = RawBuf::EMPTY;
        // SAFETY: config is a live buffer of that length and `out` is an EMPTY RawBuf.
        let handle = unsafe { (vtable.open)(config.as_ptr(), config.len(), &mut out) };
        // SAFETY: `out` was written (or left EMPTY) by this vtable's `open`.
        let text = unsafe { take_out(vtable, out) };
        let Some(handle) = NonNull::new(handle) else {
            return Err(StoreError::Unavailable(String::from_utf8_lossy(&text).into_owned()));
        };
        let mut store = RemoteStore {
            vtable,
            handle,
            name: name.unwrap_or("<non-UTF-8 name>").into(),
            version: version.unwrap_or("<non-UTF-8 version>").into(),
            traits: StoreTraits::default(),
        };
        store.traits = store.call_json(op::TRAITS, &Empty {}).unwrap_or_default();
        Ok(store)
    }

    /// The library's name for itself.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Runs operation `op` with a raw request and returns the raw answer: the low-level
    /// path under the [`Store`] methods, for ops this host version has no method for.
    pub fn call_op(&self, op: u32, input: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut out = RawBuf::EMPTY;
        // SAFETY: the handle is open until `self` drops; input is a live buffer of that
        // length; `out` is an EMPTY RawBuf.
        let code =
            unsafe { (self.vtable.call)(self.handle.as_ptr(), op, input.as_ptr(), input.len(), &mut out) };
        // SAFETY: `out` was written (or left EMPTY) by this vtable's `call`.
        let mut answer = unsafe { take_out(self.vtable, out) };
        if code == status::OK {
            Ok(answer)
        } else {
            let e = decode_error(code, &answer);
            wipe(&mut answer);
            Err(e)
        }
    }

    fn call_json<I: Serialize, O: DeserializeOwned>(&self, op: u32, input: &I) -> Result<O, StoreError> {
        let mut answer = self.call_unit(op, input)?;
        let decoded = serde_json::from_slice(&answer)
            .map_err(|e| StoreError::Internal(format!("malformed answer to store op {op}: {e}")));
        wipe(&mut answer);
        decoded
    }

    fn call_unit<I: Serialize>(&self, op: u32, input: &I) -> Result<Vec<u8>, StoreError> {
        let mut request = serde_json::to_vec(input)
            .map_err(|e| StoreError::Internal(format!("cannot encode store request: {e}")))?;
        let result = self.call_op(op, &request);
        wipe(&mut request);
        result
    }
}

/// Copies the library's answer out and releases it with the library's `free`.
///
/// # Safety
/// `buf` is EMPTY or was written by a function of `vtable` and not freed yet.
unsafe fn take_out(vtable: &StoreVTable, buf: RawBuf) -> Vec<u8> {
    if buf.ptr.is_null() {
        return Vec::new();
    }
    // SAFETY: the library wrote a buffer of `len` initialised bytes (caller contract).
    let copy = unsafe { bytes(buf.ptr, buf.len) }.to_vec();
    // SAFETY: freed once, by the library that allocated it.
    unsafe { (vtable.free)(buf) };
    copy
}

impl Drop for RemoteStore {
    fn drop(&mut self) {
        // SAFETY: `&mut self` means no call is running; the handle is closed once.
        unsafe { (self.vtable.close)(self.handle.as_ptr()) };
    }
}

impl Store for RemoteStore {
    fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
        let arg = PutArg { subscriber: Cow::Borrowed(sub), auth: auth.map(AuthWire::from), mode };
        self.call_unit(op::PUT, &arg).map(drop)
    }

    fn put_many(&self, subs: &[(Subscriber, AuthData)]) -> Result<(), StoreError> {
        let items: Vec<PutManyItem> = subs
            .iter()
            .map(|(s, a)| PutManyItem { subscriber: Cow::Borrowed(s), auth: AuthWire::from(a) })
            .collect();
        self.call_unit(op::PUT_MANY, &items).map(drop)
    }

    fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
        self.call_json(op::GET, &ImsiArg { imsi: Cow::Borrowed(imsi) })
    }

    fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
        self.call_json(op::DELETE, &ImsiArg { imsi: Cow::Borrowed(imsi) })
    }

    fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        self.call_json(op::LIST, &ListArg { after: after.map(Cow::Borrowed), limit })
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.call_json(op::COUNT, &Empty {})
    }

    fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
        let wire: Option<AuthWire> = self.call_json(op::GET_AUTH, &ImsiArg { imsi: Cow::Borrowed(imsi) })?;
        wire.as_ref().map(AuthData::try_from).transpose()
    }

    fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
        self.call_json(op::RESERVE_SQN, &ReserveArg { imsi: Cow::Borrowed(imsi), count, step })
    }

    fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
        self.call_json(op::ADVANCE_SQN, &AdvanceSqnArg { imsi: Cow::Borrowed(imsi), sqn })
    }

    fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
        self.call_json(
            op::UPDATE_SERVING,
            &ServingArg { imsi: Cow::Borrowed(imsi), node: Cow::Borrowed(node) },
        )
    }

    fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
        let arg = ImsArg { imsi: Cow::Borrowed(imsi), state: Cow::Borrowed(state) };
        self.call_unit(op::SET_IMS_STATE, &arg).map(drop)
    }

    fn update_serving_many(&self, updates: &[(String, ServingNode)]) -> Vec<Result<ServingNode, StoreError>> {
        let args: Vec<ServingArg> = updates
            .iter()
            .map(|(imsi, node)| ServingArg { imsi: Cow::Borrowed(imsi), node: Cow::Borrowed(node) })
            .collect();
        let answer: Result<Vec<Result<ServingNode, StoreError>>, StoreError> =
            self.call_json(op::UPDATE_SERVING_MANY, &args);
        match answer {
            Ok(results) if results.len() == updates.len() => results,
            Ok(results) => {
                let e = StoreError::Internal(format!(
                    "store op {} answered {} results for {} updates",
                    op::UPDATE_SERVING_MANY,
                    results.len(),
                    updates.len()
                ));
                std::vec![Err(e); updates.len()]
            }
            // A library older than the op: one by one.
            Err(StoreError::Unsupported) => {
                updates.iter().map(|(imsi, node)| self.update_serving(imsi, node)).collect()
            }
            Err(e) => std::vec![Err(e); updates.len()],
        }
    }

    fn traits(&self) -> StoreTraits {
        // Asked once, at open (`RemoteStore::open`): an older library without the op,
        // or one that fails to answer, promises nothing.
        self.traits
    }
}

#[cfg(test)]
mod tests {
    //! The marshalling itself: a small in-memory store behind the real glue and the
    //! real `RemoteStore`, so every op, status and panic crosses the C ABI.

    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::vec;

    use super::*;

    #[derive(Default)]
    struct MemStore {
        subs: Mutex<BTreeMap<String, (Subscriber, AuthData)>>,
        serving: Mutex<BTreeMap<String, ServingNode>>,
    }

    impl OpenStore for MemStore {
        fn open(config: &serde_json::Value) -> Result<Self, StoreError> {
            match config.get("mode").and_then(|m| m.as_str()) {
                Some("panic") => panic!("open asked to panic"),
                Some("fail") => Err(StoreError::Unavailable("backend is down".into())),
                _ => Ok(MemStore::default()),
            }
        }
    }

    impl Store for MemStore {
        fn put(&self, sub: &Subscriber, auth: Option<&AuthData>, mode: PutMode) -> Result<(), StoreError> {
            let mut subs = self.subs.lock().unwrap();
            if sub.imsi == "panic" {
                panic!("put asked to panic for {}", sub.imsi);
            }
            match (mode, subs.get(&sub.imsi).cloned()) {
                (PutMode::Create, Some(_)) => Err(StoreError::Conflict),
                (PutMode::Create, None) => {
                    let auth =
                        auth.ok_or(StoreError::Invalid { field: "auth".into(), reason: "required".into() })?;
                    let mut sub = sub.clone();
                    sub.clear_state();
                    subs.insert(sub.imsi.clone(), (sub, auth.clone()));
                    Ok(())
                }
                (PutMode::Update, None) => Err(StoreError::NotFound),
                (PutMode::Update, Some((stored, old))) => {
                    let mut sub = sub.clone();
                    sub.keep_state_of(&stored);
                    let mut auth = auth.cloned().unwrap_or_else(|| old.clone());
                    auth.sqn = super::super::sqn_floor(old.sqn, auth.sqn);
                    subs.insert(sub.imsi.clone(), (sub, auth));
                    Ok(())
                }
            }
        }
        fn get(&self, imsi: &str) -> Result<Option<Subscriber>, StoreError> {
            Ok(self.subs.lock().unwrap().get(imsi).map(|(s, a)| {
                let mut s = s.clone();
                s.security.sqn = a.sqn;
                s
            }))
        }
        fn delete(&self, imsi: &str) -> Result<bool, StoreError> {
            Ok(self.subs.lock().unwrap().remove(imsi).is_some())
        }
        fn list(&self, after: Option<&str>, limit: usize) -> Result<Vec<Subscriber>, StoreError> {
            let subs = self.subs.lock().unwrap();
            Ok(subs
                .iter()
                .filter(|(k, _)| after.is_none_or(|a| k.as_str() > a))
                .take(limit)
                .map(|(_, (s, _))| s.clone())
                .collect())
        }
        fn count(&self) -> Result<u64, StoreError> {
            Ok(self.subs.lock().unwrap().len() as u64)
        }
        fn get_auth(&self, imsi: &str) -> Result<Option<AuthData>, StoreError> {
            Ok(self.subs.lock().unwrap().get(imsi).map(|(_, a)| a.clone()))
        }
        fn reserve_sqn(&self, imsi: &str, count: u32, step: u64) -> Result<u64, StoreError> {
            let mut subs = self.subs.lock().unwrap();
            let (_, a) = subs.get_mut(imsi).ok_or(StoreError::NotFound)?;
            let old = a.sqn;
            a.sqn = old.wrapping_add(u64::from(count).wrapping_mul(step)) % super::super::SQN_MODULUS;
            Ok(old)
        }
        fn advance_sqn(&self, imsi: &str, sqn: u64) -> Result<u64, StoreError> {
            let mut subs = self.subs.lock().unwrap();
            let a = &mut subs.get_mut(imsi).ok_or(StoreError::NotFound)?.1;
            a.sqn = super::super::sqn_floor(a.sqn, sqn);
            Ok(a.sqn)
        }
        fn update_serving(&self, imsi: &str, node: &ServingNode) -> Result<ServingNode, StoreError> {
            Ok(self.serving.lock().unwrap().insert(imsi.into(), node.clone()).unwrap_or_default())
        }
        fn set_ims_state(&self, imsi: &str, state: &ImsState) -> Result<(), StoreError> {
            match imsi {
                "internal" => Err(StoreError::Internal("disk on fire".into())),
                "unavailable" => Err(StoreError::Unavailable("try later".into())),
                "unsupported" => Err(StoreError::Unsupported),
                "invalid" => Err(StoreError::Invalid {
                    field: "scscf".into(),
                    reason: state.scscf.clone().unwrap_or_default(),
                }),
                _ => Ok(()),
            }
        }
    }

    static MEM: StoreVTable = StoreVTable::new::<MemStore>("mem", "0.0.1");

    mod declared {
        crate::declare_store!(super::MemStore);
    }

    mod builtin {
        crate::declare_store!(builtin super::MemStore => mem_store_entry);
    }

    fn open() -> RemoteStore {
        // SAFETY: a vtable built by StoreVTable::new in this (always loaded) binary.
        unsafe { RemoteStore::open(&MEM, &serde_json::json!({})) }.unwrap()
    }

    fn auth(sqn: u64) -> AuthData {
        AuthData {
            k: [0x46; 16],
            opc: OpcOrOp::Op([0xcd; 16]),
            amf: [0x80, 0x01],
            sqn,
            digest_ha1: Some("ha1".into()),
        }
    }

    fn sub(imsi: &str) -> Subscriber {
        Subscriber { imsi: imsi.into(), msisdn: vec!["491701234567".into()], ..Subscriber::default() }
    }

    #[test]
    fn every_op_round_trips() {
        let s = open();
        assert_eq!((s.name(), s.version()), ("mem", "0.0.1"));
        s.put(&sub("001010000000001"), Some(&auth(64)), PutMode::Create).unwrap();
        assert_eq!(
            s.put(&sub("001010000000001"), Some(&auth(0)), PutMode::Create),
            Err(StoreError::Conflict)
        );
        assert_eq!(s.put(&sub("001010000000009"), None, PutMode::Update), Err(StoreError::NotFound));
        s.put_many(&[(sub("001010000000002"), auth(1)), (sub("001010000000003"), auth(2))]).unwrap();
        let mut expected = sub("001010000000001");
        expected.security.sqn = 64;
        assert_eq!(s.get("001010000000001").unwrap(), Some(expected));
        assert_eq!(s.get("001010000000009").unwrap(), None);
        assert_eq!(s.get_auth("001010000000001").unwrap(), Some(auth(64)));
        assert_eq!(s.count().unwrap(), 3);
        let page: Vec<String> =
            s.list(Some("001010000000001"), 10).unwrap().into_iter().map(|s| s.imsi).collect();
        assert_eq!(page, ["001010000000002", "001010000000003"]);
        assert_eq!(s.reserve_sqn("001010000000001", 2, 32).unwrap(), 64);
        assert_eq!(s.reserve_sqn("001010000000009", 2, 32), Err(StoreError::NotFound));
        assert_eq!(s.advance_sqn("001010000000001", 7).unwrap(), 128, "never backwards");
        assert_eq!(s.advance_sqn("001010000000001", 4096).unwrap(), 4096);
        assert_eq!(s.get_auth("001010000000001").unwrap().unwrap().sqn, 4096);
        let node = ServingNode { mme_host: Some("mme".into()), purge_flag: true, ..ServingNode::default() };
        assert_eq!(s.update_serving("001010000000001", &node).unwrap(), ServingNode::default());
        assert_eq!(s.update_serving("001010000000001", &ServingNode::default()).unwrap(), node);
        s.set_ims_state("001010000000001", &ImsState::default()).unwrap();
        assert!(s.delete("001010000000001").unwrap());
        assert!(!s.delete("001010000000001").unwrap());
    }

    #[test]
    fn every_error_variant_round_trips() {
        let s = open();
        let state = ImsState { scscf: Some("no such S-CSCF".into()), ..ImsState::default() };
        let cases = [
            ("internal", StoreError::Internal("disk on fire".into())),
            ("unavailable", StoreError::Unavailable("try later".into())),
            ("unsupported", StoreError::Unsupported),
            ("invalid", StoreError::Invalid { field: "scscf".into(), reason: "no such S-CSCF".into() }),
        ];
        for (imsi, want) in cases {
            assert_eq!(s.set_ims_state(imsi, &state), Err(want));
        }
        assert_eq!(
            decode_error(42, b"odd"),
            StoreError::Internal("store returned unknown status 42: odd".into())
        );
        assert_eq!(
            decode_error(status::UNAVAILABLE, b"plain text"),
            StoreError::Unavailable("plain text".into())
        );
    }

    #[test]
    fn unknown_op_is_unsupported() {
        let s = open();
        assert_eq!(s.call_op(9999, b"{}"), Err(StoreError::Unsupported));
        assert_eq!(s.call_op(0, b""), Err(StoreError::Unsupported));
    }

    #[test]
    fn malformed_request_is_internal_not_a_crash() {
        let s = open();
        assert!(
            matches!(s.call_op(op::GET, b"not json"), Err(StoreError::Internal(m)) if m.contains("op 3"))
        );
    }

    #[test]
    fn bad_hex_from_a_library_is_invalid_naming_the_field() {
        let s = open();
        let req = br#"{"subscriber":{"imsi":"001010000000005"},"auth":{"k":"zz","opc":"00","amf":"8000","sqn":0},"mode":"Create"}"#;
        assert!(matches!(s.call_op(op::PUT, req), Err(StoreError::Invalid { field, .. }) if field == "k"));
        let both = AuthWire {
            k: "00".repeat(16),
            opc: Some("00".repeat(16)),
            op: Some("00".repeat(16)),
            amf: "8000".into(),
            sqn: 0,
            digest_ha1: None,
        };
        assert!(
            matches!(AuthData::try_from(&both), Err(StoreError::Invalid { field, .. }) if field == "opc")
        );
    }

    #[test]
    fn panic_in_a_call_becomes_internal_with_the_message() {
        let s = open();
        let r = s.put(&sub("panic"), Some(&auth(0)), PutMode::Create);
        assert_eq!(r, Err(StoreError::Internal("store panicked: put asked to panic for panic".into())));
        // The store's mutex is poisoned by the panic; further calls on it report rather
        // than unwind too.
        assert!(matches!(s.count(), Err(StoreError::Internal(m)) if m.contains("store panicked")));
    }

    #[test]
    fn open_failures_and_panics_come_back_as_text() {
        // SAFETY: as in `open`.
        let failed = unsafe { RemoteStore::open(&MEM, &serde_json::json!({"mode": "fail"})) };
        assert_eq!(failed.unwrap_err(), StoreError::Unavailable("backend is down".into()));
        // SAFETY: as in `open`.
        let panicked = unsafe { RemoteStore::open(&MEM, &serde_json::json!({"mode": "panic"})) };
        assert_eq!(
            panicked.unwrap_err(),
            StoreError::Unavailable("store panicked while opening: open asked to panic".into())
        );
    }

    #[test]
    fn raw_open_rejects_bad_config_json() {
        let mut out = RawBuf::EMPTY;
        let cfg = b"{not json";
        // SAFETY: a live buffer and an EMPTY out.
        let h = unsafe { (MEM.open)(cfg.as_ptr(), cfg.len(), &mut out) };
        assert!(h.is_null());
        // SAFETY: written by MEM.open.
        let text = unsafe { take_out(&MEM, out) };
        assert!(String::from_utf8_lossy(&text).starts_with("invalid config:"));
    }

    #[test]
    fn other_abi_versions_are_refused() {
        for version in [1, 3] {
            let mut other = StoreVTable::new::<MemStore>("mem", "other");
            other.abi_version = version;
            let other: &'static StoreVTable = Box::leak(Box::new(other));
            // SAFETY: a vtable of this binary; refused before any call.
            let r = unsafe { RemoteStore::open(other, &serde_json::json!({})) };
            assert_eq!(r.unwrap_err(), StoreError::Unsupported, "version {version}");
        }
    }

    #[test]
    fn declare_store_exports_a_v2_vtable_named_after_the_crate() {
        let vt = declared::plughss_store_v2();
        // SAFETY: the pointer is to a static.
        let vt: &'static StoreVTable = unsafe { &*vt };
        assert_eq!(vt.abi_version, STORE_ABI_VERSION);
        // SAFETY: static strings.
        assert_eq!(unsafe { vt.name.as_str() }, Some("plughss-plugin-api"));
        // SAFETY: as in `open`.
        let s = unsafe { RemoteStore::open(vt, &serde_json::json!({})) }.unwrap();
        assert_eq!(s.count().unwrap(), 0);
    }

    #[test]
    fn declare_store_builtin_names_the_entry_and_builds_the_same_vtable() {
        let vt = builtin::mem_store_entry();
        // SAFETY: the pointer is to a static.
        let vt: &'static StoreVTable = unsafe { &*vt };
        assert_eq!(vt.abi_version, STORE_ABI_VERSION);
        // SAFETY: static strings.
        assert_eq!(unsafe { vt.name.as_str() }, Some("plughss-plugin-api"));
        assert_ne!(builtin::mem_store_entry(), declared::plughss_store_v2(), "a vtable of its own");
        // SAFETY: as in `open`.
        let s = unsafe { RemoteStore::open(vt, &serde_json::json!({})) }.unwrap();
        s.put(&sub("001010000000001"), Some(&auth(3)), PutMode::Create).unwrap();
        assert_eq!(s.get_auth("001010000000001").unwrap(), Some(auth(3)));
    }

    #[test]
    fn concurrent_calls_share_one_handle() {
        let s = open();
        s.put(&sub("001010000000001"), Some(&auth(0)), PutMode::Create).unwrap();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..100 {
                        s.reserve_sqn("001010000000001", 1, 32).unwrap();
                    }
                });
            }
        });
        assert_eq!(s.get_auth("001010000000001").unwrap().unwrap().sqn, 800 * 32);
    }

    #[test]
    fn auth_wire_is_hex_and_redacted() {
        let w = AuthWire::from(&auth(5));
        assert_eq!(w.k, "46".repeat(16));
        assert_eq!((w.opc.as_deref(), w.op.as_deref()), (None, Some("cd".repeat(16).as_str())));
        assert_eq!(w.amf, "8001");
        assert!(!std::format!("{w:?}").contains("4646"));
        assert_eq!(AuthData::try_from(&w).unwrap(), auth(5));
    }
}
