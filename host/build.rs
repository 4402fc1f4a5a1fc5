//! Builds the built-in WebAssembly plugins (plugins/s6a, ...) for wasm32-wasip2 and
//! tells the crate where they are, so `cargo run --release -- serve` on a fresh clone
//! embeds them with no manual step. A nested cargo with its own target directory does
//! the build; cargo makes it a no-op when nothing changed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (plugin name, cargo package) of every built-in plugin.
const BUILTINS: &[(&str, &str)] = &[("s6a", "plughss-s6a")];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("host/ sits in the workspace").to_path_buf();
    for dir in ["plugin-api/src", "plugin-api/Cargo.toml", "wit", "plugins/s6a", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!("cargo:rerun-if-env-changed=PLUGHSS_SKIP_BUILTIN_BUILD");

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // target/<profile>/build/plughss-*/out -> target/
    let target = out.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_else(|| root.join("target"));
    let wasm_target = target.join("wasm-builtin");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--profile", "plugin", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(&wasm_target)
        // The outer build's flags (coverage, sanitizers, target-cpu) do not apply to wasm.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER");
    for (_, pkg) in BUILTINS {
        cmd.args(["-p", pkg]);
    }
    let status = cmd.status().expect("running cargo to build the built-in plugins");
    if !status.success() {
        panic!(
            "building the built-in WebAssembly plugins failed (is the wasm32-wasip2 target installed? `rustup target add wasm32-wasip2`)"
        );
    }
    let mut list = String::from("&[\n");
    for (name, pkg) in BUILTINS {
        let file =
            wasm_target.join("wasm32-wasip2").join("plugin").join(format!("{}.wasm", pkg.replace('-', "_")));
        assert!(file.exists(), "{} was not built", file.display());
        list.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}) as &[u8]),\n",
            file.display().to_string()
        ));
    }
    list.push(']');
    std::fs::write(out.join("builtins.rs"), list).expect("writing builtins.rs");
}
