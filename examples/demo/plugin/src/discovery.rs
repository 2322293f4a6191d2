//! discovery: RFC 8414 authorization-server metadata, RFC 9728
//! protected-resource metadata, and the `WWW-Authenticate` challenge on a
//! 401 — what an MCP client needs to connect at all.

use plume_sdk::prelude::*;

use crate::{admin_url, mcp_url};

const RFC8414_KEYS: [&str; 6] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "scopes_supported",
    "code_challenge_methods_supported",
];

fn metadata(ctx: &Ctx) -> Result<Response, Halt> {
    let resp = ctx
        .get(format!(
            "{}/.well-known/oauth-authorization-server",
            admin_url(ctx)?
        ))
        .send()?;
    resp.expect_status(&[200])?;
    Ok(resp)
}

pub fn as_keys(ctx: &mut Ctx) -> Check {
    let resp = metadata(ctx)?;
    for key in RFC8414_KEYS {
        resp.expect_non_empty(&format!("/{key}"))?;
    }
    ok(
        resp.status,
        format!("{} RFC 8414 keys present and non-empty", RFC8414_KEYS.len()),
    )
}

pub fn issuer(ctx: &mut Ctx) -> Check {
    let resp = metadata(ctx)?;
    let issuer = admin_url(ctx)?;
    resp.expect_json_eq("/issuer", issuer.as_str())?;
    ok(resp.status, format!("issuer is {issuer}"))
}

pub fn endpoints(ctx: &mut Ctx) -> Check {
    let resp = metadata(ctx)?;
    let issuer = regex_escape(&admin_url(ctx)?);
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
    ] {
        resp.expect_json_match(&format!("/{key}"), &format!("^{issuer}/"))?;
    }
    ok(
        resp.status,
        "authorize, token and register endpoints live under the issuer",
    )
}

pub fn pkce_s256(ctx: &mut Ctx) -> Check {
    let resp = metadata(ctx)?;
    let methods = resp.json()?["code_challenge_methods_supported"].clone();
    let list: Vec<&str> = methods
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .collect();
    if !list.contains(&"S256") {
        return fail(
            resp.status,
            format!("code_challenge_methods_supported is {methods}, without S256"),
        );
    }
    ok(resp.status, format!("PKCE methods [{}]", list.join(", ")))
}

pub fn resource_metadata(ctx: &mut Ctx) -> Check {
    let mcp = mcp_url(ctx)?;
    let resp = ctx
        .get(format!("{mcp}/.well-known/oauth-protected-resource"))
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/resource", mcp.as_str())?
        .expect_json_eq("/authorization_servers/0", admin_url(ctx)?.as_str())?;
    ok(
        resp.status,
        "RFC 9728 metadata names this resource and the issuer",
    )
}

pub fn www_authenticate(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/api/whoami", admin_url(ctx)?)).send()?;
    resp.expect_status(&[401])?
        .expect_header_match("www-authenticate", r#"^Bearer .*resource_metadata=""#)?;
    ok(
        resp.status,
        "401 carries a Bearer challenge with resource_metadata",
    )
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}
