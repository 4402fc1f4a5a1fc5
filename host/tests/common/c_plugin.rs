//! The C plugin example (plugins/c-echo), built the way its README tells plugin
//! authors: clang compiles the C sources to a core wasm module that imports nothing but
//! the plughss:plugin interfaces, then wit-component embeds the `application` world
//! from wit/ and encodes the component. Once per test binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The clang invocation of plugins/c-echo/README.md, run in plugins/c-echo, before `-o`.
pub const C_ECHO_CLANG_ARGS: &[&str] = &[
    "--target=wasm32",
    "-O2",
    "-ffreestanding",
    "-nostdlib",
    "-Wall",
    "-Wextra",
    "-Ilibc",
    "-Igen",
    "-Wl,--no-entry",
    "-Wl,--strip-all",
    "echo.c",
    "libc/libc.c",
    "gen/application.c",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A clang that can compile and link for wasm32: `$CLANG`, else `clang-14`, else
/// `clang`; or why there is none. Looked for once per test binary.
pub fn wasm_clang() -> Result<String, String> {
    static CLANG: OnceLock<Result<String, String>> = OnceLock::new();
    CLANG.get_or_init(find_wasm_clang).clone()
}

fn find_wasm_clang() -> Result<String, String> {
    let candidates = match std::env::var("CLANG") {
        Ok(c) if !c.is_empty() => vec![c],
        _ => vec!["clang-14".to_string(), "clang".to_string()],
    };
    let clang = candidates
        .iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
        .ok_or_else(|| format!("no C compiler for wasm32 ({} not found)", candidates.join(", ")))?;
    // clang links wasm32 with wasm-ld (Debian: lld-14): link an empty module to see.
    let probe = std::env::temp_dir().join(format!("plughss-clang-probe-{}.wasm", std::process::id()));
    let linked = Command::new(clang)
        .args(["--target=wasm32", "-nostdlib", "-Wl,--no-entry", "-x", "c", "-", "-o"])
        .arg(&probe)
        .stdin(std::process::Stdio::null())
        .output();
    let _ = std::fs::remove_file(&probe);
    match linked {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            let why = String::from_utf8_lossy(&o.stderr);
            return Err(format!(
                "{clang} cannot link wasm32 (is wasm-ld, Debian package lld-14, installed?): {}",
                why.lines().next().unwrap_or("")
            ));
        }
        Err(e) => return Err(format!("running {clang}: {e}")),
    }
    Ok(clang.clone())
}

/// Turns a core module built against the generated C bindings into a component of the
/// `application` world: the world's type, taken from wit/, is embedded as the
/// `component-type` custom section, then wit-component lifts the module.
pub fn componentize(core: &[u8], wit_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let mut resolve = wit_parser::Resolve::default();
    let (pkg, _) = resolve.push_dir(wit_dir)?;
    let world = resolve.select_world(&[pkg], Some("application"))?;
    let mut module = core.to_vec();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )?;
    wit_component::ComponentEncoder::default().module(&module)?.validate(true).encode()
}

/// Builds plugins/c-echo into target/wasm-fixtures/c-echo.wasm and returns its path.
/// Panics when there is no wasm32 clang (see [`wasm_clang`]) or the build fails.
pub fn c_echo_component() -> PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let clang = wasm_clang().unwrap_or_else(|why| panic!("building plugins/c-echo: {why}"));
        let root = root();
        let out_dir = root.join("target").join("wasm-fixtures");
        std::fs::create_dir_all(&out_dir).unwrap();
        // Per-process names, renamed into place, so test binaries running at once do
        // not read each other's half-written files.
        let pid = std::process::id();
        let core = out_dir.join(format!("c-echo.core.{pid}.wasm"));
        let out = Command::new(&clang)
            .current_dir(root.join("plugins").join("c-echo"))
            .args(C_ECHO_CLANG_ARGS)
            .arg("-o")
            .arg(&core)
            .output()
            .unwrap_or_else(|e| panic!("running {clang}: {e}"));
        assert!(
            out.status.success(),
            "{clang} failed on plugins/c-echo:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let module = std::fs::read(&core).unwrap();
        let _ = std::fs::remove_file(&core);
        let component = componentize(&module, &root.join("wit"))
            .unwrap_or_else(|e| panic!("componentizing plugins/c-echo: {e:#}"));
        let tmp = out_dir.join(format!("c-echo.{pid}.wasm"));
        let path = out_dir.join("c-echo.wasm");
        std::fs::write(&tmp, &component).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        path
    })
    .clone()
}
