//! A real MongoDB wire-protocol server for tests: `nx-27017` (PyPI; MongoDB's protocol on
//! SQLite) on 127.0.0.1 and a free ephemeral port, with its own data directory, killed
//! when dropped; and `tests/interop/open5gs_db.py`, which writes and reads documents
//! with pymongo, an independent MongoDB client.
//!
//! Known limits of nx-27017 (FIELD-NOTES): it keeps documents as JSON in SQLite, so a
//! stored number's BSON type is not kept: a whole number that fits 32 bits reads back as
//! Int32 whatever type was written, a larger one as Int64, a Double as Double. Type
//! checks on what PlugHSS writes therefore use values above 2^31.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::in_ci;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/open5gs_db.py");

/// A running nx-27017. Dropping it kills the server.
pub struct Mongo {
    child: Option<Child>,
    pub addr: SocketAddr,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

/// Whether nx-27017 and pymongo are installed. Under CI a missing one fails the test;
/// elsewhere the test is skipped with the reason printed.
pub fn available(test: &str) -> bool {
    let nx = Command::new("nx-27017").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status();
    let py = Command::new(python()).args(["-c", "import pymongo, bson"]).output();
    let missing = match (nx, py) {
        (Ok(s), Ok(p)) if s.success() && p.status.success() => return true,
        (Ok(s), _) if !s.success() => "nx-27017 does not run".to_owned(),
        (Err(e), _) => format!("nx-27017 is not installed ({e})"),
        (_, Ok(p)) => format!("pymongo is missing: {}", String::from_utf8_lossy(&p.stderr).trim()),
        (_, Err(e)) => format!("python3 does not run: {e}"),
    };
    let why = format!("{test}: {missing}; run scripts/install-test-deps.sh");
    assert!(!in_ci(), "{why}");
    eprintln!("SKIPPED {why}");
    false
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

impl Mongo {
    /// Starts a server with a fresh data directory.
    pub fn start() -> Mongo {
        let tmp = tempfile::tempdir().expect("a data directory for nx-27017");
        let dir = tmp.path().to_path_buf();
        for _ in 0..5 {
            let port = free_port();
            let mut m = Mongo {
                child: None,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                dir: dir.clone(),
                _tmp: None,
            };
            if m.launch() {
                m._tmp = Some(tmp);
                return m;
            }
        }
        panic!("nx-27017 did not start on any of 5 free ports; see {}/nx.log", dir.display());
    }

    /// `mongodb://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        format!("mongodb://{}", self.addr)
    }

    /// Kills the server (as a crash would: SIGKILL) and waits for it to be gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port and data directory.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.launch() {
            assert!(Instant::now() < deadline, "nx-27017 did not come back on {}", self.addr);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Starts nx-27017 and waits until it accepts connections; false if it exited (port
    /// taken meanwhile) or never listened.
    fn launch(&mut self) -> bool {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("nx.log"))
            .expect("nx-27017 log file");
        let mut child = Command::new("nx-27017")
            .args(["--host", "127.0.0.1", "--port", &self.addr.port().to_string(), "--data-dir"])
            .arg(self.dir.join("data"))
            .arg("--log-file")
            .arg(self.dir.join("nx-internal.log"))
            .arg("--pid-file")
            .arg(self.dir.join("nx.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("spawning nx-27017");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Runs `open5gs_db.py <command> <uri> <database> <args..>` and returns its JSON.
    pub fn py(&self, database: &str, command: &str, args: &[&str]) -> Value {
        py(&self.uri(), database, command, args)
    }

    /// The data directory (holds nx.log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Mongo {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs the pymongo helper script against `uri` and returns what it printed (JSON).
pub fn py(uri: &str, database: &str, command: &str, args: &[&str]) -> Value {
    let out = Command::new(python())
        .arg(SCRIPT)
        .args([command, uri, database])
        .args(args)
        .output()
        .expect("running open5gs_db.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "open5gs_db.py {command} {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("open5gs_db.py {command}: {e}: {stdout}"))
}

/// A port the OS had free a moment ago.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}
