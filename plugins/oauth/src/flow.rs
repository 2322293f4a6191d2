//! Group `flow`: a client (configured or registered), the test user signed
//! in through the server's own form, the authorization code with PKCE S256,
//! the token on the resource, refresh rotation, revocation, and the reuse
//! of a rotated refresh token.

use plume_sdk::prelude::*;

use crate::settings::{issuer, redirect_uri, resource_url, scope, sign_in_form};
use crate::web::{Jar, form, pkce, query_param, resolve};

/// How many redirects a sign-in may take to come back to the client.
const MAX_HOPS: usize = 6;

/// An endpoint `discovery` found; `skip` naming it when the server has none.
pub fn endpoint(ctx: &Ctx, key: &str) -> Result<String, Halt> {
    ctx.published("discovery", key).map_err(|_| Halt::Skip {
        reason: format!("the server's metadata has no {key}"),
    })
}

/// The authorization request for `client_id`, PKCE S256 when `challenge` is given.
pub fn authorize_url(
    ctx: &Ctx,
    client_id: &str,
    redirect: &str,
    challenge: Option<&str>,
    state: &str,
) -> Result<String, Halt> {
    let scope = scope(ctx);
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect),
        ("scope", scope.as_str()),
        ("state", state),
    ];
    if let Some(c) = challenge {
        pairs.push(("code_challenge", c));
        pairs.push(("code_challenge_method", "S256"));
    }
    Ok(format!(
        "{}?{}",
        endpoint(ctx, "authorization_endpoint")?,
        form(&pairs)
    ))
}

fn location(r: &Response) -> Result<&str, Halt> {
    r.header("location").ok_or_else(|| Halt::Err {
        status: Some(r.status),
        detail: format!(
            "expected a redirect with a Location, got {} without one",
            r.status
        ),
    })
}

pub fn client(ctx: &mut Ctx) -> Check {
    if let Some(id) = ctx.config_given("client_id") {
        ctx.publish("client_id", &id);
        return ok(None, format!("configured client {id}"));
    }
    let Ok(registration) = ctx.published("discovery", "registration_endpoint") else {
        return skip("no client_id configured and the server advertises no registration_endpoint");
    };
    let body = serde_json::json!({
        "client_name": format!("plume smoke {}", ctx.marker()),
        "redirect_uris": [redirect_uri(ctx)?],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let resp = ctx.post(&registration).json(&body).send()?;
    resp.expect_status(&[201])?.expect_non_empty("/client_id")?;
    let id = resp.json_str("/client_id")?;
    // RFC 7592: a server that lets clients manage themselves gets this one deleted.
    if let (Some(uri), Ok(token)) = (
        resp.json()?["registration_client_uri"].as_str(),
        resp.json_str("/registration_access_token"),
    ) {
        ctx.defer("registered-client", ctx.delete(uri).bearer(&token));
    }
    ctx.publish("client_id", &id);
    ok(resp.status, format!("registered client {id} (RFC 7591)"))
}

pub fn sign_in_redirect(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri(ctx)?;
    let (_, challenge) = pkce(ctx)?;
    let url = authorize_url(ctx, &client_id, &redirect, Some(&challenge), &ctx.marker())?;
    let mut jar = Jar::default();
    let resp = ctx.get(&url).send()?;
    resp.expect_status(&[302, 303, 307])?;
    jar.take(&resp.headers);
    let sign_in = resolve(&url, location(&resp)?);
    if sign_in.starts_with(&redirect) {
        return fail(
            resp.status,
            format!("expected a redirect to sign in, got one back to the client: {sign_in}"),
        );
    }
    let page = jar.on(ctx.get(&sign_in)).send()?;
    page.expect_status(&[200])?;
    ok(
        resp.status,
        format!(
            "authorize -> {} {sign_in}, which answers {}",
            resp.status, page.status
        ),
    )
}

/// Signs the test user in at `sign_in` and follows redirects back to the client.
fn sign_in(ctx: &Ctx, mut jar: Jar, sign_in: &str, redirect: &str) -> Result<String, Halt> {
    let fields = sign_in_form(ctx)?;
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page = jar.on(ctx.get(sign_in)).send()?;
    jar.take(&page.headers);
    let mut resp = jar
        .on(ctx.post(sign_in))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&pairs))
        .send()?;
    let mut at = sign_in.to_owned();
    for _ in 0..MAX_HOPS {
        jar.take(&resp.headers);
        if !(300..400).contains(&resp.status) {
            return fail(
                resp.status,
                format!(
                    "signing in at {at} ended with {} instead of a redirect to the client",
                    resp.status
                ),
            );
        }
        let next = resolve(&at, location(&resp)?);
        if next.starts_with(redirect) {
            return Ok(next);
        }
        resp = jar.on(ctx.get(&next)).send()?;
        at = next;
    }
    fail(
        None,
        format!("no redirect back to {redirect} after {MAX_HOPS} hops (last {at})"),
    )
}

/// The token endpoint's answer to `pairs` (plus the client's secret, if any).
pub fn token_request(ctx: &Ctx, pairs: &[(&str, &str)]) -> Result<Response, Halt> {
    let secret = ctx.secret_opt("client_secret");
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    if let Some(s) = secret.as_deref() {
        all.push(("client_secret", s));
    }
    ctx.post(endpoint(ctx, "token_endpoint")?)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&all))
        .send()
}

pub fn code_with_pkce(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri(ctx)?;
    let (verifier, challenge) = pkce(ctx)?;
    let state = ctx.marker();
    let url = authorize_url(ctx, &client_id, &redirect, Some(&challenge), &state)?;
    let mut jar = Jar::default();
    let resp = ctx.get(&url).send()?;
    resp.expect_status(&[302, 303, 307])?;
    jar.take(&resp.headers);
    let back = sign_in(ctx, jar, &resolve(&url, location(&resp)?), &redirect)?;
    if let Some(error) = query_param(&back, "error") {
        return fail(
            None,
            format!("the server answered the client with error={error}: {back}"),
        );
    }
    let Some(code) = query_param(&back, "code") else {
        return fail(None, format!("no code in the redirect back: {back}"));
    };
    let returned = query_param(&back, "state").unwrap_or_default();
    if returned != state {
        return fail(
            None,
            format!(
                "state {returned:?} came back, expected {state:?}: the request was not preserved"
            ),
        );
    }
    if let Some(iss) = query_param(&back, "iss") {
        let issuer = issuer(ctx)?;
        if iss.trim_end_matches('/') != issuer {
            return fail(
                None,
                format!("iss {iss} in the redirect != issuer {issuer} (RFC 9207)"),
            );
        }
    }
    let tokens = token_request(
        ctx,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
        ],
    )?;
    tokens
        .expect_status(&[200])?
        .expect_non_empty("/access_token")?
        .expect_json_match("/token_type", "(?i)^bearer$")?;
    let access = tokens.json_str("/access_token")?;
    ctx.publish("access_token", &access);
    let refresh = tokens.json_str("/refresh_token").ok();
    if let Some(r) = &refresh {
        ctx.publish("refresh_token", r);
    }
    ok(
        tokens.status,
        format!(
            "signed in, state preserved, code exchanged with PKCE S256: access token{}",
            if refresh.is_some() {
                " and refresh token"
            } else {
                " (no refresh token)"
            }
        ),
    )
}

/// The resource's status for `token`.
fn resource_status(ctx: &Ctx, token: &str) -> Result<u16, Halt> {
    Ok(ctx.get(resource_url(ctx)?).bearer(token).send()?.status)
}

pub fn token_works(ctx: &mut Ctx) -> Check {
    let access = ctx.recall("access_token")?;
    let url = resource_url(ctx)?;
    let resp = ctx.get(&url).bearer(&access).send()?;
    resp.expect_status(&[200])?;
    ok(resp.status, format!("the access token opens {url}"))
}

/// The token endpoint's answer to a refresh with `token`.
fn refresh(ctx: &Ctx, token: &str) -> Result<Response, Halt> {
    let client_id = ctx.recall("client_id")?;
    token_request(
        ctx,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", &client_id),
        ],
    )
}

pub fn refresh_rotates(ctx: &mut Ctx) -> Check {
    let Ok(old) = ctx.recall("refresh_token") else {
        return skip("the server issued no refresh token");
    };
    let resp = refresh(ctx, &old)?;
    resp.expect_status(&[200])?
        .expect_non_empty("/access_token")?;
    let new = resp.json_str("/refresh_token").map_err(|_| Halt::Err {
        status: Some(resp.status),
        detail: "the refresh answer has no refresh_token: refresh tokens do not rotate".to_owned(),
    })?;
    if new == old {
        return fail(
            resp.status,
            "the refresh answer returned the same refresh token: it does not rotate",
        );
    }
    ctx.publish("access_token_2", &resp.json_str("/access_token")?);
    ctx.publish("refresh_token_2", &new);
    ok(
        resp.status,
        "refresh gave a new access token and a new refresh token",
    )
}

pub fn revoke(ctx: &mut Ctx) -> Check {
    let endpoint = endpoint(ctx, "revocation_endpoint")?;
    let access = ctx
        .recall("access_token_2")
        .or_else(|_| ctx.recall("access_token"))?;
    let client_id = ctx.recall("client_id")?;
    let before = resource_status(ctx, &access)?;
    if before != 200 {
        return fail(
            before,
            format!("the token did not work before revocation: {before}"),
        );
    }
    let resp = ctx
        .post(&endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("token", &access),
            ("token_type_hint", "access_token"),
            ("client_id", &client_id),
        ]))
        .send()?;
    resp.expect_status(&[200])?;
    let after = resource_status(ctx, &access)?;
    if after != 401 {
        return fail(
            after,
            format!("after revocation the token still gets {after}, expected 401"),
        );
    }
    ok(
        resp.status,
        "revoked (RFC 7009): the token went from 200 to 401 on the resource",
    )
}

pub fn reuse_rejected(ctx: &mut Ctx) -> Check {
    ctx.recall("refresh_token_2")?;
    let old = ctx.recall("refresh_token")?;
    let resp = refresh(ctx, &old)?;
    resp.expect_status(&[400, 401])?
        .expect_json_eq("/error", "invalid_grant")?;
    ok(
        resp.status,
        "the rotated-out refresh token is refused: invalid_grant",
    )
}
