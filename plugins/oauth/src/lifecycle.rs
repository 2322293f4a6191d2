//! The tokens' life after the code exchange: the access token on the
//! resource (compared with a made-up token, so a resource that lets anything
//! in, or refuses with 403, is said so), refresh and rotation, the reuse of
//! a rotated-out refresh token (before revocation, so a reuse grace period
//! is seen: a new refresh token while the old one still works is not
//! rotation), and revocation (RFC 7009).

use plume_sdk::prelude::*;

use crate::client_auth::{authenticated_post, client_auth};
use crate::flow::{sign_in_and_exchange, token_request};
use crate::settings::{absent, resource_url, scope};

/// The resource's status for `token`.
fn resource_status(ctx: &Ctx, token: &str) -> Result<u16, Halt> {
    Ok(ctx.get(resource_url()?).bearer(token).send()?.status)
}

pub fn token_works(ctx: &mut Ctx) -> Check {
    let access = ctx.recall("access_token")?;
    let url = resource_url()?;
    let made_up = resource_status(ctx, &format!("plume-made-up-{}", ctx.marker()))?;
    if (200..300).contains(&made_up) {
        return fail(
            made_up,
            format!(
                "{url} answers {made_up} to a made-up token too: that the access token opens it \
                 proves nothing (is it protected?)"
            ),
        );
    }
    ctx.publish("refused_status", &made_up.to_string());
    let resp = ctx.get(&url).bearer(&access).send()?;
    resp.expect_status(&[200])?;
    ok(
        resp.status,
        format!("the access token opens {url}; a made-up one gets {made_up}"),
    )
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
        "refresh",
        &format!(
            "the server issued no refresh token with the access token (scope {:?}; some servers \
             issue one only for offline_access with prompt=consent: see scope and authorize_params)",
            scope()
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
    if resp.status == 200 {
        let why = "the rotated-out refresh token still works (200): a new refresh token while \
                   the old one still works is not rotation (a reuse grace period, or old tokens \
                   kept valid)";
        if client_auth(ctx)?.is_public() {
            return fail(
                resp.status,
                format!("{why}, and OAuth 2.1 requires rotation of a public client's tokens"),
            );
        }
        return skip(format!(
            "{why}, which OAuth 2.1 allows for a confidential client"
        ));
    }
    // A server may revoke the whole grant on reuse (RFC 9700 §4.14.2).
    ctx.publish("reuse_refused", "1");
    resp.expect_status(&[400, 401])?
        .expect_json_eq("/error", "invalid_grant")?;
    ok(
        resp.status,
        "the rotated-out refresh token is refused: invalid_grant",
    )
}

pub fn revoke(ctx: &mut Ctx) -> Check {
    let Ok(endpoint) = ctx.published("discovery", "revocation_endpoint") else {
        return absent(
            "revocation",
            "the server's metadata has no revocation_endpoint",
        );
    };
    let client_id = ctx.recall("client_id")?;
    let mut access = ctx
        .recall("access_token_2")
        .or_else(|_| ctx.recall("access_token"))?;
    let mut before = resource_status(ctx, &access)?;
    let mut fresh = "";
    // The refused reuse may have revoked the whole grant: sign in again for a live token.
    if before != 200 && ctx.recall("reuse_refused").is_ok() {
        access = sign_in_and_exchange(ctx)?
            .tokens
            .json_str("/access_token")?;
        before = resource_status(ctx, &access)?;
        fresh = " (a fresh sign-in's: the refused reuse revoked the grant)";
    }
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
    let refused = ctx
        .recall("refused_status")
        .ok()
        .and_then(|s| s.parse::<u16>().ok());
    let is_refused = after == 401 || Some(after) == refused && (400..500).contains(&after);
    if !is_refused {
        return fail(
            after,
            format!("after revocation the token{fresh} still gets {after}, expected 401"),
        );
    }
    ok(
        resp.status,
        format!("revoked (RFC 7009): the token{fresh} went from 200 to {after} on the resource"),
    )
}
