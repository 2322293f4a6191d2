//! The memory bound of one plugin instance, over all its memories and tables.
//!
//! A component may hold many linear memories (one per core instance, or
//! several in one module) and many tables; wasmtime asks the limiter about
//! each one on its own. [`InstanceLimiter`] keeps the running total of every
//! memory and every table of its store, so the limit holds for the instance
//! as a whole: 32 memories of 62.5 MiB under `memory-mib = 64` are refused
//! at instantiation, not granted one by one. A growth past the limit is
//! refused (the guest's allocator then fails and the instance traps, or
//! instantiation fails); the limiter remembers it, so the check is reported
//! as "out of memory" rather than as an anonymous trap.

use crate::limits::{STORE_MAX_INSTANCES, STORE_MAX_MEMORIES, STORE_MAX_TABLES};
use wasmtime::ResourceLimiter;

/// Caps the total linear memory and table elements of one store.
#[derive(Debug)]
pub struct InstanceLimiter {
    memory_limit: usize,
    table_limit: usize,
    memory_total: usize,
    table_total: usize,
    memories: usize,
    /// The last approved growth of a memory, undone if the growth then fails.
    pending_memory: usize,
    pending_table: usize,
    hit: bool,
}

impl InstanceLimiter {
    pub fn new(memory_bytes: u64, table_elements: u64) -> Self {
        InstanceLimiter {
            memory_limit: usize::try_from(memory_bytes).unwrap_or(usize::MAX),
            table_limit: usize::try_from(table_elements).unwrap_or(usize::MAX),
            memory_total: 0,
            table_total: 0,
            memories: 0,
            pending_memory: 0,
            pending_table: 0,
            hit: false,
        }
    }

    /// Whether a growth was refused since the store was made.
    pub fn was_hit(&self) -> bool {
        self.hit
    }

    pub fn limit_mib(&self) -> usize {
        self.memory_limit / (1024 * 1024)
    }

    /// Linear memory granted to the instance so far, all memories together.
    pub fn memory_bytes(&self) -> usize {
        self.memory_total
    }

    /// Why the instance died of memory, for its check's line.
    pub fn out_of_memory_detail(&self) -> String {
        let across = if self.memories > 1 {
            format!(" across its {} memories", self.memories)
        } else {
            String::new()
        };
        format!(
            "out of memory: the instance passed its {} MiB limit{across}",
            self.limit_mib()
        )
    }
}

impl ResourceLimiter for InstanceLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if current == 0 {
            self.memories += 1;
        }
        let growth = desired.saturating_sub(current);
        let total = self.memory_total.saturating_add(growth);
        if total > self.memory_limit {
            self.hit = true;
            self.pending_memory = 0;
            return Ok(false);
        }
        self.memory_total = total;
        self.pending_memory = growth;
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory_total = self.memory_total.saturating_sub(self.pending_memory);
        self.pending_memory = 0;
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let growth = desired.saturating_sub(current);
        let total = self.table_total.saturating_add(growth);
        if total > self.table_limit {
            self.pending_table = 0;
            return Ok(false);
        }
        self.table_total = total;
        self.pending_table = growth;
        Ok(true)
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.table_total = self.table_total.saturating_sub(self.pending_table);
        self.pending_table = 0;
        Ok(())
    }

    fn instances(&self) -> usize {
        STORE_MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        STORE_MAX_TABLES
    }

    fn memories(&self) -> usize {
        STORE_MAX_MEMORIES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    #[test]
    fn the_limit_holds_for_all_memories_together() {
        let mut l = InstanceLimiter::new(64 * MIB as u64, 1000);
        assert!(l.memory_growing(0, 40 * MIB, None).unwrap());
        assert!(!l.memory_growing(0, 40 * MIB, None).unwrap());
        assert!(l.was_hit());
        assert!(l.memory_growing(0, 20 * MIB, None).unwrap());
        assert_eq!(l.memory_bytes(), 60 * MIB);
        assert!(
            l.out_of_memory_detail()
                .ends_with("64 MiB limit across its 3 memories")
        );
    }

    #[test]
    fn a_failed_growth_gives_its_bytes_back() {
        let mut l = InstanceLimiter::new(64 * MIB as u64, 1000);
        assert!(l.memory_growing(0, 10 * MIB, None).unwrap());
        assert!(l.memory_growing(10 * MIB, 50 * MIB, None).unwrap());
        l.memory_grow_failed(wasmtime::Error::msg("mmap failed"))
            .unwrap();
        assert_eq!(l.memory_bytes(), 10 * MIB);
    }

    #[test]
    fn tables_share_one_element_budget() {
        let mut l = InstanceLimiter::new(MIB as u64, 1000);
        assert!(l.table_growing(0, 600, None).unwrap());
        assert!(!l.table_growing(0, 600, None).unwrap());
        assert!(l.table_growing(600, 1000, None).unwrap());
    }
}
