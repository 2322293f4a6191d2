//! `plume:check/config`: suite values, secrets, values passed between
//! groups, and a plugin's refusal of its own config (`reject`, 0.1.2).
//!
//! A group may read what it published itself (earlier checks of the group)
//! and what the groups it depends on published: those are the only ones
//! guaranteed to have finished before it started. What a plugin publishes is
//! counted against its quota. [`ConfigView`] is all it reaches of the Store.

use wasmtime::component::HasData;

use crate::engine::bindings::config::Host;
use crate::engine::state::{Position, StoreState};
use crate::limits::{CONFIG_KEY_MAX, Limits};
use crate::record::budget::PluginBudget;
use crate::record::published::Published;
use crate::suite::PluginEntry;
use crate::text;

pub use crate::error::ConfigRejected;

/// What `plume:check/config` reaches: the plugin's entry (its config and
/// secrets; its name keys what it publishes), the run's limits and the
/// plugin's budget a publish is charged to, the run's published values,
/// and the instance's position (its group, and the groups upstream of it
/// it may read from).
pub struct ConfigView<'a> {
    pub plugin: &'a PluginEntry,
    pub limits: &'a Limits,
    pub budget: &'a PluginBudget,
    pub published: &'a Published,
    pub position: &'a Position,
}

/// Names [`ConfigView`] for the linker.
pub struct Config;

impl HasData for Config {
    type Data<'a> = ConfigView<'a>;
}

/// The config capability's view of `state`.
pub fn view(state: &mut StoreState) -> ConfigView<'_> {
    ConfigView {
        plugin: &state.plugin,
        limits: &state.run.limits,
        budget: &state.budget,
        published: &state.run.published,
        position: &state.position,
    }
}

impl Host for ConfigView<'_> {
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
        self.budget.charge_publish(self.limits, &key, size)?;
        let group = &self.position.group;
        self.published.set(&self.plugin.name, group, &key, &value);
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
