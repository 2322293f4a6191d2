//! The monitor's listener against hostile peers on loopback, each a real
//! `plume monitor` process: slow-loris connections closed after the head
//! timeout while `/metrics` answers, the connection limit breached, a client
//! that stops reading dropped, cross-site and DNS-rebinding requests refused
//! before any run starts, and a probe that hangs up keeping its run slot.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plume::limits::{REQUEST_HEAD_TIMEOUT, RESPONSE_STALL_TIMEOUT};
use plume_demo_service::faults::{Fault, Faults};

use crate::monitor::{demo_service, demo_suite_args, demo_suite_vars};
use crate::support::harness::{Run, plume_command};
use crate::support::http::get_within;
use crate::support::monitor::Monitor;
use crate::support::raw::{HALF_HEAD, open, raw_get, read_to_close};
use crate::support::server::TestServer;

/// The demo suite with both its services at `server`: every request a run
/// makes (its preflight first) lands in the server's log.
pub fn suite_at(server: &TestServer) -> Vec<String> {
    demo_suite_vars(&demo_suite(), &server.url(), &server.url())
}

fn demo_suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml")
}

#[test]
fn slow_loris_connections_are_closed_after_the_head_timeout_and_the_limit_holds() {
    let server = TestServer::start();
    let mut args = suite_at(&server);
    args.extend(["--max-client-connections", "40"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = monitor.addr();

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
fn a_client_that_stops_reading_is_dropped_after_the_stall_timeout() {
    let server = TestServer::start();
    let monitor = Monitor::start(&suite_at(&server), &[]);
    let addr = monitor.addr().to_owned();
    // A 4 KiB receive window, never read: 20,000 pipelined requests for
    // /metrics, far more answer than the socket buffers hold.
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("small receive buffer");
    let to: std::net::SocketAddr = addr.parse().expect("address");
    socket.connect(&to.into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    const REQUESTS: usize = 20_000;
    let writer = {
        let mut stream = stream.try_clone().expect("clone");
        let request = format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        std::thread::spawn(move || {
            for _ in 0..REQUESTS {
                if stream.write_all(request.as_bytes()).is_err() {
                    return;
                }
            }
        })
    };
    std::thread::sleep(RESPONSE_STALL_TIMEOUT + Duration::from_secs(3));
    // Past the limit the monitor gave up on this client: what is left in the
    // buffers, then the close, not 20,000 answers.
    let (answers, closed) = read_to_close(&mut stream, Duration::from_secs(10));
    let served = answers.matches("HTTP/1.1 200 OK").count();
    assert!(closed, "the stalled client's connection was closed");
    assert!(served < REQUESTS, "{served} answers");
    let _ = writer.join();
    let (status, _) = raw_get(&addr, "/healthz", &[]);
    assert_eq!(status, 200, "the monitor serves on");
}

#[test]
fn cross_site_and_rebinding_requests_are_refused_and_start_no_run() {
    let server = TestServer::start();
    let monitor = Monitor::start(&suite_at(&server), &[]);
    let addr = monitor.addr();
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
    let addr = monitor.addr();
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
    let addr = monitor.addr();

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
