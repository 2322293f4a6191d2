//! `--retries N` (and the suite's `retries`): a check that erred is tried
//! again on its instance; one that then passes is `ok` and marked flaky in
//! its line, the summary, the JSON events and JUnit (`<flakyFailure>`); one
//! that never passes keeps every attempt (`<rerunFailure>`). The loopback
//! server's `/eventually` answers 404 twice, then 200.

use crate::support::harness::{run, suite};
use crate::support::server::TestServer;

const TOML: &str = r#"
name = "retries"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "deploy"
name = "ready"
url = "@url@/eventually"
expect.status = 200
"#;

struct Reports {
    _dir: tempfile::TempDir,
    json: std::path::PathBuf,
    junit: std::path::PathBuf,
}

fn reports() -> (Reports, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("events.ndjson");
    let junit = dir.path().join("junit.xml");
    let args = vec![
        "--report".to_owned(),
        format!("json={}", json.display()),
        "--report".to_owned(),
        format!("junit={}", junit.display()),
    ];
    (
        Reports {
            _dir: dir,
            json,
            junit,
        },
        args,
    )
}

fn finished_event(json: &std::path::Path) -> serde_json::Value {
    std::fs::read_to_string(json)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["event"] == "check_finished")
        .expect("a check_finished event")
}

#[test]
fn a_check_that_passes_on_a_retry_is_ok_and_marked_flaky_everywhere() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let (files, mut args) = reports();
    args.extend(["--retries".to_owned(), "2".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&s.path, &args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "deploy.ready",
        "ok",
        "(flaky: passed on attempt 3 of 3; attempt 1: expected status 200, got 404",
    );
    assert!(
        r.stdout.contains("1 passed (1 flaky), 0 failed"),
        "{}",
        r.stdout
    );
    assert_eq!(server.requests_to("/eventually").len(), 3);

    let event = finished_event(&files.json);
    assert_eq!(event["outcome"], "ok");
    assert_eq!(event["attempts"], 3);
    assert_eq!(event["flaky"], true);
    assert_eq!(event["earlier"].as_array().unwrap().len(), 2);
    assert_eq!(event["earlier"][0]["status"], 404);
    let junit = std::fs::read_to_string(&files.junit).unwrap();
    assert_eq!(junit.matches("<flakyFailure").count(), 2, "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
}

#[test]
fn a_check_that_never_passes_keeps_every_attempt_and_fails() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let (files, mut args) = reports();
    args.extend(["--retries".to_owned(), "1".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&s.path, &args);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("deploy.ready", "err", "expected status 200, got 404");
    r.expect("deploy.ready", "err", "(after 2 attempts)");
    let event = finished_event(&files.json);
    assert_eq!(event["attempts"], 2);
    assert_eq!(event["flaky"], false);
    let junit = std::fs::read_to_string(&files.junit).unwrap();
    assert_eq!(junit.matches("<rerunFailure").count(), 1, "{junit}");
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
}

#[test]
fn without_retries_a_check_is_tried_once_and_too_many_retries_are_refused() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    r.expect("deploy.ready", "err", "expected status 200, got 404");
    assert!(!r.line("deploy.ready").contains("attempt"), "{}", r.stdout);
    assert_eq!(server.requests_to("/eventually").len(), 1);

    let r = run(&s.path, &["--retries", "11"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("retries must be at most 10"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}
