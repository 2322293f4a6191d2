//! The `oauth` pack's config keys (plugins/oauth/README.md).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The `oauth` pack's config (plugins/oauth/README.md): discovery, and the flows a client runs.
/// Secrets: `password` (the test user's) and `client_secret` (a confidential client).
#[derive(JsonSchema)]
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
    /// Registered for the client; never fetched. Required for the `flow` group.
    pub redirect_uri: Option<String>,
    /// A test client; without it the pack registers one (RFC 7591).
    pub client_id: Option<String>,
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
    #[schemars(schema_with = "auth_method")]
    pub token_endpoint_auth_method: Option<String>,
    /// Features whose absence is `err`, not `skip`: "revocation", "registration", "refresh",
    /// "pkce".
    #[serde(default)]
    pub require: Vec<Feature>,
}

/// A form or request parameter's value, sent as text.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum Param {
    Text(String),
    Number(f64),
    Flag(bool),
}

/// A feature `require` names.
pub struct Feature;

impl JsonSchema for Feature {
    fn schema_name() -> Cow<'static, str> {
        "Feature".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        plume::suite::schema::one_of(&["revocation", "registration", "refresh", "pkce"])
    }
}

fn auth_method(_: &mut SchemaGenerator) -> Schema {
    plume::suite::schema::one_of(&["client_secret_basic", "client_secret_post"])
}
