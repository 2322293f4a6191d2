//! The pack's config table as serde types: what `plugins/oauth/README.md`
//! lists, read once per instance.
//!
//! The same file is compiled natively by `host/schema` with `feature =
//! "schema"` on, where the types derive `schemars::JsonSchema` and their doc
//! comments become `plugins/oauth/config.schema.json`; the pack declares the
//! struct's field names as the keys it reads. A value left blank
//! (`${env:X:-}` with `X` unset) is unset; [`Config::check`] refuses what
//! the types alone cannot.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// The features `require` may name: absent, each is `err` instead of `skip`.
/// `pkce`: enforced even for a confidential client.
pub const FEATURES: [&str; 4] = ["revocation", "registration", "refresh", "pkce"];

/// The methods the pack can use for a confidential client, in order of preference.
pub const METHODS: [&str; 2] = ["client_secret_basic", "client_secret_post"];

/// The `oauth` pack's config (plugins/oauth/README.md): discovery, and the flows a client runs.
/// Secrets: `password` (the test user's) and `client_secret` (a confidential client).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The authorization server's issuer. Required.
    pub issuer: String,
    /// Where its metadata is (default `<issuer>/.well-known/oauth-authorization-server`; e.g.
    /// `…/.well-known/openid-configuration` for OpenID providers).
    pub metadata_url: Option<String>,
    /// A protected resource; without it the checks that need one skip.
    pub resource_url: Option<String>,
    /// The resource's RFC 9728 metadata; without it `resource.metadata` skips.
    pub resource_metadata_url: Option<String>,
    /// A test client; without it the pack registers one (RFC 7591).
    pub client_id: Option<String>,
    /// Registered for the client; never fetched. Required for the `flow` group.
    pub redirect_uri: Option<String>,
    /// The scope requested (default "openid"; e.g. "openid offline_access" for refresh tokens).
    pub scope: Option<String>,
    /// The sign-in form's fields besides its hidden ones and the password, e.g.
    /// `{ login = "smoke@example.com" }`.
    pub sign_in_fields: Option<BTreeMap<String, Param>>,
    /// The sign-in form's password field (default "password").
    pub password_field: Option<String>,
    /// Extra authorization-request parameters, e.g. `{ prompt = "consent" }`; one named like a
    /// standard one replaces it.
    pub authorize_params: Option<BTreeMap<String, Param>>,
    /// With `client_secret`: how the client authenticates (default: the first of these the
    /// server's metadata lists).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(schema_with = "auth_method_schema"))]
    pub token_endpoint_auth_method: Option<String>,
    /// Features whose absence is `err`, not `skip`: "revocation", "registration", "refresh",
    /// "pkce".
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<Feature>"))]
    pub require: Vec<String>,
}

/// A form or request parameter's value, sent as text.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged, expecting = "expected a string, a number or a boolean")]
pub enum Param {
    Text(String),
    Number(#[cfg_attr(feature = "schema", schemars(with = "f64"))] serde_json::Number),
    Flag(bool),
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Text(text) => f.write_str(text),
            Param::Number(n) => write!(f, "{n}"),
            Param::Flag(b) => write!(f, "{b}"),
        }
    }
}

/// A feature `require` names: one of [`FEATURES`] (its schema only; the
/// pack reads the names as text and [`Config::check`] refuses others).
#[cfg(feature = "schema")]
pub struct Feature;

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Feature {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Feature".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        plume::suite::schema::one_of(&FEATURES)
    }
}

#[cfg(feature = "schema")]
fn auth_method_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    plume::suite::schema::one_of(&METHODS)
}

impl Config {
    /// What the types alone do not refuse: an unknown feature or method. The
    /// offending key and what to write instead.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(bad) = self
            .require
            .iter()
            .find(|f| !FEATURES.contains(&f.as_str()))
        {
            return Err((
                "require",
                format!(
                    "unknown feature {bad:?}; choose from {}",
                    FEATURES.join(", ")
                ),
            ));
        }
        match &self.token_endpoint_auth_method {
            Some(m) if !METHODS.contains(&m.as_str()) => Err((
                "token_endpoint_auth_method",
                format!("{m:?} is not one of {}", METHODS.join(", ")),
            )),
            _ => Ok(()),
        }
    }

    /// Whether the suite requires `feature` (then its absence is `err`).
    pub fn requires(&self, feature: &str) -> bool {
        self.require.iter().any(|f| f == feature)
    }
}

/// A table of parameters as name and text pairs.
pub fn as_text(params: Option<&BTreeMap<String, Param>>) -> Vec<(String, String)> {
    params
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.clone(), value.to_string()))
        .collect()
}
