//! The `http` pack (`plugins/http`): checks written as tables in the suite
//! file, run against the loopback test server. Captures within a group and
//! across a dependency, a marker written and read back, a negative path, a
//! stream held open, a cleanup registered before its request; failures that
//! show expected against actual; and config mistakes refused with exit 2.

use crate::support::harness::{run, suite};
use crate::support::server::TestServer;

const GREEN: &str = r#"
name = "http-pack"
check-timeout = "3s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[plugins.site.config.groups.session]
depends-on = ["login"]

[[plugins.site.config.checks]]
group = "login"
name = "token"
method = "POST"
url = "@url@/login"
defer = { url = "@url@/cleanup/login-{{marker}}" }
expect.status = 200
expect.json = [{ pointer = "/token", matches = "^tok-", type = "string" }]
capture = [{ name = "token", json = "/token" }]

[[plugins.site.config.checks]]
group = "login"
name = "whoami.same_group"
url = "@url@/whoami"
headers = { authorization = "Bearer {{token}}" }
expect.status = [200, 203]
expect.json = [{ pointer = "/user", equals = "smoke" }]

[[plugins.site.config.checks]]
group = "login"
name = "whoami.no_token_401"
url = "@url@/whoami"
expect.status = 401
expect.body-contains = "no token"

[[plugins.site.config.checks]]
group = "session"
name = "whoami.upstream"
url = "@url@/whoami"
headers = { authorization = "Bearer {{login.token}}" }
expect.status = 200
expect.headers = [{ name = "content-type", matches = "json" }]

[[plugins.site.config.checks]]
group = "session"
name = "store.marker"
method = "POST"
url = "@url@/store"
body = "note {{marker}}"
expect.status = 201
capture = [{ name = "written", value = "{{marker}}" }]

[[plugins.site.config.checks]]
group = "session"
name = "store.read_back"
url = "@url@/store"
expect.status = 200
expect.body-contains = "note {{written}}"
expect.within-ms = 2000

[[plugins.site.config.checks]]
group = "stream"
name = "sse.open"
url = "@url@/sse"
expect.status = 200
expect.headers = [{ name = "content-type", matches = "^text/event-stream" }]
expect.stream = { headers-within-ms = 1000, contains = "data: hello", open-for-ms = 300 }

[[plugins.site.config.checks]]
group = "stream"
name = "expected.version"
url = "@url@/ok"
requires = { value = "", reason = "EXPECTED_VERSION is not set" }
expect.status = 200
"#;

#[test]
fn a_suite_of_tables_runs_captures_markers_streams_and_cleanups() {
    let server = TestServer::start();
    let s = suite(GREEN, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("login.token", "ok", "POST /login in ");
    r.expect(
        "login.token",
        "ok",
        "/token =~ /^tok-/ string; captured token",
    );
    r.expect("login.whoami.same_group", "ok", "/user = \"smoke\"");
    r.expect(
        "login.whoami.no_token_401",
        "ok",
        "status 401, body has \"no token\"",
    );
    r.expect("session.whoami.upstream", "ok", "content-type =~ /json/");
    r.expect(
        "session.store.read_back",
        "ok",
        "body has \"note PLUME-MARKER-",
    );
    r.expect("stream.sse.open", "ok", "\"data: hello\" after");
    r.expect("stream.sse.open", "ok", "open for 300 ms");
    r.expect(
        "stream.expected.version",
        "skip",
        "EXPECTED_VERSION is not set",
    );

    // The marker the store check wrote is the one read back.
    let stored = server.requests_to("/store");
    assert_eq!(stored, ["POST /store", "GET /store"], "{stored:?}");
    // The cleanup was registered before the login request and ran at the end.
    let log = server.log();
    let cleanup = log
        .iter()
        .position(|l| l.starts_with("DELETE /cleanup/login-PLUME-MARKER-"))
        .unwrap_or_else(|| panic!("no cleanup in {log:?}"));
    assert_eq!(cleanup, log.len() - 1, "{log:?}");
    r.expect("cleanup.token", "ok", "DELETE ");
    r.expect("cleanup.token", "ok", "-> 204");
}

const RED: &str = r#"
name = "http-pack-red"
check-timeout = "3s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[plugins.site.config.groups.later]
depends-on = ["shape"]

[[plugins.site.config.checks]]
group = "shape"
name = "status.value"
url = "@url@/ok"
expect.status = 200
expect.json = [{ pointer = "/status", equals = "degraded" }]

[[plugins.site.config.checks]]
group = "shape"
name = "missing.field"
url = "@url@/ok"
expect.json = [{ pointer = "/version", type = "string" }]

[[plugins.site.config.checks]]
group = "codes"
name = "wrong.status"
url = "@url@/status/500"
expect.status = [200, 204]

[[plugins.site.config.checks]]
group = "codes"
name = "stream.closes"
url = "@url@/sse-closes"
expect.stream = { open-for-ms = 500 }

[[plugins.site.config.checks]]
group = "codes"
name = "makes.token"
url = "@url@/status/500"
expect.status = 200
capture = [{ name = "nothing", json = "/token" }]

[[plugins.site.config.checks]]
group = "codes"
name = "never.captured"
url = "@url@/ok"
headers = { authorization = "Bearer {{nothing}}" }
expect.status = 200

[[plugins.site.config.checks]]
group = "later"
name = "after.shape"
url = "@url@/ok"
expect.status = 200
"#;

#[test]
fn failures_show_expected_against_actual() {
    let server = TestServer::start();
    let s = suite(RED, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "shape.status.value",
        "err",
        "at /status: expected \"degraded\", got \"ok\"",
    );
    r.expect(
        "shape.missing.field",
        "err",
        "at /version: expected a value, found none",
    );
    r.expect(
        "codes.wrong.status",
        "err",
        "expected status one of 200, 204, got 500",
    );
    r.expect("codes.stream.closes", "err", "the stream closed after");
    // The skip names the check that captures the value, which did not pass.
    r.expect(
        "codes.never.captured",
        "skip",
        "no `nothing`: codes.makes.token, the check that captures it, did not pass",
    );
    r.expect("later.after.shape", "skip", "dependency shape failed");
    // The skipped check sent nothing: it stopped at its template.
    assert_eq!(server.requests_to("/ok").len(), 2, "{:?}", server.log());
}

#[test]
fn config_mistakes_are_one_line_errors_with_exit_2() {
    let server = TestServer::start();
    let cases = [
        ("expct.status = 200", "unknown field `expct`"),
        ("", "no expectations"),
        (
            "expect.json = [{ pointer = \"/a\", type = \"list\" }]",
            "unknown variant `list`, expected one of `null`, `boolean`",
        ),
        // A stream has no whole body: keys it cannot evaluate are refused,
        // naming the key and how to fix it, instead of being ignored.
        (
            "expect.stream = { open-for-ms = 100 }\nexpect.json = [{ pointer = \"/a\" }]",
            "(g.c) expect.json cannot be evaluated with expect.stream",
        ),
        (
            "expect.stream = { open-for-ms = 100 }\ncapture = [{ name = \"t\", json = \"/t\" }]",
            "capture t: a JSON capture cannot be evaluated with expect.stream",
        ),
        (
            "expect.stream = { contains = \"x\" }\nexpect.body-excludes = \"error\"",
            "expect.body-excludes with expect.stream needs expect.stream.open-for-ms",
        ),
        // A value no check captures is a typo, named before the run.
        (
            "headers = { authorization = \"Bearer {{nothing}}\" }\nexpect.status = 200",
            "`{{nothing}}` is not captured by an earlier check of group g",
        ),
        // A regex or a pointer that could never match is named before the run,
        // not reported as a failed deploy.
        (
            "expect.json = [{ pointer = \"/v\", matches = \"([0-9]+\" }]",
            "expect.json[0].matches: \"([0-9]+\" is not a valid regex (",
        ),
        (
            "expect.json = [{ pointer = \"data/id\" }]",
            "expect.json[0].pointer \"data/id\": a JSON pointer starts with `/`",
        ),
        (
            "expect.headers = [{ name = \"etag\", matches = \"*abc\" }]",
            "expect.headers[0].matches: \"*abc\" is not a valid regex (",
        ),
    ];
    for (extra, message) in cases {
        let toml = format!(
            "[plugins.site]\npath = \"@http@\"\nallow-hosts = [\"@url@\"]\n\n\
             [[plugins.site.config.checks]]\ngroup = \"g\"\nname = \"c\"\nurl = \"@url@/ok\"\n{extra}\n"
        );
        let s = suite(&toml, &server.url());
        let r = run(&s.path, &[]);
        assert_eq!(r.code, 2, "{extra}: {}\n{}", r.stdout, r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{extra}: {}", r.stderr);
        assert!(lines[0].contains(message), "{extra}: {}", r.stderr);
        assert!(lines[0].contains("config.checks"), "{extra}: {}", r.stderr);
    }
}

const STREAMS: &str = r#"
name = "http-pack-streams"
check-timeout = "3s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "sse"
name = "contains.present"
url = "@url@/sse"
expect.status = 200
expect.body-contains = "hello"
expect.within-ms = 2000
expect.stream = { headers-within-ms = 1000 }
capture = [{ name = "kind", header = "content-type" }]

[[plugins.site.config.checks]]
group = "sse"
name = "capture.used"
url = "@url@/echo"
headers = { authorization = "{{kind}}" }
expect.body-contains = "authorization=text/event-stream"

[[plugins.site.config.checks]]
group = "sse"
name = "contains.absent"
url = "@url@/sse"
expect.body-contains = ["hello", "event: never-sent"]
expect.stream = { open-for-ms = 300 }

[[plugins.site.config.checks]]
group = "sse"
name = "excludes.sent"
url = "@url@/sse"
expect.body-excludes = "data: hello"
expect.stream = { open-for-ms = 300 }

[[plugins.site.config.checks]]
group = "sse"
name = "excludes.clean"
url = "@url@/sse"
expect.body-excludes = "error"
expect.stream = { open-for-ms = 200 }
"#;

/// Every key a stream check accepts is evaluated: text that never arrives
/// and text that must not arrive are red, a header capture is published for
/// the next check (before, all five were green and the capture was lost).
#[test]
fn a_stream_check_evaluates_every_key_it_accepts() {
    let server = TestServer::start();
    let s = suite(STREAMS, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("sse.contains.present", "ok", "\"hello\" after ");
    r.expect("sse.contains.present", "ok", "headers within 2000 ms");
    r.expect("sse.contains.present", "ok", "captured kind");
    r.expect("sse.capture.used", "ok", "authorization=text/event-stream");
    r.expect(
        "sse.contains.absent",
        "err",
        "no \"event: never-sent\" on the stream after 3",
    );
    r.expect(
        "sse.excludes.sent",
        "err",
        "the stream sent \"data: hello\" after ",
    );
    r.expect("sse.excludes.clean", "ok", "no \"error\", open for 200 ms");
    // What the capture carried reached the server.
    assert_eq!(server.requests_to("/echo"), ["GET /echo"]);
}

const READ_AS_A_CLIENT_WOULD: &str = r#"
name = "http-pack-real-shapes"
check-timeout = "3s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "shapes"
name = "numbers.by_value"
url = "@url@/windows-json"
expect.status = 200
expect.json = [{ pointer = "/price", equals = 0 }, { pointer = "/seats", equals = 3.0 }, { pointer = "/version", equals = "2.3.4" }]

[[plugins.site.config.checks]]
group = "shapes"
name = "cookie.any_value"
url = "@url@/windows-json"
expect.status = 200
expect.headers = [{ name = "set-cookie", matches = "^session=" }]

[[plugins.site.config.checks]]
group = "shapes"
name = "numbers.wrong_price"
url = "@url@/windows-json"
expect.status = 200
expect.json = [{ pointer = "/price", equals = 1 }]

[[plugins.site.config.checks]]
group = "shapes"
name = "cookie.none_matches"
url = "@url@/windows-json"
expect.status = 200
expect.headers = [{ name = "set-cookie", matches = "^csrf=" }]
"#;

/// A body with a byte order mark is JSON, `0.0` equals `0`, and a repeated
/// header holds when any of its values matches; a real mismatch still fails
/// with every value quoted.
#[test]
fn bodies_and_headers_are_read_as_a_client_would() {
    let server = TestServer::start();
    let s = suite(READ_AS_A_CLIENT_WOULD, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("shapes.numbers.by_value", "ok", "/price");
    r.expect("shapes.cookie.any_value", "ok", "200");
    r.expect(
        "shapes.numbers.wrong_price",
        "err",
        "at /price: expected 1, got 0.0",
    );
    r.expect(
        "shapes.cookie.none_matches",
        "err",
        r#"got 2 values: "__cf_bm=edge; path=/", "session=s1; HttpOnly""#,
    );
}
