//! `plume:check/config`: suite values, secrets, and values passed between groups.
//!
//! A group may read what it published itself (earlier checks of the group)
//! and what the groups it depends on published: those are the only ones
//! guaranteed to have finished before it started. What a plugin publishes is
//! counted against its quota.

use crate::engine::bindings::config::Host;
use crate::engine::state::StoreState;

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
}
