//! The `tls` pack's config keys (plugins/tls/README.md).

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The `tls` pack's config (plugins/tls/README.md): four checks per host.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The `https://` URLs whose certificates to check: an array, or one URL. Required.
    pub hosts: Hosts,
    /// Fewer days left than this is `err` (default 14).
    #[serde(default)]
    #[schemars(schema_with = "plume::suite::schema::whole_number")]
    pub warn_days: Option<u32>,
    /// The lowest protocol version accepted: "TLSv1.2" (default) or "TLSv1.3".
    #[serde(default)]
    #[schemars(schema_with = "min_version")]
    pub min_version: Option<String>,
}

/// The hosts: a list of URLs, or one.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum Hosts {
    Many(#[schemars(length(min = 1))] Vec<String>),
    One(String),
}

fn min_version(_: &mut SchemaGenerator) -> Schema {
    plume::suite::schema::one_of(&["TLSv1.2", "TLSv1.3"])
}
