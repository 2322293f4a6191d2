//! Running a plan: groups in parallel as their dependencies allow, checks in
//! order inside a group, every limit enforced, cleanups always walked.
//!
//! A group runs on its own Store and instance. A check that traps, panics,
//! runs out of memory or passes its timeout is `err` saying which, and the
//! rest of its group is `skip` (`instance aborted at <check>`); other groups
//! go on. A group whose dependency erred is skipped with the reason. The run
//! ceiling and SIGINT/SIGTERM stop every group at once; cleanups then run
//! within their own budget.

pub mod cleanup;
mod group;
pub mod plan;
pub mod preflight;
pub mod prepare;
mod schedule;
pub mod select;
pub mod session;
pub mod shard;

use std::sync::Arc;

use crate::engine::Sandbox;
use crate::record::RunShared;

use plan::Plan;
use prepare::LoadedPlugin;
use schedule::schedule;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every group finished (or was skipped).
    Completed,
    /// The run ceiling stopped it.
    Ceiling,
    /// A signal stopped it: 2 for SIGINT, 15 for SIGTERM.
    Signal(i32),
}

/// Runs `plan` under the limits of `shared` for at most `ceiling` (what is
/// left of the run's ceiling, see [`session`]), then the cleanups; `stop`
/// resolves when a signal arrives.
pub async fn run(
    runtime: Arc<Sandbox>,
    plugins: Vec<LoadedPlugin>,
    plan: &Plan,
    shared: Arc<RunShared>,
    ceiling: std::time::Duration,
    stop: impl std::future::Future<Output = i32>,
) -> RunEnd {
    let limits = &shared.limits;
    shared.ledger.plan(plan.checks());
    let plugins = Arc::new(plugins);
    let end = tokio::select! {
        () = schedule(runtime, plugins, plan, shared.clone()) => RunEnd::Completed,
        () = tokio::time::sleep(ceiling) => RunEnd::Ceiling,
        signal = stop => RunEnd::Signal(signal),
    };
    // Leaving the select dropped the scheduler and its JoinSet, which aborts
    // every group task; their instances stop at their next epoch tick.
    match end {
        RunEnd::Completed => {}
        RunEnd::Ceiling => shared.ledger.stop(&format!(
            "run ceiling of {} ms reached",
            limits.ceiling.as_millis()
        )),
        RunEnd::Signal(sig) => shared
            .ledger
            .stop(&format!("interrupted by {}", signal_name(sig))),
    }
    cleanup::run_all(&shared, limits.cleanup_budget).await;
    end
}

pub(crate) fn signal_name(sig: i32) -> &'static str {
    match sig {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
