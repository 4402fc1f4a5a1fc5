//! Live capture on lo with tshark, shared by the tests that let Wireshark's dissector
//! judge our bytes.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub fn tshark_present() -> Result<(), String> {
    match std::process::Command::new("tshark").arg("--version").output() {
        Err(e) => Err(format!("cannot run tshark: {e} (see scripts/install-test-deps.sh)")),
        Ok(o) if !o.status.success() => {
            Err(format!("tshark --version failed: {}", String::from_utf8_lossy(&o.stderr)))
        }
        Ok(_) => Ok(()),
    }
}

/// A running `tshark -i lo` writing a pcapng file.
pub struct Capture {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Capture {
    /// Starts capturing on lo and returns once a packet is known to be captured.
    ///
    /// tshark prints "Capturing on 'Loopback: lo'" before dumpcap's capture is live:
    /// a session sent right after it can be missed entirely. So, once it says so, we
    /// also send UDP probes to a port of ours that the capture filter includes, until
    /// tshark prints one (`-l -P`: packets are printed live while written to the file).
    pub async fn start(port: u16, file: &Path) -> Result<Capture, String> {
        let probe_rx = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let probe_port = probe_rx.local_addr().unwrap().port();
        let filter = format!("tcp port {port} or udp port {probe_port}");
        let mut child = Command::new("tshark")
            .args(["-n", "-l", "-P", "-i", "lo", "-f", &filter, "-T", "fields", "-e", "udp.dstport", "-w"])
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run tshark: {e}"))?;
        let stderr = Arc::new(Mutex::new(String::new()));
        let (cap_tx, cap_rx) = tokio::sync::oneshot::channel();
        let mut err_lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = stderr.clone();
        tokio::spawn(async move {
            let mut tx = Some(cap_tx);
            while let Ok(Some(l)) = err_lines.next_line().await {
                let capturing = l.contains("Capturing on");
                log.lock().unwrap().push_str(&(l + "\n"));
                if capturing {
                    tx.take().map(|t| t.send(()));
                }
            }
        });
        let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
        let mut out_lines = BufReader::new(child.stdout.take().unwrap()).lines();
        tokio::spawn(async move {
            let mut tx = Some(seen_tx);
            // Drained to the end so that tshark never blocks on a full pipe.
            while let Ok(Some(l)) = out_lines.next_line().await {
                if l.trim() == probe_port.to_string() {
                    tx.take().map(|t| t.send(()));
                }
            }
        });
        let err = |what: &str| format!("{what}: {}", stderr.lock().unwrap().trim());
        match tokio::time::timeout(Duration::from_secs(15), cap_rx).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => {
                let status = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                return Err(err(&format!("tshark cannot capture on lo (exit {status:?})")));
            }
            Err(_) => return Err(err("tshark did not start capturing within 15 s")),
        }
        let probe_tx = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let probing = async {
            loop {
                probe_tx.send_to(b"capture probe", ("127.0.0.1", probe_port)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            r = seen_rx => r.map_err(|_| err("tshark ended before it saw a probe"))?,
            _ = probing => unreachable!(),
            _ = tokio::time::sleep(Duration::from_secs(15)) => {
                return Err(err("tshark did not see a probe within 15 s of capturing"));
            }
        }
        Ok(Capture { child, stderr })
    }

    /// Lets the last packets reach the file, then stops tshark with SIGINT.
    pub async fn stop(mut self) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let pid = self.child.id().expect("tshark still running").to_string();
        let st = std::process::Command::new("kill").args(["-INT", &pid]).status().expect("run kill");
        assert!(st.success(), "kill -INT {pid}: {st}");
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(Ok(s)) => assert!(s.success(), "tshark exit {s}: {}", self.stderr.lock().unwrap()),
            Ok(Err(e)) => panic!("waiting for tshark: {e}"),
            Err(_) => {
                let _ = self.child.kill().await;
                panic!("tshark did not stop within 10 s of SIGINT: {}", self.stderr.lock().unwrap());
            }
        }
    }
}

/// Runs tshark on the capture, decoding our port as Diameter; returns stdout.
pub async fn read_capture(file: &Path, port: u16, extra: &[&str]) -> String {
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        Command::new("tshark")
            .args(["-n", "-r"])
            .arg(file)
            .args(["-d", &format!("tcp.port=={port},diameter")])
            .args(extra)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("tshark -r finishes within 30 s")
    .expect("run tshark -r");
    assert!(out.status.success(), "tshark -r {extra:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 from tshark")
}
