//! Credentials a server hands out while a run goes on, which nobody
//! configured as secrets: a token endpoint's `access_token` and
//! `refresh_token` quoted in a failure's body excerpt, and a presigned URL's
//! `X-Amz-Signature` and `X-Amz-Credential` in the URL a check requests
//! (shown in the `-v` trace). No output — the
//! terminal, JSON events, JUnit, TAP, GitHub — holds any of their values.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::{get, post};

use crate::support::harness::{Run, plume_command, suite};

const ACCESS: &str = "eyJhbGciOiJSUzI1NiJ9.live-access-token-4f1c";
const REFRESH: &str = "rt-7d2a9c0e5b-live-refresh";
const SIGNATURE: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const CREDENTIAL: &str = "AKIAIOSFODNN7EXAMPLE";

fn server() -> String {
    let app = Router::new()
        .route(
            "/token",
            post(|| async {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    format!(
                        r#"{{"access_token":"{ACCESS}","token_type":"Bearer","expires_in":300,"refresh_token":"{REFRESH}"}}"#
                    ),
                )
            }),
        )
        .route(
            "/bucket/plume.tar.gz",
            get(|| async { (StatusCode::FORBIDDEN, "<Error><Code>AccessDenied</Code></Error>") }),
        );
    format!("http://{}", crate::support::server::serve(app))
}

const SUITE: &str = r#"
name = "obtained"
check-timeout = "5s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[[plugins.site.config.checks]]
group = "auth"
name = "token"
method = "POST"
url = "@url@/token"
expect.status = 201

[[plugins.site.config.checks]]
group = "release"
name = "download"
url = "@url@/bucket/plume.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=@credential@%2F20261205%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=@signature@"
expect.status = 200
"#;

#[test]
fn tokens_and_presigned_signatures_a_server_hands_out_show_in_no_output() {
    let url = server();
    let text = SUITE
        .replace("@credential@", CREDENTIAL)
        .replace("@signature@", SIGNATURE);
    let s = suite(&text, &url);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let mut cmd = plume_command();
    cmd.args(["run", s.path.to_str().unwrap(), "-v"]);
    for (kind, name) in [
        ("json", "events.ndjson"),
        ("junit", "junit.xml"),
        ("tap", "out.tap"),
        ("github", "github.txt"),
    ] {
        cmd.arg("--report")
            .arg(format!("{kind}={}", file(name).display()));
    }
    let r = Run::from_output(cmd.output().unwrap());
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    // The failures still say what was wrong, with the credentials masked.
    r.expect("auth.token", "err", r#""access_token":"***""#);
    r.expect("auth.token", "err", r#""refresh_token":"***""#);
    r.expect("release.download", "err", "403");

    let mut outputs = vec![("stdout", r.stdout.clone()), ("stderr", r.stderr.clone())];
    for name in ["events.ndjson", "junit.xml", "out.tap", "github.txt"] {
        outputs.push((name, std::fs::read_to_string(file(name)).unwrap()));
    }
    let traced = outputs
        .iter()
        .any(|(_, text)| text.contains("X-Amz-Signature=***"));
    assert!(traced, "the presigned URL is shown, masked: {}", r.stdout);
    for (name, text) in &outputs {
        for value in [
            ACCESS,
            REFRESH,
            SIGNATURE,
            CREDENTIAL,
            &ACCESS[..24],
            &SIGNATURE[..24],
        ] {
            assert!(!text.contains(value), "{name} shows {value}:\n{text}");
        }
    }
}
