//! README.md, run. Every fenced code block of the README is recognised by one rule below
//! and then run or checked; a block (or a shell command) that no rule recognises fails
//! `every_block_is_recognised`, so a README edit cannot add an unchecked example.
//!
//! - ```toml configurations: parsed and validated as `plughss serve` does, then started
//!   (on 127.0.0.1 ephemeral ports, paths in a temporary directory) until health answers.
//! - The plugin crate (```toml `[package]` and ```rust): written to a crate outside the
//!   checkout, built with the README's own command, loaded by the README's configuration
//!   and asked a real Diameter request over TCP.
//! - ```sh: each command is run (`plughss`, `curl` against a live server started here),
//!   or, where running it is out of place in a test (a release build, the whole suite,
//!   benchmarks), checked: the script or cargo target it names exists.
//! - ```text: the `plughss bench` synopsis, every flag in `plughss bench <kind> --help`.
//! - The untagged directory tree: every path it names exists.
//!
//! Every server started here listens on 127.0.0.1 and an ephemeral port, and is stopped
//! when dropped; every wait has a timeout.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::in_ci;
use plughss::config::Config;
use plughss::diameter::client::{Client, ClientOptions};
use plughss::diameter::router::Application;
use plughss_plugin_api::diameter::{Message, MessageBuilder, result_code as rc};
use plughss_plugin_api::dictionary::{VENDOR_3GPP, app as apps, base, cmd};

// ---------------------------------------------------------------------------------------
// The README's blocks and the rules that recognise them.

struct Block {
    /// The fence's language tag; empty when it has none.
    lang: String,
    /// Line of the opening fence (1-based).
    line: usize,
    text: String,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf()
}

fn readme_blocks() -> Vec<Block> {
    let md = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    blocks(&md)
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, l) in md.lines().enumerate() {
        let n = i + 1;
        let t = l.trim_start();
        assert!(!t.starts_with("~~~"), "README line {n}: use ``` fences, which this test reads");
        match open.as_mut() {
            None => {
                if let Some(rest) = t.strip_prefix("```") {
                    open = Some(Block { lang: rest.trim().to_string(), line: n, text: String::new() });
                }
            }
            Some(b) => {
                if t.starts_with("```") {
                    assert_eq!(t.trim(), "```", "README line {n}: a closing fence carries nothing else");
                    out.push(open.take().unwrap());
                } else {
                    b.text.push_str(l);
                    b.text.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "README: the fence opened at line {} is never closed", open.unwrap().line);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A PlugHSS configuration (```toml without `[package]`).
    Config,
    /// The plugin crate's Cargo.toml.
    PluginManifest,
    /// The plugin's src/lib.rs.
    PluginSource,
    /// Shell commands, each recognised by [`classify_command`].
    Shell,
    /// The `plughss bench` synopsis.
    BenchSynopsis,
    /// The directory tree.
    Tree,
}

fn classify(b: &Block) -> Result<Kind, String> {
    match b.lang.as_str() {
        "toml" => {
            let t: toml::Table = b.text.parse().map_err(|e| format!("not TOML: {e}"))?;
            if t.contains_key("package") {
                let dep = t
                    .get("dependencies")
                    .and_then(|d| d.get("plughss-plugin-api"))
                    .ok_or("a [package] that does not depend on plughss-plugin-api")?;
                dep.get("path").ok_or("plughss-plugin-api without a path")?;
                Ok(Kind::PluginManifest)
            } else {
                Ok(Kind::Config)
            }
        }
        "rust" if b.text.contains("register_app!") => Ok(Kind::PluginSource),
        "sh" => {
            for c in shell_commands(b) {
                classify_command(&c).map_err(|e| format!("line {}: {e}", c.line))?;
            }
            Ok(Kind::Shell)
        }
        "text" if b.text.starts_with("plughss bench ") => Ok(Kind::BenchSynopsis),
        "" if b
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.split_whitespace().next().is_some_and(|w| w.ends_with('/'))) =>
        {
            Ok(Kind::Tree)
        }
        _ => Err("no rule of tests/readme.rs recognises this block".into()),
    }
}

fn blocks_of(kind: Kind) -> Vec<Block> {
    readme_blocks().into_iter().filter(|b| classify(b) == Ok(kind)).collect()
}

fn the_block(kind: Kind) -> Block {
    let mut v = blocks_of(kind);
    assert_eq!(v.len(), 1, "README: exactly one {kind:?} block");
    v.pop().unwrap()
}

/// One shell command: its words after quote removal, and its comment.
#[derive(Debug)]
struct ShellCmd {
    line: usize,
    words: Vec<String>,
    comment: String,
}

/// Splits a ```sh block into commands as a POSIX shell would for the plain syntax the
/// README uses: words, '…' and "…" quotes (which may span lines), `\` line continuations
/// and # comments. Anything a shell would expand or redirect is refused, so a command is
/// never run differently from what the reader's shell would run.
fn shell_commands(b: &Block) -> Vec<ShellCmd> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut comment = String::new();
    let mut line = b.line + 1;
    let mut start = line;
    let mut chars = b.text.chars().peekable();
    let refuse = |c: char, line: usize| -> ! {
        panic!("README line {line}: shell syntax {c:?} that tests/readme.rs does not interpret")
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\n' => {
                words.extend(word.take());
                if !words.is_empty() {
                    let comment = std::mem::take(&mut comment).trim().to_string();
                    out.push(ShellCmd { line: start, words: std::mem::take(&mut words), comment });
                }
                comment.clear();
                line += 1;
            }
            '\\' => match chars.next() {
                Some('\n') => {
                    words.extend(word.take());
                    line += 1;
                }
                Some(x) => word.get_or_insert_default().push(x),
                None => refuse(c, line),
            },
            '#' if word.is_none() => {
                while let Some(&n) = chars.peek() {
                    if n == '\n' {
                        break;
                    }
                    comment.push(n);
                    chars.next();
                }
                comment.push(' ');
            }
            '\'' | '"' => {
                if words.is_empty() && word.is_none() {
                    start = line;
                }
                let w = word.get_or_insert_default();
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('$' | '`' | '\\') if c == '"' => refuse(c, line),
                        Some(x) => {
                            line += usize::from(x == '\n');
                            w.push(x);
                        }
                        None => panic!("README line {line}: unclosed quote"),
                    }
                }
            }
            '|' | '&' | ';' | '<' | '>' | '$' | '`' | '(' | ')' | '*' | '?' | '[' | ']' | '{' | '}' | '~' => {
                refuse(c, line)
            }
            x => {
                if words.is_empty() && word.is_none() {
                    start = line;
                }
                word.get_or_insert_default().push(x);
            }
        }
    }
    words.extend(word.take());
    if !words.is_empty() {
        out.push(ShellCmd { line: start, words, comment: comment.trim().to_string() });
    }
    out
}

#[derive(Debug, PartialEq)]
enum ShellRule {
    /// `cargo run --release -- serve`: the README's first command.
    CargoRunServe,
    /// `scripts/X.sh`.
    Script,
    /// `plughss serve ...`.
    Serve,
    /// `plughss subscriber|vectors|plugin ...`: a client of the running server, or local.
    Cli,
    /// `curl ...` against the REST API.
    Curl,
    /// `cargo bench -p P --bench X ...`.
    CargoBench,
    /// `cargo build --release -p P`.
    CargoBuildPackage,
    /// `cargo build --target wasm32-wasip2 --release`: the plugin build.
    CargoBuildWasm,
}

fn classify_command(c: &ShellCmd) -> Result<ShellRule, String> {
    let w: Vec<&str> = c.words.iter().map(String::as_str).collect();
    Ok(match w.as_slice() {
        ["cargo", "run", "--release", "--", "serve"] => ShellRule::CargoRunServe,
        ["cargo", "build", "--target", "wasm32-wasip2", "--release"] => ShellRule::CargoBuildWasm,
        ["cargo", "build", "--release", "-p", _] => ShellRule::CargoBuildPackage,
        ["cargo", "bench", "-p", _, rest @ ..] if bench_targets(rest).is_some() => ShellRule::CargoBench,
        [s] if s.starts_with("scripts/") && s.ends_with(".sh") => ShellRule::Script,
        ["plughss", "serve", ..] => ShellRule::Serve,
        ["plughss", "subscriber" | "vectors" | "plugin", ..] => ShellRule::Cli,
        ["curl", ..] => ShellRule::Curl,
        _ => return Err(format!("no rule of tests/readme.rs recognises the command {w:?}")),
    })
}

/// The `--bench X` names of a `cargo bench` command line; None if anything else precedes
/// the `--` that starts criterion's own arguments.
fn bench_targets(rest: &[&str]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match *a {
            "--bench" => names.push(it.next()?.to_string()),
            "--" => break,
            _ => return None,
        }
    }
    (!names.is_empty()).then_some(names)
}

#[test]
fn every_block_is_recognised() {
    let blocks = readme_blocks();
    assert!(blocks.len() >= 10, "README has {} code blocks; did the fence parser break?", blocks.len());
    let mut problems = Vec::new();
    for b in &blocks {
        if let Err(e) = classify(b) {
            problems.push(format!("README line {} (```{}): {e}", b.line, b.lang));
        }
    }
    assert!(problems.is_empty(), "unchecked README blocks:\n{}", problems.join("\n"));
    the_block(Kind::PluginManifest);
    the_block(Kind::PluginSource);
    the_block(Kind::Tree);
    assert_eq!(wasm_build_commands().len(), 1, "README: exactly one plugin build command");
}

fn wasm_build_commands() -> Vec<ShellCmd> {
    blocks_of(Kind::Shell)
        .iter()
        .flat_map(shell_commands)
        .filter(|c| classify_command(c) == Ok(ShellRule::CargoBuildWasm))
        .collect()
}

#[test]
fn no_shipped_store_is_called_planned() {
    let md = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for (i, l) in md.lines().enumerate() {
        let lower = l.to_lowercase();
        if lower.contains("planned") {
            assert!(
                !lower.contains("csv") && !lower.contains("mongo") && !lower.contains("sled"),
                "README line {}: the CSV, MongoDB and sled stores are done: {l}",
                i + 1
            );
        }
    }
    let intro = md.split("\n## ").next().unwrap();
    for store in ["sled", "CSV", "MongoDB"] {
        assert!(intro.contains(store), "the README's introduction names the {store} store");
    }
}

// ---------------------------------------------------------------------------------------
// Processes: every one bounded in time, every server stopped when dropped.

fn plughss() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plughss"));
    c.env_remove("PLUGHSS_API_TOKEN")
        .env_remove("PLUGHSS_API")
        .env_remove("PLUGHSS_CONFIG")
        .env("NO_COLOR", "1");
    c
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS").env_remove("CARGO_TARGET_DIR");
    c
}

/// Runs `cmd` to completion, killing it after `limit`.
fn run(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

fn show(o: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A `plughss serve` process, its log collected; SIGTERM (then SIGKILL) when dropped.
struct Server {
    child: Option<Child>,
    log: Arc<Mutex<String>>,
    api: SocketAddr,
    diameter: Vec<SocketAddr>,
}

impl Server {
    /// Starts `cmd` (a `plughss serve` command for `what`) and waits up to 60 s for its API.
    fn start(what: &str, mut cmd: Command) -> Server {
        cmd.env("RUST_LOG", "info").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let api = line.contains("REST API listening");
                {
                    let mut l = sink.lock().unwrap_or_else(|p| p.into_inner());
                    l.push_str(&line);
                    l.push('\n');
                }
                if api {
                    let _ = tx.send(line);
                }
            }
        });
        let mut s =
            Server { child: Some(child), log, api: SocketAddr::from(([127, 0, 0, 1], 0)), diameter: vec![] };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => s.api = addr_after(&line, "addr="),
            Err(_) => panic!("{what}: {cmd:?} did not start its API within 60 s; it said:\n{}", s.log()),
        }
        s.diameter = s
            .log()
            .lines()
            .filter(|l| l.contains("Diameter listening"))
            .map(|l| addr_after(l, "addr="))
            .collect();
        for a in s.diameter.iter().chain([&s.api]) {
            assert!(
                a.ip().is_loopback() && a.port() != 0,
                "listening on {a}: only 127.0.0.1 ephemeral ports"
            );
        }
        s
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.api)
    }

    /// GET /api/v1/health until it answers 200 (up to 30 s): the body.
    async fn healthy(&self) -> serde_json::Value {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let t = Instant::now();
        loop {
            let last = match http.get(self.url("/api/v1/health")).send().await {
                Ok(r) if r.status() == 200 => return r.json().await.expect("health is JSON"),
                Ok(r) => format!("{}: {}", r.status(), r.text().await.unwrap_or_default()),
                Err(e) => e.to_string(),
            };
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "health never answered 200: {last}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM; the exit status (SIGKILL and a panic after 15 s).
    fn stop(mut self) -> ExitStatus {
        let log = self.log();
        self.terminate()
            .unwrap_or_else(|| panic!("plughss serve did not exit within 15 s of SIGTERM:\n{log}"))
    }

    fn terminate(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(s)) = child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- plughss serve log ---\n{}", self.log());
        }
        self.terminate();
    }
}

fn addr_after(line: &str, key: &str) -> SocketAddr {
    let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
    line[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("an address after {key} in {line}"))
}

// ---------------------------------------------------------------------------------------
// The plugin example and the configurations.

/// The README's plugin, built as its reader builds it.
struct BuiltPlugin {
    name: String,
    wasm: PathBuf,
    sha256: String,
}

/// Writes the README's Cargo.toml and src/lib.rs into a crate outside the checkout (as
/// the README says: inside, cargo takes it for part of the PlugHSS workspace), with only
/// the `path` of plughss-plugin-api pointed at this checkout's `plugin-api`; pins the
/// dependencies' versions with the workspace's Cargo.lock; and runs the README's build
/// command, with a persistent target directory so that reruns are incremental.
fn build_readme_plugin() -> BuiltPlugin {
    let manifest = the_block(Kind::PluginManifest);
    let source = the_block(Kind::PluginSource);
    let build = wasm_build_commands().pop().expect("the README's plugin build command");
    let root = repo_root();

    let table: toml::Table = manifest.text.parse().unwrap();
    let name = table["package"]["name"].as_str().expect("package.name").to_string();
    let dep_path = table["dependencies"]["plughss-plugin-api"]["path"].as_str().expect("a path").to_string();
    // `../<checkout>/plugin-api`: the crate beside the checkout, not inside it.
    let parts: Vec<&str> = dep_path.split('/').collect();
    assert!(
        matches!(parts.as_slice(), ["..", dir, "plugin-api"] if !dir.is_empty() && *dir != ".."),
        "README line {}: the dependency is the plugin-api of a checkout beside the crate: {dep_path}",
        manifest.line
    );
    let from = format!("path = \"{dep_path}\"");
    assert_eq!(manifest.text.matches(&from).count(), 1, "one `{from}` in the README's Cargo.toml");
    let api = root.join("plugin-api");
    let cargo_toml = manifest.text.replace(&from, &format!("path = {:?}", api.display().to_string()));

    let dir = tempfile::Builder::new().prefix("readme-plugin-").tempdir().expect("a directory for the crate");
    assert!(!dir.path().starts_with(&root), "the crate is outside the checkout: {}", dir.path().display());
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), cargo_toml).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), &source.text).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();

    // The README's command word for word; only the target directory is added.
    let target = root.join("target").join("readme-plugin");
    let out = run(
        cargo().current_dir(dir.path()).args(&build.words[1..]).arg("--target-dir").arg(&target),
        Duration::from_secs(1200),
    );
    assert!(out.status.success(), "README line {}: {:?} failed: {}", build.line, build.words, show(&out));

    // Where the README's comment says the component is, under the target directory.
    let rel = build
        .comment
        .split_whitespace()
        .find(|w| w.ends_with(".wasm"))
        .unwrap_or_else(|| panic!("README line {}: the comment names the .wasm", build.line));
    let rel = rel.strip_prefix("target/").expect("the .wasm is under target/");
    assert_eq!(
        Path::new(rel).file_name().unwrap().to_str(),
        Some(format!("{}.wasm", name.replace('-', "_")).as_str())
    );
    let wasm = target.join(rel);
    let bytes = std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    BuiltPlugin { name, wasm, sha256 }
}

/// Every string value of a TOML tree.
fn strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The configuration `text` made runnable in a test: both listen addresses 127.0.0.1
/// with port 0, `data_dir` in `dir`, the README plugin's entry pointing at its build
/// (and pinned to it), a MongoDB store at the test's nx-27017. Refuses what it cannot
/// make local.
fn runnable(
    text: &str,
    dir: &Path,
    plugin: &BuiltPlugin,
    mongo: Option<&common::mongo::Mongo>,
) -> toml::Table {
    let mut t: toml::Table = text.parse().unwrap();
    t.insert("data_dir".into(), dir.join("data").display().to_string().into());
    let d = t.entry("diameter").or_insert(toml::Table::new().into()).as_table_mut().unwrap();
    d.insert("listen".into(), toml::Value::Array(vec!["127.0.0.1:0".into()]));
    if let Some(peers) = d.get_mut("peer").and_then(|p| p.as_array_mut()) {
        for p in peers {
            // A peer with `connect` is dialled. A test talks to no address but the
            // 127.0.0.1 servers it starts, so the dial goes; the peer stays listed (it
            // is the allow-list of `accept_only_known`).
            p.as_table_mut().unwrap().remove("connect");
        }
    }
    let a = t.entry("api").or_insert(toml::Table::new().into()).as_table_mut().unwrap();
    a.insert("listen".into(), "127.0.0.1:0".into());
    if let Some(store) = t.get_mut("store").and_then(|s| s.as_table_mut()) {
        assert!(!store.contains_key("plugin"), "a store library the test does not have");
        if store.get("backend").and_then(|b| b.as_str()) == Some("mongodb") {
            let m = mongo.expect("a MongoDB server for a mongodb store");
            store.insert("uri".into(), m.uri().into());
        }
    }
    if let Some(plugins) = t.get_mut("plugin").and_then(|p| p.as_array_mut()) {
        for p in plugins {
            let p = p.as_table_mut().unwrap();
            if !p.contains_key("path") {
                continue;
            }
            assert_eq!(
                p["name"].as_str(),
                Some(plugin.name.as_str()),
                "a plugin file the test does not have"
            );
            p.insert("path".into(), plugin.wasm.display().to_string().into());
            if p.contains_key("sha256") {
                p.insert("sha256".into(), plugin.sha256.clone().into());
            }
        }
    }
    let mut all = Vec::new();
    strings(&toml::Value::Table(t.clone()), &mut all);
    for s in all {
        if let Ok(a) = s.parse::<SocketAddr>() {
            assert!(a.ip().is_loopback() && a.port() == 0, "{a} left in a test configuration");
        }
        if let Some(rest) = s.strip_prefix("mongodb://") {
            assert!(rest.starts_with("127.0.0.1:"), "{s} left in a test configuration");
        }
    }
    t
}

/// An Sh User-Data-Request from `(host, realm)` to `dest_realm`.
fn udr(session: &str, host: &str, realm: &str, dest_realm: &str) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut b = MessageBuilder::request(&mut buf, cmd::USER_DATA, apps::SH, 0, 0);
    b.str(&base::SESSION_ID, session)
        .grouped(&base::VENDOR_SPECIFIC_APPLICATION_ID, |g| {
            g.u32(&base::VENDOR_ID, VENDOR_3GPP).u32(&base::AUTH_APPLICATION_ID, apps::SH);
        })
        .u32(&base::AUTH_SESSION_STATE, 1)
        .origin(host, realm)
        .str(&base::DESTINATION_REALM, dest_realm)
        .str(&base::USER_NAME, "001010000000001");
    b.finish();
    buf
}

/// Each configuration block parses and validates as `plughss serve` reads it, then
/// serves: the typical file with the README's plugin loaded from the README's own build,
/// answering an Sh UDR over TCP; the MongoDB store against nx-27017.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configurations_start_and_the_plugin_example_answers() {
    let configs = blocks_of(Kind::Config);
    assert!(!configs.is_empty());
    for b in &configs {
        if let Err(e) = Config::parse(&b.text) {
            panic!("README line {}: the configuration does not parse: {e}", b.line);
        }
    }
    let plugin = build_readme_plugin();
    let mut served_the_plugin = false;
    for b in &configs {
        let mongodb = b.text.contains("\"mongodb\"");
        let mongo = if mongodb {
            // Starting needs a MongoDB server: nx-27017, as the store's own tests use.
            if !common::mongo::available("README MongoDB store") {
                continue;
            }
            Some(common::mongo::Mongo::start())
        } else {
            None
        };
        let dir = tempfile::tempdir().unwrap();
        let t = runnable(&b.text, dir.path(), &plugin, mongo.as_ref());
        let text = toml::to_string(&t).unwrap();
        let cfg = Config::parse(&text)
            .unwrap_or_else(|e| panic!("README line {}: made local: {e}\n{text}", b.line));
        let file = dir.path().join("plughss.toml");
        std::fs::write(&file, &text).unwrap();
        let mut serve = plughss();
        serve.arg("serve").arg("--config").arg(&file);
        let node = Server::start(&format!("README line {}", b.line), serve);
        let health = node.healthy().await;
        assert_eq!(health["status"], "ok", "README line {}: {health}", b.line);
        assert_eq!(health["origin_host"], cfg.diameter.origin_host.0.as_str());
        if mongodb {
            assert_eq!(health["store"], "ok", "README line {}: {health}", b.line);
        }

        if cfg.plugin.iter().any(|p| p.name == plugin.name && p.enabled) {
            let ids: Vec<u64> =
                health["applications"].as_array().unwrap().iter().filter_map(|a| a.as_u64()).collect();
            assert!(ids.contains(&u64::from(apps::SH)) && ids.contains(&u64::from(apps::S6A)), "{health}");
            let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let v: serde_json::Value =
                http.get(node.url("/api/v1/plugins")).send().await.unwrap().json().await.unwrap();
            let p = v["plugins"].as_array().unwrap().iter().find(|p| p["name"] == plugin.name.as_str());
            let p = p.unwrap_or_else(|| panic!("{} loaded: {v}", plugin.name));
            assert_eq!(p["sha256"], plugin.sha256.as_str(), "{p}");

            // A peer of the file (accept_only_known refuses others) asks the plugin.
            let (host, realm) = cfg
                .diameter
                .peer
                .first()
                .map(|p| (p.host.0.clone(), p.realm.0.clone()))
                .unwrap_or_else(|| ("mme.readme.test".into(), "readme.test".into()));
            let sh = Application { id: apps::SH, vendor_id: VENDOR_3GPP };
            let client = tokio::time::timeout(
                Duration::from_secs(10),
                Client::connect(node.diameter[0], ClientOptions::new(&host, &realm, vec![sh])),
            )
            .await
            .expect("CER/CEA within 10 s")
            .expect("the node accepts the README's peer");
            let a = client
                .request_within(
                    udr("readme;udr", &host, &realm, &cfg.diameter.origin_realm.0),
                    Duration::from_secs(10),
                )
                .await
                .expect("an answer to the UDR");
            let m = Message::parse(&a).unwrap();
            assert_eq!(m.result(), Some((0, rc::DIAMETER_SUCCESS)));
            assert_eq!(m.session_id(), Some("readme;udr"));
            assert_eq!(m.origin_host(), Some(cfg.diameter.origin_host.0.as_str()));
            assert_eq!(m.origin_realm(), Some(cfg.diameter.origin_realm.0.as_str()));
            let _ = tokio::time::timeout(Duration::from_secs(10), client.disconnect()).await;
            served_the_plugin = true;
        }
        let status = node.stop();
        assert!(status.success(), "README line {}: exit status {status:?}", b.line);
    }
    assert!(served_the_plugin, "a README configuration loads the README's plugin {}", plugin.name);
}

// ---------------------------------------------------------------------------------------
// Shell commands.

const TS_35_208_K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
const TS_35_208_OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";
const TS_35_208_RAND: &str = "23553cbe9637a89d218ae64dae47bf35";

/// The value after `--flag` in `words`.
fn flag<'a>(words: &'a [String], name: &str) -> Option<&'a str> {
    words.iter().position(|w| w == name).and_then(|i| words.get(i + 1)).map(String::as_str)
}

/// The address the README's curl and CLI examples use: the default API address.
fn readme_api() -> String {
    format!("http://{}", Config::default().api.listen)
}

struct Shell {
    /// The working directory of the README's commands.
    cwd: tempfile::TempDir,
    /// A server as the README's first command starts it, for the client commands.
    live: Server,
    /// IMSIs the commands so far created.
    created: BTreeSet<String>,
    metadata: Option<serde_json::Value>,
}

impl Shell {
    fn metadata(&mut self) -> &serde_json::Value {
        self.metadata.get_or_insert_with(|| {
            let out = run(
                cargo().current_dir(repo_root()).args(["metadata", "--format-version", "1", "--no-deps"]),
                Duration::from_secs(120),
            );
            assert!(out.status.success(), "cargo metadata: {}", show(&out));
            serde_json::from_slice(&out.stdout).unwrap()
        })
    }

    fn package(&mut self, name: &str) -> serde_json::Value {
        let m = self.metadata();
        let p = m["packages"].as_array().unwrap().iter().find(|p| p["name"] == name);
        p.unwrap_or_else(|| panic!("no package {name} in the workspace")).clone()
    }

    async fn run(&mut self, c: &ShellCmd) {
        let at = format!("README line {}", c.line);
        match classify_command(c).unwrap() {
            ShellRule::CargoRunServe => self.cargo_run_serve(c, &at).await,
            ShellRule::Script => self.script(c, &at),
            ShellRule::Serve => self.serve(c, &at).await,
            ShellRule::Cli => self.cli(c, &at).await,
            ShellRule::Curl => self.curl(c, &at),
            // Benchmarks take minutes: too slow for the suite. Checked: the package
            // has every bench target named.
            ShellRule::CargoBench => {
                let p = c.words[3].clone();
                let pkg = self.package(&p);
                let rest: Vec<&str> = c.words[4..].iter().map(String::as_str).collect();
                for b in bench_targets(&rest).unwrap() {
                    let found = pkg["targets"].as_array().unwrap().iter().any(|t| {
                        t["name"] == b.as_str() && t["kind"].as_array().unwrap().iter().any(|k| k == "bench")
                    });
                    assert!(found, "{at}: package {p} has no bench target {b}");
                }
            }
            // A release build of a package takes minutes; the test build has built it
            // already (the MongoDB store is a dev-dependency). Checked: the package
            // exists and builds a shared library, as the README says.
            ShellRule::CargoBuildPackage => {
                let pkg = self.package(&c.words[4]);
                let cdylib = pkg["targets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["crate_types"].as_array().unwrap().iter().any(|k| k == "cdylib"));
                assert!(cdylib, "{at}: {} builds a shared library", c.words[4]);
            }
            // Run, word for word, by `configurations_start_and_the_plugin_example_answers`.
            ShellRule::CargoBuildWasm => {}
        }
    }

    /// A release build of the whole host is far too slow for the suite. Checked instead:
    /// `cargo run` in this workspace runs `plughss` (its only binary); `plughss serve`
    /// with no configuration serves, S6a included; and the defaults are the addresses
    /// the comment promises (read from the configuration, not bound: a test listens on
    /// ephemeral ports only).
    async fn cargo_run_serve(&mut self, c: &ShellCmd, at: &str) {
        let m = self.metadata().clone();
        let bins: Vec<&str> = m["packages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["targets"].as_array().unwrap())
            .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(bins, ["plughss"], "{at}: `cargo run` runs the workspace's only binary");

        let words: Vec<&str> = c.comment.split_whitespace().collect();
        let addr_before = |label: &str| -> SocketAddr {
            let i = words
                .iter()
                .position(|w| *w == label)
                .unwrap_or_else(|| panic!("{at}: {label} in the comment"));
            words[i - 1].parse().unwrap_or_else(|_| panic!("{at}: an address before {label}"))
        };
        let d = Config::default();
        assert_eq!(d.diameter.listen, vec![addr_before("(Diameter)")], "{at}");
        assert_eq!(d.api.listen, addr_before("(API)"), "{at}");

        let data = tempfile::tempdir().unwrap();
        let mut serve = plughss();
        serve
            .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path());
        let node = Server::start(at, serve);
        let health = node.healthy().await;
        if c.comment.contains("S6a") {
            assert!(health["applications"].as_array().unwrap().contains(&apps::S6A.into()), "{at}: {health}");
        }
        let status = node.stop();
        assert!(status.success(), "{at}: exit status {status:?}");
    }

    /// Scripts run the whole suite or minutes of benchmarks: checked, not run. They
    /// exist and are executable, and CI runs exactly scripts/test.sh.
    fn script(&mut self, c: &ShellCmd, at: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = repo_root().join(&c.words[0]);
        let meta = std::fs::metadata(&p).unwrap_or_else(|e| panic!("{at}: {}: {e}", p.display()));
        assert!(meta.permissions().mode() & 0o111 != 0, "{at}: {} is executable", p.display());
        if c.words[0] == "scripts/test.sh" {
            let ci = std::fs::read_to_string(repo_root().join(".ci/run")).expect(".ci/run");
            let commands: Vec<&str> = ci
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty() && !l.starts_with('#') && !l.starts_with("set ") && !l.starts_with("cd ")
                })
                .collect();
            assert!(
                commands == ["scripts/test.sh"] || commands == ["exec scripts/test.sh"],
                "{at}: .ci/run runs exactly scripts/test.sh: {commands:?}"
            );
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains("install-test-deps.sh") && text.contains("cargo test --workspace"), "{at}");
        }
    }

    /// `plughss serve` with the README's flags: every address the same host with port 0
    /// (and loopback: a test listens nowhere else), the data directory a temporary one,
    /// a relative configuration file the checkout's. Serves, and stops on SIGTERM.
    async fn serve(&mut self, c: &ShellCmd, at: &str) {
        let data = tempfile::tempdir().unwrap();
        let mut args = Vec::new();
        let mut prev = "";
        for w in &c.words[1..] {
            let arg = if let Ok(mut a) = w.parse::<SocketAddr>() {
                assert!(a.ip().is_loopback(), "{at}: {a} is not loopback; a test listens on 127.0.0.1 only");
                a.set_port(0);
                a.to_string()
            } else if prev == "--data-dir" {
                data.path().display().to_string()
            } else if prev == "--config" && Path::new(w).is_relative() {
                repo_root().join(w).display().to_string()
            } else {
                w.clone()
            };
            args.push(arg);
            prev = w;
        }
        let mut serve = plughss();
        serve.args(&args).current_dir(self.cwd.path());
        let node = Server::start(at, serve);
        node.healthy().await;
        let status = node.stop();
        assert!(status.success(), "{at}: exit status {status:?}");
    }

    /// A `plughss` client command against the live server (PLUGHSS_API), in the working
    /// directory; exit 0 and the output it should have.
    async fn cli(&mut self, c: &ShellCmd, at: &str) {
        let w = &c.words;
        if w[1] == "subscriber" && w.get(2).is_some_and(|s| s == "import") {
            self.write_csv(c, at);
        }
        let out = run(
            plughss()
                .args(&w[1..])
                .env("PLUGHSS_API", format!("http://{}", self.live.api))
                .current_dir(self.cwd.path()),
            Duration::from_secs(60),
        );
        assert!(out.status.success(), "{at}: {w:?}: {}", show(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        match (w[1].as_str(), w.get(2).map_or("", String::as_str)) {
            ("subscriber", "add") => {
                let imsi = flag(w, "--imsi").unwrap();
                assert!(stdout.contains(imsi), "{at}: {stdout}");
                self.created.insert(imsi.to_string());
            }
            ("subscriber", "list") => {
                for imsi in &self.created {
                    assert!(stdout.contains(imsi.as_str()), "{at}: {imsi} listed: {stdout}");
                }
            }
            ("subscriber", "import") => {
                assert!(stdout.contains("imported 1 "), "{at}: {stdout}");
                let imsi = "001010000000003";
                let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                let r = http.get(self.live.url(&format!("/api/v1/subscribers/{imsi}"))).send().await.unwrap();
                assert_eq!(r.status(), 200, "{at}: the imported subscriber is there");
                self.created.insert(imsi.into());
            }
            ("vectors", _) => self.check_vectors(w, &stdout, at),
            _ => {}
        }
    }

    /// The CSV file `subscriber import` reads, with the header the comment names (for
    /// `opc|op`, the first).
    fn write_csv(&self, c: &ShellCmd, at: &str) {
        let header = c
            .comment
            .split("header:")
            .nth(1)
            .unwrap_or_else(|| panic!("{at}: the comment names the CSV header"))
            .split_whitespace()
            .next()
            .unwrap();
        let columns: Vec<&str> = header.split(',').map(|c| c.split('|').next().unwrap()).collect();
        let values: Vec<&str> = columns
            .iter()
            .map(|c| match *c {
                "imsi" => "001010000000003",
                "k" => TS_35_208_K,
                "opc" => TS_35_208_OPC,
                "amf" => "8000",
                "sqn" => "0",
                "msisdn" => "491721234569",
                "apn" => "internet",
                other => panic!("{at}: a CSV column the test has no value for: {other}"),
            })
            .collect();
        let file = self.cwd.path().join(&c.words[3]);
        std::fs::write(file, format!("{}\n{}\n", columns.join(","), values.join(","))).unwrap();
    }

    /// `plughss vectors` with TS 35.208 test set 1: f2..f5 as the specification gives
    /// them; a resynchronisation's SQN_MS is the one the AUTS carries (recomputed here
    /// with the independent `milenage` crate).
    fn check_vectors(&self, w: &[String], stdout: &str, at: &str) {
        assert_eq!(flag(w, "--k"), Some(TS_35_208_K), "{at}: the README says it uses test set 1");
        assert_eq!(flag(w, "--opc"), Some(TS_35_208_OPC), "{at}");
        assert_eq!(flag(w, "--rand"), Some(TS_35_208_RAND), "{at}");
        let value = |name: &str| -> String {
            let l = stdout.lines().find(|l| l.split_whitespace().next() == Some(name));
            l.unwrap_or_else(|| panic!("{at}: {name} in {stdout}"))
                .split_whitespace()
                .nth(1)
                .unwrap()
                .to_string()
        };
        if w.iter().any(|a| a == "--resync") {
            let sqn_ms = u64::from_str_radix(&value("SQN_MS"), 16).unwrap();
            let rand: [u8; 16] = hex::decode(TS_35_208_RAND).unwrap().try_into().unwrap();
            let auts = hex::encode(&common::s6a_requests::resync_info(rand, sqn_ms)[16..]);
            assert_eq!(flag(w, "--auts"), Some(auts.as_str()), "{at}: a real AUTS for SQN_MS {sqn_ms:012x}");
        } else {
            assert_eq!(value("RAND"), TS_35_208_RAND, "{at}");
            assert_eq!(value("XRES"), "a54211d5e3ba50bf", "{at}");
            assert_eq!(value("CK"), "b40ba9a3c58b2a05bbf0d987b21bf8cb", "{at}");
            assert_eq!(value("IK"), "f769bcd751044604127672711c6d3441", "{at}");
            assert_eq!(value("AK"), "aa689c648370", "{at}");
        }
    }

    /// curl as written, the README's API address replaced by the live server's; the
    /// status must be 2xx.
    fn curl(&mut self, c: &ShellCmd, at: &str) {
        if Command::new("curl").arg("--version").stdout(Stdio::null()).status().is_err() {
            assert!(!in_ci(), "{at}: curl is not installed");
            eprintln!("SKIPPED {at}: curl is not installed");
            return;
        }
        let readme_api = readme_api();
        let live = format!("http://{}", self.live.api);
        let mut args = Vec::new();
        for w in &c.words[1..] {
            if w.starts_with("http://") || w.starts_with("https://") {
                assert!(w.starts_with(&readme_api), "{at}: {w} is not the README's API address {readme_api}");
                args.push(w.replacen(&readme_api, &live, 1));
            } else {
                args.push(w.clone());
            }
        }
        let body = self.cwd.path().join("curl-body");
        let out = run(
            Command::new("curl")
                .args(&args)
                .args(["-sS", "--max-time", "30", "-w", "%{http_code}", "-o"])
                .arg(&body)
                .current_dir(self.cwd.path()),
            Duration::from_secs(60),
        );
        let code = String::from_utf8_lossy(&out.stdout).to_string();
        let answer = std::fs::read_to_string(&body).unwrap_or_default();
        assert!(out.status.success() && code.starts_with('2'), "{at}: HTTP {code}: {answer}\n{}", show(&out));
        if let Some(imsi) = flag(&c.words, "-d")
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .and_then(|v| v["imsi"].as_str().map(String::from))
        {
            self.created.insert(imsi);
        }
    }
}

/// Every ```sh command, in README order, against a server started as the README's
/// first command starts it (the client commands need one running).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_commands_run() {
    let cwd = tempfile::tempdir().unwrap();
    let mut serve = plughss();
    serve
        .args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--data-dir"])
        .arg(cwd.path().join("live-data"));
    let live = Server::start("the server for the client commands", serve);
    live.healthy().await;
    let mut sh = Shell { cwd, live, created: BTreeSet::new(), metadata: None };
    let mut n = 0;
    for b in blocks_of(Kind::Shell) {
        for c in shell_commands(&b) {
            sh.run(&c).await;
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} shell commands found");
    assert!(sh.created.len() >= 3, "the provisioning examples created {:?}", sh.created);
    let status = sh.live.stop();
    assert!(status.success(), "the live server's exit status {status:?}");
}

// ---------------------------------------------------------------------------------------
// The bench synopsis and the directory tree.

/// The synopsis is no command: each kind it names runs `--help`, and every flag it names
/// is in that help.
#[test]
fn bench_synopsis_names_real_flags() {
    for b in blocks_of(Kind::BenchSynopsis) {
        let words: Vec<&str> = b.text.split_whitespace().collect();
        assert_eq!(&words[..2], ["plughss", "bench"], "README line {}", b.line);
        let flags: Vec<&str> = words
            .iter()
            .map(|w| w.trim_matches(|c| c == '[' || c == ']'))
            .filter(|w| w.starts_with("--"))
            .collect();
        assert!(flags.len() >= 5, "README line {}: {flags:?}", b.line);
        for kind in words[2].split('|') {
            let out = run(plughss().args(["bench", kind, "--help"]), Duration::from_secs(30));
            assert!(out.status.success(), "README line {}: bench {kind}: {}", b.line, show(&out));
            let help = String::from_utf8_lossy(&out.stdout);
            for f in &flags {
                let named = help.match_indices(f).any(|(i, _)| {
                    !help[i + f.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
                });
                assert!(named, "README line {}: `plughss bench {kind} --help` has no {f}", b.line);
            }
        }
    }
}

/// Every directory the tree names exists (descriptions' `x/` relative to their entry);
/// a "crate `name`" is that directory's package, a "package p" its WIT package.
#[test]
fn directory_tree_paths_exist() {
    let b = the_block(Kind::Tree);
    let root = repo_root();
    let mut stack: Vec<(usize, PathBuf)> = Vec::new();
    for (i, l) in b.text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let at = format!("README line {}", b.line + 1 + i);
        let indent = l.len() - l.trim_start().len();
        let (name, desc) = l.trim_start().split_once(char::is_whitespace).unwrap_or((l.trim(), ""));
        while stack.last().is_some_and(|(d, _)| *d >= indent) {
            stack.pop();
        }
        let path = stack.last().map_or(root.clone(), |(_, p)| p.clone()).join(name);
        assert!(path.is_dir(), "{at}: {} is not a directory", path.display());
        for w in desc.split_whitespace() {
            let w = w.trim_matches(|c: char| "()`,.;:".contains(c));
            if w.len() > 1 && w.ends_with('/') {
                assert!(path.join(w).is_dir(), "{at}: {} is not a directory", path.join(w).display());
            }
        }
        if let Some(rest) = desc.trim().strip_prefix("crate `") {
            let krate = rest.split('`').next().unwrap();
            let manifest = std::fs::read_to_string(path.join("Cargo.toml")).unwrap();
            assert!(
                manifest.contains(&format!("name = \"{krate}\"")),
                "{at}: {} is crate {krate}",
                path.display()
            );
        }
        if let Some((_, rest)) = desc.split_once("package ") {
            let pkg = rest.split_whitespace().next().unwrap();
            let declared = std::fs::read_dir(&path).unwrap().filter_map(Result::ok).any(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(&format!("package {pkg};")))
            });
            assert!(declared, "{at}: a .wit file in {} declares package {pkg}", path.display());
        }
        stack.push((indent, path));
    }
}
