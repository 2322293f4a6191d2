//! `release-artifact`: what is served is what was shipped (seed 000).
//!
//! One group, `release`: the manifest's shape; its version against the one
//! the deploy expected; the binary it names, downloaded and hashed as it
//! streams, against the manifest, the expected digest and a `SHA256SUMS`
//! file; its Content-Length against the bytes received; and the CDN against
//! the origin, manifest and bytes. Every failure shows both values. See
//! `plugins/release-artifact/README.md` for the config keys.

mod binary;
mod config;
mod disposition;
mod encoding;
mod hops;
mod manifest;
mod origin;
mod settings;
mod signed;
mod store_error;
mod sums;

use plume_sdk::prelude::*;

/// A digest as lines show it: its first 12 hex digits.
pub(crate) fn short(sha: &str) -> String {
    format!("{}…", &sha[..sha.len().min(12)])
}

fn plugin() -> Plugin {
    settings::load();
    Plugin::new("release-artifact", env!("CARGO_PKG_VERSION"))
        .config(plume_sdk::config_keys::<config::Config>())
        .group("release", &[], |g| {
            g.check("manifest.shape", manifest::shape)
                .check("expected.version", manifest::expected_version)
                .check("binary.matches_manifest", binary::matches_manifest)
                .check("binary.content_length", binary::content_length)
                .check("expected.sha", binary::expected_sha)
                .check("sums.matches", sums::sums_match)
                .check("origin.same_manifest", origin::same_manifest)
                .check("origin.same_binary", origin::same_binary)
        })
}

plume_sdk::export_plugin!(plugin);
