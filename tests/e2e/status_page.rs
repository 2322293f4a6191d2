//! `plume monitor`'s status page and history: runs made through `/probe`
//! are kept in `--state-dir` (SQLite), a monitor restarted on the same
//! directory shows them, a second monitor on it is refused, `/runs` answers
//! the history as JSON and `/runs/ID` each run's report. The page and a
//! report are opened in a real browser: no request leaves them, no script a
//! check's text held runs, no serious accessibility violation.

use crate::html_report::{HOSTILE, TOML};
use crate::support::browser::{artifact, assert_safe_and_accessible, facts};
use crate::support::harness::{Run, plume_command, suite};
use crate::support::http::get_within;
use crate::support::monitor::Monitor;
use crate::support::server::TestServer;

fn get(url: &str) -> (u16, String) {
    get_within(url, &[], std::time::Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn the_status_page_shows_the_history_from_before_a_restart_in_a_real_browser() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let state = tempfile::tempdir().unwrap();
    let args = vec![
        s.path.display().to_string(),
        "--state-dir".to_owned(),
        state.path().display().to_string(),
    ];
    let monitor = Monitor::start(&args, &[]);
    for _ in 0..3 {
        // As Prometheus asks: the scrape's timeout in its header.
        let (status, body) = get_within(
            &format!("{}/probe?suite=pages", monitor.url),
            &[("X-Prometheus-Scrape-Timeout-Seconds", "30")],
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|e| panic!("probe: {e}"));
        assert_eq!(status, 200, "{body}");
    }
    // A second monitor on the same directory: one line, exit 2.
    let mut second = plume_command();
    second
        .arg("monitor")
        .args(&args)
        .args(["--listen", "127.0.0.1:0"]);
    let refused = Run::from_output(second.output().unwrap());
    assert_eq!(refused.code, 2, "{}\n{}", refused.stdout, refused.stderr);
    assert_eq!(
        refused.stderr.trim().lines().count(),
        1,
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("another plume monitor is using the state directory"),
        "{}",
        refused.stderr
    );
    let (code, output) = monitor.stop();
    assert_eq!(code, 0, "{output}");

    let monitor = Monitor::start(&args, &[]);
    let (status, json) = get(&format!("{}/runs?suite=pages", monitor.url));
    assert_eq!(status, 200, "{json}");
    let history: serde_json::Value = serde_json::from_str(&json).unwrap();
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3, "{json}");
    assert_eq!(history["state"], "err");
    assert!(history["kept_since"].is_string(), "{json}");
    assert!(
        runs.iter()
            .all(|r| r["checks"].as_array().unwrap().len() > 10),
        "{json}"
    );
    // `limit` is held to 1..=1000; an unknown suite is one line and 404.
    let (_, one) = get(&format!("{}/runs?suite=pages&limit=0", monitor.url));
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(one["runs"].as_array().unwrap().len(), 1);
    let (status, body) = get(&format!("{}/runs?suite=nope", monitor.url));
    assert_eq!(status, 404, "{body}");
    assert_eq!(body.trim().lines().count(), 1, "{body}");
    let report = runs[0]["report"].as_str().unwrap();
    let (status, page) = get(&format!("{}{report}", monitor.url));
    assert_eq!(status, 200);
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let (status, body) = get(&format!("{}/runs/999999", monitor.url));
    assert_eq!(status, 404, "{body}");
    let (status, _) = get(&format!("{}/healthz", monitor.url));
    assert_eq!(status, 200);

    let shot = artifact("status-page.png");
    let f = facts(
        "status-page.mjs",
        &[&format!("{}/", monitor.url), shot.to_str().unwrap()],
    );
    assert_safe_and_accessible(&f);
    let targets = f["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1, "{f}");
    let t = &targets[0];
    assert!(t["title"].as_str().unwrap().starts_with("pages"), "{t}");
    assert_eq!(t["state"], "err");
    assert_eq!(
        t["runs"].as_array().unwrap().len(),
        3,
        "the runs from before the restart"
    );
    assert!(
        t["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "hostile.body")
    );
    assert!(t["sparklines"].as_u64().unwrap() > 10);
    assert!(t["text"].as_str().unwrap().contains("red since"), "{t}");
    let r = &f["report"];
    assert_safe_and_accessible(r);
    assert!(r["text"].as_str().unwrap().contains(HOSTILE));
    assert!(r["bars"].as_u64().unwrap() > 10);
    drop(monitor);
}

#[test]
fn a_bad_state_directory_is_one_line_and_exit_2() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = plume_command();
    cmd.arg("monitor")
        .arg(&s.path)
        .args(["--listen", "127.0.0.1:0", "--state-dir"])
        .arg(file.path());
    let r = Run::from_output(cmd.output().unwrap());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot use the state directory"),
        "{}",
        r.stderr
    );
}
