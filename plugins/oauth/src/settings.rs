//! The pack's config keys, secrets and their defaults.

use plume_sdk::prelude::*;

pub const KEYS: [&str; 12] = [
    "issuer",
    "metadata_url",
    "resource_url",
    "resource_metadata_url",
    "client_id",
    "redirect_uri",
    "scope",
    "sign_in_fields",
    "password_field",
    "authorize_params",
    "token_endpoint_auth_method",
    "require",
];

/// The features `require` may name: absent, each is `err` instead of `skip`.
/// `pkce`: enforced even for a confidential client.
pub const FEATURES: [&str; 4] = ["revocation", "registration", "refresh", "pkce"];

/// The `require` list, checked when the pack describes itself: an unknown
/// feature stops the run before any check, naming the key and the choices.
pub fn check_require() {
    if let Err(message) = required_list(plume_sdk::config_value("require")) {
        let message = message.strip_prefix("config.require: ").unwrap_or(&message);
        plume_sdk::reject_config("require", message);
    }
}

fn required_list(text: Option<String>) -> Result<Vec<String>, String> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let list: Vec<String> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "config.require: expected a list such as [\"revocation\", \"refresh\"], got {text}: {e} \
             (see plugins/oauth/README.md)"
        )
    })?;
    if let Some(bad) = list.iter().find(|f| !FEATURES.contains(&f.as_str())) {
        return Err(format!(
            "config.require: unknown feature {bad:?}; choose from {} (see plugins/oauth/README.md)",
            FEATURES.join(", ")
        ));
    }
    Ok(list)
}

/// Whether the suite requires `feature` (then its absence is `err`).
pub fn required(ctx: &Ctx, feature: &str) -> bool {
    required_list(ctx.config_opt("require")).is_ok_and(|l| l.iter().any(|f| f == feature))
}

/// `skip` with `reason`, or `err` when `feature` is required.
pub fn absent<T>(ctx: &Ctx, feature: &str, reason: &str) -> Result<T, Halt> {
    if required(ctx, feature) {
        fail(
            None,
            format!("{reason}, and {feature} is required (config require)"),
        )
    } else {
        skip(reason.to_owned())
    }
}

/// Extra authorization-request parameters (`authorize_params`, e.g.
/// `{ prompt = "consent" }`), by name.
pub fn authorize_params(ctx: &Ctx) -> Result<Vec<(String, String)>, Halt> {
    let Some(text) = ctx.config_opt("authorize_params") else {
        return Ok(Vec::new());
    };
    let table: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| {
            Halt::err(format!(
                "config authorize_params must be a table of parameters: {e}"
            ))
        })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect())
}

/// The issuer exactly as configured: OpenID Connect Discovery §4.3 and RFC
/// 9207 compare it with the server's as strings, so `https://x/` and
/// `https://x` are different issuers (Auth0 publishes the former).
pub fn issuer(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("issuer")
}

/// Where the server's metadata is (RFC 8414's well-known path by default).
pub fn metadata_url(ctx: &Ctx) -> Result<String, Halt> {
    match ctx.config_given("metadata_url") {
        Some(url) => Ok(url),
        None => Ok(format!(
            "{}/.well-known/oauth-authorization-server",
            issuer(ctx)?.trim_end_matches('/')
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

/// Whether the authorization request asks for `openid` (OpenID Connect):
/// in `scope`, or in a `scope` that `authorize_params` puts instead.
pub fn openid(ctx: &Ctx) -> bool {
    let scope = authorize_params(ctx)
        .ok()
        .and_then(|p| p.into_iter().find(|(k, _)| k == "scope").map(|(_, v)| v))
        .unwrap_or_else(|| scope(ctx));
    scope.split_whitespace().any(|s| s == "openid")
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
