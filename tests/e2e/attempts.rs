//! What a plugin emits lands where it belongs and within one check's bounds:
//! retries of a check that errs with a 16 MiB, 8 Mi-line detail keep each
//! earlier attempt's detail cut and count every attempt's log lines (the
//! retry notes too) in the check's one log budget, in bounded memory; and a
//! plugin given a `group-prefix` has every line, log, print, trace and
//! cleanup reported under its prefixed name, never on the other plugin's
//! group of the same name.

use serde_json::Value;

use crate::support::harness::{plume_command, run, suite};
use crate::support::server::TestServer;

fn events(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `plume run ARGS`: its exit code, peak RSS in MiB and stdout.
fn run_measured(args: &[&str]) -> (i32, f64, String) {
    let mut cmd = plume_command();
    cmd.args(args);
    let m = crate::support::peak_rss::run(&cmd);
    (m.code, m.peak_rss_mib, m.stdout)
}

#[test]
fn retries_of_a_huge_failure_stay_within_one_attempts_bounds() {
    let server = TestServer::start();
    let toml = r#"
check-timeout = "10s"
memory-mib = 128
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;
    let s = suite(toml, &server.url());
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("events.ndjson");
    let report = format!("json={}", json.display());
    let suite_path = s.path.to_str().unwrap();
    let args = [
        "run",
        suite_path,
        "--only",
        "retry",
        "--retries",
        "5",
        "-v",
        "--report",
        &report,
    ];
    let (code, peak_mib, stdout) = run_measured(&args);
    assert_eq!(code, 1, "{stdout}");
    println!("peak RSS of plume over 6 attempts of a 16 MiB detail: {peak_mib:.1} MiB");
    assert!(peak_mib < 256.0, "peak RSS {peak_mib:.1} MiB");

    let all = events(&json);
    let logs = all.iter().filter(|e| e["event"] == "log").count();
    // One check's budget: 256 KiB at 128 bytes a line at least, whatever the attempts.
    assert!(logs <= 2_100, "{logs} log events for one check");
    let notes = all
        .iter()
        .filter(|e| e["event"] == "log")
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.starts_with("attempt ") || m.starts_with("log output past"))
        .count();
    assert!(notes >= 1, "the budget's note or a retry note is logged");
    let finished = all
        .iter()
        .find(|e| e["event"] == "check_finished")
        .expect("check_finished");
    let earlier = finished["earlier"].as_array().expect("earlier attempts");
    assert_eq!(earlier.len(), 5, "{finished}");
    for attempt in earlier {
        let detail = attempt["detail"].as_str().unwrap();
        assert!(
            detail.len() < 4 * 1024 + 64 && detail.ends_with("(cut: 16777216 bytes in all)"),
            "{} bytes: …{}",
            detail.len(),
            &detail[detail.len().saturating_sub(60)..]
        );
    }
    let size = std::fs::metadata(&json).unwrap().len();
    assert!(size < 1024 * 1024, "the events file holds {size} bytes");
    assert!(
        stdout.len() < 1024 * 1024,
        "the terminal got {} bytes",
        stdout.len()
    );
}

#[test]
fn a_group_prefix_applies_to_everything_its_plugin_emits() {
    let server = TestServer::start();
    let toml = r#"
[plugins.one]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", who = "one" }

[plugins.two]
path = "@hostile@"
allow-hosts = ["@url@"]
group-prefix = "b."
config = { base_url = "@url@", who = "two" }
"#;
    let s = suite(toml, &server.url());
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("events.ndjson");
    let report = format!("json={}", json.display());
    let r = run(
        &s.path,
        &[
            "--only", "echo", "--only", "b.echo", "-v", "--report", &report,
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("echo.talk", "ok", "talked as one");
    r.expect("b.echo.talk", "ok", "talked as two");
    r.expect("cleanup.undo-one", "ok", "registered by echo.talk");
    r.expect("cleanup.b.undo-two", "ok", "registered by b.echo.talk");

    let group_of = |who: &str| if who == "one" { "echo" } else { "b.echo" };
    let mut seen = std::collections::BTreeSet::new();
    for e in events(&json).iter().filter(|e| e["event"] == "log") {
        let message = e["message"].as_str().unwrap();
        for who in ["one", "two"] {
            let mine = [format!("from {who}"), format!("from={who}")];
            if mine.iter().any(|m| message.contains(m.as_str())) {
                assert_eq!(e["group"], group_of(who), "{e}");
                assert_eq!(e["check"], "talk", "{e}");
                seen.insert((who, e["level"].as_str().unwrap().to_owned()));
            }
        }
    }
    for who in ["one", "two"] {
        for level in ["info", "stdout", "trace"] {
            assert!(
                seen.contains(&(who, level.to_owned())),
                "no {level} line of {who}: {seen:?}"
            );
        }
    }
    // The terminal's `-v` lines name the same groups.
    for line in r
        .stdout
        .lines()
        .filter(|l| l.contains("from two") || l.contains("from=two"))
    {
        assert!(line.contains("b.echo.talk"), "{line}");
    }
}
