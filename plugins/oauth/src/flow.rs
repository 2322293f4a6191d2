//! Group `flow`'s start: a client (configured or registered), the test user
//! signed in through the server's own form, and the authorization code with
//! PKCE S256 exchanged for tokens (see `lifecycle` for what follows).

use plume_sdk::prelude::*;

use crate::client_auth::{authenticated_post, client_auth};
use crate::settings::{
    absent, authorize_params, config, issuer, openid, redirect_uri, required, scope,
};
use crate::signin::{is_sign_in_page, location, sign_in, sign_in_on};
use crate::web::{Jar, form, pkce, query_param, resolve};

/// An endpoint `discovery` found; `skip` naming it when the server has none.
pub fn endpoint(ctx: &Ctx, key: &str) -> Result<String, Halt> {
    ctx.published("discovery", key).map_err(|_| Halt::Skip {
        reason: format!("the server's metadata has no {key}"),
    })
}

/// The authorization request for `client_id`, PKCE S256 when `challenge`
/// is given, and OpenID Connect's `nonce` when `nonce` is.
pub fn authorize_url(
    ctx: &Ctx,
    client_id: &str,
    redirect: &str,
    challenge: Option<&str>,
    state: &str,
    nonce: Option<&str>,
) -> Result<String, Halt> {
    let scope = scope();
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
    if let Some(n) = nonce {
        pairs.push(("nonce", n));
    }
    // `authorize_params` adds parameters (`prompt`) or replaces one (`scope`).
    let extra = authorize_params()?;
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
    if let Some(id) = config()?.client_id.clone() {
        ctx.publish("client_id", &id);
        if registration.is_err() && required("registration") {
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
            "registration",
            "no client_id configured and the server advertises no registration_endpoint",
        );
    };
    let body = serde_json::json!({
        "client_name": format!("plume smoke {}", ctx.marker()),
        "redirect_uris": [redirect_uri()?],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    });
    let resp = ctx.post(&registration).json(&body).send()?;
    crate::masked::credentials(&resp);
    if matches!(resp.status, 401 | 403) {
        // Refused by the server's registration policy (RFC 7591 §3.2.2 leaves it to the server).
        let doc = resp.json().unwrap_or_default();
        let reason = [doc["error"].as_str(), doc["error_description"].as_str()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        return absent(
            "registration",
            &format!(
                "the server refused to register a client ({} {reason}): its registration policy \
                 needs more than an anonymous request; configure client_id",
                resp.status
            ),
        );
    }
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
    let redirect = redirect_uri()?;
    let (_, challenge) = pkce(ctx)?;
    let url = authorize_url(
        ctx,
        &client_id,
        &redirect,
        Some(&challenge),
        &ctx.marker(),
        None,
    )?;
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

/// What a sign-in and code exchange gave: the token answer, the consent
/// button pressed on the way, the session, and the nonce sent.
pub struct Exchange {
    pub tokens: Response,
    pub consent: Option<String>,
    pub jar: Jar,
    pub nonce: Option<String>,
}

/// Signs the test user in and exchanges the code with its PKCE verifier;
/// `err` naming what went wrong on the way.
pub fn sign_in_and_exchange(ctx: &Ctx) -> Result<Exchange, Halt> {
    let client_id = ctx.recall("client_id")?;
    let redirect = redirect_uri()?;
    let (verifier, challenge) = pkce(ctx)?;
    let state = ctx.marker();
    let nonce = openid().then(|| ctx.marker());
    let url = authorize_url(
        ctx,
        &client_id,
        &redirect,
        Some(&challenge),
        &state,
        nonce.as_deref(),
    )?;
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
        let issuer = issuer()?;
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
    Ok(Exchange {
        tokens,
        consent: signed.consent,
        jar: signed.jar,
        nonce,
    })
}

pub fn code_with_pkce(ctx: &mut Ctx) -> Check {
    let done = sign_in_and_exchange(ctx)?;
    // The negative checks send their requests with this session.
    ctx.publish("session_cookies", &done.jar.header());
    let tokens = &done.tokens;
    let access = tokens.json_str("/access_token")?;
    ctx.publish("access_token", &access);
    let refresh = tokens.json_str("/refresh_token").ok();
    if let Some(r) = &refresh {
        ctx.publish("refresh_token", r);
    }
    if let (Some(nonce), Ok(id_token)) = (&done.nonce, tokens.json_str("/id_token")) {
        ctx.publish("nonce", nonce);
        ctx.publish("id_token", &id_token);
    }
    ok(
        tokens.status,
        format!(
            "signed in{}, state preserved, code exchanged with PKCE S256: access token{}",
            done.consent
                .map(|button| format!(" through a consent page (pressed {button})"))
                .unwrap_or_default(),
            if refresh.is_some() {
                " and refresh token"
            } else {
                " (no refresh token)"
            }
        ),
    )
}
