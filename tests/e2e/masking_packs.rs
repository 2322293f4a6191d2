//! The packs mask what they obtain (contract 0.1.3's `log.mask`), against
//! real servers on loopback that quote it back where no name-based rule
//! would find it:
//!
//! - `http`: a session id captured with `secret = true` and sent back in a
//!   URL path, a header and a body the server quotes; a check whose
//!   expectation fails on the very answer holding the value;
//! - `oauth`: oidc-provider (`leaky-resource`) hands out codes, tokens and
//!   cookies, printing each for the test, and its resource quotes the token
//!   it was sent in a 500;
//! - `release-artifact`: a manifest naming a presigned URL, whose store
//!   answers `SignatureDoesNotMatch` quoting the signature and the key id,
//!   as S3 does.
//!
//! No output — the terminal with `-v`, every report format, the monitor's
//! endpoints — shows any of those values in any encoding.

use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderName};
use axum::routing::{get, post};

use crate::masking::echoed;
use crate::support::harness::suite;
use crate::support::oidc::{Oidc, PASSWORD};
use crate::support::outputs::{assert_shown_nowhere, monitor_outputs, run_with_every_report};

/// Every value a server handed out, in order.
type Handed = Arc<Mutex<Vec<String>>>;

/// `/login` hands out a fresh session id (in a JSON field no name-based rule
/// knows) and a header; `/echo/{sid}` answers 500 quoting it in every encoding.
fn session_server(handed: Handed) -> String {
    let app = Router::new()
        .route(
            "/login",
            post(|State(handed): State<Handed>| async move {
                let mut all = handed.lock().unwrap();
                let sid = format!("sess/{}+Zq=\"ü-7c1d{:04}", all.len(), all.len() * 37);
                let key = format!("hk-{:04}-9e2b7d41", all.len());
                all.push(sid.clone());
                all.push(key.clone());
                drop(all);
                (
                    StatusCode::OK,
                    [
                        (header::CONTENT_TYPE, "application/json".to_owned()),
                        (HeaderName::from_static("x-session-key"), key),
                    ],
                    serde_json::json!({ "sid": sid }).to_string(),
                )
            }),
        )
        .route(
            "/echo/{*sid}",
            get(
                |Path(sid): Path<String>, headers: axum::http::HeaderMap| async move {
                    let key = headers
                        .get("x-session-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    (StatusCode::INTERNAL_SERVER_ERROR, echoed(&sid, &key))
                },
            ),
        )
        .with_state(handed);
    format!("http://{}", crate::support::server::serve(app))
}

const HTTP: &str = r#"
name = "http-masked"

[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]

[plugins.site.config.groups.use]
depends-on = ["login"]

[[plugins.site.config.checks]]
group = "login"
name = "session"
method = "POST"
url = "@url@/login"
expect.status = 200
capture = [
  { name = "sid", json = "/sid", secret = true },
  { name = "key", header = "x-session-key", secret = true },
]

[[plugins.site.config.checks]]
group = "use"
name = "echo"
url = "@url@/echo/{{login.sid}}"
headers = { x-session-key = "{{login.key}}" }
expect.status = 200

[[plugins.site.config.checks]]
group = "refused"
name = "session"
method = "POST"
url = "@url@/login"
expect.json = [{ pointer = "/sid", matches = "^never" }]
capture = [{ name = "sid", json = "/sid", secret = true }]
"#;

#[test]
fn the_http_pack_masks_captures_marked_secret() {
    let handed = Handed::default();
    let url = session_server(handed.clone());
    let s = suite(HTTP, &url);
    let (r, mut outputs) = run_with_every_report(&s.path, &[], &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("login.session", "ok", "captured sid, key");
    r.expect("use.echo", "err", "expected status 200, got 500");
    // The expectation that failed quoted the answer holding the value: masked.
    r.expect(
        "refused.session",
        "err",
        r#"expected a match for /^never/, got "***""#,
    );
    assert!(r.stdout.contains("/echo/*** -> 500"), "{}", r.stdout);
    outputs.extend(monitor_outputs(&s.path, "http-masked", &[]));
    let handed = handed.lock().unwrap().clone();
    assert_eq!(
        handed.len(),
        8,
        "two runs, two logins each, two values a login: {handed:?}"
    );
    let values: Vec<&str> = handed.iter().map(String::as_str).collect();
    assert_shown_nowhere(&outputs, &values);
}

#[test]
fn the_oauth_pack_masks_the_codes_tokens_and_cookies_it_obtains() {
    let oidc = Oidc::start(&["leaky-resource"]);
    let issuer = &oidc.issuer;
    let toml = format!(
        "name = \"oauth-masked\"\ncheck-timeout = \"10s\"\n\n[plugins.oauth]\npath = \"@oauth@\"\n\
         allow-hosts = [\"{issuer}\"]\n\n[plugins.oauth.config]\nissuer = \"{issuer}\"\n\
         metadata_url = \"{issuer}/.well-known/openid-configuration\"\n\
         resource_url = \"{issuer}/me\"\n\
         redirect_uri = \"{issuer}/cb\"\nsign_in_fields = {{ login = \"smoke\" }}\n\n\
         [plugins.oauth.secrets]\npassword = {{ env = \"PLUME_E2E_OIDC_PASSWORD\" }}\n"
    );
    let s = suite(&toml, "");
    let envs = [("PLUME_E2E_OIDC_PASSWORD", PASSWORD)];
    let (r, mut outputs) = run_with_every_report(&s.path, &[], &envs);
    // The resource quoted the token it was sent: the line shows it masked.
    r.expect(
        "flow.token.works_on_resource",
        "err",
        "debug: the token sent was ***",
    );
    r.expect("flow.code.pkce_s256", "ok", "code exchanged with PKCE S256");
    outputs.extend(monitor_outputs(&s.path, "oauth-masked", &envs));
    // The server's last lines reach the test a moment after its answers.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let handed = oidc.credentials();
    for kind in [
        "code",
        "cookie",
        "access_token",
        "refresh_token",
        "id_token",
        "registration_access_token",
    ] {
        assert!(
            handed.iter().any(|(k, _)| k == kind),
            "the server handed out no {kind}: {handed:?}"
        );
    }
    let values: Vec<&str> = handed.iter().map(|(_, v)| v.as_str()).collect();
    assert_shown_nowhere(&outputs, &values);
}

const SIGNATURE: &str = "3b0c6c6f2e1d4a8f9e7d6c5b4a3928170f1e2d3c4b5a69788796a5b4c3d2e1f0";
const KEY_ID: &str = "AKIAPLUMEE2ETEST7Q4X";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEPlume/e2e+session==token";

/// A manifest naming a presigned URL, and the store behind it answering as
/// S3 does to a signature it does not accept.
fn presigned_store() -> String {
    let base: Arc<OnceLock<String>> = Arc::default();
    let credential = format!("{KEY_ID}%2F20261205%2Fus-east-1%2Fs3%2Faws4_request");
    let token: String = url::form_urlencoded::byte_serialize(SESSION_TOKEN.as_bytes()).collect();
    let query = format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date=20261205T100000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Security-Token={token}&X-Amz-Signature={SIGNATURE}"
    );
    // As S3 answers a signature it does not accept (the signature it was
    // given before the long message, so a body excerpt holds it).
    let error = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><SignatureProvided>{SIGNATURE}</SignatureProvided><AWSAccessKeyId>{KEY_ID}</AWSAccessKeyId><Message>The request signature we calculated does not match the signature you provided.</Message></Error>"
    );
    let app = Router::new()
        .route(
            "/version.json",
            get({
                let base = base.clone();
                move || {
                    let manifest = serde_json::json!({
                        "version": "1.4.2",
                        "sha256": "0".repeat(64),
                        "updated_at": "2026-12-05T10:00:00Z",
                        "download_url": format!(
                            "{}/bucket/plume-1.4.2.tar.gz?{query}",
                            base.get().map_or("", String::as_str)
                        ),
                    })
                    .to_string();
                    async move { ([("content-type", "application/json")], manifest) }
                }
            }),
        )
        .route(
            "/bucket/{key}",
            get(move || {
                let error = error.clone();
                async move {
                    (
                        StatusCode::FORBIDDEN,
                        [("content-type", "application/xml")],
                        error,
                    )
                }
            }),
        );
    let served = format!("http://{}", crate::support::server::serve(app));
    base.set(served.clone()).expect("set once");
    served
}

const RELEASE: &str = r#"
name = "release-masked"

[plugins.release]
path = "@release@"
allow-hosts = ["@url@"]

[plugins.release.config]
manifest_url = "@url@/version.json"
"#;

#[test]
fn the_release_pack_masks_a_presigned_url_s_signature() {
    let url = presigned_store();
    let s = suite(RELEASE, &url);
    let (r, mut outputs) = run_with_every_report(&s.path, &[], &[]);
    // The pack's own lines print a URL without its query; the -v traces
    // print it whole, masked, and the store's error body quotes it, masked.
    r.expect(
        "release.manifest.shape",
        "ok",
        "/bucket/plume-1.4.2.tar.gz?…",
    );
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "<SignatureProvided>***</SignatureProvided>",
    );
    outputs.extend(monitor_outputs(&s.path, "release-masked", &[]));
    assert_shown_nowhere(&outputs, &[SIGNATURE, KEY_ID, SESSION_TOKEN]);
}
