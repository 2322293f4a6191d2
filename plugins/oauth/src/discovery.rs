//! Group `discovery`: what a client reads before it has any credential.
//! RFC 8414 metadata with its required keys well-formed, PKCE S256
//! advertised, RFC 9728 protected-resource metadata naming this server, and
//! a Bearer challenge on a 401. The endpoints found are published for `flow`.

use plume_sdk::prelude::*;

use crate::settings::{issuer, metadata_url, resource_url};

const ENDPOINTS: [&str; 4] = [
    "authorization_endpoint",
    "token_endpoint",
    "registration_endpoint",
    "revocation_endpoint",
];

pub fn as_keys(ctx: &mut Ctx) -> Check {
    let url = metadata_url(ctx)?;
    let issuer = issuer(ctx)?;
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
    let mut found = Vec::new();
    for key in ENDPOINTS {
        if let Some(endpoint) = doc[key].as_str() {
            ctx.publish(key, endpoint);
            found.push(key.trim_end_matches("_endpoint"));
        }
    }
    if let Some(methods) = doc["token_endpoint_auth_methods_supported"].as_array() {
        let methods = serde_json::Value::Array(methods.clone()).to_string();
        ctx.publish("token_endpoint_auth_methods_supported", &methods);
    }
    ok(
        resp.status,
        format!("issuer {issuer}; endpoints: {}", found.join(", ")),
    )
}

pub fn pkce_s256(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(metadata_url(ctx)?).send()?;
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
    let Some(url) = ctx.config_given("resource_metadata_url") else {
        return skip("resource_metadata_url is not set: no RFC 9728 metadata to read");
    };
    let issuer = issuer(ctx)?;
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
    if let Some(resource) = ctx.config_given("resource_url") {
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
    let url = resource_url(ctx)?;
    let resp = ctx.get(&url).bearer("plume-invalid-token").send()?;
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
