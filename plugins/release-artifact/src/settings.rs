//! The pack's config as its checks reach it: the table of `config.rs`, read
//! and checked once per instance.
//!
//! A bad table refuses the config when the pack describes itself, naming the
//! key, so no check runs on it. An empty one (`plume inspect`) describes the
//! pack; a check run on it is `err`, saying which key to set.

use std::sync::OnceLock;

use plume_sdk::prelude::*;

use crate::config::Config;

static CONFIG: OnceLock<Option<Config>> = OnceLock::new();

/// The table, or `None` when no key is set.
pub fn load() -> Option<&'static Config> {
    CONFIG
        .get_or_init(|| {
            plume_sdk::config_table_or_reject(
                "(see plugins/release-artifact/README.md)",
                Config::check,
            )
        })
        .as_ref()
}

/// The table, for a check.
pub fn config() -> Result<&'static Config, Halt> {
    load().ok_or_else(|| {
        Halt::err(
            "config `manifest_url` is not set: add it to the plugin's config table in the suite file",
        )
    })
}

/// The manifest's URL (required).
pub fn manifest_url() -> Result<String, Halt> {
    Ok(config()?.manifest_url.clone())
}

/// The deadline for one download (default: the check's timeout).
pub fn timeout() -> Result<Option<Duration>, Halt> {
    Ok(config()?.timeout_ms.map(Duration::from_millis))
}
