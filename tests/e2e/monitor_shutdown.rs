//! `plume monitor` told to stop while clients hold connections: stalled
//! ones are not waited for, an answer in flight is given the shutdown grace
//! and no more, and runs in flight still walk their cleanups first.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use plume::limits::SHUTDOWN_GRACE;
use plume_demo_service::faults::{Fault, Faults};

use crate::monitor::{demo_service, demo_suite_args};
use crate::support::harness::suite;
use crate::support::monitor::Monitor;
use crate::support::raw::{HALF_HEAD, open, raw_get, read_to_close};
use crate::support::server::TestServer;

#[test]
fn sigterm_with_50_stalled_clients_answers_the_probe_in_flight_and_exits_at_once() {
    // slow-query: the probe's run is still going when SIGTERM comes.
    let service = demo_service(&Faults::new([Fault::SlowQuery]));
    let mut args = demo_suite_args(&service);
    args.extend(["--only", "memories"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let addr = monitor.addr().to_owned();
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
fn an_answer_still_in_flight_past_the_grace_is_dropped_and_the_run_walks_its_cleanups() {
    // The hog's `hang` group: a cleanup whose server never answers holds
    // the probe's run (and so its answer) for the probe's cleanup share.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let hang = format!("http://{}", black_hole.local_addr().expect("address"));
    let server = TestServer::start();
    let suite = suite(
        &format!(
            r#"
name = "hang"
cleanup-budget = "20s"
[plugins.hog]
path = "@hog@"
allow-hosts = ["@url@", "{hang}"]
groups = ["hang"]
config = {{ base_url = "@url@", hang_url = "{hang}" }}
"#
        ),
        &server.url(),
    );
    let monitor = Monitor::start(&[suite.path.display().to_string()], &[]);
    let addr = monitor.addr().to_owned();
    let mut probe = open(
        &addr,
        &format!(
            "GET /probe?suite=hang HTTP/1.1\r\nHost: {addr}\r\nX-Prometheus-Scrape-Timeout-Seconds: 30\r\n\r\n"
        ),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let stopping = monitor.signal_stop();
    let signalled = Instant::now();
    let (answer, closed) = read_to_close(&mut probe, Duration::from_secs(30));
    let dropped_after = signalled.elapsed();
    assert!(
        closed && answer.is_empty(),
        "no answer, a close: {answer:?}"
    );
    assert!(
        dropped_after >= SHUTDOWN_GRACE - Duration::from_millis(300),
        "the answer in flight had the grace: dropped after {dropped_after:?}"
    );
    let (code, output) = stopping.wait();
    assert_eq!(code, 0, "{output}");
    let run = output
        .lines()
        .find(|l| l.starts_with("hang (-): "))
        .unwrap_or_else(|| panic!("the run ended after the stop:\n{output}"));
    assert!(run.contains("cleanups: "), "{run}");
    assert!(
        signalled.elapsed() > dropped_after,
        "the monitor exited after the run, not with the connection"
    );
    drop(black_hole);
}
