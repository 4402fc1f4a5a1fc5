//! `plughss serve` as operators run it: the real binary with a configuration file, on
//! 127.0.0.1 ephemeral ports (`--diameter-listen`/`--api-listen` override the file),
//! its log collected, stopped with SIGTERM when dropped.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

pub struct Served {
    child: Option<Child>,
    pub api: SocketAddr,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

/// The binary, without the caller's API token or address in its environment.
pub fn plughss_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plughss"));
    c.env_remove("PLUGHSS_API_TOKEN").env_remove("PLUGHSS_API").env("NO_COLOR", "1");
    c
}

/// `serve` with `config` (TOML text) written to a file in a fresh directory that also
/// holds the data directory.
fn serve_command(config: &str) -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a directory for the server");
    let file = dir.path().join("plughss.toml");
    std::fs::write(&file, config).expect("writing the configuration");
    let mut c = plughss_command();
    c.args(["serve", "--diameter-listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--config"])
        .arg(&file)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("RUST_LOG", "info");
    (c, dir)
}

impl Served {
    /// Starts the server and waits (up to 60 s) until its API listens.
    pub fn start(config: &str) -> Served {
        Self::start_with(config, |_| {})
    }

    /// Like [`start`](Self::start), with a chance to change the command (environment).
    pub fn start_with(config: &str, adjust: impl FnOnce(&mut Command)) -> Served {
        let (mut cmd, dir) = serve_command(config);
        adjust(&mut cmd);
        let mut child = cmd.stdin(Stdio::null()).stderr(Stdio::piped()).spawn().expect("plughss serve runs");
        let stderr = child.stderr.take().expect("stderr piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        // Reads the whole log, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("REST API listening") {
                    let _ = tx.send(line.clone());
                }
                let mut l = sink.lock().unwrap_or_else(|p| p.into_inner());
                l.push_str(&line);
                l.push('\n');
            }
        });
        let mut served =
            Served { child: Some(child), api: SocketAddr::from(([127, 0, 0, 1], 0)), log, _dir: dir };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => served.api = addr_after(&line, "addr="),
            Err(_) => panic!("plughss serve did not start its API; it said:\n{}", served.log()),
        }
        served
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `host:port` of the API, as a `Host` header spells it.
    pub fn host(&self) -> String {
        self.api.to_string()
    }

    /// Stops the server with SIGTERM and waits up to 15 s for it to exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate().expect("plughss serve exits after SIGTERM")
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
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

impl Drop for Served {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- plughss serve log ---\n{}", self.log());
        }
        self.terminate();
    }
}

/// Runs `serve` with `config`, expecting it to stop during start-up: its exit code and
/// stderr. Killed after 30 s if it starts after all.
pub fn serve_refused(config: &str, adjust: impl FnOnce(&mut Command)) -> (Option<i32>, String) {
    let (mut cmd, _dir) = serve_command(config);
    adjust(&mut cmd);
    let mut child = cmd.stdin(Stdio::null()).stderr(Stdio::piped()).spawn().expect("plughss serve runs");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let t = Instant::now();
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("plughss serve started although it should have refused:\n{}", reader.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().unwrap_or_default())
}

fn addr_after(line: &str, key: &str) -> SocketAddr {
    let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
    line[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("an address after {key} in {line}"))
}
