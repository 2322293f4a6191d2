//! Reports: JUnit, JSON events, TAP, GitHub and HTML, complete and well-formed
//! after a normal run, the ceiling, SIGINT and a crashed plugin, and never
//! holding a secret; the terminal's modes; preflight; completions and help.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;

use crate::support::harness::{Run, SuiteFile, plume, plume_command, signal_when_seen, suite};
use crate::support::server::TestServer;

const SECRET: &str = "sekrit-token-42";

pub(crate) fn basic_suite(server: &TestServer) -> SuiteFile {
    let toml = r#"
[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", denied_url = "http://localhost:1/x" }
secrets = { api_token = { env = "PLUME_TEST_TOKEN" } }
"#;
    suite(toml, &server.url())
}

fn hostile_suite(server: &TestServer) -> SuiteFile {
    let toml = r#"
check-timeout = "1s"
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;
    suite(toml, &server.url())
}

/// Report files of one run.
struct Reports {
    dir: tempfile::TempDir,
}

impl Reports {
    fn new() -> Reports {
        Reports {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn args(&self) -> Vec<String> {
        [
            "junit=out.xml",
            "json=events.ndjson",
            "tap=out.tap",
            "github=github.txt",
            "html=report.html",
        ]
        .iter()
        .flat_map(|r| {
            let (format, file) = r.split_once('=').unwrap();
            [
                "--report".to_owned(),
                format!("{format}={}", self.path(file).display()),
            ]
        })
        .collect()
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    fn all(&self) -> String {
        [
            "out.xml",
            "events.ndjson",
            "out.tap",
            "github.txt",
            "summary.md",
            "report.html",
        ]
        .iter()
        .map(|f| std::fs::read_to_string(self.path(f)).unwrap_or_default())
        .collect()
    }
}

fn run_with(suite: &Path, reports: &Reports, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = plume_command();
    cmd.arg("run").arg(suite).args(extra).args(reports.args());
    cmd.env("GITHUB_STEP_SUMMARY", reports.path("summary.md"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from_output(cmd.output().unwrap())
}

/// A JUnit testcase: `classname.name`, `passed`/`failure`/`skipped`, and its message.
type Case = (String, &'static str, String);

/// The JUnit file, checked against the structure CI systems read: a
/// `testsuites` root whose counts add up, `testsuite`s whose counts match
/// their `testcase`s, each case with `name`, `classname` and `time`, a
/// `failure`/`skipped` child with a `message` where it did not pass.
/// Returns (tests, failures, skipped) and the cases as (classname.name, kind, message).
fn junit(text: &str) -> ((usize, usize, usize), Vec<Case>) {
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count =
        |n: roxmltree::Node, a: &str| -> usize { n.attribute(a).expect(a).parse().expect(a) };
    let mut cases = Vec::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        assert!(suite.attribute("name").is_some() && suite.attribute("time").is_some());
        let mut in_suite = (0, 0, 0);
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let name = format!(
                "{}.{}",
                case.attribute("classname").expect("classname"),
                case.attribute("name").expect("name")
            );
            case.attribute("time")
                .expect("time")
                .parse::<f64>()
                .expect("time is a number");
            in_suite.0 += 1;
            let failure = case.children().find(|n| n.has_tag_name("failure"));
            let skip = case.children().find(|n| n.has_tag_name("skipped"));
            let (kind, message) = match (failure, skip) {
                (Some(f), None) => {
                    in_suite.1 += 1;
                    (
                        "failure",
                        f.attribute("message").expect("failure message").to_owned(),
                    )
                }
                (None, Some(s)) => {
                    in_suite.2 += 1;
                    (
                        "skipped",
                        s.attribute("message").expect("skip message").to_owned(),
                    )
                }
                (None, None) => ("passed", String::new()),
                _ => panic!("{name} is both failed and skipped"),
            };
            cases.push((name, kind, message));
        }
        assert_eq!(
            in_suite,
            (
                count(suite, "tests"),
                count(suite, "failures"),
                count(suite, "skipped")
            )
        );
        tests += in_suite.0;
        failures += in_suite.1;
        skipped += in_suite.2;
    }
    assert_eq!(
        (tests, failures, skipped),
        (
            count(root, "tests"),
            count(root, "failures"),
            count(root, "skipped")
        )
    );
    ((tests, failures, skipped), cases)
}

fn events(text: &str) -> Vec<Value> {
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(events[0]["event"], "run_started");
    assert_eq!(events[0]["schema"], "plume.events/1");
    assert_eq!(
        events.last().unwrap()["event"],
        "run_finished",
        "the last event ends the run"
    );
    events
}

/// TAP: version line, one point per line, plan at the end matching the points.
fn tap(text: &str) -> (usize, usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "TAP version 14");
    let points: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("ok ") || l.starts_with("not ok "))
        .collect();
    assert_eq!(*lines.last().unwrap(), format!("1..{}", points.len()));
    let not_ok = points.iter().filter(|l| l.starts_with("not ok ")).count();
    let skips = points.iter().filter(|l| l.contains(" # SKIP ")).count();
    (points.len(), not_ok, skips)
}

#[test]
fn every_format_describes_the_same_run() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let reports = Reports::new();
    let r = run_with(&s.path, &reports, &[], &[]);
    assert_eq!(r.code, 1);

    // 16 checks (10 ok, 3 err, 3 skip) and 5 cleanups (1 err).
    let (counts, cases) = junit(&reports.read("out.xml"));
    assert_eq!(counts, (21, 4, 3));
    let failure = cases.iter().find(|c| c.0 == "basics.err_status").unwrap();
    assert_eq!(failure.1, "failure");
    assert!(
        failure.2.contains("expected status 200, got 503"),
        "{failure:?}"
    );
    let skip = cases.iter().find(|c| c.0 == "after_failing.never").unwrap();
    assert_eq!(
        (skip.1, skip.2.as_str()),
        ("skipped", "dependency failing failed")
    );
    assert!(
        cases
            .iter()
            .any(|c| c.0 == "cleanup.broken" && c.1 == "failure")
    );
    assert!(
        reports.read("out.xml").contains("<system-out>trace: GET "),
        "log lines in system-out"
    );

    let events = events(&reports.read("events.ndjson"));
    let finished: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "check_finished")
        .collect();
    assert_eq!(finished.len(), 16);
    let started = events
        .iter()
        .filter(|e| e["event"] == "check_started")
        .count();
    assert_eq!(
        started, 15,
        "all but after_failing.never, skipped for its dependency without running"
    );
    let last = events.last().unwrap();
    assert_eq!(
        (
            last["passed"].as_u64(),
            last["failed"].as_u64(),
            last["skipped"].as_u64()
        ),
        (Some(10), Some(3), Some(3))
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e["event"] == "cleanup_finished")
            .count(),
        5
    );

    assert_eq!(tap(&reports.read("out.tap")), (21, 4, 3));

    let github = reports.read("github.txt");
    assert_eq!(github.lines().count(), 4, "{github}");
    assert!(
        github.contains(
            "::error title=plume%3A basics.err_status::503  expected status 200, got 503"
        ),
        "{github}"
    );
    let summary = reports.read("summary.md");
    assert!(
        summary.contains("| outcome | check | status | detail |"),
        "{summary}"
    );
    assert!(
        summary.contains("| **err** | `failing.boom` | - | deliberate failure |"),
        "{summary}"
    );
    assert!(
        summary.contains("10 passed, 3 failed, 3 skipped"),
        "{summary}"
    );
}

#[test]
fn secrets_in_urls_headers_and_logs_never_reach_a_report() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let reports = Reports::new();
    let r = run_with(
        &s.path,
        &reports,
        &["--only", "basics", "-v"],
        &[("PLUME_TEST_TOKEN", SECRET)],
    );
    // The plugin put the secret in a URL, a header the server echoed into the detail, and a log line.
    assert!(
        server
            .requests_to("/echo")
            .iter()
            .any(|l| l.contains(SECRET))
    );
    let everything = format!("{}{}{}", reports.all(), r.stdout, r.stderr);
    assert!(
        !everything.contains(SECRET),
        "a secret leaked:\n{everything}"
    );
    let json = reports.read("events.ndjson");
    assert!(json.contains("using token ***"), "the log line, redacted");
    assert!(json.contains("/echo?token=***"), "the URL, redacted");
    assert!(
        json.contains("server echoed authorization=Bearer ***"),
        "the echoed header, redacted"
    );
    assert!(reports.read("out.xml").contains("info: using token ***"));
}

#[test]
fn reports_are_complete_after_the_ceiling_and_a_crash() {
    let server = TestServer::start();
    let s = hostile_suite(&server);
    let reports = Reports::new();
    let args = [
        "--only",
        "sleepy",
        "--only",
        "panic",
        "--timeout",
        "1500ms",
        "--check-timeout",
        "10s",
    ];
    let r = run_with(&s.path, &reports, &args, &[]);
    assert_eq!(r.code, 1);
    let (_, cases) = junit(&reports.read("out.xml"));
    let message = |name: &str| {
        cases
            .iter()
            .find(|c| c.0 == name)
            .map(|c| c.2.clone())
            .unwrap_or_default()
    };
    assert!(
        message("sleepy.sleeps").contains("run ceiling of 1500 ms reached"),
        "{cases:?}"
    );
    assert!(message("panic.panics").contains("panicked at"), "{cases:?}");
    assert!(
        message("panic.after").contains("instance aborted at panics"),
        "{cases:?}"
    );
    let events = events(&reports.read("events.ndjson"));
    assert_eq!(
        events.last().unwrap()["stopped"],
        "run ceiling of 1500 ms reached"
    );
    assert_eq!(
        tap(&reports.read("out.tap")).0,
        8,
        "4 checks and 4 cleanups"
    );
    let html = reports.read("report.html");
    assert!(html.trim_end().ends_with("</html>"), "{html}");
    assert!(html.contains("run ceiling of 1500 ms reached"));
}

#[test]
fn reports_are_complete_after_sigint() {
    let server = TestServer::start();
    let s = hostile_suite(&server);
    let reports = Reports::new();
    let child = plume_command()
        .arg("run")
        .arg(&s.path)
        .args(["--only", "sleepy", "--check-timeout", "20s"])
        .args(reports.args())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    signal_when_seen(&server, "/ok?from=sleepy", &child, "-INT");
    let r = Run::from_output(child.wait_with_output().unwrap());
    assert_eq!(r.code, 130);
    let (counts, _) = junit(&reports.read("out.xml"));
    assert_eq!(
        counts,
        (4, 1, 1),
        "sleeps err, after skipped, two cleanups ok"
    );
    let events = events(&reports.read("events.ndjson"));
    assert_eq!(events.last().unwrap()["stopped"], "interrupted by SIGINT");
    assert_eq!(events.last().unwrap()["exit_code"], 130);
    assert_eq!(tap(&reports.read("out.tap")), (4, 1, 1));
    let html = reports.read("report.html");
    assert!(html.trim_end().ends_with("</html>"), "{html}");
    assert!(html.contains("<dt>Exit code</dt><dd>130</dd>"), "{html}");
}

#[test]
fn quiet_shows_only_red_lines_and_pipes_get_no_colour() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = plume(&["run", s.path.to_str().unwrap(), "-q"]);
    let tagged: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(
        tagged.len(),
        4,
        "3 red checks and 1 red cleanup:\n{}",
        r.stdout
    );
    assert!(tagged.iter().all(|l| l.starts_with("[err ]")));
    assert!(r.stdout.contains("red: ") && r.stdout.contains("10 passed, 3 failed, 3 skipped"));
    assert!(!r.stdout.contains('\x1b'), "no escape codes in a pipe");
}

/// Runs plume under a pseudo-terminal (util-linux `script`), as a person would.
fn on_terminal(args: &str, no_color: bool) -> String {
    let mut cmd = std::process::Command::new("script");
    cmd.args([
        "-qfec",
        &format!("{} {args}", env!("CARGO_BIN_EXE_plume")),
        "/dev/null",
    ]);
    cmd.env("PLUME_CACHE_DIR", crate::support::harness::shared_cache());
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    String::from_utf8_lossy(&cmd.output().expect("script runs").stdout).into_owned()
}

#[test]
fn a_terminal_gets_colour_and_a_live_indicator_for_slow_checks() {
    let server = TestServer::start();
    let s = hostile_suite(&server);
    let args = format!(
        "run {} --only sleepy --timeout 3500ms --check-timeout 10s",
        s.path.display()
    );
    let shown = on_terminal(&args, false);
    assert!(
        shown.contains("running sleepy.sleeps 2."),
        "live indicator:\n{shown:?}"
    );
    assert!(
        shown.contains("\x1b[31m")
            || shown.contains("\x1b[1m\x1b[31m")
            || shown.contains("\x1b[1;31m"),
        "red:\n{shown:?}"
    );
    assert!(
        shown.contains("\r\x1b[2K"),
        "the indicator is erased when a line lands"
    );
    let plain = on_terminal(&args, true);
    assert!(plain.contains("running sleepy.sleeps"), "{plain:?}");
    assert!(
        !plain.contains("\x1b[31m") && !plain.contains("\x1b[32m"),
        "NO_COLOR:\n{plain:?}"
    );
}

#[test]
fn preflight_stops_early_with_the_url_the_error_and_the_hint() {
    let server = TestServer::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let toml = format!(
        r#"
preflight = ["@url@/ok", "http://{closed}/health"]
hint = "start the service first: cargo run -p plume-demo-service"
[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = {{ base_url = "@url@" }}
"#
    );
    let s = suite(&toml, &server.url());
    let r = plume(&["run", s.path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "preflight: http://{closed}/health did not answer (connect: "
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("; start the service first: cargo run -p plume-demo-service\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains('['), "no check ran: {}", r.stdout);

    let ok = suite(
        &toml.replace(
            &format!("\"http://{closed}/health\""),
            "\"@url@/status/500\"",
        ),
        &server.url(),
    );
    let r = plume(&["run", ok.path.to_str().unwrap(), "--only", "producer"]);
    assert_eq!(
        r.code, 0,
        "any answer passes preflight, even a 500: {}",
        r.stderr
    );
}

#[test]
fn completions_and_help_examples() {
    for shell in ["bash", "zsh", "fish"] {
        let r = plume(&["completions", shell]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("plume") && r.stdout.contains("inspect"),
            "{shell}"
        );
    }
    for sub in ["run", "list", "inspect", "compile", "new", "completions"] {
        let r = plume(&[sub, "--help"]);
        assert!(
            r.stdout.contains("Examples:\n  plume "),
            "{sub} --help:\n{}",
            r.stdout
        );
    }
}
