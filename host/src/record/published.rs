//! Values groups publish for the groups that depend on them, keyed by
//! (plugin, group); what a plugin publishes is counted against its quota
//! before it lands here.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Values published by groups, keyed by (plugin, group).
#[derive(Debug, Default)]
pub struct Published(Mutex<HashMap<(String, String), BTreeMap<String, String>>>);

impl Published {
    pub fn set(&self, plugin: &str, group: &str, key: &str, value: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((plugin.to_owned(), group.to_owned()))
            .or_default()
            .insert(key.to_owned(), value.to_owned());
    }

    pub fn get(&self, plugin: &str, group: &str, key: &str) -> Option<String> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(plugin.to_owned(), group.to_owned()))
            .and_then(|values| values.get(key).cloned())
    }
}
