//! The pack's config keys and their defaults.

use plume_sdk::prelude::*;

pub const KEYS: [&str; 13] = [
    "manifest_url",
    "expected_version",
    "expected_sha",
    "origin_url",
    "sums_url",
    "max_mib",
    "timeout_ms",
    "version_pointer",
    "sha_pointer",
    "url_pointer",
    "time_pointer",
    "size_pointer",
    "file_name",
];

/// The manifest's URL (required).
pub fn manifest_url(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("manifest_url")
}

/// A JSON pointer into the manifest, with its default.
pub fn pointer(ctx: &Ctx, key: &str, default: &str) -> String {
    ctx.config_given(key).unwrap_or_else(|| default.to_owned())
}

/// The largest binary the pack downloads (default 512 MiB).
pub fn max_bytes(ctx: &Ctx) -> Result<u64, Halt> {
    match ctx.config_given("max_mib") {
        None => Ok(512 << 20),
        Some(v) => v
            .parse::<u64>()
            .map(|mib| mib << 20)
            .map_err(|_| Halt::err(format!("config max_mib {v:?} is not a whole number of MiB"))),
    }
}

/// The deadline for one download (default: the check's timeout).
pub fn timeout(ctx: &Ctx) -> Result<Option<Duration>, Halt> {
    match ctx.config_given("timeout_ms") {
        None => Ok(None),
        Some(v) => v
            .parse::<u64>()
            .map(|ms| Some(Duration::from_millis(ms)))
            .map_err(|_| Halt::err(format!("config timeout_ms {v:?} is not a number"))),
    }
}
