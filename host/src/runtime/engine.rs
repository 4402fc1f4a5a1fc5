//! The wasmtime engine: configured once, with an epoch ticker thread for deadlines and
//! an on-disk cache of compiled components keyed by content and engine.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

/// Period of the epoch ticker; deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(1);

pub struct PluginEngine {
    pub engine: Engine,
    pub fuel: bool,
    cache_dir: Option<PathBuf>,
    stop: Arc<AtomicBool>,
}

impl PluginEngine {
    /// `fuel` turns fuel metering on for the whole engine (each call then costs a little
    /// more), so it is only enabled when some plugin asks for a fuel limit.
    pub fn new(fuel: bool, cache_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut c = Config::new();
        c.wasm_component_model(true);
        c.epoch_interruption(true);
        c.consume_fuel(fuel);
        let engine =
            Engine::new(&c).map_err(anyhow::Error::from).context("creating the WebAssembly engine")?;
        let stop = Arc::new(AtomicBool::new(false));
        let (e, s) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("plughss-epoch".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    e.increment_epoch();
                }
            })
            .context("starting the epoch thread")?;
        if let Some(d) = &cache_dir {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(PluginEngine { engine, fuel, cache_dir, stop })
    }

    /// The cache directory, for compiling off the reactor.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone()
    }
}

/// A short stable key of the engine's compatibility hash.
fn engine_key(engine: &Engine) -> String {
    {
        struct ShaHasher(Sha256);
        impl Hasher for ShaHasher {
            fn finish(&self) -> u64 {
                0
            }
            fn write(&mut self, bytes: &[u8]) {
                self.0.update(bytes);
            }
        }
        let mut h = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut h);
        crate::runtime::hex(&h.0.finalize()[..8])
    }
}

/// Compiles a component, or loads it from the cache when the same bytes were compiled
/// by an identical engine before. CPU-heavy on a miss: call it off the reactor.
pub fn compile_cached(
    engine: &Engine,
    cache_dir: Option<&Path>,
    wasm: &[u8],
    sha256: &str,
) -> anyhow::Result<Component> {
    let Some(dir) = cache_dir else {
        return Ok(Component::from_binary(engine, wasm)?);
    };
    let path = dir.join(format!("{sha256}-{}.cwasm", engine_key(engine)));
    if path.exists() {
        // SAFETY: the file was written by `precompile_component` of an engine with the
        // same compatibility hash (in its name) into our private cache directory;
        // wasmtime checks the header and refuses mismatched artifacts.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(c) => return Ok(c),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring a stale compiled component")
            }
        }
    }
    let bytes =
        engine.precompile_component(wasm).map_err(anyhow::Error::from).context("compiling the component")?;
    write_atomically(&path, &bytes);
    // SAFETY: `bytes` was just produced by this engine.
    Ok(unsafe { Component::deserialize(engine, &bytes) }?)
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file
/// for the next start to load.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let r = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = r {
        tracing::warn!(path = %path.display(), error = %e, "cannot cache the compiled component");
        let _ = std::fs::remove_file(&tmp);
    }
}

impl Drop for PluginEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
