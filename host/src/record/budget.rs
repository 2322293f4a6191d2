//! What one plugin may take from the host in a run, counted across all its
//! instances: published bytes, cleanups and their bytes, values registered
//! for redaction and their bytes, live instances.
//!
//! Every group of a plugin runs on its own instance, so a quota kept per
//! instance would multiply with the groups a plugin describes. A
//! [`PluginBudget`] is shared by all of one plugin's stores (and only
//! theirs), so one plugin's hoarding is counted against it alone and cannot
//! eat another plugin's share. A charge past a quota is refused with
//! [`QuotaExceeded`], which ends the calling instance: the check that did it
//! is `err` with the line naming the limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::limits::{Limits, MASK_MAX_BYTES, MASK_MAX_VALUES, Quota, QuotaExceeded, bytes};
use crate::text::quoted;

/// One plugin's running totals and its instance slots.
#[derive(Debug)]
pub struct PluginBudget {
    plugin: String,
    published_bytes: AtomicU64,
    cleanups: AtomicUsize,
    cleanup_bytes: AtomicU64,
    masked: AtomicUsize,
    masked_bytes: AtomicU64,
    /// One permit per instance the plugin may hold at once.
    pub instances: Arc<Semaphore>,
}

impl PluginBudget {
    pub fn new(plugin: &str, limits: &Limits) -> Self {
        PluginBudget {
            plugin: plugin.to_owned(),
            published_bytes: AtomicU64::new(0),
            cleanups: AtomicUsize::new(0),
            cleanup_bytes: AtomicU64::new(0),
            masked: AtomicUsize::new(0),
            masked_bytes: AtomicU64::new(0),
            instances: Arc::new(Semaphore::new(limits.instances.max(1))),
        }
    }

    /// Counts a value the plugin publishes; past the quota nothing is kept.
    pub fn charge_publish(
        &self,
        limits: &Limits,
        key: &str,
        size: u64,
    ) -> Result<(), QuotaExceeded> {
        let limit = limits.published_bytes;
        add_within(&self.published_bytes, size, limit).map_err(|total| QuotaExceeded {
            quota: Quota::PublishedBytes,
            what: format!(
                "publishing {} ({}) would bring plugin {} to {} of published values",
                quoted(key),
                bytes(size),
                self.plugin,
                bytes(total)
            ),
            limit: bytes(limit),
        })?;
        Ok(())
    }

    /// Counts a cleanup the plugin registers; past either quota it is not kept.
    pub fn charge_cleanup(
        &self,
        limits: &Limits,
        label: &str,
        size: u64,
    ) -> Result<(), QuotaExceeded> {
        let count = self.cleanups.fetch_add(1, Ordering::Relaxed) + 1;
        if count > limits.cleanups {
            self.cleanups.fetch_sub(1, Ordering::Relaxed);
            return Err(QuotaExceeded {
                quota: Quota::Cleanups,
                what: format!(
                    "cleanup {} would be plugin {}'s cleanup number {count}",
                    quoted(label),
                    self.plugin
                ),
                limit: format!("{} cleanups", limits.cleanups),
            });
        }
        let limit = limits.cleanup_bytes;
        if let Err(total) = add_within(&self.cleanup_bytes, size, limit) {
            self.cleanups.fetch_sub(1, Ordering::Relaxed);
            return Err(QuotaExceeded {
                quota: Quota::CleanupBytes,
                what: format!(
                    "cleanup {} ({}) would bring plugin {}'s cleanups to {}",
                    quoted(label),
                    bytes(size),
                    self.plugin,
                    bytes(total)
                ),
                limit: bytes(limit),
            });
        }
        Ok(())
    }
}

impl PluginBudget {
    /// Counts a value the plugin registers for redaction (`log.mask`);
    /// past [`MASK_MAX_VALUES`] values or [`MASK_MAX_BYTES`] bytes it is
    /// refused. The line names the value's size, never the value.
    pub fn charge_mask(&self, size: u64) -> Result<(), QuotaExceeded> {
        let count = self.masked.fetch_add(1, Ordering::Relaxed) + 1;
        if count > MASK_MAX_VALUES {
            self.masked.fetch_sub(1, Ordering::Relaxed);
            return Err(QuotaExceeded {
                quota: Quota::Masked,
                what: format!(
                    "masking a value would be plugin {}'s value number {count} to mask",
                    self.plugin
                ),
                limit: format!("{MASK_MAX_VALUES} values"),
            });
        }
        if let Err(total) = add_within(&self.masked_bytes, size, MASK_MAX_BYTES) {
            self.masked.fetch_sub(1, Ordering::Relaxed);
            return Err(QuotaExceeded {
                quota: Quota::Masked,
                what: format!(
                    "masking a value of {} would bring plugin {}'s masked values to {}",
                    bytes(size),
                    self.plugin,
                    bytes(total)
                ),
                limit: bytes(MASK_MAX_BYTES),
            });
        }
        Ok(())
    }
}

/// Adds `n` to `counter` unless that passes `limit`; the refused total otherwise.
fn add_within(counter: &AtomicU64, n: u64, limit: u64) -> Result<u64, u64> {
    let mut current = counter.load(Ordering::Relaxed);
    loop {
        let total = current.saturating_add(n);
        if total > limit {
            return Err(total);
        }
        match counter.compare_exchange_weak(current, total, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Ok(total),
            Err(seen) => current = seen,
        }
    }
}

/// Every plugin's budget in a run, made on first use.
#[derive(Debug, Default)]
pub struct Budgets(Mutex<HashMap<String, Arc<PluginBudget>>>);

impl Budgets {
    pub fn for_plugin(&self, plugin: &str, limits: &Limits) -> Arc<PluginBudget> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(plugin.to_owned())
            .or_insert_with(|| Arc::new(PluginBudget::new(plugin, limits)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            published_bytes: 100,
            cleanups: 2,
            cleanup_bytes: 1000,
            ..Limits::default()
        }
    }

    #[test]
    fn published_bytes_are_counted_across_calls() {
        let l = limits();
        let b = PluginBudget::new("p", &l);
        assert!(b.charge_publish(&l, "a", 60).is_ok());
        let e = b.charge_publish(&l, "b", 60).unwrap_err();
        assert_eq!(
            e.to_string(),
            "quota: publishing `b` (60 B) would bring plugin p to 120 B of published values (limit 100 B, max-published-kib)"
        );
        // The refused value was not counted: a smaller one still fits.
        assert!(b.charge_publish(&l, "c", 40).is_ok());
    }

    #[test]
    fn cleanups_are_capped_by_count_and_by_bytes() {
        let l = limits();
        let b = PluginBudget::new("p", &l);
        assert!(b.charge_cleanup(&l, "one", 10).is_ok());
        let e = b.charge_cleanup(&l, "big", 5000).unwrap_err();
        assert_eq!(e.quota, Quota::CleanupBytes);
        assert!(b.charge_cleanup(&l, "two", 10).is_ok());
        let e = b.charge_cleanup(&l, "three", 10).unwrap_err();
        assert_eq!(e.quota, Quota::Cleanups);
        assert!(
            e.to_string().contains("(limit 2 cleanups, max-cleanups)"),
            "{e}"
        );
    }

    #[test]
    fn each_plugin_has_its_own_budget() {
        let l = limits();
        let all = Budgets::default();
        assert!(all.for_plugin("a", &l).charge_publish(&l, "k", 100).is_ok());
        assert!(all.for_plugin("b", &l).charge_publish(&l, "k", 100).is_ok());
        assert!(all.for_plugin("a", &l).charge_publish(&l, "k", 1).is_err());
    }
}
