//! The pack's config table as serde types: what
//! `plugins/release-artifact/README.md` lists, with its defaults, read once
//! per instance.
//!
//! The same file is compiled natively by `host/schema` with `feature =
//! "schema"` on, where the types derive `schemars::JsonSchema` and their doc
//! comments become `plugins/release-artifact/config.schema.json`; the pack
//! declares the struct's field names as the keys it reads. A value left
//! blank (`${env:X:-}` with `X` unset) is unset.

use serde::Deserialize;

/// `max_mib` when it is not set.
pub const MAX_MIB: u64 = 512;

/// The `release-artifact` pack's config (plugins/release-artifact/README.md): the manifest, the
/// binary it names, `SHA256SUMS`, the CDN against the origin.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The manifest (`version.json`) as users fetch it. Required.
    pub manifest_url: String,
    /// The version this deploy shipped (a leading `v` ignored); unset or empty, its check skips.
    pub expected_version: Option<String>,
    /// The binary's SHA-256 this deploy shipped (hex); unset or empty, its check skips.
    pub expected_sha: Option<String>,
    /// A `SHA256SUMS` file (`<hex>  <name>` lines) that must list the binary with the served digest.
    pub sums_url: Option<String>,
    /// The origin's manifest, to compare with the CDN's (manifest and binary).
    pub origin_url: Option<String>,
    /// A larger binary fails, in MiB (default 512).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "plume::suite::schema::whole_number")
    )]
    pub max_mib: Option<u64>,
    /// Deadline of one download in milliseconds (default: the check's timeout).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "plume::suite::schema::whole_number")
    )]
    pub timeout_ms: Option<u64>,
    /// JSON pointer to the manifest's version (default "/version").
    pub version_pointer: Option<String>,
    /// JSON pointer to the binary's SHA-256 in the manifest (default "/sha256").
    pub sha_pointer: Option<String>,
    /// JSON pointer to the binary's download URL in the manifest (default "/download_url").
    pub url_pointer: Option<String>,
    /// JSON pointer to the release time (RFC 3339) in the manifest (default "/updated_at").
    pub time_pointer: Option<String>,
    /// JSON pointer to the binary's size in bytes (default "/size", optional there; required when
    /// set).
    pub size_pointer: Option<String>,
    /// The name `SHA256SUMS` lists the binary under (default: the answer's `Content-Disposition`
    /// file name, else the last segment of the URL that answered, after redirects).
    pub file_name: Option<String>,
}

impl Config {
    /// The largest binary the pack downloads, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_mib.unwrap_or(MAX_MIB).saturating_mul(1 << 20)
    }

    /// The manifest's JSON pointers: version, SHA-256, download URL, release time.
    pub fn pointers(&self) -> [&str; 4] {
        [
            (&self.version_pointer, "/version"),
            (&self.sha_pointer, "/sha256"),
            (&self.url_pointer, "/download_url"),
            (&self.time_pointer, "/updated_at"),
        ]
        .map(|(set, default)| set.as_deref().unwrap_or(default))
    }

    /// What the types alone do not refuse: a pointer that is not one. The
    /// offending key and what to write instead.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let pointers = [
            ("version_pointer", &self.version_pointer),
            ("sha_pointer", &self.sha_pointer),
            ("url_pointer", &self.url_pointer),
            ("time_pointer", &self.time_pointer),
            ("size_pointer", &self.size_pointer),
        ];
        for (key, set) in pointers {
            if let Some(p) = set.as_deref().filter(|p| !p.starts_with('/')) {
                return Err((
                    key,
                    format!("{p:?} is not a JSON pointer: it starts with `/`, e.g. \"/{p}\""),
                ));
            }
        }
        Ok(())
    }
}
