//! Finding and opening the configured store: a built-in backend linked into the host,
//! or a shared library named by the operator. Both are reached through the same C ABI
//! vtable ([`plughss_plugin_api::store::abi`]), so a store behaves the same whichever
//! way it was loaded.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use libloading::Library;
use plughss_plugin_api::store::StoreError;
use plughss_plugin_api::store::abi::{RemoteStore, STORE_ABI_VERSION, STORE_SYMBOL, StoreVTable};

use super::StoreHandle;

/// Which store to open, and its settings: the `[store]` table of the config, as in
///
/// ```toml
/// [store]
/// backend = "sled"            # a built-in backend ("sled", "csv"); any other name X
///                             # loads libplughss_store_X.so from beside the executable, or:
/// # plugin = "/usr/lib/plughss/libplughss_store_mongodb.so"
/// path = "subscribers"        # backend-specific keys
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StoreSelection {
    /// A built-in backend's name (see [`builtin_backends`]), or the name `X` of a store
    /// library `libplughss_store_X.so` beside the executable ([`library_dirs`]); only
    /// a label when `plugin` is set.
    pub backend: String,
    /// A store library to load instead of a built-in backend.
    pub plugin: Option<PathBuf>,
    /// Backend-specific settings: a JSON object (or null for none). The loader adds
    /// `data_dir` and hands it to the store's `open`.
    pub settings: serde_json::Value,
}

impl Default for StoreSelection {
    /// The embedded sled store with its defaults.
    fn default() -> Self {
        StoreSelection { backend: "sled".into(), plugin: None, settings: serde_json::json!({}) }
    }
}

/// Why the store could not be opened. Each names what the operator configured.
#[derive(Debug, thiserror::Error)]
pub enum StoreLoadError {
    #[error(
        "unknown store backend {name:?}: the built-in backends are {builtin}; set `plugin` to load a store library"
    )]
    UnknownBackend { name: String, builtin: String },
    #[error(
        "store backend {name:?} is not built in (the built-in backends are {builtin}) and {file} is not in {}; build it with `cargo build --release -p {package}` or set `plugin` to its path",
        looked.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" or ")
    )]
    BackendNotFound { name: String, builtin: String, file: String, looked: Vec<PathBuf>, package: String },
    #[error("[store] settings must be a table, found {found}")]
    Settings { found: String },
    #[error("data directory {0} is not valid UTF-8")]
    DataDir(PathBuf),
    #[error("cannot load store plugin {path}: {source}")]
    Load { path: PathBuf, source: libloading::Error },
    #[error(
        "store plugin {path} does not export `{symbol}` (is it a PlugHSS store built with declare_store!?): {source}"
    )]
    Symbol { path: PathBuf, symbol: &'static str, source: libloading::Error },
    #[error("store {origin}: `{symbol}` returned a null vtable")]
    NullVTable { origin: String, symbol: &'static str },
    #[error("store {origin} implements store ABI version {found}; this host implements version {expected}")]
    AbiVersion { origin: String, found: u32, expected: u32 },
    #[error("store {origin} failed to open: {source}")]
    Open { origin: String, source: StoreError },
}

/// Entry points of the stores linked into the host: the same function a shared
/// library would export (or, for a store that is only ever built in, the entry that
/// `declare_store!(builtin ..)` names), called directly.
const BUILTIN: &[(&str, extern "C" fn() -> *const StoreVTable)] =
    &[("sled", plughss_store_sled::plughss_store_v2), ("csv", plughss_store_csv::csv_store_entry)];

/// Names of the built-in backends.
pub fn builtin_backends() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}

/// Opens the selected store. `data_dir` is where stores keep files (sled's `path` is
/// relative to it). Opening is synchronous (sled replays its log): call it at start-up
/// or from a blocking thread.
pub fn open_store(sel: &StoreSelection, data_dir: &Path) -> Result<StoreHandle, StoreLoadError> {
    let config = store_config(&sel.settings, data_dir)?;
    match &sel.plugin {
        Some(path) => {
            let (entry, origin) = load_library(path)?;
            // SAFETY: `entry` is the library's STORE_SYMBOL export, whose type that
            // symbol name promises; the library is never unloaded (see `load_library`).
            unsafe { open_entry(entry, &origin, &config) }
        }
        None => {
            let Some((_, entry)) = BUILTIN.iter().find(|(name, _)| *name == sel.backend) else {
                let path = find_backend_library(&sel.backend, &library_dirs())?;
                let (entry, origin) = load_library(&path)?;
                // SAFETY: as for `plugin` above.
                return unsafe { open_entry(entry, &origin, &config) };
            };
            let origin = format!("built-in backend {:?}", sel.backend);
            // SAFETY: a built-in entry is a `declare_store!` export linked into this
            // binary: it returns a static vtable whose code is always loaded.
            unsafe { open_entry(*entry, &origin, &config) }
        }
    }
}

/// Where a non-built-in backend's library is looked for: the running executable's
/// directory and its `deps/` (where cargo leaves a library it built as a dependency,
/// beside the `plughss` it builds).
pub fn library_dirs() -> Vec<PathBuf> {
    let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)) else {
        return Vec::new();
    };
    let deps = dir.join("deps");
    vec![dir, deps]
}

/// The library of backend `name` (`libplughss_store_<name>.so`, `-` read as `_`) in
/// `dirs`; when several have it, the most recently modified (in a cargo target
/// directory, the copy beside the binary can be older than the one a later build left
/// in `deps/`), the first on a tie. Names other than letters, digits, `-` and `_` are
/// refused, so a backend name never reaches outside those directories.
pub fn find_backend_library(name: &str, dirs: &[PathBuf]) -> Result<PathBuf, StoreLoadError> {
    let builtin = builtin_backends().collect::<Vec<_>>().join(", ");
    let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(StoreLoadError::UnknownBackend { name: name.into(), builtin });
    }
    let stem = name.replace('-', "_");
    let file =
        format!("{}plughss_store_{stem}{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for path in dirs.iter().map(|d| d.join(&file)) {
        let Some(modified) =
            std::fs::metadata(&path).ok().filter(|m| m.is_file()).and_then(|m| m.modified().ok())
        else {
            continue;
        };
        if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
            newest = Some((modified, path));
        }
    }
    match newest {
        Some((_, p)) => Ok(p),
        None => Err(StoreLoadError::BackendNotFound {
            name: name.into(),
            builtin,
            file,
            looked: dirs.to_vec(),
            package: format!("plughss-store-{}", stem.replace('_', "-")),
        }),
    }
}

/// The settings object with `data_dir` added.
fn store_config(settings: &serde_json::Value, data_dir: &Path) -> Result<serde_json::Value, StoreLoadError> {
    let mut map = match settings {
        serde_json::Value::Null => serde_json::Map::new(),
        serde_json::Value::Object(map) => map.clone(),
        other => return Err(StoreLoadError::Settings { found: other.to_string() }),
    };
    let dir = data_dir.to_str().ok_or_else(|| StoreLoadError::DataDir(data_dir.to_owned()))?;
    map.insert("data_dir".into(), dir.into());
    Ok(serde_json::Value::Object(map))
}

/// Loads a store library and finds its entry point. Also returns the origin text for
/// errors ("plugin <path>").
///
/// The library is never unloaded: a store may leave threads running its code after
/// `close` (sled's flusher and I/O pool do), and Rust's thread-local destructors keep
/// a library mapped anyway; unloading could run freed code. Stores are opened once per
/// process, so the cost is one mapping.
fn load_library(path: &Path) -> Result<(extern "C" fn() -> *const StoreVTable, String), StoreLoadError> {
    // SAFETY: loading runs the library's initialisers. The operator named this library
    // as the store plugin, so its code is trusted like the host's own; PlugHSS store
    // libraries have no initialisers with preconditions.
    let lib = unsafe { Library::new(path) }
        .map_err(|source| StoreLoadError::Load { path: path.to_owned(), source })?;
    // SAFETY: the symbol's type is the one `declare_store!` emits for STORE_SYMBOL; the
    // versioned name is the promise that it has this signature.
    let entry = unsafe { lib.get::<extern "C" fn() -> *const StoreVTable>(STORE_SYMBOL) }
        .map(|symbol| *symbol)
        .map_err(|source| StoreLoadError::Symbol { path: path.to_owned(), symbol: STORE_SYMBOL, source })?;
    // Keep the code mapped for the life of the process, so `entry` and the vtable stay
    // valid (see above).
    std::mem::forget(lib);
    Ok((entry, format!("plugin {}", path.display())))
}

/// Calls a store entry point, checks the vtable and opens a store with `config`.
///
/// # Safety
/// `entry` must return null or a pointer to a `'static` value whose first field is a
/// `u32` ABI version and which, when that version is [`STORE_ABI_VERSION`], is a
/// [`StoreVTable`] honouring the library side of the contract in
/// [`plughss_plugin_api::store::abi`]. Its code must never be unloaded.
pub unsafe fn open_entry(
    entry: extern "C" fn() -> *const StoreVTable,
    origin: &str,
    config: &serde_json::Value,
) -> Result<StoreHandle, StoreLoadError> {
    let ptr = entry();
    if ptr.is_null() {
        return Err(StoreLoadError::NullVTable { origin: origin.into(), symbol: STORE_SYMBOL });
    }
    // Read only the version before trusting the layout: a library of another ABI
    // version may have a different (shorter) struct behind the pointer.
    // SAFETY: non-null, and per the contract it points to at least a u32 version.
    let found = unsafe { std::ptr::addr_of!((*ptr).abi_version).read() };
    if found != STORE_ABI_VERSION {
        return Err(StoreLoadError::AbiVersion { origin: origin.into(), found, expected: STORE_ABI_VERSION });
    }
    // SAFETY: version 1, so a StoreVTable, 'static per the contract.
    let vtable: &'static StoreVTable = unsafe { &*ptr };
    // SAFETY: the vtable honours the contract and its code stays loaded (caller).
    let remote = unsafe { RemoteStore::open(vtable, config) }
        .map_err(|source| StoreLoadError::Open { origin: origin.into(), source })?;
    let name = remote.name().to_owned();
    Ok(StoreHandle::new(Arc::new(remote), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_backend_lists_the_built_in_ones() {
        let sel = StoreSelection { backend: "../mongo".into(), ..StoreSelection::default() };
        let err = open_store(&sel, Path::new("/nonexistent")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown store backend \"../mongo\": the built-in backends are sled, csv; set `plugin` to load a store library"
        );
    }

    #[test]
    fn a_missing_backend_library_says_where_it_looked_and_how_to_build_it() {
        let sel = StoreSelection { backend: "no-such".into(), ..StoreSelection::default() };
        let err = open_store(&sel, Path::new("/nonexistent")).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StoreLoadError::BackendNotFound { .. }), "{text}");
        let exe_dir = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
        assert!(text.contains("libplughss_store_no_such.so is not in"), "{text}");
        assert!(text.contains(&exe_dir.join("deps").display().to_string()), "{text}");
        assert!(text.contains("`cargo build --release -p plughss-store-no-such`"), "{text}");
        assert!(text.contains("the built-in backends are sled, csv"), "{text}");
    }

    #[test]
    fn the_newest_backend_library_of_the_directories_is_chosen() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let dirs = [a.path().to_path_buf(), b.path().to_path_buf()];
        let (in_a, in_b) =
            (a.path().join("libplughss_store_my_db.so"), b.path().join("libplughss_store_my_db.so"));
        std::fs::write(&in_b, b"").unwrap();
        assert_eq!(find_backend_library("my-db", &dirs).unwrap(), in_b, "the only one");
        std::fs::write(&in_a, b"").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&in_a).unwrap().set_modified(old).unwrap();
        assert_eq!(find_backend_library("my_db", &dirs).unwrap(), in_b, "the newer one");
        std::fs::File::options().write(true).open(&in_b).unwrap().set_modified(old).unwrap();
        assert_eq!(find_backend_library("my_db", &dirs).unwrap(), in_a, "the first on a tie");
        for bad in ["", "a/b", "..", "x.so"] {
            assert!(
                matches!(find_backend_library(bad, &dirs), Err(StoreLoadError::UnknownBackend { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn settings_must_be_a_table() {
        let sel = StoreSelection { settings: serde_json::json!(["x"]), ..StoreSelection::default() };
        let err = open_store(&sel, Path::new("/nonexistent")).unwrap_err();
        assert!(matches!(err, StoreLoadError::Settings { .. }), "{err}");
        let cfg = store_config(&serde_json::Value::Null, Path::new("/var/lib/plughss")).unwrap();
        assert_eq!(cfg, serde_json::json!({ "data_dir": "/var/lib/plughss" }));
    }
}
