//! `plume:check/clock`: a monotonic clock and a sleep the check's timeout
//! can cancel. [`ClockView`] is all it reaches of the Store.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wasmtime::component::HasData;

use crate::engine::bindings::clock::Host;
use crate::engine::state::{Pending, StoreState};

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

/// What `plume:check/clock` reaches: the call the check waits on (a sleep
/// names itself there, for a timeout's line).
pub struct ClockView<'a> {
    pub pending: &'a mut Pending,
}

/// Names [`ClockView`] for the linker.
pub struct Clock;

impl HasData for Clock {
    type Data<'a> = ClockView<'a>;
}

/// The clock capability's view of `state`.
pub fn view(state: &mut StoreState) -> ClockView<'_> {
    ClockView {
        pending: &mut state.pending,
    }
}

impl Host for ClockView<'_> {
    fn now_ms(&mut self) -> wasmtime::Result<u64> {
        Ok(u64::try_from(origin().elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    async fn sleep(&mut self, ms: u32) -> wasmtime::Result<()> {
        self.pending.start(format!("clock.sleep({ms})"));
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        self.pending.end();
        Ok(())
    }
}
