//! The monitor's listener against hostile peers on loopback, each a real
//! `plume monitor` process: slow-loris connections closed after the head
//! timeout while `/metrics` answers, the connection limit breached, SIGTERM
//! with stalled clients connected, cross-site and DNS-rebinding requests
//! refused before any run starts, and a probe that hangs up keeping its
//! run slot.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plume::limits::{REQUEST_HEAD_TIMEOUT, SHUTDOWN_GRACE};
use plume_demo_service::faults::{Fault, Faults};

use crate::monitor::{demo_service, demo_suite_args, demo_suite_vars};
use crate::support::harness::{Run, plume_command};
use crate::support::http::get_within;
use crate::support::monitor::Monitor;
use crate::support::server::TestServer;

/// Half a request head: a line and a header, never ended.
const HALF_HEAD: &str = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

/// `host:port` of a monitor.
fn addr(monitor: &Monitor) -> &str {
    monitor.url.trim_start_matches("http://")
}

/// A connection that has sent `bytes` and then nothing more.
fn open(addr: &str, bytes: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect to the monitor");
    stream.write_all(bytes.as_bytes()).expect("send");
    stream
}

/// Reads until the peer closes or `within` passes: what came, and whether it closed.
fn read_to_close(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (String::from_utf8_lossy(&got).into_owned(), false);
        }
        stream.set_read_timeout(Some(left)).expect("read timeout");
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&got).into_owned(), true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (String::from_utf8_lossy(&got).into_owned(), false);
            }
            Err(_) => return (String::from_utf8_lossy(&got).into_owned(), true),
        }
    }
}

/// Sends one whole request (`Connection: close`) with `headers`: status and body.
pub fn raw_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut head = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = open(addr, &head);
    let (answer, closed) = read_to_close(&mut stream, Duration::from_secs(30));
    assert!(closed, "no whole answer to {path}: {answer}");
    status_and_body(&answer)
}

fn status_and_body(answer: &str) -> (u16, String) {
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

/// The demo suite with both its services at `server`: every request a run
/// makes (its preflight first) lands in the server's log.
fn suite_at(server: &TestServer) -> Vec<String> {
    demo_suite_vars(&demo_suite(), &server.url(), &server.url())
}

fn demo_suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml")
}

#[test]
fn slow_loris_connections_are_closed_after_the_head_timeout_and_the_limit_holds() {
    let server = TestServer::start();
    let mut args = suite_at(&server);
    args.extend(["--max-connections", "40"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = addr(&monitor);

    // 30 half heads and one idle keep-alive connection, under the limit.
    let opened = Instant::now();
    let mut stalled: Vec<TcpStream> = (0..30).map(|_| open(addr, HALF_HEAD)).collect();
    let mut idle = open(
        addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n"),
    );
    let (answer, closed) = read_to_close(&mut idle, Duration::from_secs(2));
    assert!(answer.ends_with("ok\n") && !closed, "kept alive: {answer}");
    let (status, body) = raw_get(addr, "/metrics", &[]);
    assert_eq!(
        status, 200,
        "/metrics answers beside 31 stalled connections"
    );
    assert!(body.contains("plume_"), "{body}");

    // 9 more: the limit of 40 is reached; a new client waits in the backlog.
    stalled.extend((0..9).map(|_| open(addr, HALF_HEAD)));
    std::thread::sleep(Duration::from_millis(300));
    let mut waiting = open(
        addr,
        &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let (early, _) = read_to_close(&mut waiting, Duration::from_secs(2));
    assert_eq!(early, "", "past the connection limit nothing is served");

    // The head timeout closes every stalled and idle connection...
    for stream in stalled.iter_mut().chain([&mut idle]) {
        let (answer, closed) = read_to_close(stream, REQUEST_HEAD_TIMEOUT * 2);
        assert!(closed, "a stalled connection stayed open: {answer:?}");
        assert!(
            !answer.starts_with("HTTP/1.1 200"),
            "nothing is served to half a head: {answer}"
        );
    }
    assert!(
        opened.elapsed() >= REQUEST_HEAD_TIMEOUT - Duration::from_millis(500),
        "closed by the head timeout, not before"
    );
    // ...and the waiting client is served once slots are free.
    let (answer, closed) = read_to_close(&mut waiting, Duration::from_secs(10));
    assert!(closed && answer.ends_with("ok\n"), "{answer:?}");
}

#[test]
fn sigterm_with_50_stalled_clients_answers_the_probe_in_flight_and_exits_at_once() {
    // slow-query: the probe's run is still going when SIGTERM comes.
    let service = demo_service(&Faults::new([Fault::SlowQuery]));
    let mut args = demo_suite_args(&service);
    args.extend(["--only", "memories"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = addr(&monitor).to_owned();
    let stalled: Vec<TcpStream> = (0..50).map(|_| open(&addr, HALF_HEAD)).collect();
    let probe = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            raw_get(
                &addr,
                "/probe?suite=demo",
                &[("X-Prometheus-Scrape-Timeout-Seconds", "20")],
            )
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = Instant::now();
    let (code, output) = monitor.stop();
    let took = signalled.elapsed();
    assert_eq!(code, 0, "{output}");
    assert!(output.ends_with("plume monitor: stopped"), "{output}");
    // The stalled clients were not waited for: not the head timeout (10 s),
    // not even the grace (5 s) that answers in flight get.
    assert!(
        took < SHUTDOWN_GRACE,
        "stopped {took:?} after SIGTERM with 50 stalled clients"
    );
    let (status, body) = probe.join().expect("the probe's thread");
    assert_eq!(status, 200, "the probe in flight got its answer: {body}");
    assert!(
        body.contains("plume_run_success{suite=\"demo\",env=\"local\"} 0"),
        "its run was interrupted: {body}"
    );
    drop(stalled);
}

#[test]
fn cross_site_and_rebinding_requests_are_refused_and_start_no_run() {
    let server = TestServer::start();
    let monitor = Monitor::start(&suite_at(&server), &[]);
    let addr = addr(&monitor);
    let scrape = ("X-Prometheus-Scrape-Timeout-Seconds", "3");
    let rebound = format!("evil.example:{}", addr.rsplit(':').next().unwrap_or("0"));
    // One header each: (name, value, status, what the line says).
    let refused = [
        (
            "Origin",
            "http://evil.example",
            403,
            "Origin: http://evil.example",
        ),
        (
            "Sec-Fetch-Site",
            "cross-site",
            403,
            "Sec-Fetch-Site: cross-site",
        ),
        (
            "Sec-Fetch-Site",
            "same-site",
            403,
            "Sec-Fetch-Site: same-site",
        ),
        (
            "Origin",
            "http://127.0.0.1:1",
            403,
            "Origin: http://127.0.0.1:1",
        ),
        (
            "Host",
            rebound.as_str(),
            421,
            "is not a name of this monitor",
        ),
    ];
    for path in [
        "/probe?suite=demo",
        "/runs/last?suite=demo",
        "/metrics",
        "/nowhere",
    ] {
        for (name, value, code, says) in refused {
            let headers = [(name, value), scrape];
            let (status, body) = raw_get(addr, path, &headers);
            assert_eq!(status, code, "{path} {headers:?}: {body}");
            assert_eq!(body.lines().count(), 1, "one line: {body}");
            assert!(body.contains(says), "{body}");
        }
    }
    // A simple GET (an <img> of a browser without Fetch Metadata) cannot
    // carry the scrape header: no run.
    let (status, body) = raw_get(addr, "/probe?suite=demo", &[]);
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("X-Prometheus-Scrape-Timeout-Seconds"),
        "{body}"
    );
    let (status, body) = raw_get(
        addr,
        "/probe?suite=demo",
        &[("X-Prometheus-Scrape-Timeout-Seconds", "soon")],
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("\"soon\" is not a number of seconds"),
        "{body}"
    );
    assert_eq!(
        server.log(),
        Vec::<String>::new(),
        "no run reached the service"
    );

    // The same probe from Prometheus's side (or the monitor's own page) runs.
    let mut seen = 0;
    for headers in [
        vec![scrape],
        vec![scrape, ("Sec-Fetch-Site", "same-origin")],
    ] {
        let (status, body) = raw_get(addr, "/probe?suite=demo", &headers);
        assert_eq!(status, 200, "{body}");
        let now = server.log().len();
        assert!(now > seen, "the probe ran: {:?}", server.log());
        seen = now;
    }
}

#[test]
fn allow_remote_names_the_hosts_the_monitor_answers_to() {
    let server = TestServer::start();
    let mut args = suite_at(&server);
    args.extend(["--allow-remote=Monitor.Internal", "--allow-remote"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = addr(&monitor);
    let port = addr.rsplit(':').next().unwrap_or("0");
    for host in ["monitor.internal", "10.1.2.3", "localhost", "[::1]"] {
        let (status, body) = raw_get(addr, "/healthz", &[("Host", &format!("{host}:{port}"))]);
        assert_eq!((status, body.as_str()), (200, "ok\n"), "{host}");
    }
    let (status, body) = raw_get(
        addr,
        "/healthz",
        &[("Host", "monitor.internal.evil.example")],
    );
    assert_eq!(status, 421, "{body}");
    assert!(
        body.contains("monitor.internal"),
        "names what it answers to: {body}"
    );

    let mut cmd = plume_command();
    cmd.arg("monitor")
        .args(suite_at(&server))
        .arg("--allow-remote=http://monitor.internal:9464");
    let r = Run::from_output(cmd.output().expect("run plume"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is not a host name"), "{}", r.stderr);
}

#[test]
fn a_probe_that_hangs_up_keeps_its_run_slot_until_the_run_ends() {
    // slow-query: the memory query hangs, so a probe's run takes its budget.
    let service = demo_service(&Faults::new([Fault::SlowQuery]));
    let dir = tempfile::tempdir().expect("temp dir");
    let second = dir.path().join("demo2.toml");
    let text = std::fs::read_to_string(demo_suite()).expect("demo suite");
    std::fs::write(
        &second,
        text.replacen("name = \"demo\"", "name = \"demo2\"", 1),
    )
    .expect("second suite");
    let mut args = demo_suite_args(&service);
    args.insert(1, second.display().to_string());
    args.extend(["--only", "memories", "--max-concurrent-runs", "1"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = addr(&monitor);

    let hung_up = open(
        addr,
        &format!(
            "GET /probe?suite=demo HTTP/1.1\r\nHost: {addr}\r\nX-Prometheus-Scrape-Timeout-Seconds: 8\r\n\r\n"
        ),
    );
    std::thread::sleep(Duration::from_millis(1000));
    drop(hung_up);
    std::thread::sleep(Duration::from_millis(300));
    let scrape = [("X-Prometheus-Scrape-Timeout-Seconds", "3")];
    let (status, body) = get_within(
        &format!("{}/probe?suite=demo2", monitor.url),
        &scrape,
        Duration::from_secs(5),
    )
    .expect("an answer");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("all 1 run slots are busy"), "{body}");

    // The first run ends (its last run is kept), and the slot is free again.
    let start = Instant::now();
    loop {
        let (status, _) = raw_get(addr, "/runs/last?suite=demo", &[]);
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the first run never ended"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, body) = get_within(
        &format!("{}/probe?suite=demo2", monitor.url),
        &scrape,
        Duration::from_secs(5),
    )
    .expect("an answer");
    assert_eq!(status, 200, "{body}");
}
