//! The attempts a plugin makes itself (contract 0.1.4's `log.attempt-failed`)
//! are attempts the run reports, as `--retries`' are: the `http` pack's
//! `retry` against a loopback server answering 503 twice, then 200, is ok and
//! flaky with both earlier attempts in JSON, JUnit, the HTML report's flaky
//! section, one terminal line with one flaky note and the summary; with
//! `--retries 1` too, the counts adding up; past the bound of kept attempts
//! every attempt is still counted. A guest in each SDK language waits with
//! `eventually` (pending attempts: counted, not flaky) and asks again with
//! `retried` (erred attempts: flaky). A plugin built against 0.1.3 still runs.

use serde_json::Value;

use crate::support::harness::{Run, run, suite};
use crate::support::server::TestServer;

/// The `http` pack's `deploy.ready` on `path` with `retry` as given.
fn http_suite(path: &str, retry: &str) -> String {
    format!(
        r#"
name = "plugin-attempts"
check-timeout = "5s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "deploy"
name = "ready"
url = "@url@{path}"
retry = {retry}
expect.status = 200
"#
    )
}

struct Reports {
    dir: tempfile::TempDir,
}

impl Reports {
    fn new() -> Self {
        Reports {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn args(&self) -> Vec<String> {
        let at = |name: &str| self.dir.path().join(name).display().to_string();
        vec![
            "--report".into(),
            format!("json={}", at("events.ndjson")),
            "--report".into(),
            format!("junit={}", at("junit.xml")),
            "--report".into(),
            format!("html={}", at("report.html")),
        ]
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    /// The `check_finished` event of `group.check`.
    fn finished(&self, group: &str, check: &str) -> Value {
        self.read("events.ndjson")
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .find(|e| e["event"] == "check_finished" && e["group"] == group && e["check"] == check)
            .unwrap_or_else(|| panic!("no check_finished for {group}.{check}"))
    }
}

fn run_with(s: &crate::support::harness::SuiteFile, reports: &Reports, more: &[&str]) -> Run {
    let mut args: Vec<String> = reports.args();
    args.extend(more.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&s.path, &args)
}

fn kinds(event: &Value) -> Vec<&str> {
    event["earlier"]
        .as_array()
        .expect("earlier")
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect()
}

/// The HTML report's flaky section, up to the section after it.
fn flaky_section(html: &str) -> &str {
    let start = html.find("<section id=\"flaky\"").expect("a flaky section");
    let end = html[start..]
        .find("<section id=\"timeline\"")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

/// Runs the `http` pack's `deploy.ready` on `/unavailable-twice` with
/// `retry` and `args`, and checks what every such run shows: green, 3
/// requests, one flaky note naming the first 503 in the line, the summary's
/// flaky count, JSON `attempts: 3, flaky: true` with two erred attempts and
/// JUnit's two `<flakyFailure>`. Returns the reports and the JSON event.
fn passes_after_two_503s(retry: &str, args: &[&str]) -> (Reports, Value) {
    let server = TestServer::start();
    let s = suite(&http_suite("/unavailable-twice", retry), &server.url());
    let reports = Reports::new();
    let r = run_with(&s, &reports, args);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(server.requests_to("/unavailable-twice").len(), 3);
    r.expect(
        "deploy.ready",
        "ok",
        "(flaky: passed on attempt 3 of 3; attempt 1: expected status 200, got 503",
    );
    let line = r.line("deploy.ready");
    assert_eq!(line.matches("flaky").count(), 1, "one flaky note: {line}");
    assert!(
        r.stdout.contains("1 passed (1 flaky), 0 failed"),
        "{}",
        r.stdout
    );
    let event = reports.finished("deploy", "ready");
    assert_eq!(event["outcome"], "ok", "{event}");
    assert_eq!(event["attempts"], 3, "{event}");
    assert_eq!(event["flaky"], true, "{event}");
    assert_eq!(kinds(&event), ["erred", "erred"], "{event}");
    let junit = reports.read("junit.xml");
    assert_eq!(junit.matches("<flakyFailure").count(), 2, "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    (reports, event)
}

#[test]
fn the_http_packs_retry_reports_the_failures_it_asked_past_as_attempts() {
    let (reports, event) = passes_after_two_503s("{ until-ms = 3000, interval-ms = 50 }", &[]);
    for earlier in event["earlier"].as_array().unwrap() {
        assert_eq!(earlier["status"], 503, "{event}");
        let detail = earlier["detail"].as_str().unwrap();
        assert!(detail.contains("expected status 200, got 503"), "{detail}");
        assert!(
            detail.contains("restarting"),
            "the body is quoted: {detail}"
        );
    }
    assert_eq!(event["earlier_dropped"]["erred"], 0, "{event}");
    let html = reports.read("report.html");
    let flaky = flaky_section(&html);
    assert!(flaky.contains("deploy.ready"), "{flaky}");
    assert_eq!(flaky.matches("erred after ").count(), 2, "{flaky}");
}

#[test]
fn with_retries_too_the_plugins_attempts_and_the_hosts_add_up_in_order() {
    // The pack gives up after its second 503 (300 ms between asks, 450 ms in
    // all); `--retries 1` calls the check again, whose first ask gets 200.
    let (_, event) =
        passes_after_two_503s("{ until-ms = 450, interval-ms = 300 }", &["--retries", "1"]);
    let earlier = event["earlier"].as_array().unwrap();
    // The pack's first ask, then the host's first call, which ended with the
    // pack's "still failing" line.
    assert!(
        !earlier[0]["detail"]
            .as_str()
            .unwrap()
            .contains("still failing"),
        "{event}"
    );
    let host_call = earlier[1]["detail"].as_str().unwrap();
    assert!(
        host_call.contains("still failing after 2 attempts")
            && host_call.contains("expected status 200, got 503"),
        "{event}"
    );
}

#[test]
fn past_the_bound_attempts_are_counted_not_kept() {
    let server = TestServer::start();
    let s = suite(
        &http_suite("/status/503", "{ until-ms = 1500, interval-ms = 1 }"),
        &server.url(),
    );
    let reports = Reports::new();
    let r = run_with(&s, &reports, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let asked = server.requests_to("/status/503").len();
    assert!(asked > 40, "the bound is breached: {asked} requests");
    let event = reports.finished("deploy", "ready");
    assert_eq!(event["outcome"], "err", "{event}");
    assert_eq!(event["attempts"], asked, "every request counted: {event}");
    assert_eq!(event["flaky"], false, "{event}");
    assert_eq!(event["earlier"].as_array().unwrap().len(), 32, "{event}");
    assert_eq!(event["earlier_dropped"]["erred"], asked - 33, "{event}");
    assert_eq!(event["earlier_dropped"]["pending"], 0, "{event}");
    r.expect(
        "deploy.ready",
        "err",
        &format!("still failing after {asked} attempts"),
    );
    r.expect("deploy.ready", "err", &format!("(after {asked} attempts)"));
    let junit = reports.read("junit.xml");
    assert_eq!(junit.matches("<rerunFailure").count(), 32, "kept ones only");
    let html = reports.read("report.html");
    assert!(
        html.contains(&format!(
            "and {} more, counted, not kept ({} erred, 0 pending)",
            asked - 33,
            asked - 33
        )),
        "the HTML report counts the dropped ones"
    );
}

/// `eventually` and `retried` from the JavaScript and Python SDKs.
#[test]
fn each_sdks_eventually_and_retried_report_their_attempts() {
    for guest in [
        plume_test_guests::ATTEMPTS_JS,
        plume_test_guests::ATTEMPTS_PY,
    ] {
        let server = TestServer::start();
        let toml = format!(
            "name = \"sdk-attempts\"\ncheck-timeout = \"10s\"\n[plugins.sdk]\npath = \"{guest}\"\n\
             allow-hosts = [\"@url@\"]\nconfig = {{ url = \"@url@\" }}\n"
        );
        let s = suite(&toml, &server.url());
        let reports = Reports::new();
        let r = run_with(&s, &reports, &[]);
        assert_eq!(r.code, 0, "{guest}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("2 passed (1 flaky), 0 failed"),
            "{guest}: {}",
            r.stdout
        );
        r.expect("poll.settles", "ok", "settled after 3 attempts in ");
        r.expect("poll.settles", "ok", "(after 3 attempts)");
        let poll = reports.finished("poll", "settles");
        assert_eq!(poll["attempts"], 3, "{guest}: {poll}");
        assert_eq!(poll["flaky"], false, "pending attempts: {poll}");
        assert_eq!(kinds(&poll), ["pending", "pending"], "{guest}: {poll}");
        assert_eq!(poll["earlier"][0]["status"], 404, "{guest}: {poll}");

        r.expect(
            "retry.recovers",
            "ok",
            "(flaky: passed on attempt 3 of 3; attempt 1: expected status 200, got 503",
        );
        let retry = reports.finished("retry", "recovers");
        assert_eq!(retry["attempts"], 3, "{guest}: {retry}");
        assert_eq!(retry["flaky"], true, "{guest}: {retry}");
        assert_eq!(kinds(&retry), ["erred", "erred"], "{guest}: {retry}");
        let junit = reports.read("junit.xml");
        assert_eq!(
            junit.matches("<flakyFailure").count(),
            2,
            "only the erred ones: {junit}"
        );
    }
}

/// The Rust SDK's `eventually` (the `basic` guest's `retry.settles`).
#[test]
fn the_rust_sdks_eventually_reports_pending_attempts() {
    let server = TestServer::start();
    let toml = r#"
name = "rust-attempts"
check-timeout = "5s"
[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", denied_url = "http://localhost:1/" }
"#;
    let s = suite(toml, &server.url());
    let reports = Reports::new();
    let r = run_with(&s, &reports, &["--only", "retry"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("retry.settles", "ok", "(after 3 attempts)");
    let event = reports.finished("retry", "settles");
    assert_eq!(event["attempts"], 3, "{event}");
    assert_eq!(event["flaky"], false, "{event}");
    assert_eq!(kinds(&event), ["pending", "pending"], "{event}");
    assert!(r.stdout.contains("1 passed, 0 failed"), "{}", r.stdout);
}

/// A plugin built against 0.1.3, before `log.attempt-failed`, still runs,
/// its 0.1.3 import (`log.mask`) served.
#[test]
fn a_plugin_built_against_contract_0_1_3_still_runs() {
    let server = TestServer::start();
    let toml = format!(
        "[plugins.old]\npath = \"{}\"\nallow-hosts = [\"@url@\"]\nconfig = {{ url = \"@url@/ok\" }}\n",
        plume_test_guests::CONTRACT_0_1_3
    );
    let s = suite(&toml, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("old.masked", "ok", "a 0.1.3 plugin got and masked ***");
    assert!(!r.stdout.contains(r#"{"status":"ok"}"#), "{}", r.stdout);
}
