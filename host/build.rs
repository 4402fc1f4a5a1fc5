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
    ensure_wasm_target();
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

/// Installs the `wasm32-wasip2` standard library when the toolchain lacks it.
/// rust-toolchain.toml lists the target, but rustup installs listed targets only when
/// it installs the toolchain itself; with a toolchain already present (or with
/// `RUSTUP_AUTO_INSTALL=0`) it does not, and `cargo run --release -- serve` must still
/// work on a fresh clone. Without rustup this is a no-op and the build below explains.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot =
        Command::new(&rustc).args(["--print", "sysroot"]).output().ok().filter(|o| o.status.success());
    let Some(sysroot) = sysroot else { return };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib/wasm32-wasip2/lib").is_dir() {
        return;
    }
    println!("cargo:warning=installing the wasm32-wasip2 target with rustup (the built-in plugins need it)");
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", "wasm32-wasip2"]);
    // Install into the toolchain cargo is building with, not rustup's default one.
    if let Ok(toolchain) = std::env::var("RUSTUP_TOOLCHAIN") {
        cmd.args(["--toolchain", &toolchain]);
    }
    match cmd.status() {
        Ok(status) if status.success() => {}
        Ok(status) => println!("cargo:warning=`rustup target add wasm32-wasip2` failed ({status})"),
        Err(e) => println!("cargo:warning=rustup not found ({e}); install the wasm32-wasip2 target by hand"),
    }
}
