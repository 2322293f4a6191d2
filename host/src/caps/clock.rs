//! `plume:check/clock`: a monotonic clock and a sleep the check's timeout can cancel.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::engine::bindings::clock::Host;
use crate::engine::state::StoreState;

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

impl Host for StoreState {
    fn now_ms(&mut self) -> wasmtime::Result<u64> {
        Ok(u64::try_from(origin().elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    async fn sleep(&mut self, ms: u32) -> wasmtime::Result<()> {
        self.waiting_on(format!("clock.sleep({ms})"));
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        self.pending = None;
        Ok(())
    }
}
