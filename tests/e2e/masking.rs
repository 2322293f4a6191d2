//! Values a plugin obtains while the run goes on and masks (contract
//! 0.1.3's `log.mask`), from each SDK: a guest in Rust, JavaScript and Python
//! reads a session token and a cookie from a real server on loopback, masks
//! them, logs them, and another group sends them back and fails quoting the
//! server's answer, which holds the token in every encoding the redactor
//! knows. No output shows any of them: the terminal with `-v` (plugin logs
//! and request traces), every report format, and `plume monitor`'s
//! endpoints. A value too short to mask is refused with a warning; a plugin
//! masking past its bounds is `err` with the limit's line.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::support::harness::{run, suite};
use crate::support::outputs::{assert_shown_nowhere, monitor_outputs, run_with_every_report};

/// The guests, by the path their server answers under.
const LANGS: [&str; 3] = ["rs", "js", "py"];

/// The session token the server hands `lang`'s guest: `/`, `+`, `=`, a
/// quote and a non-ASCII character, so each encoding writes it differently.
fn token(lang: &str) -> String {
    format!("{lang}/9f+Ab=cd\"éz-session-4e1f7a")
}

/// The cookie the server hands `lang`'s guest.
fn cookie(lang: &str) -> String {
    format!("ck-{lang}-5d0e7a9b31c2")
}

/// `token` as the server writes it back: after 150 characters (so a body
/// excerpt is cut inside it), then as it is, base64, URL-safe base64, as a
/// form and percent-encoded, JSON-escaped (also PHP's `\/`), inside a Basic
/// header, with the cookie.
pub fn echoed(token: &str, cookie: &str) -> String {
    let json = serde_json::to_string(token).unwrap();
    let form: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let percent: String = token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!(
        "{pad}{token}\nraw: {token}\nbase64: {b64}\nbase64url: {b64url}\nform: {form}\npercent: {percent}\njson: {{\"session\":{json}}}\nphp: {php}\nbasic: Basic {basic}\ncookie: sid={cookie}\n",
        pad = "x".repeat(150),
        b64 = STANDARD.encode(token),
        b64url = URL_SAFE_NO_PAD.encode(token),
        php = json.replace('/', "\\/"),
        basic = STANDARD.encode(format!("user:{token}")),
    )
}

fn server() -> String {
    let app = Router::new()
        .route(
            "/{lang}/session",
            get(|Path(lang): Path<String>| async move {
                (
                    StatusCode::OK,
                    [
                        (header::CONTENT_TYPE, "application/json".to_owned()),
                        (
                            header::SET_COOKIE,
                            format!("sid={}; Path=/; HttpOnly", cookie(&lang)),
                        ),
                    ],
                    serde_json::json!({ "session": token(&lang) }).to_string(),
                )
            }),
        )
        .route(
            "/{lang}/echo",
            post(|Path(lang): Path<String>, body: String| async move {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    echoed(&body, &cookie(&lang)),
                )
            }),
        );
    format!("http://{}", crate::support::server::serve(app))
}

const SUITE: &str = r#"
name = "masking"
check-timeout = "30s"
ceiling = "120s"

[plugins.rs]
path = "@mask@"
group-prefix = "rs."
allow-hosts = ["@url@"]
config.url = "@url@/rs"

[plugins.js]
path = "@mask-js@"
group-prefix = "js."
allow-hosts = ["@url@"]
config.url = "@url@/js"

[plugins.py]
path = "@mask-py@"
group-prefix = "py."
allow-hosts = ["@url@"]
config.url = "@url@/py"
"#;

/// Every value the three guests obtain.
fn obtained() -> Vec<String> {
    LANGS.iter().flat_map(|l| [token(l), cookie(l)]).collect()
}

#[test]
fn values_each_sdk_masks_show_in_no_output_in_any_encoding() {
    let url = server();
    let s = suite(SUITE, &url);
    let only = [
        "--only", "*.obtain", "--only", "*.echo", "--only", "*.short",
    ];
    let (r, outputs) = run_with_every_report(&s.path, &only, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for lang in LANGS {
        // The lines are there, what they held masked.
        r.expect(
            &format!("{lang}.obtain.token"),
            "ok",
            "obtained session ***",
        );
        r.expect(
            &format!("{lang}.echo.body"),
            "err",
            "expected status 200, got 500",
        );
        r.expect(&format!("{lang}.short.tiny"), "ok", "3-character");
        for shown in [
            format!("{lang}.obtain.token info: obtained session *** and cookie ***"),
            format!("{lang}.echo.body warn: sending *** back"),
        ] {
            assert!(r.stdout.contains(&shown), "no {shown:?} in:\n{}", r.stdout);
        }
    }
    for shown in [
        "raw: ***",
        "base64: ***",
        "base64url: ***",
        "form: ***",
        "percent: ***",
        r#"json: {"session":"***"}"#,
        r#"php: "***""#,
        "basic: Basic dXNlcjp***",
        "cookie: sid=***",
        "echo?sid=*** -> 500",
        "log.mask: a value of 3 character(s) is not masked",
    ] {
        assert!(r.stdout.contains(shown), "no {shown:?} in:\n{}", r.stdout);
    }
    let values = obtained();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    assert_shown_nowhere(&outputs, &values);

    // The monitor's run of the same suite: its API, history, pages and metrics.
    let monitor = monitor_outputs(&s.path, "masking", &[]);
    let last = &monitor
        .iter()
        .find(|(n, _)| n.starts_with("GET /runs/last"))
        .unwrap()
        .1;
    assert!(last.contains("obtained session ***"), "{last}");
    assert_shown_nowhere(&monitor, &values);
}

const FLOOD: &str = r#"
name = "flood"

[plugins.rs]
path = "@mask@"
allow-hosts = ["@url@"]
config.url = "@url@/rs"
"#;

#[test]
fn a_plugin_masking_past_its_bounds_is_err_with_the_limit() {
    let s = suite(FLOOD, "http://127.0.0.1:9");
    for (group, line) in [
        (
            "flood_count",
            "quota: masking a value would be plugin rs's value number 257 to mask (limit 256 values, not configurable)",
        ),
        (
            "flood_bytes",
            "quota: masking a value of 300 KiB would bring plugin rs's masked values to 300 KiB (limit 256 KiB, not configurable)",
        ),
    ] {
        let r = run(&s.path, &["--only", group]);
        assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
        let check = if group == "flood_count" {
            "many"
        } else {
            "large"
        };
        r.expect(&format!("{group}.{check}"), "err", line);
    }
}
