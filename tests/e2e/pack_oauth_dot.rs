//! The `oauth` pack against Django OAuth Toolkit (PyPI, `tests/django-oauth`:
//! stock settings with OpenID Connect on), public and confidential clients,
//! consent on and off: green when healthy, each fault caught by its check,
//! and each way the toolkit differs from oidc-provider judged as a client
//! would — Django's login page before any validation (the negative requests
//! go with the signed-in session), the consent page's `allow` button, the
//! revocation endpoint listed only in its RFC 8414 document, a stock
//! resource that answers a bad token with 403, and registration refused to
//! an anonymous caller.

use std::collections::BTreeSet;

use crate::pack_oauth::outcome_set;
use crate::support::django_oauth::{CLIENT_SECRET, Dot, PASSWORD};
use crate::support::harness::{Run, plume_command, suite};

/// Runs the pack against `dot` as `client_id` with `extra` config lines,
/// the password and the client secret when given.
fn run(dot: &Dot, client_id: Option<&str>, extra: &str, password: bool, secret: bool) -> Run {
    let (origin, issuer) = (&dot.origin, &dot.issuer);
    let client = client_id.map_or_else(String::new, |c| format!("client_id = \"{c}\"\n"));
    // The userinfo endpoint, unless `extra` names another resource.
    let resource = if extra.contains("resource_url") {
        String::new()
    } else {
        format!("resource_url = \"{issuer}/userinfo/\"\n")
    };
    let toml = format!(
        "name = \"oauth-dot\"\ncheck-timeout = \"10s\"\n\n[plugins.oauth]\npath = \"@oauth@\"\n\
         allow-hosts = [\"{origin}\"]\n\n[plugins.oauth.config]\nissuer = \"{issuer}\"\n\
         metadata_url = \"{issuer}/.well-known/openid-configuration\"\n\
         {resource}resource_metadata_url = \"{origin}/.well-known/oauth-protected-resource\"\n\
         redirect_uri = \"{origin}/cb\"\nsign_in_fields = {{ username = \"smoke\" }}\n\
         {client}{extra}\n\
         [plugins.oauth.secrets]\npassword = {{ env = \"PLUME_E2E_DOT_PASSWORD\" }}\n\
         client_secret = {{ env = \"PLUME_E2E_DOT_CLIENT_SECRET\" }}\n"
    );
    let s = suite(&toml, "");
    let mut cmd = plume_command();
    cmd.arg("run").arg(&s.path);
    if password {
        cmd.env("PLUME_E2E_DOT_PASSWORD", PASSWORD);
    } else {
        cmd.env_remove("PLUME_E2E_DOT_PASSWORD");
    }
    if secret {
        cmd.env("PLUME_E2E_DOT_CLIENT_SECRET", CLIENT_SECRET);
    } else {
        cmd.env_remove("PLUME_E2E_DOT_CLIENT_SECRET");
    }
    Run::from_output(cmd.output().expect("run plume"))
}

fn all_ok(r: &Run) {
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(outcome_set(r, "err"), BTreeSet::new(), "{}", r.stdout);
    assert_eq!(outcome_set(r, "skip"), BTreeSet::new(), "{}", r.stdout);
    assert_eq!(outcome_set(r, "ok").len(), 15, "{}", r.stdout);
}

#[test]
fn a_healthy_toolkit_is_green_for_public_and_confidential_clients_with_and_without_consent() {
    let dot = Dot::start(&[]);
    let r = run(&dot, Some("plume-test"), "", true, false);
    all_ok(&r);
    // The revocation endpoint is listed only in the RFC 8414 document.
    r.expect(
        "discovery.as_metadata.keys",
        "ok",
        &format!(
            "revocation (from {}/.well-known/oauth-authorization-server/o)",
            dot.origin
        ),
    );
    // Django's login page, then the consent page's "Authorize" button (`allow`).
    r.expect(
        "flow.authorize.sign_in_redirect",
        "ok",
        "/accounts/login/?next=",
    );
    r.expect(
        "flow.code.pkce_s256",
        "ok",
        "signed in through a consent page (pressed \"Authorize\"), state preserved",
    );
    r.expect(
        "flow.id_token.verified",
        "ok",
        "RS256 signature verified with the JWKS key",
    );
    // Judged by the server with the signed-in session, not by its login redirect.
    r.expect(
        "flow.negative.missing_pkce",
        "ok",
        "error=invalid_request back to the client",
    );
    r.expect(
        "flow.negative.redirect_uri_mismatch",
        "ok",
        "gets 400 and no redirect: Error: invalid_request Mismatching redirect URI.",
    );
    r.expect(
        "flow.negative.unknown_client",
        "ok",
        "gets 400 and no redirect (RFC 6749 §4.1.2.1): Error: invalid_request Invalid client_id",
    );
    r.expect("flow.refresh.rotates", "ok", "a new refresh token");
    r.expect("flow.refresh.reuse_rejected", "ok", "invalid_grant");
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    r.expect("resource.www_authenticate.on_401", "ok", "401 with Bearer");

    // A confidential client: the toolkit lists both methods, and basic comes first.
    let r = run(&dot, Some("plume-confidential"), "", true, true);
    all_ok(&r);
    r.expect("flow.client", "ok", "(client_secret_basic)");
    r.expect("flow.code.pkce_s256", "ok", "through a consent page");

    // Consent off: the code comes straight back.
    let dot = Dot::start(&["no-consent"]);
    for (client, secret) in [("plume-test", false), ("plume-confidential", true)] {
        let r = run(&dot, Some(client), "", true, secret);
        all_ok(&r);
        r.expect(
            "flow.code.pkce_s256",
            "ok",
            "signed in, state preserved, code exchanged",
        );
    }
}

#[test]
fn signed_out_requests_are_not_judged_and_a_403_resource_does_not_stop_the_flow() {
    let dot = Dot::start(&["no-consent"]);
    // No password, so no session: the toolkit sends each request to its login page first.
    let r = run(&dot, Some("plume-test"), "", false, false);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for check in [
        "flow.negative.missing_pkce",
        "flow.negative.redirect_uri_mismatch",
        "flow.negative.unknown_client",
    ] {
        r.expect(
            check,
            "skip",
            "not judged yet: the server sent the request to sign in at",
        );
    }

    // The stock ProtectedResourceView answers a bad token with 403: said, and the flow runs.
    let me = format!("resource_url = \"{}/me\"", dot.origin);
    let r = run(&dot, Some("plume-test"), &me, true, false);
    let errs = outcome_set(&r, "err");
    assert!(!errs.iter().any(|n| n.starts_with("flow.")), "{}", r.stdout);
    r.expect(
        "resource.www_authenticate.on_401",
        "err",
        "a bad token gets 403, not 401 with a Bearer challenge",
    );
    r.expect(
        "flow.token.works_on_resource",
        "ok",
        "a made-up one gets 403",
    );
    r.expect("flow.revoke.access_token", "ok", "from 200 to 403");
}

#[test]
fn each_toolkit_fault_is_caught_by_its_check() {
    let dot = Dot::start(&["no-pkce", "jwks-500"]);
    let r = run(&dot, Some("plume-test"), "", true, false);
    assert_eq!(
        outcome_set(&r, "err"),
        BTreeSet::from(["flow.negative.missing_pkce", "flow.id_token.verified"].map(str::to_owned)),
        "{}",
        r.stdout
    );
    r.expect(
        "flow.negative.missing_pkce",
        "err",
        "an authorization request without code_challenge was accepted for a public client \
         (the server showed a consent form at the authorization endpoint)",
    );
    r.expect(
        "flow.id_token.verified",
        "err",
        "/o/.well-known/jwks.json answered 500: no key to check the id_token's signature with",
    );
    // A confidential client may skip PKCE (OAuth 2.1).
    let r = run(&dot, Some("plume-confidential"), "", true, true);
    r.expect(
        "flow.negative.missing_pkce",
        "skip",
        "does not require PKCE of this confidential client",
    );

    let dot = Dot::start(&["foreign-key", "no-consent"]);
    let r = run(&dot, Some("plume-test"), "", true, false);
    r.expect(
        "flow.id_token.verified",
        "err",
        "signature: the id_token is signed with key",
    );
    assert!(
        r.line("flow.id_token.verified")
            .contains("which the JWKS at"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_reuse_grace_period_is_not_rotation_and_refused_registration_is_a_reason() {
    let dot = Dot::start(&["refresh-grace", "no-consent", "registration"]);
    let r = run(&dot, Some("plume-test"), "", true, false);
    assert_eq!(
        outcome_set(&r, "err"),
        BTreeSet::from(["flow.refresh.reuse_rejected".to_owned()]),
        "{}",
        r.stdout
    );
    r.expect(
        "flow.refresh.reuse_rejected",
        "err",
        "the rotated-out refresh token still works (200): a new refresh token while the old \
         one still works is not rotation",
    );
    // The revocation after it still sees a live token.
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    let r = run(&dot, Some("plume-confidential"), "", true, true);
    r.expect(
        "flow.refresh.reuse_rejected",
        "skip",
        "which OAuth 2.1 allows for a confidential client",
    );

    // Registration listed, refused to an anonymous caller by the toolkit's stock policy.
    let r = run(&dot, None, "", true, false);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "flow.client",
        "skip",
        "the server refused to register a client (401 access_denied: Authentication required \
         to register a client)",
    );
    let r = run(&dot, None, "require = [\"registration\"]", true, false);
    r.expect(
        "flow.client",
        "err",
        "the server refused to register a client (401 access_denied",
    );
}
