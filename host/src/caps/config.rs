//! `plume:check/config`: suite values, secrets, values passed between
//! groups, and a plugin's refusal of its own config (`reject`, 0.1.2).
//!
//! A group may read what it published itself (earlier checks of the group)
//! and what the groups it depends on published: those are the only ones
//! guaranteed to have finished before it started. What a plugin publishes is
//! counted against its quota.

use crate::engine::bindings::config::Host;
use crate::engine::state::StoreState;
use crate::limits::CONFIG_KEY_MAX;
use crate::text;

pub use crate::error::ConfigRejected;

impl Host for StoreState {
    fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.plugin.config.get(&key).cloned())
    }

    fn secret(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        Ok(self.plugin.secrets.get(&name).cloned().flatten())
    }

    /// Counted against the plugin's `max-published-kib`; past it the
    /// instance ends with the quota's line.
    fn publish(&mut self, key: String, value: String) -> wasmtime::Result<()> {
        let size = (key.len() + value.len()) as u64;
        self.budget.charge_publish(&self.run.limits, &key, size)?;
        let group = &self.position.group;
        self.run
            .published
            .set(&self.plugin.name, group, &key, &value);
        Ok(())
    }

    fn published(
        &mut self,
        group: String,
        key: String,
    ) -> wasmtime::Result<Result<String, String>> {
        let me = &self.position.group;
        if *me != group && !self.position.upstream.contains(&group) {
            return Ok(Err(format!(
                "group {me} cannot read values of group {group}: add {group} to its depends-on"
            )));
        }
        Ok(self
            .run
            .published
            .get(&self.plugin.name, &group, &key)
            .ok_or_else(|| format!("no value `{key}` from group {group}")))
    }

    /// Ends the instance with the plugin's word on its config; the key and
    /// message are cut to one safe line each (the ledger cuts them again).
    fn reject(&mut self, key: String, message: String) -> wasmtime::Result<()> {
        Err(ConfigRejected {
            key: text::shown(&key, CONFIG_KEY_MAX),
            message: text::shown(&message, crate::limits::DETAIL_MAX),
        }
        .into())
    }
}
