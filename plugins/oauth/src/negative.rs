//! The negative paths of the authorization request, each sent with the
//! test user's signed-in session (when the sign-in passed) so the server
//! judges the request itself: no PKCE (refused), a redirect_uri the client
//! never registered (never redirected to), and an unknown client_id (never
//! redirected, RFC 6749 §4.1.2.1). A redirect to a sign-in page is "not
//! judged yet", never "accepted".

use plume_sdk::prelude::*;

use crate::answer::{Verdict, judge};
use crate::client_auth::client_auth;
use crate::flow::authorize_url;
use crate::settings::{absent, redirect_uri};
use crate::web::{Jar, pkce};

/// The signed-in session `flow.code.pkce_s256` left, or an empty jar.
fn session(ctx: &Ctx) -> Jar {
    ctx.recall("session_cookies")
        .map(|h| Jar::from_header(&h))
        .unwrap_or_default()
}

/// The skip for a request the server sent to sign in before judging it.
fn not_judged<T>(jar: &Jar, at: &str) -> Result<T, Halt> {
    if jar.is_empty() {
        skip(format!(
            "not judged yet: the server sent the request to sign in at {at} first, and there is \
             no signed-in session to send it with (see flow.code.pkce_s256)"
        ))
    } else {
        skip(format!(
            "not judged yet: the server sent the request to sign in at {at} although it came \
             with the signed-in session"
        ))
    }
}

pub fn missing_pkce(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri()?;
    let url = authorize_url(ctx, &client_id, &redirect, None, &ctx.marker(), None)?;
    let jar = session(ctx);
    let public = client_auth(ctx)?.is_public();
    let accepted = |status: u16, how: String| -> Check {
        if public {
            return fail(
                status,
                format!(
                    "an authorization request without code_challenge was accepted for a public \
                     client ({how}): PKCE is not enforced, and OAuth 2.1 requires it of public \
                     clients"
                ),
            );
        }
        // OAuth 2.1 lets a server skip PKCE for a confidential client.
        absent(
            "pkce",
            &format!(
                "the server does not require PKCE of this confidential client ({how}), which \
                 OAuth 2.1 allows (a public client must use it)"
            ),
        )
    };
    match judge(ctx, &jar, &url, &[&redirect])? {
        Verdict::Back {
            error: Some(e),
            status,
            ..
        } if e == "invalid_request" => ok(
            status,
            "no code_challenge: error=invalid_request back to the client",
        ),
        Verdict::Back {
            error: Some(e),
            status,
            ..
        } => fail(
            status,
            format!("no code_challenge: expected error=invalid_request, got error={e}"),
        ),
        Verdict::Back { status, to, .. } => {
            accepted(status, format!("redirected back with a code: {to}"))
        }
        Verdict::Accepted { status, what } => accepted(status, format!("the server {what}")),
        Verdict::SignInFirst { at, .. } => not_judged(&jar, &at),
        Verdict::Page { status, text } if status == 400 && text.contains("invalid_request") => {
            ok(status, "no code_challenge: 400 invalid_request")
        }
        Verdict::Page { status, text } => fail(
            status,
            format!("no code_challenge: expected error=invalid_request, got {status}: {text}"),
        ),
    }
}

pub fn redirect_mismatch(ctx: &mut Ctx) -> Check {
    let client_id = ctx.recall("client_id")?;
    let registered = redirect_uri()?;
    let bad = format!("{registered}-not-registered");
    let (_, challenge) = pkce(ctx)?;
    let url = authorize_url(ctx, &client_id, &bad, Some(&challenge), &ctx.marker(), None)?;
    let jar = session(ctx);
    match judge(ctx, &jar, &url, &[&bad, &registered])? {
        Verdict::Back { status, to, .. } if to.starts_with(&bad) => fail(
            status,
            format!("redirected to the unregistered redirect_uri {to}"),
        ),
        Verdict::Back { status, to, .. } => fail(
            status,
            format!(
                "a request naming an unregistered redirect_uri was redirected to the registered \
                 one ({to}): RFC 6749 §4.1.2.1 requires no redirect"
            ),
        ),
        Verdict::Accepted { status, what } => fail(
            status,
            format!(
                "a request naming an unregistered redirect_uri was accepted: the server {what}"
            ),
        ),
        Verdict::SignInFirst { at, .. } => not_judged(&jar, &at),
        Verdict::Page { status, text } if status >= 500 => fail(
            status,
            format!("an unregistered redirect_uri broke the server: {status}: {text}"),
        ),
        Verdict::Page { status, text } => ok(
            status,
            format!("an unregistered redirect_uri gets {status} and no redirect: {text}"),
        ),
    }
}

pub fn unknown_client(ctx: &mut Ctx) -> Check {
    let redirect = redirect_uri()?;
    let (_, challenge) = pkce(ctx)?;
    let nobody = ctx.marker();
    let url = authorize_url(
        ctx,
        &nobody,
        &redirect,
        Some(&challenge),
        &ctx.marker(),
        None,
    )?;
    let jar = session(ctx);
    // RFC 6749 §4.1.2.1: no redirect to the given redirect_uri, whatever the page says.
    match judge(ctx, &jar, &url, &[&redirect])? {
        Verdict::Back { status, to, .. } => fail(
            status,
            format!("an unknown client_id was redirected to {to} (RFC 6749 §4.1.2.1 forbids it)"),
        ),
        Verdict::Accepted { status, what } => fail(
            status,
            format!("an unknown client_id was accepted: the server {what}"),
        ),
        Verdict::SignInFirst { at, .. } => not_judged(&jar, &at),
        Verdict::Page { status, text } if status >= 500 => fail(
            status,
            format!("an unknown client_id broke the server: {status}: {text}"),
        ),
        Verdict::Page { status, text } => ok(
            status,
            format!(
                "an unknown client_id gets {status} and no redirect (RFC 6749 §4.1.2.1): {text}"
            ),
        ),
    }
}
