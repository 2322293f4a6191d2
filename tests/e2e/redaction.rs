//! A server that echoes a secret back in the encodings servers really use:
//! JSON with Python's `\uXXXX` for every non-ASCII character (a surrogate
//! pair for a non-BMP one), every character escaped in upper-case hex, PHP's
//! `\/`, and raw, a PEM-like secret on several lines with tabs. Every check
//! fails quoting the body; no output — the terminal with `-v`, JSON events,
//! JUnit, TAP, GitHub — holds the secret or a piece of it in any encoding.

use std::fmt::Write as _;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;

use crate::support::harness::{Run, plume_command, suite};

/// Several lines, tabs, `/`, `+`, a non-ASCII and a non-BMP character.
const PEM: &str = "-----BEGIN PLUME KEY-----\nMIIBö/Zq9+x😀\tAbCdEf/12\n\tQk+Yw8/abcdefghij\n-----END PLUME KEY-----";

/// Pieces of the secret that no output may show, in any of the forms the
/// server writes them.
const PIECES: [&str; 6] = ["Zq9+x", "AbCdEf", "Yw8", "abcdefghij", "MIIB", "Qk+"];

/// `text` as a JSON string body, each character escaped when `escape` says so.
fn json_string(text: &str, escape: impl Fn(char) -> bool, upper: bool, slash: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if slash => out.push_str("\\/"),
            '\n' if !escape(c) => out.push_str("\\n"),
            '\t' if !escape(c) => out.push_str("\\t"),
            c if escape(c) || c.is_control() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    if upper {
                        let _ = write!(out, "\\u{unit:04X}");
                    } else {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How each route writes the secret it was sent.
fn echoed(route: &str, secret: &str) -> String {
    match route {
        // Python's json.dumps (ensure_ascii): every non-ASCII character escaped.
        "py" => json_string(secret, |c| !c.is_ascii(), false, false),
        // Every character escaped, upper-case hex.
        "upper" => json_string(secret, |_| true, true, false),
        // PHP's json_encode: `\/`, non-ASCII escaped.
        "php" => json_string(secret, |c| !c.is_ascii(), false, true),
        _ => secret.to_owned(),
    }
}

/// Starts the echo server on 127.0.0.1; it stops with the test process.
fn echo_server() -> String {
    let app = Router::new()
        .route(
            "/echo/{route}",
            post(
                |axum::extract::Path(route): axum::extract::Path<String>, body: String| async move {
                    let said = echoed(&route, &body);
                    let json = if route == "raw" {
                        said
                    } else {
                        format!("{{\"echo\": {said}}}")
                    };
                    (StatusCode::INTERNAL_SERVER_ERROR, json)
                },
            ),
        )
        .route(
            "/value",
            post(|body: String| async move { axum::Json(serde_json::json!({ "echo": body })) }),
        );
    format!("http://{}", crate::support::server::serve(app))
}

const HEAD: &str = r#"
name = "redaction"
check-timeout = "5s"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]
secrets = { key = { env = "PLUME_PEM_KEY" } }
"#;

/// The suite: each check POSTs the secret and fails quoting what came back.
fn suite_text() -> String {
    let checks = [
        ("py", "/echo/py", "expect.status = 200"),
        ("upper", "/echo/upper", "expect.status = 200"),
        ("php", "/echo/php", "expect.status = 200"),
        ("raw", "/echo/raw", "expect.status = 200"),
        (
            "contains",
            "/echo/raw",
            "expect.body-contains = \"not in the body\"",
        ),
        (
            "value",
            "/value",
            "expect.json = [{ pointer = \"/echo\", equals = \"something else\" }]",
        ),
    ];
    let mut text = HEAD.to_owned();
    for (name, path, expect) in checks {
        text.push_str(&format!(
            "\n[[plugins.site.config.checks]]\ngroup = \"echo\"\nname = \"{name}\"\nmethod = \"POST\"\nurl = \"@url@{path}\"\nbody = \"{{{{secret:key}}}}\"\n{expect}\n"
        ));
    }
    text
}

#[test]
fn a_secret_echoed_escaped_or_on_several_lines_shows_in_no_output() {
    let url = echo_server();
    let s = suite(&suite_text(), &url);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let mut cmd = plume_command();
    cmd.args(["run", s.path.to_str().unwrap(), "-v"])
        .env("PLUME_PEM_KEY", PEM);
    for report in [
        "json=events.ndjson",
        "junit=junit.xml",
        "tap=out.tap",
        "github=github.txt",
    ] {
        let (kind, name) = report.split_once('=').unwrap();
        cmd.arg("--report")
            .arg(format!("{kind}={}", file(name).display()));
    }
    let r = Run::from_output(cmd.output().unwrap());
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for check in ["py", "upper", "php", "raw", "contains"] {
        r.expect(&format!("echo.{check}"), "err", "body: ");
    }
    r.expect("echo.value", "err", "/echo");
    // Each body was quoted, with the secret masked in it.
    assert!(
        r.line("echo.py").contains(r#"{"echo": "***"}"#),
        "{}",
        r.line("echo.py")
    );
    assert!(
        r.line("echo.upper").contains(r#"{"echo": "***"}"#),
        "{}",
        r.line("echo.upper")
    );
    assert!(
        r.line("echo.php").contains(r#"{"echo": "***"}"#),
        "{}",
        r.line("echo.php")
    );
    assert!(
        r.line("echo.raw").contains("body: ***"),
        "{}",
        r.line("echo.raw")
    );

    let mut outputs = vec![
        ("stdout".to_owned(), r.stdout.clone()),
        ("stderr".to_owned(), r.stderr.clone()),
    ];
    for name in ["events.ndjson", "junit.xml", "out.tap", "github.txt"] {
        outputs.push((
            name.to_owned(),
            std::fs::read_to_string(file(name)).unwrap(),
        ));
    }
    let mut forms: Vec<String> = ["py", "upper", "php", "raw"]
        .iter()
        .map(|route| echoed(route, PEM))
        .collect();
    forms.push(serde_json::to_string(PEM).unwrap());
    for piece in PIECES {
        forms.push(piece.to_owned());
        forms.push(
            json_string(piece, |_| true, true, false)
                .trim_matches('"')
                .to_owned(),
        );
        forms.push(
            json_string(piece, |_| true, false, false)
                .trim_matches('"')
                .to_owned(),
        );
    }
    for (name, text) in &outputs {
        for form in &forms {
            assert!(
                !text.contains(form.as_str()),
                "{name} shows {form:?}:\n{text}"
            );
        }
    }
}
