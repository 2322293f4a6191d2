//! `plume monitor` against real servers on loopback: Debian's Prometheus
//! scrapes it while the demo service breaks and recovers at run time, and
//! scrapes `/probe` while a check hangs; and the monitor's bad input.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use plume_demo_service::faults::{Fault, Faults};
use plume_demo_service::{Addresses, Options, start_in_background};

use crate::support::harness::{Run, plume_command};
use crate::support::http::get_within;
use crate::support::monitor::Monitor;
use crate::support::prometheus::{Prometheus, Sample};

pub const ADMIN_PASSWORD: &str = "e2e-admin-password";

/// The demo service with `faults`, which the test may switch while it runs.
pub fn demo_service(faults: &Faults) -> Addresses {
    start_in_background(Options {
        admin_port: 0,
        mcp_port: 0,
        faults: faults.clone(),
        admin_password: ADMIN_PASSWORD.to_owned(),
    })
    .expect("demo service starts")
}

/// The demo suite file and the `--var`s that point it at `addresses`.
pub fn demo_suite_args(addresses: &Addresses) -> Vec<String> {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml");
    demo_suite_vars(&suite, &addresses.admin_url(), &addresses.mcp_url())
}

/// `suite` (the demo suite or a copy) and the `--var`s that point it at its
/// two services.
pub fn demo_suite_vars(suite: &Path, admin_url: &str, mcp_url: &str) -> Vec<String> {
    let plugin_dir = Path::new(plume_test_guests::DEMO).parent().unwrap();
    vec![
        suite.display().to_string(),
        "--var".into(),
        format!("admin_url={admin_url}"),
        "--var".into(),
        format!("mcp_url={mcp_url}"),
        "--var".into(),
        format!("plugin_dir={}", plugin_dir.display()),
    ]
}

/// `group.check` of each sample.
fn names(samples: &[Sample]) -> BTreeSet<String> {
    samples
        .iter()
        .map(|(l, _)| format!("{}.{}", l["group"], l["check"]))
        .collect()
}

/// Polls until `done` holds (at most 90 s), asserting `always` at every poll.
fn watch(what: &str, mut always: impl FnMut() -> Result<bool, String>) {
    let start = Instant::now();
    loop {
        match always() {
            Ok(true) => return,
            Ok(false) => {}
            Err(broken) => panic!("{what}: {broken}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{what}: not seen within 90 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn scrape_job(name: &str, url: &str, extra: &str) -> String {
    let target = url.trim_start_matches("http://");
    format!(
        "  - job_name: {name}\n    scrape_interval: 1s\n    scrape_timeout: 1s\n{extra}    static_configs:\n      - targets: ['{target}']\n"
    )
}

#[test]
fn prometheus_sees_exactly_the_checks_a_fault_breaks_go_to_0_and_back() {
    let faults = Faults::new([]);
    let service = demo_service(&faults);
    let mut args = demo_suite_args(&service);
    args.extend(["--every", "1s", "--jitter", "0s"].map(String::from));
    let monitor = Monitor::start(&args, &[("SMOKE_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    let prometheus = Prometheus::start(&scrape_job("plume", &monitor.url, ""));

    // Healthy: every check that ran passed, and the run did.
    let mut checked = BTreeSet::new();
    watch("a healthy run scraped", || {
        let all = prometheus.query("plume_check_success");
        let runs = prometheus.query("plume_run_success");
        checked = names(&all);
        Ok(all.len() > 40
            && all.iter().all(|(_, v)| *v == 1.0)
            && runs.len() == 1
            && runs[0].1 == 1.0)
    });
    let skipped = names(&prometheus.query("plume_check_skipped == 1"));
    assert!(
        skipped.contains("release.expected.version"),
        "skips are visible as such: {skipped:?}"
    );
    assert!(
        checked.is_disjoint(&skipped),
        "a skip has no success series"
    );

    // Two faults on while it runs: exactly their checks go to 0.
    let broken: BTreeSet<String> = [
        "admin.customer.billing_plan",
        "auth.signin.wrong_password_401",
    ]
    .map(String::from)
    .into();
    faults.set(Fault::MissingBillingPlan, true);
    faults.set(Fault::WrongErrorCode, true);
    let zeros = || names(&prometheus.query("plume_check_success == 0"));
    let only_broken = |seen: BTreeSet<String>| {
        if seen.is_subset(&broken) {
            Ok(seen)
        } else {
            Err(format!("checks no fault breaks went to 0: {seen:?}"))
        }
    };
    watch("the broken checks at 0", || {
        Ok(only_broken(zeros())? == broken)
    });
    assert_eq!(
        names(&prometheus.query("plume_check_success")),
        checked,
        "the same series, only their values changed"
    );
    assert_eq!(prometheus.query("plume_run_success")[0].1, 0.0);

    // Off again: back to 1.
    faults.set(Fault::MissingBillingPlan, false);
    faults.set(Fault::WrongErrorCode, false);
    watch("every check back at 1", || {
        Ok(only_broken(zeros())?.is_empty() && prometheus.query("plume_run_success")[0].1 == 1.0)
    });
    let runs = prometheus.query("plume_runs_total");
    assert!(runs[0].1 >= 3.0, "runs counted: {runs:?}");
    assert!(prometheus.query("plume_runs_failed_total")[0].1 >= 1.0);

    // The last run's events, as --report json writes them.
    let (status, events) = get_within(
        &format!("{}/runs/last?suite=demo", monitor.url),
        &[],
        Duration::from_secs(5),
    )
    .expect("last run");
    assert_eq!(status, 200);
    let events: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event a line"))
        .collect();
    assert_eq!(events[0]["event"], "run_started");
    assert_eq!(events[events.len() - 1]["event"], "run_finished");

    // SIGTERM: the run in flight ends with its cleanups, then the server.
    let (code, output) = monitor.stop();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("plume monitor: stopped"), "{output}");
}

#[test]
fn probe_answers_within_the_scrape_timeout_while_a_check_hangs() {
    // slow-query: the memory query answers after 12 s.
    let service = demo_service(&Faults::new([Fault::SlowQuery]));
    let mut args = demo_suite_args(&service);
    args.extend(["--only", "memories"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let probe = format!("{}/probe?suite=demo", monitor.url);
    let timeout = [("X-Prometheus-Scrape-Timeout-Seconds", "3")];

    // The answer comes within the scraper's 3 s, or the client gives up.
    let (status, body) =
        get_within(&probe, &timeout, Duration::from_secs(3)).expect("an answer within 3 s");
    assert_eq!(status, 200, "{body}");
    let line = body
        .lines()
        .find(|l| l.starts_with("plume_check_success{") && l.contains("query.marker_present"))
        .unwrap_or_else(|| panic!("no series for the hanging check:\n{body}"));
    assert!(line.ends_with(" 0"), "{line}");
    assert!(
        body.lines().any(|l| l.starts_with("plume_check_success{")
            && l.contains("\"store.marker\"")
            && l.ends_with(" 1")),
        "the checks before it passed:\n{body}"
    );
    assert!(
        body.contains("plume_run_success{suite=\"demo\",env=\"local\"} 0"),
        "{body}"
    );

    // A probe while one is in flight does not wait: 503 with the reason.
    let first = {
        let probe = probe.clone();
        std::thread::spawn(move || get_within(&probe, &timeout, Duration::from_secs(5)))
    };
    std::thread::sleep(Duration::from_millis(500));
    let (status, body) = get_within(&probe, &timeout, Duration::from_secs(5)).expect("answer");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("is already running"), "{body}");
    assert_eq!(first.join().unwrap().expect("first probe").0, 200);

    // Prometheus scraping /probe with a 3 s timeout: the scrape succeeds.
    let prometheus = Prometheus::start(&format!(
        "  - job_name: probe\n    scrape_interval: 5s\n    scrape_timeout: 3s\n    metrics_path: /probe\n    params:\n      suite: [demo]\n    static_configs:\n      - targets: ['{}']\n",
        monitor.url.trim_start_matches("http://")
    ));
    watch("a probe scraped", || {
        let up = prometheus.query("up{job=\"probe\"}");
        let hung = prometheus
            .query("plume_check_success{job=\"probe\",check=\"query.marker_present\"} == 0");
        Ok(up.first().is_some_and(|(_, v)| *v == 1.0) && hung.len() == 1)
    });
}

#[test]
fn a_wider_listen_address_needs_allow_remote_and_unknown_suites_are_refused() {
    let faults = Faults::new([]);
    let service = demo_service(&faults);
    let mut cmd = plume_command();
    cmd.arg("monitor")
        .args(demo_suite_args(&service))
        .args(["--listen", "0.0.0.0:0"]);
    let r = Run::from_output(cmd.output().expect("run plume"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("add --allow-remote"), "{}", r.stderr);

    let monitor = Monitor::start(&demo_suite_args(&service), &[]);
    let (status, body) = get_within(
        &format!("{}/probe?suite=shop", monitor.url),
        &[],
        Duration::from_secs(5),
    )
    .expect("answer");
    assert_eq!(status, 404);
    assert!(
        body.contains("no suite \"shop\"") && body.contains("demo (local)"),
        "{body}"
    );
    let (status, body) = get_within(
        &format!("{}/healthz", monitor.url),
        &[],
        Duration::from_secs(5),
    )
    .expect("ok");
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, _) = get_within(
        &format!("{}/runs/last?suite=demo", monitor.url),
        &[],
        Duration::from_secs(5),
    )
    .expect("answer");
    assert_eq!(status, 404, "no run yet without --every");
}

#[test]
fn sigterm_lets_the_run_in_flight_walk_its_cleanups_then_exits_0() {
    // slow-query holds each run for the query's 3 s request timeout.
    let service = demo_service(&Faults::new([Fault::SlowQuery]));
    let mut args = demo_suite_args(&service);
    args.extend(["--only", "memories", "--every", "1s", "--jitter", "0s"].map(String::from));
    let monitor = Monitor::start(&args, &[]);
    let run_lines = |output: &str| {
        output
            .lines()
            .filter(|l| l.starts_with("demo (local): "))
            .count()
    };
    watch(
        "a first run ended",
        || Ok(run_lines(&monitor.output()) == 1),
    );
    // The next run starts at once and is waiting on the query now.
    std::thread::sleep(Duration::from_millis(1000));
    let (code, output) = monitor.stop();
    assert_eq!(code, 0, "{output}");
    let after_stop: Vec<&str> = output
        .lines()
        .skip_while(|l| !l.starts_with("plume monitor: stopping"))
        .collect();
    let interrupted = after_stop
        .iter()
        .find(|l| l.starts_with("demo (local): "))
        .unwrap_or_else(|| panic!("no run ended after the stop:\n{output}"));
    assert!(
        interrupted.contains("failed")
            && interrupted.contains("; cleanups: ")
            && interrupted.contains(" ok, 0 failed"),
        "the interrupted run walked its cleanups: {interrupted}"
    );
    assert_eq!(
        after_stop.last(),
        Some(&"plume monitor: stopped"),
        "{output}"
    );
}
