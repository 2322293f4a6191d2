//! `plume run --push-gateway`: a one-shot run's metrics reach Debian's
//! Pushgateway, grouped by suite and environment, and a second push
//! replaces the first; a push that fails is one line and exit code 1.

use std::collections::BTreeMap;

use plume_demo_service::faults::{Fault, Faults};

use crate::monitor::{ADMIN_PASSWORD, demo_service, demo_suite_args};
use crate::support::harness::{Run, plume_command};
use crate::support::prometheus::Pushgateway;

/// `plume run` of the demo suite against a service with `faults`, pushing to `gateway`.
fn run_and_push(faults: &[Fault], gateway: &str) -> Run {
    let service = demo_service(&Faults::new(faults.iter().copied()));
    let out = plume_command()
        .arg("run")
        .args(demo_suite_args(&service))
        .args(["--push-gateway", gateway])
        .env("SMOKE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .expect("run plume");
    Run::from_output(out)
}

/// The samples of `name` in a text exposition: labels and value.
fn samples(text: &str, name: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    let label = regex::Regex::new(r#"(\w+)="((?:[^"\\]|\\.)*)""#).unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix('{')?;
            let (labels, value) = rest.rsplit_once("} ")?;
            let labels = label
                .captures_iter(labels)
                .map(|c| (c[1].to_owned(), c[2].to_owned()))
                .collect();
            Some((labels, value.trim().parse().ok()?))
        })
        .collect()
}

fn zeros_and_ones(text: &str) -> (Vec<String>, usize) {
    let checks = samples(text, "plume_check_success");
    assert!(
        checks
            .iter()
            .all(|(l, _)| l["job"] == "plume" && l["suite"] == "demo" && l["env"] == "local"),
        "grouped under job, suite and env: {checks:?}"
    );
    let zeros = checks
        .iter()
        .filter(|(_, v)| *v == 0.0)
        .map(|(l, _)| format!("{}.{}", l["group"], l["check"]))
        .collect();
    (zeros, checks.iter().filter(|(_, v)| *v == 1.0).count())
}

/// `N passed` from the run's summary line.
fn passed(run: &Run) -> usize {
    let summary = run.stdout.lines().last().unwrap_or_default();
    summary
        .split(" passed")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no summary in {}", run.stdout))
}

#[test]
fn a_one_shot_run_pushes_its_metrics_and_the_next_push_replaces_them() {
    let gateway = Pushgateway::start();

    let broken = run_and_push(&[Fault::MissingBillingPlan], gateway.url());
    assert_eq!(broken.code, 1, "{}\n{}", broken.stdout, broken.stderr);
    let text = gateway.metrics();
    let (zeros, ones) = zeros_and_ones(&text);
    assert_eq!(zeros, ["admin.customer.billing_plan"], "{text}");
    assert_eq!(ones, passed(&broken));
    let run = samples(&text, "plume_run_success");
    assert_eq!(run.len(), 1, "{text}");
    assert_eq!(run[0].1, 0.0);
    assert_eq!(
        samples(&text, "push_time_seconds")
            .iter()
            .filter(|(l, _)| l.get("suite").map(String::as_str) == Some("demo"))
            .count(),
        1,
        "one group for suite demo, env local: {text}"
    );

    let healthy = run_and_push(&[], gateway.url());
    assert_eq!(healthy.code, 0, "{}\n{}", healthy.stdout, healthy.stderr);
    let text = gateway.metrics();
    let (zeros, ones) = zeros_and_ones(&text);
    assert!(zeros.is_empty(), "the group was replaced: {zeros:?}");
    assert_eq!(ones, passed(&healthy));
    assert_eq!(samples(&text, "plume_run_success")[0].1, 1.0);
}

#[test]
fn a_failed_push_is_one_line_and_exit_1_and_a_bad_url_is_bad_input() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let gateway = format!("http://127.0.0.1:{port}");
    let r = run_and_push(&[], &gateway);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "push to the Pushgateway at {gateway}/ failed: connect"
        )),
        "{}",
        r.stderr
    );

    let r = run_and_push(&[], "ftp://gateway:9091");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("http:// or https://"), "{}", r.stderr);
}
