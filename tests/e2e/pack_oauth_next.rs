//! The `oauth` pack against the newest `oidc-provider` major as it ships
//! (`tests/oidc-next`: its stock login page, then its consent page, each a
//! form with hidden fields posting to its `action`) and, for the confidential
//! client and the `require` key, against the pinned one too. Before these
//! fixes the stock server was red while healthy: the consent page stopped
//! the sign-in, revocation did not authenticate a confidential client, and
//! `refresh.rotates` demanded rotation from a confidential client.

use std::collections::BTreeSet;

use crate::pack_oauth::{outcome_set, run_pack_with};
use crate::support::harness::{plume_command, suite};
use crate::support::oidc::{CLIENT_SECRET, Oidc, PASSWORD};

/// Refresh tokens from the stock server need `offline_access`, which it
/// grants only with `prompt=consent`.
const OFFLINE: &str =
    "scope = \"openid offline_access\"\nauthorize_params = { prompt = \"consent\" }";

#[test]
fn the_newest_major_with_stock_login_and_consent_pages_is_green() {
    let oidc = Oidc::start_next(&[]);
    let r = run_pack_with(&oidc, OFFLINE, Some(PASSWORD), None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(outcome_set(&r, "ok").len(), 15, "{}", r.stdout);
    r.expect("flow.client", "ok", "(RFC 7591)");
    r.expect(
        "flow.code.pkce_s256",
        "ok",
        "signed in through a consent page (pressed \"Continue\"), state preserved, code \
         exchanged with PKCE S256: access token and refresh token",
    );
    // A registered client is public: its refresh token must rotate, and does.
    r.expect("flow.refresh.rotates", "ok", "a new refresh token");
    r.expect("flow.refresh.reuse_rejected", "ok", "invalid_grant");
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    r.expect("cleanup.registered-client", "ok", "204");

    // Without offline_access the server issues no refresh token: said so, with the way out.
    let r = run_pack_with(&oidc, "", Some(PASSWORD), None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "flow.refresh.rotates",
        "skip",
        "the server issued no refresh token with the access token (scope \"openid\"",
    );
    r.expect(
        "flow.refresh.reuse_rejected",
        "skip",
        "no refresh token to reuse (see flow.refresh.rotates)",
    );
}

#[test]
fn a_confidential_client_authenticates_by_the_servers_metadata_and_need_not_rotate() {
    // The newest major: client_secret_basic, and no rotation for confidential clients.
    let next = Oidc::start_next(&[]);
    let config = format!("client_id = \"plume-confidential\"\n{OFFLINE}");
    let r = run_pack_with(&next, &config, Some(PASSWORD), Some(CLIENT_SECRET));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "flow.client",
        "ok",
        "configured client plume-confidential (client_secret_basic)",
    );
    r.expect("flow.code.pkce_s256", "ok", "through a consent page");
    r.expect(
        "flow.refresh.rotates",
        "ok",
        "the refresh token did not rotate, which OAuth 2.1 allows for a confidential client",
    );
    r.expect(
        "flow.refresh.reuse_rejected",
        "skip",
        "did not rotate (allowed for a confidential client)",
    );
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    // The stock server does not demand PKCE of a confidential client (OAuth 2.1 allows it) ...
    r.expect(
        "flow.negative.missing_pkce",
        "skip",
        "does not require PKCE of this confidential client",
    );
    // ... unless the suite requires it.
    let strict = format!("{config}\nrequire = [\"pkce\"]");
    let r = run_pack_with(&next, &strict, Some(PASSWORD), Some(CLIENT_SECRET));
    r.expect(
        "flow.negative.missing_pkce",
        "err",
        "which OAuth 2.1 allows (a public client must use it), and pkce is required",
    );

    // The pinned release lists only client_secret_post: the pack follows it.
    let pinned = Oidc::start(&[]);
    let r = run_pack_with(
        &pinned,
        "client_id = \"plume-confidential\"",
        Some(PASSWORD),
        Some(CLIENT_SECRET),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("flow.client", "ok", "(client_secret_post)");
    r.expect("flow.code.pkce_s256", "ok", "signed in, state preserved");
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    r.expect("flow.refresh.rotates", "ok", "a new refresh token");

    // A wrong secret is refused by the server, and named in the exchange.
    let r = run_pack_with(&next, &config, Some(PASSWORD), Some("not-the-secret"));
    r.expect("flow.code.pkce_s256", "err", "invalid_client");
    r.expect(
        "flow.refresh.rotates",
        "skip",
        "the sign-in and code exchange did not pass (see flow.code.pkce_s256)",
    );
}

#[test]
fn required_features_that_are_absent_are_red_and_optional_ones_skip() {
    let oidc = Oidc::start_next(&["no-registration", "no-revocation"]);
    let base = "client_id = \"plume-test\"";
    let r = run_pack_with(&oidc, base, Some(PASSWORD), None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("flow.revoke.access_token", "skip", "no revocation_endpoint");
    r.expect("flow.refresh.rotates", "skip", "issued no refresh token");

    let config = format!("{base}\nrequire = [\"revocation\", \"registration\", \"refresh\"]");
    let r = run_pack_with(&oidc, &config, Some(PASSWORD), None);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        outcome_set(&r, "err"),
        BTreeSet::from(
            [
                "flow.client",
                "flow.refresh.rotates",
                "flow.revoke.access_token"
            ]
            .map(str::to_owned)
        ),
        "{}",
        r.stdout
    );
    r.expect(
        "flow.client",
        "err",
        "no registration_endpoint, and registration is required (config require)",
    );
    r.expect(
        "flow.revoke.access_token",
        "err",
        "the server's metadata has no revocation_endpoint, and revocation is required",
    );
    r.expect(
        "flow.refresh.rotates",
        "err",
        "issued no refresh token with the access token",
    );
    // The configured client was still published: the flow went on.
    r.expect("flow.code.pkce_s256", "ok", "through a consent page");

    // An unknown feature is bad input, named before any check runs.
    let toml = format!(
        "[plugins.oauth]\npath = \"@oauth@\"\nallow-hosts = [\"{0}\"]\n\
         [plugins.oauth.config]\nissuer = \"{0}\"\nrequire = [\"revocaton\"]\n",
        oidc.issuer
    );
    let s = suite(&toml, "");
    let out = plume_command()
        .arg("run")
        .arg(&s.path)
        .output()
        .expect("run plume");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "config.require: unknown feature \"revocaton\"; choose from revocation, registration, refresh, pkce"
        ),
        "{stderr}"
    );
    // Where: the suite file's line and column of `require`'s value.
    let at = format!(
        "error: {}:6:11: plugin `oauth`: config.require:",
        s.path.display()
    );
    assert!(stderr.trim().starts_with(&at), "{stderr}");
}
