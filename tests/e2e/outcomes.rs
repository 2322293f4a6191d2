//! Outcomes, dependencies, selection, group values, cleanups and redaction,
//! with the well-behaved `basic` guest.

use crate::support::harness::{Run, plume_command, run, suite};
use crate::support::server::TestServer;

fn basic_suite(server: &TestServer) -> crate::support::harness::SuiteFile {
    let denied = format!("http://localhost:{}/forbidden", server.addr.port());
    let toml = r#"
name = "basic"
check-timeout = "5s"
[env.test]
url = "@url@"
[plugins.basic]
path = "@basic@"
allow-hosts = ["${url}"]
[plugins.basic.config]
base_url = "${url}"
denied_url = "DENIED"
[plugins.basic.secrets]
api_token = { env = "PLUME_TEST_TOKEN" }
"#
    .replace("DENIED", &denied);
    suite(&toml, &server.url())
}

#[test]
fn every_outcome_lands_as_one_line_with_its_detail() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = run(&s.path, &[]);

    r.expect("basics.ok_status", "ok", "status ok in");
    r.expect(
        "basics.err_status",
        "err",
        "expected status 200, got 503; body: {\"error\":\"status 503\"}",
    );
    assert!(
        r.line("basics.err_status").contains(" 503 "),
        "{}",
        r.line("basics.err_status")
    );
    r.expect(
        "basics.skip_reason",
        "skip",
        "nothing to check in this environment",
    );
    r.expect("basics.secret_used", "skip", "no api_token");
    r.expect("producer.login", "ok", "token of 7 chars published");
    r.expect("consumer.whoami", "ok", "token from producer accepted");
    r.expect("failing.boom", "err", "deliberate failure");
    r.expect("after_failing.never", "skip", "dependency failing failed");
    r.expect("stream.sse_open", "ok", "open 300 ms later");
    r.expect("stream.sse_closes", "err", "the stream closed after");
    r.expect("marker.roundtrip", "ok", "marker PLUME-MARKER-");
    r.expect("digest.blob", "ok", "3145728 bytes");
    r.expect("retry.settles", "ok", "after 3 attempts");
    assert!(
        r.stdout.contains("10 passed, 3 failed, 3 skipped in "),
        "{}",
        r.stdout
    );
    let red = r
        .stdout
        .lines()
        .find(|l| l.starts_with("red: "))
        .expect("a red summary line");
    for name in [
        "basics.err_status",
        "failing.boom",
        "stream.sse_closes",
        "cleanup.broken",
    ] {
        assert!(red.contains(name), "{red}");
    }
    assert_eq!(r.code, 1, "a red check makes exit code 1");
}

#[test]
fn a_denied_host_gets_nothing_sent() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = run(&s.path, &["--only", "denied"]);
    r.expect("denied.outside", "ok", "denied: http://localhost:");
    assert!(
        r.line("denied.outside").contains("is not in allow-hosts"),
        "{}",
        r.stdout
    );
    assert!(
        server.requests_to("/forbidden").is_empty(),
        "{:?}",
        server.log()
    );
    assert_eq!(r.code, 0);
}

#[test]
fn cleanups_run_newest_first_and_a_failing_one_does_not_stop_the_rest() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = run(&s.path, &["--only", "cleanups"]);
    r.expect("cleanups.register", "ok", "4 cleanups registered");
    r.expect("cleanup.broken", "err", "DELETE");
    assert!(r.line("cleanup.broken").contains(" 500 "), "{}", r.stdout);
    for n in 1..=3 {
        r.expect(&format!("cleanup.undo-{n}"), "ok", "-> 204");
    }
    assert_eq!(
        server.requests_to("/cleanup/")[..],
        [
            "DELETE /cleanup/3",
            "DELETE /cleanup/2",
            "DELETE /cleanup/1"
        ]
    );
    let names = r.names();
    assert_eq!(
        names[1..],
        [
            "cleanup.broken",
            "cleanup.undo-3",
            "cleanup.undo-2",
            "cleanup.undo-1"
        ]
    );
    assert_eq!(r.code, 1, "a failed cleanup makes the run red");
}

#[test]
fn only_runs_a_group_with_its_dependencies_and_skip_skips_dependents() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = run(&s.path, &["--only", "consumer"]);
    assert_eq!(
        r.names(),
        ["producer.login", "consumer.whoami", "cleanup.logout"],
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(server.requests_to("/session/"), ["DELETE /session/tok-123"]);

    let r = run(&s.path, &["--only", "consumer", "--skip", "producer"]);
    assert_eq!(r.names(), ["consumer.whoami"]);
    r.expect(
        "consumer.whoami",
        "skip",
        "dependency producer not run (--skip producer)",
    );
    assert_eq!(r.code, 0);
}

#[test]
fn secrets_are_used_but_never_shown() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let out = plume_command()
        .args(["run", s.path.to_str().unwrap(), "--only", "basics", "-v"])
        .env("PLUME_TEST_TOKEN", "sekrit-token-42")
        .output()
        .unwrap();
    let r = Run::from_output(out);
    r.expect(
        "basics.secret_used",
        "ok",
        "server echoed authorization=Bearer ***",
    );
    assert!(
        server
            .requests_to("/echo")
            .iter()
            .any(|l| l.contains("sekrit-token-42")),
        "the secret was sent"
    );
    assert!(
        !r.stdout.contains("sekrit-token-42") && !r.stderr.contains("sekrit-token-42"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("basics.secret_used info: using token ***"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("/echo?token=*** -> 200"), "{}", r.stdout);
}

#[test]
fn list_and_inspect_describe_without_running() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let r = crate::support::harness::plume(&["list", s.path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("  consumer  (after producer)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("    basics.ok_status"), "{}", r.stdout);
    assert!(r.stdout.contains("16 checks in 12 groups"), "{}", r.stdout);
    let r = crate::support::harness::plume(&["inspect", plume_test_guests::BASIC]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("secrets: api_token"), "{}", r.stdout);
    assert!(
        r.stdout.contains("stream: sse_open, sse_closes"),
        "{}",
        r.stdout
    );
    assert!(server.log().is_empty(), "nothing ran: {:?}", server.log());
}

#[test]
fn only_and_skip_take_checks_and_globs() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    // The checks that ran (cleanup lines left aside).
    let names = |args: &[&str]| {
        let r = run(&s.path, args);
        assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
        let mut names = r.names();
        names.retain(|n| !n.starts_with("cleanup."));
        names
    };
    // One check of a group, and the group a dependency needs, whole.
    let mut picked = names(&["--only", "consumer.whoami", "--only", "basics.ok_status"]);
    picked.sort();
    assert_eq!(
        picked,
        ["basics.ok_status", "consumer.whoami", "producer.login"],
        "{picked:?}"
    );
    // A glob over groups, and a check left out.
    let picked = names(&[
        "--only",
        "produc*",
        "--only",
        "basics.*",
        "--skip",
        "basics.ok_status",
    ]);
    assert!(picked.contains(&"producer.login".to_owned()), "{picked:?}");
    assert!(
        !picked.contains(&"basics.ok_status".to_owned()),
        "{picked:?}"
    );
    assert!(
        picked.iter().any(|n| n.starts_with("basics.")),
        "{picked:?}"
    );
    assert!(
        !picked.iter().any(|n| n.starts_with("consumer.")),
        "{picked:?}"
    );
    // A selector that matches nothing is bad input.
    let r = run(&s.path, &["--only", "nothing.*"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown group `nothing.*` in --only"),
        "{}",
        r.stderr
    );
}

#[test]
fn color_follows_the_flag_then_the_environment() {
    let server = TestServer::start();
    let s = basic_suite(&server);
    let path = s.path.to_str().unwrap();
    let colored = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = plume_command();
        cmd.args(["run", path, "--only", "producer"]).args(args);
        cmd.env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let r = Run::from_output(cmd.output().unwrap());
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        r.stdout.contains("\x1b[")
    };
    // In a pipe: plain, unless forced.
    assert!(!colored(&[], &[]));
    assert!(colored(&[], &[("FORCE_COLOR", "1")]));
    assert!(colored(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&[], &[("FORCE_COLOR", "0")]));
    // The flag wins over the environment.
    assert!(colored(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!colored(&["--color", "never"], &[("FORCE_COLOR", "1")]));
}
