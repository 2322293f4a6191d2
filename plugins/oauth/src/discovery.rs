//! Groups `discovery` and `resource`: what a client reads before it has any
//! credential. RFC 8414 metadata with its required keys well-formed, PKCE
//! S256 advertised; RFC 9728 protected-resource metadata naming this server,
//! and a Bearer challenge on a 401. The endpoints found are published for `flow`.
//! A server may publish both an OpenID Connect discovery document and an RFC
//! 8414 one, listing some endpoints in one only (Django OAuth Toolkit lists
//! its revocation endpoint only in the RFC 8414 one): both are read, and the
//! line says which document each endpoint came from.

use plume_sdk::prelude::*;

use crate::settings::{config, issuer, metadata_url, resource_url};

const ENDPOINTS: [&str; 5] = [
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "revocation_endpoint",
    "jwks_uri",
];

const OIDC_WELL_KNOWN: &str = "/.well-known/openid-configuration";
const RFC8414_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";

/// The other metadata document of the server: the RFC 8414 one (at its
/// RFC 8414 §3.1 location, the issuer's path after the well-known part) when
/// `url` is an OpenID Connect discovery document, else the OpenID one.
fn other_document(url: &str, issuer: &str) -> String {
    if url.ends_with(OIDC_WELL_KNOWN) {
        let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        format!(
            "{scheme}://{host}{RFC8414_WELL_KNOWN}{}",
            path.trim_end_matches('/')
        )
    } else {
        format!("{}{OIDC_WELL_KNOWN}", issuer.trim_end_matches('/'))
    }
}

/// The other document's metadata when it answers 200 with JSON naming the
/// same issuer; else why it is not used.
fn other_metadata(ctx: &Ctx, url: &str, issuer: &str) -> Result<serde_json::Value, String> {
    let resp = ctx.get(url).send().map_err(|_| "unreachable".to_owned())?;
    if resp.status != 200 {
        return Err(format!("answers {}", resp.status));
    }
    let doc = resp.json().map_err(|_| "is not JSON".to_owned())?;
    let named = doc["issuer"].as_str().map(str::to_owned);
    match named {
        Some(i) if i == issuer => Ok(doc),
        other => Err(format!("names issuer {other:?}, not {issuer:?}")),
    }
}

pub fn as_keys(ctx: &mut Ctx) -> Check {
    let url = metadata_url()?;
    let issuer = issuer()?;
    let resp = ctx.get(&url).send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/issuer", issuer.as_str())?
        .expect_json_match("/authorization_endpoint", "^https?://")?
        .expect_json_match("/token_endpoint", "^https?://")?
        .expect_json_type("/response_types_supported", JsonKind::Array)?;
    let doc = resp.json()?;
    let types = doc["response_types_supported"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !types.iter().any(|t| t == "code") {
        return fail(
            resp.status,
            format!(
                "response_types_supported {} lacks \"code\"",
                doc["response_types_supported"]
            ),
        );
    }
    let other_url = other_document(&url, &issuer);
    let other = other_metadata(ctx, &other_url, &issuer);
    let mut found = Vec::new();
    for key in ENDPOINTS {
        let name = key.trim_end_matches("_endpoint");
        if let Some(endpoint) = doc[key].as_str() {
            ctx.publish(key, endpoint);
            found.push(name.to_owned());
        } else if let Some(endpoint) = other.as_ref().ok().and_then(|o| o[key].as_str()) {
            ctx.publish(key, endpoint);
            found.push(format!("{name} (from {other_url})"));
        }
    }
    let also = match &other {
        Ok(_) => format!("; also read {other_url}"),
        Err(why) => format!("; {other_url} {why}, not used"),
    };
    if let Some(methods) = doc["token_endpoint_auth_methods_supported"].as_array() {
        let methods = serde_json::Value::Array(methods.clone()).to_string();
        ctx.publish("token_endpoint_auth_methods_supported", &methods);
    }
    ok(
        resp.status,
        format!("issuer {issuer}; endpoints: {}{also}", found.join(", ")),
    )
}

pub fn pkce_s256(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(metadata_url()?).send()?;
    resp.expect_status(&[200])?
        .expect_json_type("/code_challenge_methods_supported", JsonKind::Array)?;
    let methods = resp.json()?["code_challenge_methods_supported"].clone();
    let has = methods
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x == "S256"));
    if !has {
        return fail(
            resp.status,
            format!("code_challenge_methods_supported is {methods}, without S256"),
        );
    }
    ok(
        resp.status,
        format!("code_challenge_methods_supported {methods}"),
    )
}

pub fn resource_metadata(ctx: &mut Ctx) -> Check {
    let Some(url) = config()?.resource_metadata_url.clone() else {
        return skip("resource_metadata_url is not set: no RFC 9728 metadata to read");
    };
    let issuer = issuer()?;
    let resp = ctx.get(&url).send()?;
    resp.expect_status(&[200])?
        .expect_json_match("/resource", "^https?://")?
        .expect_json_type("/authorization_servers", JsonKind::Array)?;
    let doc = resp.json()?;
    let servers = &doc["authorization_servers"];
    let listed = servers
        .as_array()
        .is_some_and(|s| s.iter().any(|x| x.as_str() == Some(issuer.as_str())));
    if !listed {
        return fail(
            resp.status,
            format!("authorization_servers {servers} does not list {issuer}"),
        );
    }
    if let Some(resource) = &config()?.resource_url {
        resp.expect_json_eq("/resource", resource.as_str())?;
    }
    ok(
        resp.status,
        format!(
            "resource {} names {issuer}",
            doc["resource"].as_str().unwrap_or("?")
        ),
    )
}

pub fn www_authenticate(ctx: &mut Ctx) -> Check {
    let url = resource_url()?;
    let resp = ctx.get(&url).bearer("plume-invalid-token").send()?;
    match resp.status {
        401 => {}
        403 => {
            return fail(
                resp.status,
                "a bad token gets 403, not 401 with a Bearer challenge (RFC 6750 §3.1: 403 is \
                 insufficient_scope); the flow runs on, judging revocation by this answer",
            );
        }
        200..300 => {
            return fail(
                resp.status,
                format!(
                    "{url} answers {} to a bad token: it lets any token in",
                    resp.status
                ),
            );
        }
        _ => {}
    }
    resp.expect_status(&[401])?
        .expect_header_match("www-authenticate", "^Bearer")?;
    ok(
        resp.status,
        format!(
            "a bad token gets 401 with {}",
            resp.header("www-authenticate").unwrap_or_default()
        ),
    )
}
