//! One group's run on its own instance: its checks in order under the
//! check timeout, each one's outcome to the ledger; a check that errs is
//! tried again on the same instance up to `retries` times (it is flaky if a
//! retry passes); a check that traps,
//! panics, runs out of memory, passes a quota or times out ends the instance
//! and skips the rest of the group.
//!
//! Retries stay within one attempt's bounds: an attempt that erred keeps
//! only its detail cut like any detail (never the raw text), and every
//! attempt's log lines, the retry notes included, count against the one log
//! budget of the check.
//!
//! The attempts a plugin makes itself (`log.attempt-failed`) and the ones
//! `--retries` makes add up in the order they happened: each call of the
//! check contributes the attempts the plugin reported during it, then, if
//! it erred and is retried, itself. So `attempts` counts every time the
//! check's question was asked: with `--retries 1` and a plugin that asks
//! three times per call, a check that passes on the second call's third
//! ask made 6 attempts. At most [`crate::limits::EARLIER_ATTEMPTS_MAX`]
//! are kept; the rest are counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::bindings::types::{CheckResult, Outcome as WitOutcome};
use crate::engine::state::{Position, StoreState};
use crate::engine::{Sandbox, crash_detail};
use crate::events::{AttemptKind, Earlier, FailedAttempt, Outcome};
use crate::limits::DETAIL_MAX;
use crate::limits::{DeadlinePassed, Limits};
use crate::record::RunShared;

use super::plan::PlannedGroup;
use super::prepare::LoadedPlugin;

/// How a group ended, as its dependents see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GroupEnd {
    Passed,
    Failed,
    Skipped,
}

/// One group's run on its own instance.
pub(super) struct GroupJob {
    pub(super) runtime: Arc<Sandbox>,
    pub(super) plugins: Arc<Vec<LoadedPlugin>>,
    pub(super) shared: Arc<RunShared>,
    pub(super) group: PlannedGroup,
}

impl GroupJob {
    pub(super) async fn run(self) -> GroupEnd {
        let plugin = &self.plugins[self.group.plugin];
        let ledger = &self.shared.ledger;
        let limits: &Limits = &self.shared.limits;
        let g = &self.group.name;
        let local = &self.group.local;
        let Some(first) = self.group.checks.first() else {
            return GroupEnd::Passed;
        };
        let position = Position {
            group: local.clone(),
            suite_group: g.clone(),
            check: String::new(),
            upstream: self.group.upstream.clone(),
        };
        let state = StoreState::new(self.shared.clone(), plugin.entry.clone(), position);
        // One of the plugin's instance slots, held until the group ends: a
        // plugin with many groups waits for its own slots, never another's.
        let slots = state.budget.instances.clone();
        let Ok(_slot) = slots.acquire_owned().await else {
            ledger.finish(
                g,
                first,
                Outcome::Err,
                None,
                "the plugin's instance slots are closed",
            );
            self.skip_rest(1, &format!("instance aborted at {first}"));
            return GroupEnd::Failed;
        };
        let mut store = self.runtime.store(&plugin.pre, state);
        let timeout = limits.check_timeout;
        let timed_out = |doing: String| {
            format!(
                "timed out after {} ms (check timeout) {doing}",
                timeout.as_millis()
            )
        };

        store.data_mut().deadline = Some(Instant::now() + timeout);
        let instance =
            match tokio::time::timeout(timeout, plugin.pre.instantiate_async(&mut store)).await {
                Ok(Ok(instance)) => instance,
                failure => {
                    let detail = match failure {
                        Ok(Err(e)) if e.downcast_ref::<DeadlinePassed>().is_none() => {
                            let (_, stderr) = store.data_mut().take_output();
                            format!(
                                "instantiation failed: {}",
                                crash_detail(&e, &store.data().limiter, &stderr)
                            )
                        }
                        _ => format!(
                            "instantiating the plugin took over {} ms",
                            timeout.as_millis()
                        ),
                    };
                    ledger.finish(g, first, Outcome::Err, None, &detail);
                    self.skip_rest(1, &format!("instance aborted at {first}"));
                    return GroupEnd::Failed;
                }
            };

        let mut end = GroupEnd::Passed;
        for (i, check) in self.group.checks.iter().enumerate() {
            ledger.started(g, check);
            store.data_mut().start_check(check);
            let mut earlier = Earlier::default();
            let mut retried = 0;
            loop {
                let began = Instant::now();
                store.data_mut().start_attempt(began + timeout);
                let call = instance.call_run_check(&mut store, local, check);
                let result = tokio::time::timeout(timeout, call).await;
                let stderr = store.data_mut().log_output();
                earlier.extend(std::mem::take(&mut store.data_mut().reported));
                let data = store.data();
                let detail = match result {
                    Ok(Ok(result)) => {
                        let (outcome, status, detail) = convert(result);
                        if outcome == Outcome::Err && retried < limits.retries {
                            let wait = retry_wait(retried as usize);
                            let detail = ledger.line(&detail, DETAIL_MAX);
                            retried += 1;
                            let note = format!(
                                "attempt {} of {} erred; trying again in {} ms: {detail}",
                                retried,
                                limits.retries + 1,
                                wait.as_millis()
                            );
                            store.data_mut().log("warn", &note);
                            earlier.push(FailedAttempt {
                                kind: AttemptKind::Erred,
                                status,
                                detail,
                                elapsed: began.elapsed(),
                            });
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        if outcome == Outcome::Err {
                            end = GroupEnd::Failed;
                        }
                        ledger.finish_after(g, check, outcome, status, &detail, earlier);
                        break;
                    }
                    Ok(Err(e)) if e.downcast_ref::<DeadlinePassed>().is_none() => {
                        crash_detail(&e, &data.limiter, &stderr)
                    }
                    Ok(Err(_)) | Err(_) => timed_out(data.doing()),
                };
                // A trapped or cancelled instance cannot be entered again, so
                // it is not retried either: its state is gone.
                ledger.finish_after(g, check, Outcome::Err, None, &detail, earlier);
                self.skip_rest(i + 1, &format!("instance aborted at {check}"));
                return GroupEnd::Failed;
            }
        }
        end
    }

    fn skip_rest(&self, from: usize, reason: &str) {
        for check in self.group.checks.iter().skip(from) {
            self.shared
                .ledger
                .finish(&self.group.name, check, Outcome::Skip, None, reason);
        }
    }
}

/// The pause before retry `n` (0-based): 200 ms, doubling, at most 2 s, so
/// a server that is restarting gets a moment; the run's ceiling still holds.
fn retry_wait(n: usize) -> Duration {
    Duration::from_millis(200u64 << n.min(4)).min(Duration::from_secs(2))
}

/// A guest's result as the ledger records it. A skip must state its reason.
fn convert(result: CheckResult) -> (Outcome, Option<u16>, String) {
    match result.outcome {
        WitOutcome::Ok => (Outcome::Ok, result.status, result.detail),
        WitOutcome::Err => (Outcome::Err, result.status, result.detail),
        WitOutcome::Skip if result.detail.trim().is_empty() => (
            Outcome::Err,
            result.status,
            "the check skipped without stating a reason".to_owned(),
        ),
        WitOutcome::Skip => (Outcome::Skip, result.status, result.detail),
    }
}
