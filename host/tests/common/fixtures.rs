//! The fixture plugins, built for wasm32-wasip2 on demand.

/// Builds the test plugins under plugins/fixtures for wasm32-wasip2 (once per test
/// binary; cargo makes repeated builds no-ops) and returns the component's path.
pub fn fixture(name: &str) -> std::path::PathBuf {
    use std::sync::OnceLock;
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
        let target = root.join("target").join("wasm-fixtures");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = std::process::Command::new(cargo);
        cmd.current_dir(&root)
            .args(["build", "--quiet", "--profile", "plugin", "--target", "wasm32-wasip2", "--target-dir"])
            .arg(&target)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR");
        for f in ["echo", "echo-v2", "spin", "hog", "crash", "sneaky", "hostile", "bare"] {
            cmd.args(["-p", &format!("plughss-fixture-{f}")]);
        }
        let st = cmd.status().expect("running cargo to build the fixture plugins");
        assert!(st.success(), "building the fixture plugins failed");
        target.join("wasm32-wasip2").join("plugin")
    });
    let p = dir.join(format!("plughss_fixture_{}.wasm", name.replace('-', "_")));
    assert!(p.exists(), "{} was not built", p.display());
    p
}
