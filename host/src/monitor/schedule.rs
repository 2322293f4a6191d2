//! `--every DUR`: each target runs on a fixed grid of its own: target `i`
//! of `n` first starts `i/n` of the interval after start-up (so `n` targets
//! spread evenly over the interval instead of all starting at once), later
//! by a `--jitter` drawn once per target at start-up, then every interval
//! after that first start. The grid never moves, so starts do not drift
//! however long the monitor runs: a run's own length, a wait for a
//! concurrency slot and the jitter are not added up from one run to the
//! next. One run at a time per target: a run that ends after its next
//! start was due starts that next run at once, and ticks it overran by more
//! are skipped. At most `--max-concurrent-runs` runs of all targets at
//! once. A stop request ends the loop after the run in flight has walked
//! its cleanups.

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
    /// Each target's starts are later by a random delay up to this, drawn once.
    pub jitter: Duration,
}

impl Every {
    /// The random part of a target's offset: up to `jitter`.
    fn jitter_offset(&self) -> Duration {
        if self.jitter.is_zero() {
            return Duration::ZERO;
        }
        let millis = u64::try_from(self.jitter.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }

    /// Where target `index` of `count` first starts in the interval: evenly
    /// spread, the first at once.
    pub fn spread(&self, index: usize, count: usize) -> Duration {
        let count = u128::try_from(count.max(1)).unwrap_or(u128::MAX);
        let index = u128::try_from(index).unwrap_or(0);
        nanos(self.interval.as_nanos() * index / count)
    }
}

fn nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Start `tick` of the grid that begins at `origin`.
fn tick_at(origin: Instant, interval: Duration, tick: u64) -> Instant {
    origin + nanos(interval.as_nanos() * u128::from(tick))
}

/// The tick to start next after tick `done` ran, at `now`: the following
/// one, or the tick `now` falls in when the run overran (due at once).
fn next_tick(origin: Instant, interval: Duration, done: u64, now: Instant) -> u64 {
    let passed = now.saturating_duration_since(origin).as_nanos() / interval.as_nanos().max(1);
    (done + 1).max(u64::try_from(passed).unwrap_or(u64::MAX))
}

/// Runs `target` every `every`, first at `spread` (plus its jitter) from
/// now, until `stop` fires.
pub async fn run_every(
    target: Arc<Target>,
    sandbox: Arc<Sandbox>,
    every: Every,
    spread: Duration,
    slots: Arc<Semaphore>,
    stop: Shutdown,
) {
    let origin = Instant::now() + spread + every.jitter_offset();
    let mut tick = 0;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(tick_at(origin, every.interval, tick)) => {}
            _ = signalled(stop.clone()) => return,
        }
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = signalled(stop.clone()) => return,
        };
        let Ok(_slot) = slot else { return };
        target.run_when_free(sandbox.clone(), stop.clone()).await;
        if stop.borrow().is_some() {
            return;
        }
        tick = next_tick(origin, every.interval, tick, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_spread_evenly_over_the_interval_the_first_at_once() {
        let every = Every {
            interval: Duration::from_secs(60),
            jitter: Duration::ZERO,
        };
        let starts: Vec<Duration> = (0..4).map(|i| every.spread(i, 4)).collect();
        assert_eq!(
            starts,
            [0, 15, 30, 45].map(Duration::from_secs).to_vec(),
            "four targets a quarter of the interval apart"
        );
        assert_eq!(every.spread(999, 1000), Duration::from_millis(59_940));
        assert_eq!(every.spread(0, 0), Duration::ZERO);
    }

    #[test]
    fn the_grid_does_not_move_and_an_overrun_starts_the_next_run_at_once() {
        let origin = Instant::now();
        let minute = Duration::from_secs(60);
        let at = |secs: u64| origin + Duration::from_secs(secs);
        // A run that ends within its minute: the next tick, on the grid.
        assert_eq!(next_tick(origin, minute, 0, at(2)), 1);
        assert_eq!(next_tick(origin, minute, 41, at(41 * 60 + 59)), 42);
        assert_eq!(tick_at(origin, minute, 42), at(42 * 60));
        // A run that overran into tick 1: tick 1 is due at once.
        assert_eq!(next_tick(origin, minute, 0, at(61)), 1);
        // One that overran by three ticks: the ticks it covered are skipped.
        assert_eq!(next_tick(origin, minute, 0, at(200)), 3);
        assert!(tick_at(origin, minute, 3) < at(200));
    }
}
