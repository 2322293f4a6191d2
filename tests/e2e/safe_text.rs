//! Text that never passed through the ledger is made safe too: a plugin's
//! `describe()` that panics or rejects its config quoting a secret between
//! terminal escapes, an event file edited to forge lines for `report merge`,
//! a Pushgateway URL holding credentials, a secret too short to mask. Each
//! shows as one safe line: no secret, no raw escape, no forged TAP or
//! workflow line.

use std::process::Command;

use serde_json::Value;

use crate::support::harness::{Run, plume_command, suite};
use crate::support::server::TestServer;

/// The secret the hostile plugin quotes in its faults (a `/`, a non-ASCII
/// and a non-BMP character, so each of its encodings differs).
const TOKEN: &str = "tr0ub4dor/é😀-describe-s3cret";

fn faulty_suite(server: &TestServer, fault: &str) -> crate::support::harness::SuiteFile {
    let toml = r#"
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", describe_fault = "FAULT" }
secrets = { token = { env = "PLUME_SAFE_TOKEN" } }
"#
    .replace("FAULT", fault);
    suite(&toml, &server.url())
}

/// Asserts `text` shows no secret in any usual encoding, no raw control
/// character, and no line a CI would read as a command or a TAP bail-out.
fn assert_safe(text: &str, what: &str) {
    let forms = [
        TOKEN.to_owned(),
        serde_json::to_string(TOKEN).unwrap(),
        "tr0ub4dor".to_owned(),
        "describe-s3cret".to_owned(),
    ];
    for form in &forms {
        assert!(
            !text.contains(form.as_str()),
            "{what} shows {form:?}:\n{text}"
        );
    }
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what} holds a raw control character:\n{text:?}"
    );
    for line in text.lines() {
        let line = line.trim_start();
        assert!(
            !line.starts_with("::") && !line.starts_with("Bail out!"),
            "{what} has a forged line {line:?}"
        );
    }
}

fn with_token(mut cmd: Command) -> Run {
    Run::from_output(
        cmd.env("PLUME_SAFE_TOKEN", TOKEN)
            .output()
            .expect("plume runs"),
    )
}

#[test]
fn a_describe_that_panics_or_rejects_quoting_a_secret_prints_one_safe_line() {
    let server = TestServer::start();
    for (fault, says) in [("panic", "panicked at"), ("reject", "base_url")] {
        let s = faulty_suite(&server, fault);
        for sub in ["run", "list"] {
            let mut cmd = plume_command();
            cmd.args([sub, s.path.to_str().unwrap()]);
            let r = with_token(cmd);
            assert_eq!(r.code, 2, "{fault} {sub}: {}\n{}", r.stdout, r.stderr);
            assert_eq!(r.stderr.lines().count(), 1, "{fault} {sub}: {}", r.stderr);
            assert!(
                r.stderr.contains(says) && r.stderr.contains("token *** \\x1b]0;pwned\\x07"),
                "{fault} {sub}: {}",
                r.stderr
            );
            assert_safe(&r.stdout, &format!("{fault} {sub} stdout"));
            assert_safe(&r.stderr, &format!("{fault} {sub} stderr"));
        }
        // The monitor describes every suite before it listens: its output too.
        let mut cmd = plume_command();
        cmd.args([
            "monitor",
            s.path.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ]);
        let r = with_token(cmd);
        assert_eq!(r.code, 2, "monitor {fault}: {}\n{}", r.stdout, r.stderr);
        assert_safe(
            &format!("{}\n{}", r.stdout, r.stderr),
            &format!("monitor {fault}"),
        );
        assert!(r.stderr.contains("token ***"), "{}", r.stderr);
    }
}

#[test]
fn a_secret_shorter_than_four_characters_is_refused_at_load() {
    let server = TestServer::start();
    let s = faulty_suite(&server, "none");
    let mut cmd = plume_command();
    cmd.args(["run", s.path.to_str().unwrap(), "--only", "healthy"]);
    let r = Run::from_output(cmd.env("PLUME_SAFE_TOKEN", "abc").output().unwrap());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("plugins.hostile.secrets.token")
            && r.stderr
                .contains("$PLUME_SAFE_TOKEN is 3 character(s) long")
            && r.stderr.contains("at least 4"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("abc"), "{}", r.stderr);
    assert!(
        server.log().is_empty(),
        "nothing was sent: {:?}",
        server.log()
    );
}

#[test]
fn a_push_gateway_url_with_credentials_never_shows_them() {
    let server = TestServer::start();
    let s = faulty_suite(&server, "none");
    let gateway = "http://pg-user:pg-Pa55word@127.0.0.1:1/?api_token=pg-query-s3cret&job=x";
    let mut cmd = plume_command();
    cmd.args(["run", s.path.to_str().unwrap(), "--only", "healthy"])
        .args(["--push-gateway", gateway]);
    let r = with_token(cmd);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let all = format!("{}\n{}", r.stdout, r.stderr);
    for secret in ["pg-user", "pg-Pa55word", "pg-query-s3cret"] {
        assert!(!all.contains(secret), "{secret} shown:\n{all}");
    }
    assert!(
        r.stderr
            .contains("http://***:***@127.0.0.1:1/?api_token=***&job=x"),
        "{}",
        r.stderr
    );
}

/// A real run's events, then every text in them replaced by a hostile one.
fn hostile_events(server: &TestServer, dir: &std::path::Path) -> std::path::PathBuf {
    let s = faulty_suite(server, "none");
    let events = dir.join("events.ndjson");
    let mut cmd = plume_command();
    cmd.args(["run", s.path.to_str().unwrap(), "--only", "healthy"])
        .arg("--report")
        .arg(format!("json={}", events.display()));
    let r = with_token(cmd);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let forged = "x\x1b]0;pwned\x07\x1b[2J\n::error::forged\nBail out! forged\r\nok 99 - forged";
    let huge = format!("{forged}{}", "h\n".repeat(4 * 1024 * 1024));
    let mut lines: Vec<Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for event in &mut lines {
        match event["event"].as_str().unwrap() {
            "run_started" => event["suite"] = Value::from(forged),
            "check_finished" => event["detail"] = Value::from(huge.as_str()),
            "log" => event["message"] = Value::from(forged),
            "cleanup_finished" => event["label"] = Value::from(forged),
            "run_finished" => event["stopped"] = Value::from(forged),
            _ => {}
        }
    }
    let at = lines[1]["at"].clone();
    let log = serde_json::json!({
        "event": "log", "at": at, "group": "healthy", "check": "fine",
        "level": "info\n::error::level", "message": huge,
    });
    lines.insert(2, log);
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&events, text.join("\n") + "\n").unwrap();
    events
}

#[test]
fn report_merge_shows_a_hostile_event_file_safe_in_every_output() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let events = hostile_events(&server, dir.path());
    let out = |name: &str| dir.path().join(name);
    let r = Run::from_output(
        plume_command()
            .args(["report", "merge"])
            .arg(&events)
            .arg("--report")
            .arg(format!("tap={}", out("out.tap").display()))
            .arg("--report")
            .arg(format!("github={}", out("github.txt").display()))
            .arg("--report")
            .arg(format!("junit={}", out("junit.xml").display()))
            .arg("--report")
            .arg(format!("json={}", out("merged.ndjson").display()))
            .output()
            .unwrap(),
    );
    assert_eq!(
        r.code, 1,
        "stopped is not green: {}\n{}",
        r.stdout, r.stderr
    );
    assert_safe(&r.stdout, "merge stdout");
    assert_safe(&r.stderr, "merge stderr");
    assert!(r.stdout.contains("stopped: "), "{}", r.stdout);
    for name in ["out.tap", "github.txt", "junit.xml", "merged.ndjson"] {
        let text = std::fs::read_to_string(out(name)).unwrap();
        assert_safe(&text, name);
        assert!(
            text.len() < 64 * 1024,
            "{name} holds {} bytes from a 8 MiB field",
            text.len()
        );
    }
    let tap = std::fs::read_to_string(out("out.tap")).unwrap();
    assert!(!tap.lines().any(|l| l.starts_with("ok 99")), "{tap}");
}
