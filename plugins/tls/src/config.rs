//! The pack's config table as serde types: what `plugins/tls/README.md`
//! lists, with its defaults, read once per instance.
//!
//! The same file is compiled natively by `host/schema` with `feature =
//! "schema"` on, where the types derive `schemars::JsonSchema` and their doc
//! comments become `plugins/tls/config.schema.json`; the pack declares the
//! struct's field names as the keys it reads. Unknown keys inside a value are
//! refused; [`Config::check`] refuses what the types alone cannot.

use serde::Deserialize;

/// Protocol versions in order, lowest first.
pub const VERSIONS: [&str; 2] = ["TLSv1.2", "TLSv1.3"];

/// `warn_days` when it is not set.
pub const WARN_DAYS: u32 = 14;

/// The `tls` pack's config (plugins/tls/README.md): four checks per host.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The `https://` URLs whose certificates to check: an array, or one URL. Required.
    pub hosts: Hosts,
    /// Fewer days left than this is `err` (default 14).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "plume::suite::schema::whole_number")
    )]
    pub warn_days: Option<u32>,
    /// The lowest protocol version accepted: "TLSv1.2" (default) or "TLSv1.3".
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(schema_with = "min_version_schema"))]
    pub min_version: Option<String>,
}

/// The hosts: a list of URLs, or one.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged, expecting = "expected an array of https:// URLs, or one URL")]
pub enum Hosts {
    Many(#[cfg_attr(feature = "schema", schemars(length(min = 1)))] Vec<String>),
    One(String),
}

#[cfg(feature = "schema")]
fn min_version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    plume::suite::schema::one_of(&VERSIONS)
}

impl Config {
    /// The URLs to check, blank ones left out.
    pub fn urls(&self) -> Vec<String> {
        let listed = match &self.hosts {
            Hosts::Many(urls) => urls.clone(),
            Hosts::One(url) => vec![url.clone()],
        };
        listed
            .into_iter()
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .collect()
    }

    /// Fewer days left than this is `err`.
    pub fn warn_days(&self) -> u32 {
        self.warn_days.unwrap_or(WARN_DAYS)
    }

    /// The lowest version accepted, as [`VERSIONS`] spells it.
    pub fn min_version(&self) -> &'static str {
        self.min_version
            .as_deref()
            .and_then(version)
            .unwrap_or(VERSIONS[0])
    }

    /// What the types alone do not refuse: no host, an unknown version. The
    /// offending key and what to write instead.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if self.urls().is_empty() {
            return Err((
                "hosts",
                "no hosts; set hosts = [\"https://example.com\"]".to_owned(),
            ));
        }
        match &self.min_version {
            Some(v) if version(v).is_none() => Err((
                "min_version",
                format!("{v:?} is not a version: use TLSv1.2 or TLSv1.3"),
            )),
            _ => Ok(()),
        }
    }
}

/// `v` as [`VERSIONS`] spells it (any case), if it is one.
pub fn version(v: &str) -> Option<&'static str> {
    VERSIONS.into_iter().find(|k| k.eq_ignore_ascii_case(v))
}
