//! The pack's config keys, secrets and their defaults.

use plume_sdk::prelude::*;

pub const KEYS: [&str; 9] = [
    "issuer",
    "metadata_url",
    "resource_url",
    "resource_metadata_url",
    "client_id",
    "redirect_uri",
    "scope",
    "sign_in_fields",
    "password_field",
];

pub fn issuer(ctx: &Ctx) -> Result<String, Halt> {
    Ok(ctx.config("issuer")?.trim_end_matches('/').to_owned())
}

/// Where the server's metadata is (RFC 8414's well-known path by default).
pub fn metadata_url(ctx: &Ctx) -> Result<String, Halt> {
    match ctx.config_given("metadata_url") {
        Some(url) => Ok(url),
        None => Ok(format!(
            "{}/.well-known/oauth-authorization-server",
            issuer(ctx)?
        )),
    }
}

pub fn redirect_uri(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("redirect_uri")
}

pub fn scope(ctx: &Ctx) -> String {
    ctx.config_given("scope")
        .unwrap_or_else(|| "openid".to_owned())
}

/// The protected resource; checks that need it skip without it.
pub fn resource_url(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config_given("resource_url").map_or_else(
        || skip("resource_url is not set: no protected resource to try"),
        Ok,
    )
}

/// The form fields the sign-in page takes, with the password added.
pub fn sign_in_form(ctx: &Ctx) -> Result<Vec<(String, String)>, Halt> {
    let password = ctx.secret("password")?;
    let fields: serde_json::Map<String, serde_json::Value> = match ctx.config_opt("sign_in_fields")
    {
        None => serde_json::Map::new(),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            Halt::err(format!(
                "config sign_in_fields must be a table of form fields: {e}"
            ))
        })?,
    };
    let mut form: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    let field = ctx
        .config_given("password_field")
        .unwrap_or_else(|| "password".to_owned());
    form.push((field, password));
    Ok(form)
}
