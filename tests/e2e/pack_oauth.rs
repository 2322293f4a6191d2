//! The `oauth` pack (`plugins/oauth`) against a real authorization server,
//! `oidc-provider`, on loopback: discovery, registration, sign-in, PKCE,
//! the token on the resource, rotation, revocation and the negative paths
//! all green when healthy; each switched-on bug caught by its check; and
//! the flow skipped with its reason when there is no client or password.

use std::collections::BTreeSet;

use crate::support::harness::{Run, plume_command, suite};
use crate::support::oidc::{CLIENT_SECRET, Oidc, PASSWORD};

fn run_pack(oidc: &Oidc, extra: &str, password: Option<&str>) -> Run {
    run_pack_with(oidc, extra, password, None)
}

/// Runs the pack with `extra` config lines, the test user's password and a
/// client secret when given (each unset otherwise).
pub fn run_pack_with(
    oidc: &Oidc,
    extra: &str,
    password: Option<&str>,
    client_secret: Option<&str>,
) -> Run {
    run_pack_as(oidc, &oidc.issuer, extra, password, client_secret)
}

/// [`run_pack_with`], with `issuer` configured as written.
fn run_pack_as(
    oidc: &Oidc,
    configured: &str,
    extra: &str,
    password: Option<&str>,
    client_secret: Option<&str>,
) -> Run {
    let issuer = &oidc.issuer;
    let toml = format!(
        "name = \"oauth\"\ncheck-timeout = \"5s\"\n\n[plugins.oauth]\npath = \"@oauth@\"\n\
         allow-hosts = [\"{issuer}\"]\n\n[plugins.oauth.config]\nissuer = \"{configured}\"\n\
         metadata_url = \"{issuer}/.well-known/openid-configuration\"\n\
         resource_url = \"{issuer}/me\"\n\
         resource_metadata_url = \"{issuer}/.well-known/oauth-protected-resource\"\n\
         redirect_uri = \"{issuer}/cb\"\nsign_in_fields = {{ login = \"smoke\" }}\n{extra}\n\
         [plugins.oauth.secrets]\npassword = {{ env = \"PLUME_E2E_OIDC_PASSWORD\" }}\n\
         client_secret = {{ env = \"PLUME_E2E_OIDC_CLIENT_SECRET\" }}\n"
    );
    let s = suite(&toml, "");
    let mut cmd = plume_command();
    cmd.arg("run").arg(&s.path);
    match password {
        Some(p) => cmd.env("PLUME_E2E_OIDC_PASSWORD", p),
        None => cmd.env_remove("PLUME_E2E_OIDC_PASSWORD"),
    };
    match client_secret {
        Some(s) => cmd.env("PLUME_E2E_OIDC_CLIENT_SECRET", s),
        None => cmd.env_remove("PLUME_E2E_OIDC_CLIENT_SECRET"),
    };
    Run::from_output(cmd.output().expect("run plume"))
}

pub fn outcome_set(r: &Run, outcome: &str) -> BTreeSet<String> {
    r.names()
        .into_iter()
        .filter(|n| !n.starts_with("cleanup.") && r.outcome(n) == outcome)
        .collect()
}

#[test]
fn a_healthy_server_passes_discovery_flows_and_negative_paths() {
    let oidc = Oidc::start(&[]);
    let r = run_pack(&oidc, "", Some(PASSWORD));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(outcome_set(&r, "ok").len(), 15, "{}", r.stdout);
    r.expect("discovery.as_metadata.pkce_s256", "ok", "[\"S256\"]");
    r.expect(
        "resource.www_authenticate.on_401",
        "ok",
        "401 with Bearer realm=",
    );
    r.expect("flow.client", "ok", "(RFC 7591)");
    r.expect("flow.authorize.sign_in_redirect", "ok", "/interaction/");
    r.expect(
        "flow.code.pkce_s256",
        "ok",
        "state preserved, code exchanged with PKCE S256",
    );
    r.expect("flow.revoke.access_token", "ok", "from 200 to 401");
    r.expect("flow.refresh.reuse_rejected", "ok", "invalid_grant");
    r.expect("flow.negative.missing_pkce", "ok", "error=invalid_request");
    r.expect(
        "flow.negative.redirect_uri_mismatch",
        "ok",
        "400 and no redirect",
    );
    r.expect(
        "flow.negative.unknown_client",
        "ok",
        "gets 400 and no redirect (RFC 6749 §4.1.2.1)",
    );
    r.expect(
        "flow.id_token.verified",
        "ok",
        "signature verified with the JWKS key",
    );
    // The registered client is deleted at the end (RFC 7592).
    r.expect("cleanup.registered-client", "ok", "204");
}

#[test]
fn each_bug_is_caught_by_its_check() {
    let no_pkce = Oidc::start(&["no-pkce"]);
    let r = run_pack(&no_pkce, "", Some(PASSWORD));
    assert_eq!(
        outcome_set(&r, "err"),
        BTreeSet::from(["flow.negative.missing_pkce".to_owned()]),
        "{}",
        r.stdout
    );
    r.expect(
        "flow.negative.missing_pkce",
        "err",
        "an authorization request without code_challenge was accepted for a public client \
         (redirected back with a code",
    );

    let no_rotation = Oidc::start(&["no-rotation"]);
    let r = run_pack(&no_rotation, "", Some(PASSWORD));
    assert_eq!(
        outcome_set(&r, "err"),
        BTreeSet::from(["flow.refresh.rotates".to_owned()]),
        "{}",
        r.stdout
    );
    r.expect("flow.refresh.rotates", "err", "does not rotate");

    let r = run_pack(&no_rotation, "", Some("a wrong password"));
    r.expect(
        "flow.code.pkce_s256",
        "err",
        "ended with 401 instead of a redirect to the client",
    );
    // The refresh check names the real cause, not a server without refresh tokens.
    r.expect(
        "flow.refresh.rotates",
        "skip",
        "no refresh token to use: the sign-in and code exchange did not pass",
    );
}

#[test]
fn without_a_client_or_a_password_the_flow_skips_with_its_reason() {
    let closed = Oidc::start(&["no-registration"]);
    let r = run_pack(&closed, "", Some(PASSWORD));
    assert_eq!(r.code, 0, "{}", r.stdout);
    r.expect(
        "flow.client",
        "skip",
        "no client_id configured and the server advertises no registration_endpoint",
    );
    r.expect("flow.code.pkce_s256", "skip", "no `client_id`");
    r.expect(
        "flow.refresh.rotates",
        "skip",
        "no refresh token to use: there is no client (see flow.client)",
    );
    // With the server's pre-registered test client, but no password.
    let r = run_pack(&closed, "client_id = \"plume-test\"", None);
    r.expect("flow.client", "ok", "configured client plume-test");
    r.expect("flow.authorize.sign_in_redirect", "ok", "which answers 200");
    r.expect("flow.code.pkce_s256", "skip", "no password");
    r.expect("flow.negative.missing_pkce", "ok", "error=invalid_request");
}

/// An issuer published with a trailing slash (Auth0 does) is a different
/// string from one without: configured as published, the whole flow is
/// green (the metadata, the resource's `authorization_servers`, the `iss`
/// of the redirect all compared as written); configured without the slash,
/// discovery fails showing both, as a client comparing issuers would.
#[test]
fn the_issuer_is_compared_exactly_as_written() {
    let oidc = Oidc::start(&["issuer-slash"]);
    let published = format!("{}/", oidc.issuer);
    let r = run_pack_as(&oidc, &published, "", Some(PASSWORD), None);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("discovery.as_metadata.pkce_s256", "ok", "S256");
    let r = run_pack_as(&oidc, &oidc.issuer, "", Some(PASSWORD), None);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let expected = format!(
        "at /issuer: expected \"{}\", got \"{published}\"",
        oidc.issuer
    );
    let failed: Vec<String> = outcome_set(&r, "err").into_iter().collect();
    assert!(
        failed.iter().any(|n| r.line(n).contains(&expected)),
        "{expected}\n{}",
        r.stdout
    );
}

/// An authorization endpoint that answers 200 with the sign-in form itself
/// (Keycloak does) instead of redirecting to it: the pack signs in on that
/// page and the whole flow is green.
#[test]
fn a_sign_in_form_at_the_authorization_endpoint_is_signed_in_on() {
    let oidc = Oidc::start(&["login-at-authorize"]);
    let r = run_pack(&oidc, "", Some(PASSWORD));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "flow.authorize.sign_in_redirect",
        "ok",
        "authorize answers 200 with the sign-in form itself",
    );
    r.expect("flow.code.pkce_s256", "ok", "");
}

/// Keycloak accepts an authorization request by showing its sign-in form
/// with 200 at the authorization endpoint: without PKCE, that is a public
/// client let in without `code_challenge` (red, said so), and a confidential
/// client allowed to skip it (a skip). Healthy, the same endpoint refuses the
/// request before showing any form.
#[test]
fn a_sign_in_form_shown_without_pkce_is_acceptance() {
    let healthy = Oidc::start(&["login-at-authorize"]);
    let r = run_pack(&healthy, "client_id = \"plume-test\"", None);
    r.expect("flow.negative.missing_pkce", "ok", "error=invalid_request");

    let lax = Oidc::start(&["login-at-authorize", "no-pkce"]);
    let r = run_pack(&lax, "client_id = \"plume-test\"", None);
    r.expect(
        "flow.negative.missing_pkce",
        "err",
        "an authorization request without code_challenge was accepted for a public client \
         (the server showed its sign-in form at the authorization endpoint)",
    );
    let r = run_pack_with(
        &lax,
        "client_id = \"plume-confidential\"",
        None,
        Some(CLIENT_SECRET),
    );
    r.expect(
        "flow.negative.missing_pkce",
        "skip",
        "does not require PKCE of this confidential client (the server showed its sign-in form",
    );
}

/// Registration refused by the server's policy (Keycloak's anonymous
/// registration policies answer 403 insufficient_scope) is a skip giving the
/// server's reason, and red when registration is required.
#[test]
fn registration_refused_by_policy_is_a_skip_with_the_servers_reason() {
    let oidc = Oidc::start(&["registration-policy"]);
    let r = run_pack(&oidc, "", Some(PASSWORD));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "flow.client",
        "skip",
        "the server refused to register a client (403 insufficient_scope: Policy 'Trusted Hosts' \
         rejected request to client-registration service. Details: Host not trusted.)",
    );
    let r = run_pack(&oidc, "require = [\"registration\"]", Some(PASSWORD));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect("flow.client", "err", "and registration is required");
}

/// A value of the wrong type, a form field that is a table, an unknown
/// method: one line naming the key, exit 2, before any check.
#[test]
fn config_mistakes_are_one_line_errors_with_exit_2() {
    let issuer = "issuer = \"https://127.0.0.1:9\"";
    let cases = [
        (
            format!("{issuer}\nsign_in_fields = {{ login = {{ name = \"a\" }} }}"),
            "config.sign_in_fields.login: expected a string, a number or a boolean \
             (see plugins/oauth/README.md)",
        ),
        (
            format!("{issuer}\nauthorize_params = \"prompt=consent\""),
            "config.authorize_params: expected a table, got \"prompt=consent\"",
        ),
        (
            format!("{issuer}\ntoken_endpoint_auth_method = \"private_key_jwt\""),
            "config.token_endpoint_auth_method: \"private_key_jwt\" is not one of \
             client_secret_basic, client_secret_post",
        ),
        (
            format!("{issuer}\nrequire = \"pkce\""),
            "config.require: expected an array, got \"pkce\"",
        ),
    ];
    for (config, expected) in cases {
        crate::bad_input::pack_config_refused("@oauth@", &config, expected);
    }
}
