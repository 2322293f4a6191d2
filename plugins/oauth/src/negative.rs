//! The negative paths of the authorization request, each with its error:
//! no PKCE, a redirect_uri the client never registered (which must not be
//! redirected to), and an unknown client_id.

use plume_sdk::prelude::*;

use crate::client_auth::client_auth;
use crate::flow::authorize_url;
use crate::settings::{absent, redirect_uri};
use crate::web::{pkce, query_param, resolve};

/// The error an authorization answer carries: in the redirect to the
/// client, or in the body of an error page.
fn error_of(resp: &Response, url: &str) -> (Option<String>, String) {
    match resp.header("location") {
        Some(l) => {
            let to = resolve(url, l);
            (query_param(&to, "error"), to)
        }
        None => (None, String::new()),
    }
}

pub fn missing_pkce(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri(ctx)?;
    let url = authorize_url(ctx, &client_id, &redirect, None, &ctx.marker())?;
    let resp = ctx.get(&url).send()?;
    let (error, to) = error_of(&resp, &url);
    match error {
        Some(e) if e == "invalid_request" && to.starts_with(&redirect) => ok(
            resp.status,
            "no code_challenge: error=invalid_request back to the client",
        ),
        Some(e) => fail(
            resp.status,
            format!("no code_challenge: expected error=invalid_request, got error={e}"),
        ),
        // OAuth 2.1 lets a server skip PKCE for a confidential client.
        None if (300..400).contains(&resp.status) && !client_auth(ctx)?.is_public() => absent(
            ctx,
            "pkce",
            "the server does not require PKCE of this confidential client, which OAuth 2.1 \
             allows (a public client must use it)",
        ),
        None if (300..400).contains(&resp.status) => fail(
            resp.status,
            format!("an authorization request without PKCE was accepted: redirected to {to}"),
        ),
        None => {
            resp.expect_status(&[400])?
                .expect_contains("invalid_request")?;
            ok(resp.status, "no code_challenge: 400 invalid_request")
        }
    }
}

pub fn redirect_mismatch(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let bad = format!("{}-not-registered", redirect_uri(ctx)?);
    let (_, challenge) = pkce(ctx)?;
    let url = authorize_url(ctx, &client_id, &bad, Some(&challenge), &ctx.marker())?;
    let resp = ctx.get(&url).send()?;
    let (_, to) = error_of(&resp, &url);
    if to.starts_with(&bad) {
        return fail(
            resp.status,
            format!("redirected to the unregistered redirect_uri {to}"),
        );
    }
    resp.expect_status(&[400])?
        .expect_contains("redirect_uri")?;
    ok(
        resp.status,
        "an unregistered redirect_uri gets 400 and no redirect",
    )
}

pub fn unknown_client(ctx: &mut Ctx) -> Check {
    let redirect = redirect_uri(ctx)?;
    let (_, challenge) = pkce(ctx)?;
    let nobody = ctx.marker();
    let url = authorize_url(ctx, &nobody, &redirect, Some(&challenge), &ctx.marker())?;
    let resp = ctx.get(&url).send()?;
    let (_, to) = error_of(&resp, &url);
    if !to.is_empty() {
        return fail(
            resp.status,
            format!("an unknown client_id was redirected to {to}"),
        );
    }
    resp.expect_status(&[400, 401])?
        .expect_contains("invalid_client")?;
    ok(
        resp.status,
        "an unknown client_id gets invalid_client and no redirect",
    )
}
