//! The pack's config as its checks reach it: the table of `config.rs`, read
//! and checked once per instance, and the defaults its keys take.
//!
//! A bad table refuses the config when the pack describes itself, naming the
//! key, so no check runs on it. An empty one (`plume inspect`) describes the
//! pack; a check run on it is `err`, saying which key to set.

use std::sync::OnceLock;

use plume_sdk::prelude::*;

use crate::config::{Config, as_text};

static CONFIG: OnceLock<Option<Config>> = OnceLock::new();

/// The table, or `None` when no key is set.
pub fn load() -> Option<&'static Config> {
    CONFIG
        .get_or_init(|| {
            plume_sdk::config_table_or_reject("(see plugins/oauth/README.md)", Config::check)
        })
        .as_ref()
}

/// The table, for a check.
pub fn config() -> Result<&'static Config, Halt> {
    load().ok_or_else(|| not_set("issuer"))
}

fn not_set(key: &str) -> Halt {
    Halt::err(format!(
        "config `{key}` is not set: add it to the plugin's config table in the suite file"
    ))
}

/// Whether the suite requires `feature` (then its absence is `err`).
pub fn required(feature: &str) -> bool {
    load().is_some_and(|c| c.requires(feature))
}

/// `skip` with `reason`, or `err` when `feature` is required.
pub fn absent<T>(feature: &str, reason: &str) -> Result<T, Halt> {
    if required(feature) {
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
pub fn authorize_params() -> Result<Vec<(String, String)>, Halt> {
    Ok(as_text(config()?.authorize_params.as_ref()))
}

/// The issuer exactly as configured: OpenID Connect Discovery §4.3 and RFC
/// 9207 compare it with the server's as strings, so `https://x/` and
/// `https://x` are different issuers (Auth0 publishes the former).
pub fn issuer() -> Result<String, Halt> {
    Ok(config()?.issuer.clone())
}

/// Where the server's metadata is (RFC 8414's well-known path by default).
pub fn metadata_url() -> Result<String, Halt> {
    let config = config()?;
    match &config.metadata_url {
        Some(url) => Ok(url.clone()),
        None => Ok(format!(
            "{}/.well-known/oauth-authorization-server",
            config.issuer.trim_end_matches('/')
        )),
    }
}

pub fn redirect_uri() -> Result<String, Halt> {
    config()?
        .redirect_uri
        .clone()
        .ok_or_else(|| not_set("redirect_uri"))
}

pub fn scope() -> String {
    load()
        .and_then(|c| c.scope.clone())
        .unwrap_or_else(|| "openid".to_owned())
}

/// Whether the authorization request asks for `openid` (OpenID Connect):
/// in `scope`, or in a `scope` that `authorize_params` puts instead.
pub fn openid() -> bool {
    let scope = authorize_params()
        .ok()
        .and_then(|p| p.into_iter().find(|(k, _)| k == "scope").map(|(_, v)| v))
        .unwrap_or_else(scope);
    scope.split_whitespace().any(|s| s == "openid")
}

/// The protected resource; checks that need it skip without it.
pub fn resource_url() -> Result<String, Halt> {
    config()?.resource_url.clone().map_or_else(
        || skip("resource_url is not set: no protected resource to try"),
        Ok,
    )
}

/// The form fields the sign-in page takes, with the password added.
pub fn sign_in_form(ctx: &Ctx) -> Result<Vec<(String, String)>, Halt> {
    let password = ctx.secret("password")?;
    let config = config()?;
    let mut form = as_text(config.sign_in_fields.as_ref());
    let field = config
        .password_field
        .clone()
        .unwrap_or_else(|| "password".to_owned());
    form.push((field, password));
    Ok(form)
}
