//! Containment: every kind of misbehaving guest ends as a precise `err`,
//! the rest of its group is skipped, other groups go on, and cleanups
//! registered before the fault still run — also after the ceiling and signals.

use std::process::Stdio;

use crate::support::harness::{Run, plume_command, run, signal_when_seen, suite};
use crate::support::server::TestServer;

fn hostile_suite(server: &TestServer, extra_config: &str) -> crate::support::harness::SuiteFile {
    let toml = r#"
check-timeout = "1s"
memory-mib = 32
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" EXTRA }
"#
    .replace("EXTRA", extra_config);
    suite(&toml, &server.url())
}

#[test]
fn each_fault_is_named_and_contained_to_its_group() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let events = tempfile::NamedTempFile::new().unwrap();
    let report = format!("json={}", events.path().display());
    let groups = [
        "spin", "trap", "panic", "memory", "stack", "hostloop", "healthy", "escape",
    ];
    let mut args: Vec<&str> = groups.iter().flat_map(|g| ["--only", g]).collect();
    args.extend(["--report", &report]);
    let r = run(&s.path, &args);

    // Each faulty check ends within its timeout (1 s) plus 100 ms.
    for line in std::fs::read_to_string(events.path()).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        if event["event"] == "check_finished" && event["outcome"] == "err" {
            let took = event["duration_ms"].as_u64().unwrap();
            assert!(
                took <= 1100,
                "{}.{} took {took} ms",
                event["group"],
                event["check"]
            );
        }
    }

    r.expect(
        "spin.loop_forever",
        "err",
        "timed out after 1000 ms (check timeout)",
    );
    r.expect("trap.abort", "err", "trap:");
    r.expect(
        "panic.panics",
        "err",
        "panicked at tests/guests/hostile/src/lib.rs:",
    );
    assert!(
        r.line("panic.panics")
            .contains("deliberate panic in a check"),
        "{}",
        r.stdout
    );
    r.expect(
        "memory.bomb",
        "err",
        "out of memory: the instance passed its 32 MiB limit",
    );
    r.expect("stack.overflow", "err", "stack overflow");
    r.expect("hostloop.spam", "err", "timed out after 1000 ms");
    for group in ["spin", "trap", "panic", "memory", "stack", "hostloop"] {
        let faulty = r
            .names()
            .into_iter()
            .find(|n| n.starts_with(&format!("{group}.")) && !n.ends_with(".after"));
        let faulty = faulty.expect("the faulty check's line");
        let check = faulty.split_once('.').unwrap().1.to_owned();
        r.expect(
            &format!("{group}.after"),
            "skip",
            &format!("instance aborted at {check}"),
        );
        for n in 1..=2 {
            let url = format!("{}/cleanup/{group}-{n}", server.url());
            r.expect(
                &format!("cleanup.{group}-{n}"),
                "ok",
                &format!("DELETE {url} -> 204"),
            );
        }
        let order = server.requests_to(&format!("/cleanup/{group}-"));
        assert_eq!(
            order,
            [
                format!("DELETE /cleanup/{group}-2"),
                format!("DELETE /cleanup/{group}-1")
            ]
        );
    }
    r.expect("healthy.fine", "ok", "unaffected by its neighbours");
    r.expect("escape.files", "ok", "no files");
    r.expect("escape.environment", "ok", "no environment variables");
    r.expect("escape.sockets", "ok", "no sockets");
    assert_eq!(r.code, 1);
    assert!(
        server.requests_to("/ok").len() > 1,
        "the host-call loop reached the server"
    );
}

#[test]
fn guest_output_is_captured_as_log_lines() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let r = run(&s.path, &["--only", "healthy", "-v"]);
    r.expect("healthy.fine", "ok", "unaffected");
    assert!(
        r.stdout
            .contains("healthy.fine stdout: printed to stdout by the guest"),
        "{}",
        r.stdout
    );
    let quiet = run(&s.path, &["--only", "healthy"]);
    assert!(
        !quiet.stdout.contains("printed to stdout"),
        "{}",
        quiet.stdout
    );
}

#[test]
fn the_ceiling_stops_the_run_and_cleanups_still_run() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let groups = ["--only", "sleepy", "--only", "spin", "--only", "healthy"];
    let limits = ["--ceiling", "1500ms", "--check-timeout", "10s"];
    let r = run(&s.path, &[&groups[..], &limits[..]].concat());
    // One check waits in a host call, the other spins in pure wasm: the ceiling stops both.
    for (group, check) in [("sleepy", "sleeps"), ("spin", "loop_forever")] {
        let reached = "run ceiling of 1500 ms reached";
        r.expect(
            &format!("{group}.{check}"),
            "err",
            &format!("{reached} after"),
        );
        r.expect(
            &format!("{group}.after"),
            "skip",
            &format!("not started: {reached}"),
        );
        let order = server.requests_to(&format!("/cleanup/{group}-"));
        assert_eq!(
            order,
            [
                format!("DELETE /cleanup/{group}-2"),
                format!("DELETE /cleanup/{group}-1")
            ]
        );
    }
    r.expect("healthy.fine", "ok", "unaffected");
    r.expect("cleanup.sleepy-2", "ok", "-> 204");
    assert!(
        r.stdout.contains("stopped: run ceiling of 1500 ms reached"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 1);
}

/// The ceiling bounds the whole run, the preflight included, as it does for
/// every run of `plume monitor`: a preflight URL that accepts the connection
/// and never answers stops the run at the ceiling, not at the preflight's
/// own 3 s timeout, and the reports are still written.
#[test]
fn the_ceiling_bounds_the_preflight_too() {
    let server = TestServer::start();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let toml = format!(
        "ceiling = \"600ms\"\npreflight = [\"http://{}/health\"]\n[plugins.hostile]\npath = \"@hostile@\"\nallow-hosts = [\"@url@\"]\nconfig = {{ base_url = \"@url@\" }}\n",
        silent.local_addr().unwrap()
    );
    let s = suite(&toml, &server.url());
    let events = tempfile::NamedTempFile::new().unwrap();
    let report = format!("json={}", events.path().display());
    let started = std::time::Instant::now();
    let r = run(&s.path, &["--only", "healthy", "--report", &report]);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "stopped: preflight and describe took longer than the run's ceiling of 600 ms"
        ),
        "{}",
        r.stdout
    );
    assert!(
        took < std::time::Duration::from_millis(2900),
        "took {took:?}"
    );
    let written = std::fs::read_to_string(events.path()).unwrap();
    assert!(written.contains("run_finished"), "{written}");
    drop(silent);
}

#[test]
fn a_describe_that_never_returns_is_bad_input() {
    let server = TestServer::start();
    let s = hostile_suite(&server, r#", hang_describe = "yes""#);
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "error: plugin `hostile`: describe() failed: no answer within 1000 ms"
    );
}

fn interrupt(signal: &str, expected_code: i32) {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let child = plume_command()
        .args([
            "run",
            s.path.to_str().unwrap(),
            "--only",
            "sleepy",
            "--check-timeout",
            "20s",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    signal_when_seen(&server, "/ok?from=sleepy", &child, signal);
    let r = Run::from_output(child.wait_with_output().unwrap());
    let name = if signal == "-INT" {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    r.expect(
        "sleepy.sleeps",
        "err",
        &format!("interrupted by {name} after"),
    );
    r.expect(
        "sleepy.after",
        "skip",
        &format!("not started: interrupted by {name}"),
    );
    r.expect("cleanup.sleepy-1", "ok", "-> 204");
    assert_eq!(
        server.requests_to("/cleanup/"),
        ["DELETE /cleanup/sleepy-2", "DELETE /cleanup/sleepy-1"]
    );
    assert_eq!(r.code, expected_code, "{}", r.stdout);
}

#[test]
fn sigint_runs_cleanups_and_exits_130() {
    interrupt("-INT", 130);
}

#[test]
fn sigterm_runs_cleanups_and_exits_143() {
    interrupt("-TERM", 143);
}

#[test]
fn a_flood_of_log_output_is_cut_at_the_budget() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let events = tempfile::NamedTempFile::new().unwrap();
    let report = format!("json={}", events.path().display());
    let r = run(&s.path, &["--only", "flood", "-v", "--report", &report]);
    r.expect("flood.logs", "ok", "wrote 100 MB of log lines");
    assert!(
        r.stdout
            .contains("flood.logs warn: log output past 256 KiB for this check dropped"),
        "the cut is said"
    );
    assert!(
        r.stdout.len() < 1024 * 1024,
        "the terminal got {} bytes",
        r.stdout.len()
    );
    let written = std::fs::metadata(events.path()).unwrap().len();
    assert!(written < 1024 * 1024, "the JSON report got {written} bytes");
}

/// Each log line is an event in every report, so lines count against the
/// budget with their framing: 231,072 one-character lines end as at most
/// 2,048 events and the note, not 231,072 events.
#[test]
fn a_flood_of_short_log_lines_is_cut_at_the_budget() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let events = tempfile::NamedTempFile::new().unwrap();
    let report = format!("json={}", events.path().display());
    let r = run(
        &s.path,
        &["--only", "flood.lines", "-v", "--report", &report],
    );
    r.expect("flood.lines", "ok", "wrote 231,072 log lines");
    assert!(
        r.stdout
            .contains("flood.lines warn: log output past 256 KiB for this check dropped"),
        "the cut is said"
    );
    let json = std::fs::read_to_string(events.path()).unwrap();
    let logs = json.lines().filter(|l| l.contains("\"log\"")).count();
    assert!(
        (1..=2_049).contains(&logs),
        "{logs} log events in the JSON report"
    );
}

/// Request headers are the host's to bound: 30,000 of them (past what an
/// HTTP header map holds) are refused in a check and in a cleanup, where a
/// fault would otherwise end the walk and the run; a framing header and a
/// `host` naming a virtual host outside `allow-hosts` are refused too.
#[test]
fn request_headers_past_the_limits_are_refused_not_a_crash() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let junit = tempfile::NamedTempFile::new().unwrap();
    let report = format!("junit={}", junit.path().display());
    let r = run(&s.path, &["--only", "headers", "--report", &report]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "headers.send_many",
        "ok",
        "invalid: 30000 request headers; at most 256",
    );
    r.expect(
        "headers.framing",
        "ok",
        "invalid: header content-length is set by the host",
    );
    r.expect(
        "headers.vhost",
        "ok",
        "denied: header host: http://admin.internal:80 is not in allow-hosts",
    );
    r.expect(
        "cleanup.many_headers",
        "err",
        "invalid: 30000 request headers; at most 256",
    );
    r.expect("cleanup.polite", "ok", "-> 204");
    assert_eq!(server.requests_to("/store").len(), 0, "{:?}", server.log());
    let xml = std::fs::read_to_string(junit.path()).unwrap();
    assert!(xml.contains("</testsuites>"), "{xml}");
}

/// A group's output is bounded (1 MiB): past it the rest is dropped and
/// said, and the plugin keeps running (it used to trap: "write beyond
/// capacity").
#[test]
fn printing_past_the_output_bound_is_dropped_and_said_not_a_trap() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let r = run(&s.path, &["--only", "prints", "-v"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("prints.two_mib", "ok", "printed 2 MiB");
    r.expect("prints.after", "ok", "printed again");
    assert!(
        r.stdout.contains(
            "prints.two_mib warn: 1048576 bytes of output dropped: this group printed past 1024 KiB"
        ),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(2000)..]
    );
    assert!(
        r.stdout
            .contains("prints.after warn: 11 bytes of output dropped"),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(2000)..]
    );
    assert!(r.stdout.len() < 1024 * 1024, "{} bytes", r.stdout.len());
}

/// An assertion's other arguments count with its body against
/// `max-body-mib`: a 17 MiB needle on a 2-byte body is the quota's line.
#[test]
fn an_assertion_needle_past_the_body_limit_is_refused() {
    let server = TestServer::start();
    let s = hostile_suite(&server, "");
    let r = run(&s.path, &["--only", "needle"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "needle.refused",
        "err",
        "quota: assert.body-contains was given a 2 B body and 17 MiB of other arguments (limit 16 MiB, max-body-mib)",
    );
}
