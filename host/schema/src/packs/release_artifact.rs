//! The `release-artifact` pack's config keys (plugins/release-artifact/README.md).

use schemars::JsonSchema;

/// The `release-artifact` pack's config (plugins/release-artifact/README.md): the manifest, the
/// binary it names, `SHA256SUMS`, the CDN against the origin.
#[derive(JsonSchema)]
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
    #[schemars(schema_with = "plume::suite::schema::whole_number")]
    pub max_mib: Option<u64>,
    /// Deadline of one download in milliseconds (default: the check's timeout).
    #[serde(default)]
    #[schemars(schema_with = "plume::suite::schema::whole_number")]
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
