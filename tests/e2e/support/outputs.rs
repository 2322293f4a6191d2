//! Every output a run has, gathered for "this value shows nowhere" tests:
//! `plume run -v` with every report format (JSON events, JUnit, TAP, GitHub
//! annotations and step summary, HTML) beside the terminal's stdout and
//! stderr, and `plume monitor`'s endpoints after a run it made (`/runs/last`,
//! the history `/runs`, the run's page `/runs/ID`, the status page, `/metrics`);
//! and the forms of a value the redactor promises to mask, each of which
//! [`assert_shown_nowhere`] looks for.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

use super::harness::{Run, plume_command};
use super::http::get_within;
use super::monitor::Monitor;

/// One output by name (`stdout`, `junit.xml`, `GET /runs/last`) and its text.
pub type Outputs = Vec<(String, String)>;

/// The report formats of `plume run`, and the file each is written to.
const REPORTS: [(&str, &str); 5] = [
    ("json", "events.ndjson"),
    ("junit", "junit.xml"),
    ("tap", "out.tap"),
    ("github", "github.txt"),
    ("html", "report.html"),
];

/// Runs `plume run SUITE -v ARGS` with every report format and the GitHub
/// step summary, `envs` set; returns the run and every output it wrote.
pub fn run_with_every_report(suite: &Path, args: &[&str], envs: &[(&str, &str)]) -> (Run, Outputs) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = |name: &str| dir.path().join(name);
    let mut cmd = plume_command();
    cmd.args(["run", suite.to_str().expect("utf-8 path"), "-v"])
        .args(args)
        .env("GITHUB_STEP_SUMMARY", file("summary.md"))
        .envs(envs.iter().copied());
    for (kind, name) in REPORTS {
        cmd.arg("--report")
            .arg(format!("{kind}={}", file(name).display()));
    }
    let r = Run::from_output(cmd.output().expect("run plume"));
    let mut outputs = vec![
        ("stdout".to_owned(), r.stdout.clone()),
        ("stderr".to_owned(), r.stderr.clone()),
    ];
    for name in REPORTS.map(|(_, n)| n).into_iter().chain(["summary.md"]) {
        let text = std::fs::read_to_string(file(name))
            .unwrap_or_else(|e| panic!("{name} was not written ({e}):\n{}", r.stdout));
        outputs.push((name.to_owned(), text));
    }
    (r, outputs)
}

/// Starts `plume monitor SUITE` with `envs` set, makes one run through
/// `/probe?suite=NAME` and returns what its endpoints answer about it, with
/// the monitor's own output.
pub fn monitor_outputs(suite: &Path, name: &str, envs: &[(&str, &str)]) -> Outputs {
    let monitor = Monitor::start(&[suite.display().to_string()], envs);
    let get = |path: &str| {
        let url = format!("{}{path}", monitor.url);
        // As Prometheus asks `/probe`: with the scrape's timeout.
        let headers = [("X-Prometheus-Scrape-Timeout-Seconds", "110")];
        let (status, body) = get_within(&url, &headers, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(status, 200, "{url}: {body}");
        (format!("GET {path}"), body)
    };
    let mut outputs = vec![get(&format!("/probe?suite={name}"))];
    let history = get(&format!("/runs?suite={name}"));
    let runs: serde_json::Value = serde_json::from_str(&history.1).expect("history JSON");
    let report = runs["runs"][0]["report"]
        .as_str()
        .unwrap_or_else(|| panic!("no run in the history: {}", history.1))
        .to_owned();
    outputs.push(history);
    for path in [
        format!("/runs/last?suite={name}"),
        report,
        "/".to_owned(),
        "/metrics".to_owned(),
    ] {
        outputs.push(get(&path));
    }
    let (_, output) = monitor.stop();
    outputs.push(("monitor output".to_owned(), output));
    outputs
}

/// The forms of `value` the redactor masks and a test can write down
/// independently: as it is, base64 (standard and URL-safe, any padding),
/// percent-encoded (a form's and every byte but the unreserved), JSON-escaped
/// (with and without `\/`), and its first 16 bytes (a cut must not leave a
/// prefix on show).
pub fn forms(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).expect("a string is JSON");
    let json = json[1..json.len() - 1].to_owned();
    let unreserved: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut forms = vec![
        value.to_owned(),
        STANDARD_NO_PAD.encode(value),
        URL_SAFE_NO_PAD.encode(value),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        unreserved,
        json.replace('/', "\\/"),
        json,
    ];
    let mut head = 16.min(value.len());
    while !value.is_char_boundary(head) {
        head -= 1;
    }
    forms.push(value[..head].to_owned());
    forms.sort();
    forms.dedup();
    forms
}

/// Asserts no output shows any of [`forms`] of any of `values`.
pub fn assert_shown_nowhere(outputs: &Outputs, values: &[&str]) {
    for value in values {
        for form in forms(value) {
            for (name, text) in outputs {
                assert!(
                    !text.contains(&form),
                    "{name} shows {form:?} (a form of {value:?}):\n{text}"
                );
            }
        }
    }
}
