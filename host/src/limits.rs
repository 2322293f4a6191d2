//! The memory limit of one plugin instance.
//!
//! A growth past the limit is refused (the guest's allocator then fails and
//! the instance traps); the limiter remembers that it refused, so the check
//! is reported as "out of memory" rather than as an anonymous trap.

use wasmtime::ResourceLimiter;

/// Caps the total linear memory of every memory in one store.
#[derive(Debug)]
pub struct MemoryLimiter {
    limit: usize,
    hit: bool,
}

impl MemoryLimiter {
    pub fn new(limit_bytes: u64) -> Self {
        MemoryLimiter {
            limit: usize::try_from(limit_bytes).unwrap_or(usize::MAX),
            hit: false,
        }
    }

    /// Whether a growth was refused since the store was made.
    pub fn was_hit(&self) -> bool {
        self.hit
    }

    pub fn limit_mib(&self) -> usize {
        self.limit / (1024 * 1024)
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
