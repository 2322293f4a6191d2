//! `--report html=FILE` and `plume report html`, opened from disk in a real
//! browser: a run with parallel groups, red checks, skips, a flaky check
//! (`--retries`), cleanups and a check whose detail is hostile HTML. The red
//! detail is visible without a click (scripts on or off), the timeline has a
//! bar per check and a lane per group, the hostile text is text, and the
//! page makes no request, breaks no CSP rule, opens no dialog and has no
//! serious accessibility violation.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::browser::{artifact, assert_safe_and_accessible, facts};
use crate::support::harness::{plume, run, suite};
use crate::support::server::TestServer;

pub(crate) const HOSTILE: &str = "<img src=x onerror=alert(1)><script>window.__pwned=1</script>";

/// The basic guest (parallel groups, red, skipped, cleanups) and the http
/// pack: a check that passes on its third attempt and one whose detail
/// quotes [`HOSTILE`].
pub(crate) const TOML: &str = r#"
name = "pages"

[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", denied_url = "http://localhost:1/x" }
secrets = { api_token = { env = "PLUME_TEST_TOKEN" } }

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "deploy"
name = "ready"
url = "@url@/eventually"
expect.status = 200

[[plugins.site.config.checks]]
group = "hostile"
name = "body"
url = "@url@/ok"
expect.body-contains = "<img src=x onerror=alert(1)><script>window.__pwned=1</script>"
"#;

fn events(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_html_report_shows_the_run_in_a_real_browser_and_runs_nothing_it_was_given() {
    let server = TestServer::start();
    let s = suite(TOML, &server.url());
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("out/report.html");
    let json = dir.path().join("events.ndjson");
    let r = run(
        &s.path,
        &[
            "--retries",
            "2",
            "--report",
            &format!("html={}", page.display()),
            "--report",
            &format!("json={}", json.display()),
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("deploy.ready", "ok", "flaky");
    r.expect("hostile.body", "err", "onerror");

    let events = events(&json);
    let finished: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "check_finished")
        .collect();
    let names: Vec<String> = finished
        .iter()
        .map(|e| {
            format!(
                "{}.{}",
                e["group"].as_str().unwrap(),
                e["check"].as_str().unwrap()
            )
        })
        .collect();
    let groups: BTreeSet<&str> = finished
        .iter()
        .map(|e| e["group"].as_str().unwrap())
        .collect();
    assert!(groups.len() >= 8, "parallel groups: {groups:?}");
    let started = &events[0];
    assert_eq!(started["plume_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(events.last().unwrap()["exit_code"], 1);

    let bytes = std::fs::metadata(&page).unwrap().len();
    println!("report of {} checks: {bytes} bytes", names.len());
    assert!(bytes < 300 * 1024, "{bytes} bytes");

    let shot = artifact("html-report.png");
    let f = facts(
        "html-report.mjs",
        &[
            page.to_str().unwrap(),
            shot.to_str().unwrap(),
            "hostile.body",
        ],
    );
    assert_safe_and_accessible(&f);
    let text = f["text"].as_str().unwrap();
    assert!(
        text.contains(HOSTILE),
        "the hostile detail is shown as text"
    );
    assert_eq!(f["red_open"], true);
    assert_eq!(f["red_detail_visible"], true);
    assert!(
        f["red_detail"].as_str().unwrap().contains(HOSTILE),
        "{}",
        f["red_detail"]
    );
    // One bar per check, a lane per group; the critical path and the slowest marked.
    let mut bars: Vec<String> = f["bars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap().to_owned())
        .collect();
    bars.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(bars, expected);
    let lanes: BTreeSet<&str> = f["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(lanes, groups);
    assert!(
        f["cleanup_bars"].as_u64().unwrap() >= 5,
        "{}",
        f["cleanup_bars"]
    );
    assert!(f["critical"].as_u64().unwrap() >= 1);
    assert_eq!(f["slowest"], 1);
    assert_eq!(f["rows"].as_u64().unwrap() as usize, names.len());
    for text in [
        "Flaky: passed on a retry",
        "expected status 200, got 404",
        "Exit code",
        "pages",
    ] {
        assert!(f["text"].as_str().unwrap().contains(text), "{text}");
    }
    // The filters and the search work; with scripts off the page still reads.
    assert_eq!(f["filters_shown"], true);
    let shown = f["rows_without_passed"].as_array().unwrap();
    assert!(
        !shown.is_empty() && shown.iter().all(|o| o != "ok"),
        "{shown:?}"
    );
    assert_eq!(f["rows_searched"], serde_json::json!(["hostile.body"]));
    assert_eq!(f["no_script"]["red_detail_visible"], true);
    assert_eq!(f["no_script"]["filters_shown"], false);
    assert_eq!(
        f["no_script"]["rows"].as_u64().unwrap() as usize,
        names.len()
    );
    assert!(f["no_script_requests"].as_array().unwrap().is_empty());
    assert_eq!(f["no_script_dialogs"], 0);

    // The same page from the JSON events.
    let again = dir.path().join("again.html");
    let r = plume(&[
        "report",
        "html",
        json.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("wrote "), "{}", r.stdout);
    let replayed = std::fs::read_to_string(&again).unwrap();
    let live = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        replayed.matches("<rect class=\"bar ").count(),
        live.matches("<rect class=\"bar ").count()
    );
    assert!(replayed.contains("<dt>Exit code</dt><dd>1</dd>"));
}

#[test]
fn report_html_refuses_bad_events_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ndjson");
    std::fs::write(&bad, "{\"event\":\"nonsense\"}\n").unwrap();
    let out = dir.path().join("out.html");
    let r = plume(&[
        "report",
        "html",
        bad.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(!out.exists());
}
