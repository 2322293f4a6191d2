//! `--every DUR`: each target runs on its own timer, `--jitter` spreading
//! the starts, one run at a time (a run longer than the interval delays the
//! next, it never overlaps it), and at most `--max-concurrent-runs` runs of
//! all targets at once. A stop request ends the loop after the run in
//! flight has walked its cleanups.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::target::Target;
use super::{Shutdown, signalled};
use crate::engine::Sandbox;

/// When and how often a target runs.
#[derive(Debug, Clone, Copy)]
pub struct Every {
    pub interval: Duration,
    /// Each start is later by a random delay up to this.
    pub jitter: Duration,
}

impl Every {
    fn delay(&self) -> Duration {
        if self.jitter.is_zero() {
            return Duration::ZERO;
        }
        let millis = u64::try_from(self.jitter.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// Runs `target` every `every` until `stop` fires.
pub async fn run_every(
    target: Arc<Target>,
    sandbox: Arc<Sandbox>,
    every: Every,
    slots: Arc<Semaphore>,
    stop: Shutdown,
) {
    let mut next = Instant::now() + every.delay();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            _ = signalled(stop.clone()) => return,
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = signalled(stop.clone()) => return,
        };
        let Ok(_slot) = slot else { return };
        let started = Instant::now();
        target.run_when_free(sandbox.clone(), stop.clone()).await;
        if stop.borrow().is_some() {
            return;
        }
        next = (started + every.interval + every.delay()).max(Instant::now());
    }
}
