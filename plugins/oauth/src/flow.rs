//! Group `flow`: a client (configured or registered), the test user signed
//! in through the server's own form, the authorization code with PKCE S256,
//! the token on the resource, refresh rotation, revocation, and the reuse
//! of a rotated refresh token.

use plume_sdk::prelude::*;

use crate::client_auth::{authenticated_post, client_auth};
use crate::settings::{
    absent, authorize_params, issuer, redirect_uri, required, resource_url, scope,
};
use crate::signin::{is_sign_in_page, location, sign_in, sign_in_on};
use crate::web::{Jar, form, pkce, query_param, resolve};

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
    // `authorize_params` adds parameters (`prompt`) or replaces one (`scope`).
    let extra = authorize_params(ctx)?;
    for (k, v) in &extra {
        match pairs.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = v,
            None => pairs.push((k, v)),
        }
    }
    Ok(format!(
        "{}?{}",
        endpoint(ctx, "authorization_endpoint")?,
        form(&pairs)
    ))
}

pub fn client(ctx: &mut Ctx) -> Check {
    let registration = ctx.published("discovery", "registration_endpoint");
    if let Some(id) = ctx.config_given("client_id") {
        ctx.publish("client_id", &id);
        if registration.is_err() && required(ctx, "registration") {
            return fail(
                None,
                format!(
                    "configured client {id}, but the server's metadata has no \
                     registration_endpoint, and registration is required (config require)"
                ),
            );
        }
        let kind = client_auth(ctx)?;
        return ok(None, format!("configured client {id} ({})", kind.name()));
    }
    let Ok(registration) = registration else {
        return absent(
            ctx,
            "registration",
            "no client_id configured and the server advertises no registration_endpoint",
        );
    };
    let body = serde_json::json!({
        "client_name": format!("plume smoke {}", ctx.marker()),
        "redirect_uris": [redirect_uri(ctx)?],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let resp = ctx.post(&registration).json(&body).send()?;
    crate::masked::credentials(&resp);
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
    if is_sign_in_page(&resp) {
        return ok(
            resp.status,
            format!(
                "authorize answers {} with the sign-in form itself",
                resp.status
            ),
        );
    }
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

/// The token endpoint's answer to `pairs`, the client authenticated.
pub fn token_request(ctx: &Ctx, client_id: &str, pairs: &[(&str, &str)]) -> Result<Response, Halt> {
    let resp = authenticated_post(ctx, &endpoint(ctx, "token_endpoint")?, client_id, pairs)?;
    crate::masked::credentials(&resp);
    Ok(resp)
}

pub fn code_with_pkce(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri(ctx)?;
    let (verifier, challenge) = pkce(ctx)?;
    let state = ctx.marker();
    let url = authorize_url(ctx, &client_id, &redirect, Some(&challenge), &state)?;
    let mut jar = Jar::default();
    let resp = ctx.get(&url).send()?;
    let signed = if is_sign_in_page(&resp) {
        sign_in_on(ctx, jar, &url, &resp, &redirect)?
    } else {
        resp.expect_status(&[302, 303, 307])?;
        jar.take(&resp.headers);
        sign_in(ctx, jar, &resolve(&url, location(&resp)?), &redirect)?
    };
    let back = signed.back;
    if let Some(error) = query_param(&back, "error") {
        return fail(
            None,
            format!("the server answered the client with error={error}: {back}"),
        );
    }
    let Some(code) = query_param(&back, "code") else {
        return fail(None, format!("no code in the redirect back: {back}"));
    };
    crate::masked::value(&code);
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
        if iss != issuer {
            return fail(
                None,
                format!("iss {iss} in the redirect != issuer {issuer} (RFC 9207)"),
            );
        }
    }
    let tokens = token_request(
        ctx,
        &client_id,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect),
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
            "signed in{}, state preserved, code exchanged with PKCE S256: access token{}",
            if signed.consent {
                " through a consent page"
            } else {
                ""
            },
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
        &client_id,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
}

/// Why there is no refresh token to use: no client, a sign-in that did not
/// pass, or a server that issued none (`err` when `refresh` is required).
fn no_refresh_token<T>(ctx: &Ctx) -> Result<T, Halt> {
    if ctx.recall("client_id").is_err() {
        return skip("no refresh token to use: there is no client (see flow.client)");
    }
    if ctx.recall("access_token").is_err() {
        return skip(
            "no refresh token to use: the sign-in and code exchange did not pass \
             (see flow.code.pkce_s256)",
        );
    }
    absent(
        ctx,
        "refresh",
        &format!(
            "the server issued no refresh token with the access token (scope {:?}; some servers \
             issue one only for offline_access with prompt=consent: see scope and authorize_params)",
            scope(ctx)
        ),
    )
}

pub fn refresh_rotates(ctx: &mut Ctx) -> Check {
    let Ok(old) = ctx.recall("refresh_token") else {
        return no_refresh_token(ctx);
    };
    let resp = refresh(ctx, &old)?;
    resp.expect_status(&[200])?
        .expect_non_empty("/access_token")?;
    ctx.publish("access_token_2", &resp.json_str("/access_token")?);
    let new = resp.json_str("/refresh_token").ok().filter(|n| *n != old);
    // OAuth 2.1 (section 4.3.1) requires rotation (or sender-constrained
    // tokens) for public clients only; a confidential client may keep its token.
    let public = client_auth(ctx)?.is_public();
    let Some(new) = new else {
        if public {
            return fail(
                resp.status,
                "the refresh answer has no new refresh_token: the public client's refresh token \
                 does not rotate (OAuth 2.1 requires it for public clients)",
            );
        }
        ctx.publish("refresh_kept", "1");
        return ok(
            resp.status,
            "refresh gave a new access token; the refresh token did not rotate, which OAuth 2.1 \
             allows for a confidential client",
        );
    };
    ctx.publish("refresh_token_2", &new);
    ok(
        resp.status,
        "refresh gave a new access token and a new refresh token",
    )
}

pub fn revoke(ctx: &mut Ctx) -> Check {
    let Ok(endpoint) = ctx.published("discovery", "revocation_endpoint") else {
        return absent(
            ctx,
            "revocation",
            "the server's metadata has no revocation_endpoint",
        );
    };
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
    let resp = authenticated_post(
        ctx,
        &endpoint,
        &client_id,
        &[("token", &access), ("token_type_hint", "access_token")],
    )?;
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
    // A missing refresh token is reported (and required) once, by refresh.rotates.
    let Ok(old) = ctx.recall("refresh_token") else {
        return skip("no refresh token to reuse (see flow.refresh.rotates)");
    };
    if ctx.recall("refresh_token_2").is_err() {
        return if ctx.recall("refresh_kept").is_ok() {
            skip(
                "the refresh token did not rotate (allowed for a confidential client): no \
                 rotated-out token to reuse",
            )
        } else {
            skip("no rotated-out refresh token: flow.refresh.rotates did not pass")
        };
    }
    let resp = refresh(ctx, &old)?;
    resp.expect_status(&[400, 401])?
        .expect_json_eq("/error", "invalid_grant")?;
    ok(
        resp.status,
        "the rotated-out refresh token is refused: invalid_grant",
    )
}
