//! The REST API against what a web page or a slow client can do to it, on the real
//! `plughss serve` over real TCP. Requests are written byte for byte (a browser's
//! headers, a rebinding page's `Host`, a client that never finishes its headers), so
//! nothing a client library adds or normalises hides a gap.
//!
//! - cross-site and rebinding requests are refused (403, 415) and write nothing;
//! - the server's own origin, listed hosts and origins, and plain CLI-style requests
//!   still work;
//! - a connection that does not complete its headers is closed after
//!   `header_read_timeout`, a body that does not arrive within `body_read_timeout` is
//!   answered 408, and connections beyond `max_connections` wait for a slot;
//! - a short API token stops start-up naming its line;
//! - health answers 503 while the MongoDB store is down, 200 again once it is back.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::mongo::{self, Mongo};
use common::serve::{Served, serve_refused};
use serde_json::{Value, json};

const K: &str = "465b5ce8b199b49faa5f0a2ee238a6bc";
const OPC: &str = "cd63cb71954a9f4e48a5994e37a02baf";
const IMSI: &str = "001010000000077";

/// A response as read off the socket.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Value,
}

/// Sends `method path` with exactly `headers` (plus `Connection: close` and the body's
/// length) and reads the whole response.
fn send(api: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("Connection: close\r\n\r\n");
    req.push_str(body.unwrap_or(""));
    let mut s = TcpStream::connect(api).expect("connect to the API");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("a response, then close");
    parse_reply(&raw).unwrap_or_else(|| panic!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw)))
}

fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = if body.is_empty() { Value::Null } else { serde_json::from_str(body).ok()? };
    Some(Reply { status, head: head.to_ascii_lowercase(), body })
}

fn doc(imsi: &str) -> String {
    json!({ "imsi": imsi, "security": { "k": K, "opc": OPC } }).to_string()
}

/// The reason of a refusal, which every 4xx carries as JSON.
fn reason(r: &Reply) -> &str {
    r.body["error"].as_str().unwrap_or_else(|| panic!("a JSON reason in {r:?}"))
}

fn subscriber_status(s: &Served, imsi: &str) -> u16 {
    send(s.api, "GET", &format!("/api/v1/subscribers/{imsi}"), &[("Host", &s.host())], None).status
}

#[test]
fn cross_site_and_rebinding_requests_are_refused_and_write_nothing() {
    let s = Served::start(
        "[api]\nallowed_hosts = [\"hss.test.example\"]\nallowed_origins = [\"https://ops.test.example\"]\n",
    );
    let own = s.host();
    let host = ("Host", own.as_str());
    let json_type = ("Content-Type", "application/json");
    let body = doc(IMSI);

    // What was seen: a page on evil.example, re-pointed at 127.0.0.1, POSTs text/plain.
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers",
        &[
            ("Host", "rebind.evil.example:8080"),
            ("Origin", "http://rebind.evil.example:8080"),
            ("Content-Type", "text/plain"),
        ],
        Some(&body),
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert!(reason(&r).contains("rebind.evil.example") && reason(&r).contains("allowed_hosts"), "{r:?}");
    // Each check on its own: a text/plain body to the right Host, a cross-origin JSON
    // request, a request the browser marks cross-site, a form-encoded import.
    let r = send(s.api, "POST", "/api/v1/subscribers", &[host, ("Content-Type", "text/plain")], Some(&body));
    assert_eq!(r.status, 415, "{r:?}");
    assert!(reason(&r).contains("application/json"), "{r:?}");
    let r = send(s.api, "POST", "/api/v1/subscribers", &[host], Some(&body));
    assert_eq!(r.status, 415, "a body without a type: {r:?}");
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers",
        &[host, json_type, ("Origin", "http://evil.example")],
        Some(&body),
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert!(reason(&r).contains("http://evil.example"), "{r:?}");
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers",
        &[host, json_type, ("Sec-Fetch-Site", "cross-site")],
        Some(&body),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let form = format!("imsi={IMSI}&k={K}&opc={OPC}");
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers/import",
        &[host, ("Content-Type", "application/x-www-form-urlencoded")],
        Some(&form),
    );
    assert_eq!(r.status, 415, "{r:?}");
    assert_eq!(subscriber_status(&s, IMSI), 404, "nothing was written");

    // Every route, the unknown ones, health and body-less POSTs included.
    for (method, path) in [
        ("GET", "/api/v1/health"),
        ("GET", "/api/v1/peers"),
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/plugins/reload"),
    ] {
        let r = send(s.api, method, path, &[("Host", "rebind.evil.example")], None);
        assert_eq!(r.status, 403, "{method} {path} with a foreign Host: {r:?}");
        let r = send(s.api, method, path, &[host, ("Origin", "http://localhost:1")], None);
        assert_eq!(r.status, 403, "{method} {path} from another origin: {r:?}");
    }
    let r = send(s.api, "POST", "/api/v1/plugins/reload", &[host], None);
    assert_eq!(r.status, 200, "a body-less POST needs no Content-Type: {r:?}");
    let r = send(s.api, "GET", "/api/v1/health", &[host], None);
    assert_eq!((r.status, &r.body["status"]), (200, &json!("ok")), "monitoring as before: {r:?}");

    // The API's own origin, by each loopback name and by the listen address.
    let port = s.api.port();
    let localhost = format!("localhost:{port}");
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers",
        &[
            ("Host", &localhost),
            ("Origin", &format!("http://localhost:{port}")),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        Some(&body),
    );
    assert_eq!(r.status, 201, "{r:?}");
    for h in
        [format!("[::1]:{port}"), own.clone(), "hss.test.example:443".to_string(), "HSS.test.example".into()]
    {
        let r = send(s.api, "GET", &format!("/api/v1/subscribers/{IMSI}"), &[("Host", &h)], None);
        assert_eq!(r.status, 200, "Host {h}: {r:?}");
    }
    let r = send(s.api, "GET", "/api/v1/health", &[("Host", "hss.test.example.evil.example")], None);
    assert_eq!(r.status, 403, "{r:?}");

    // PATCH: RFC 7396's type from a listed origin; anything else is 415 with
    // Accept-Patch (RFC 5789 3.1), and changes nothing.
    let patch = json!({ "msisdn": ["819012345678"] }).to_string();
    let path = format!("/api/v1/subscribers/{IMSI}");
    let from_ops = ("Origin", "https://ops.test.example");
    let r = send(s.api, "PATCH", &path, &[host, from_ops, ("Content-Type", "text/plain")], Some(&patch));
    assert_eq!(r.status, 415, "{r:?}");
    assert!(r.head.contains("accept-patch: application/json, application/merge-patch+json"), "{}", r.head);
    let r = send(s.api, "GET", &path, &[host], None);
    assert_eq!(r.body["msisdn"], json!([]), "unchanged: {r:?}");
    let r = send(
        s.api,
        "PATCH",
        &path,
        &[host, from_ops, ("Content-Type", "application/merge-patch+json")],
        Some(&patch),
    );
    assert_eq!((r.status, &r.body["msisdn"]), (200, &json!(["819012345678"])), "{r:?}");
    let r = send(s.api, "PUT", &path, &[host, ("Origin", "https://ops.test.example:8443")], Some("{}"));
    assert_eq!(r.status, 403, "another port is another origin: {r:?}");
    assert!(s.log().contains("API request refused"), "refusals are logged");
    assert!(s.stop().success());
}

/// The CLI is a client the guard must let through: reqwest sends the URL's host and
/// application/json.
#[test]
fn the_cli_still_provisions() {
    let s = Served::start("");
    for base in [format!("http://{}", s.api), format!("http://localhost:{}", s.api.port())] {
        let out = common::serve::plughss_command()
            .args(["subscriber", "add", "--imsi", IMSI, "--k", K, "--opc", OPC, "--api", &base])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = common::serve::plughss_command()
            .args(["subscriber", "delete", IMSI, "--api", &base])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let out = common::serve::plughss_command()
        .args(["plugin", "reload", "--api"])
        .arg(format!("http://{}", s.api))
        .output()
        .unwrap();
    assert!(out.status.success(), "a body-less POST: {}", String::from_utf8_lossy(&out.stderr));
}

/// Reads until the server closes `s`; the time that took, or None if it was still open
/// after `limit`.
fn closed_within(s: &mut TcpStream, limit: Duration, start: Instant) -> Option<Duration> {
    let mut buf = [0u8; 512];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1)))).unwrap();
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                if start.elapsed() >= limit {
                    return None;
                }
            }
            // A reset is a close too.
            Err(_) => return Some(start.elapsed()),
        }
    }
}

#[test]
fn connections_that_do_not_finish_their_headers_are_closed_after_the_timeout() {
    let s = Served::start("[api]\nheader_read_timeout = \"1s\"\n");
    let start = Instant::now();
    // Silent connections, and connections that trickle a header byte every 200 ms and
    // so never go quiet for long (what keeps a per-read timeout from closing them).
    let mut silent: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(s.api).unwrap()).collect();
    let mut slow: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(s.api).unwrap()).collect();
    for c in &mut slow {
        c.write_all(format!("GET /api/v1/health HTTP/1.1\r\nHost: {}\r\n", s.host()).as_bytes()).unwrap();
    }
    let trickle = {
        let mut writers: Vec<TcpStream> = slow.iter().map(|c| c.try_clone().unwrap()).collect();
        std::thread::spawn(move || {
            for _ in 0..25 {
                std::thread::sleep(Duration::from_millis(200));
                for w in &mut writers {
                    let _ = w.write_all(b"X");
                }
            }
        })
    };
    for (i, c) in silent.iter_mut().chain(slow.iter_mut()).enumerate() {
        let took = closed_within(c, Duration::from_secs(6), start);
        let took = took.unwrap_or_else(|| panic!("connection {i} still open after 6 s"));
        assert!(took >= Duration::from_millis(900), "connection {i} closed before the timeout: {took:?}");
    }
    trickle.join().unwrap();
    // A client that sends its request in time is served as before.
    let r = send(s.api, "GET", "/api/v1/health", &[("Host", &s.host())], None);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(s.stop().success());
}

#[test]
fn a_body_that_does_not_arrive_in_time_is_answered_408_and_written_nowhere() {
    let s = Served::start("[api]\nbody_read_timeout = \"1s\"\n");
    let body = doc(IMSI);
    let start = Instant::now();
    // Headers at once, then the body a byte every 100 ms: never quiet for long, so only
    // a deadline on the whole body ends it (it would take about 15 s).
    let mut c = TcpStream::connect(s.api).unwrap();
    let head = format!(
        "POST /api/v1/subscribers HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        s.host(),
        body.len()
    );
    c.write_all(head.as_bytes()).unwrap();
    let mut writer = c.try_clone().unwrap();
    let bytes = body.clone().into_bytes();
    let trickle = std::thread::spawn(move || {
        for b in bytes {
            if writer.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    c.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let took = start.elapsed();
    let r = parse_reply(&raw).unwrap_or_else(|| panic!("no response: {:?}", String::from_utf8_lossy(&raw)));
    assert_eq!(r.status, 408, "{r:?}");
    assert!(reason(&r).contains("api.body_read_timeout"), "{r:?}");
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "answered after {took:?}");
    trickle.join().unwrap();
    assert_eq!(subscriber_status(&s, IMSI), 404, "nothing was written");
    // The same body sent at once is taken.
    let host = s.host();
    let r = send(
        s.api,
        "POST",
        "/api/v1/subscribers",
        &[("Host", &host), ("Content-Type", "application/json")],
        Some(&body),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert!(s.stop().success());
}

/// One keep-alive request on `c`, read to the end of its body (Content-Length).
fn keep_alive_get(c: &mut TcpStream, host: &str) -> u16 {
    c.write_all(format!("GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = c.read(&mut buf).expect("a response");
        assert!(n > 0, "closed before the response ended");
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).to_ascii_lowercase();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .expect("a Content-Length");
            if body.len() >= len {
                return head.split_whitespace().nth(1).unwrap().parse().unwrap();
            }
        }
    }
}

#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let s = Served::start("[api]\nmax_connections = 2\nheader_read_timeout = \"30s\"\n");
    let host = s.host();
    // Two kept-alive connections take both slots.
    let mut a = TcpStream::connect(s.api).unwrap();
    let mut b = TcpStream::connect(s.api).unwrap();
    assert_eq!(keep_alive_get(&mut a, &host), 200);
    assert_eq!(keep_alive_get(&mut b, &host), 200);
    // A third is not served while they stay open...
    let mut c = TcpStream::connect(s.api).expect("queued in the backlog, not refused");
    c.write_all(
        format!("GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .unwrap();
    c.set_read_timeout(Some(Duration::from_millis(800))).unwrap();
    let mut buf = [0u8; 1];
    let early = c.read(&mut buf);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "the third connection was served while two held both slots: {early:?}"
    );
    // ...and is once one of them closes.
    drop(a);
    let t = Instant::now();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut raw = Vec::new();
    c.read_to_end(&mut raw).expect("served once a slot is free");
    let r = parse_reply(&raw).expect("an HTTP response");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3), "served {:?} after the slot freed", t.elapsed());
    assert_eq!(keep_alive_get(&mut b, &host), 200, "the kept connection still works");
    drop(b);
    assert!(s.stop().success());
}

#[test]
fn a_short_api_token_stops_start_up_naming_its_line() {
    let config = "[diameter]\norigin_host = \"hss.test.local\"\n\n[api]\ntoken = \"change-me\"\n";
    let (code, err) = serve_refused(config, |_| {});
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("configuration error") && err.contains("line 5"), "{err}");
    assert!(err.contains("api.token") && err.contains("at least 32"), "{err}");
    // From the environment there is no line to name; the variable is.
    let (code, err) = serve_refused("", |c| {
        c.env("PLUGHSS_API_TOKEN", "0123456789abcdef0123456789abcde");
    });
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("31 characters") && err.contains("PLUGHSS_API_TOKEN"), "{err}");
    assert!(!err.contains("0123456789abcdef"), "the token is not printed: {err}");
    // 32 characters start.
    let token = "0123456789abcdef0123456789abcdef";
    let s = Served::start(&format!("[api]\ntoken = \"{token}\"\n"));
    let host = s.host();
    let r = send(s.api, "GET", "/api/v1/peers", &[("Host", &host)], None);
    assert_eq!(r.status, 401, "{r:?}");
    let auth = format!("Bearer {token}");
    let r = send(s.api, "GET", "/api/v1/peers", &[("Host", &host), ("Authorization", &auth)], None);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(s.stop().success());
}

#[test]
fn health_is_503_while_the_store_is_down() {
    if !mongo::available("health_is_503_while_the_store_is_down") {
        return;
    }
    let mut m = Mongo::start();
    let token = "5f1d0c9b8a7e6d5c4b3a29180f7e6d5c";
    let s = Served::start(&format!(
        "[api]\ntoken = \"{token}\"\n\n[store]\nbackend = \"mongodb\"\nuri = \"{}\"\ndatabase = \"health\"\n\
         server_selection_timeout_ms = 500\noperation_timeout_ms = 1000\n",
        m.uri()
    ));
    let host = s.host();
    let auth = format!("Bearer {token}");
    let health = |with_token: bool| {
        let mut h = vec![("Host", host.as_str())];
        if with_token {
            h.push(("Authorization", auth.as_str()));
        }
        send(s.api, "GET", "/api/v1/health", &h, None)
    };
    // The store may take a moment to answer its first query (nx-27017 on a busy machine).
    let deadline = Instant::now() + Duration::from_secs(15);
    let r = loop {
        let r = health(false);
        if r.status == 200 || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!((r.status, &r.body["status"], &r.body["store"]), (200, &json!("ok"), &json!("ok")), "{r:?}");

    m.kill();
    let t = Instant::now();
    let r = health(false);
    assert!(t.elapsed() < Duration::from_secs(5), "answered within the probe's timeout: {:?}", t.elapsed());
    assert_eq!((r.status, &r.body["status"]), (503, &json!("unavailable")), "{r:?}");
    let public = r.body["store"].as_str().expect("a reason").to_owned();
    assert!(public.starts_with("store "), "a stranger sees the kind only: {public}");
    assert!(!public.contains(&m.addr.port().to_string()), "not the database's address: {public}");
    let r = health(true);
    assert_eq!(r.status, 503, "{r:?}");
    let detail = r.body["store"].as_str().expect("a reason");
    assert!(
        detail.len() > public.len() && detail != public,
        "the operator sees the store's reason: {detail}"
    );

    m.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = health(false);
        if r.status == 200 {
            assert_eq!(r.body["store"], "ok");
            break;
        }
        assert!(Instant::now() < deadline, "health still {r:?} 30 s after the store came back");
        std::thread::sleep(Duration::from_millis(250));
    }
    let log = s.log();
    assert!(log.contains("the store does not answer") && log.contains("the store answers again"), "{log}");
    assert!(s.stop().success());
}
