//! Running a plan: groups in parallel as their dependencies allow, checks in
//! order inside a group, every limit enforced, cleanups always walked.
//!
//! A group runs on its own Store and instance. A check that traps, panics,
//! runs out of memory or passes its timeout is `err` saying which, and the
//! rest of its group is `skip` (`instance aborted at <check>`); other groups
//! go on. A group whose dependency erred is skipped with the reason. The run
//! ceiling and SIGINT/SIGTERM stop every group at once; cleanups then run
//! within their own budget.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::bindings::types::{CheckResult, Outcome as WitOutcome};
use crate::engine::{Runtime, crash_detail};
use crate::ledger::Outcome;
use crate::limits::{DeadlinePassed, Limits};
use crate::plan::{Plan, PlannedGroup};
use crate::prepare::LoadedPlugin;
use crate::state::{Position, RunShared, StoreState};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupEnd {
    Passed,
    Failed,
    Skipped,
}

/// Runs `plan` under the limits of `shared`, then the cleanups; `stop`
/// resolves when a signal arrives.
pub async fn run(
    runtime: Arc<Runtime>,
    plugins: Vec<LoadedPlugin>,
    plan: &Plan,
    shared: Arc<RunShared>,
    stop: impl std::future::Future<Output = i32>,
) -> RunEnd {
    let limits = &shared.limits;
    shared.ledger.plan(plan.checks());
    let plugins = Arc::new(plugins);
    let end = tokio::select! {
        () = schedule(runtime, plugins, plan, shared.clone()) => RunEnd::Completed,
        () = tokio::time::sleep(limits.ceiling) => RunEnd::Ceiling,
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
    crate::cleanup::run_all(&shared, limits.cleanup_budget).await;
    end
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Starts each group once its dependencies end, until every group has ended.
async fn schedule(
    runtime: Arc<Runtime>,
    plugins: Arc<Vec<LoadedPlugin>>,
    plan: &Plan,
    shared: Arc<RunShared>,
) {
    let mut ended: HashMap<String, GroupEnd> = plan
        .excluded
        .iter()
        .map(|g| (g.clone(), GroupEnd::Skipped))
        .collect();
    let mut waiting: Vec<&PlannedGroup> = plan.groups.iter().collect();
    let mut tasks: JoinSet<(String, GroupEnd)> = JoinSet::new();
    let mut names: HashMap<tokio::task::Id, String> = HashMap::new();
    loop {
        // Start or skip whatever can be decided; a skip may decide others, so
        // repeat until a pass changes nothing.
        loop {
            let before = waiting.len();
            let mut still_waiting = Vec::new();
            for group in waiting {
                match readiness(group, &ended, plan) {
                    Ready::Wait => still_waiting.push(group),
                    Ready::Skip(reason) => {
                        for check in &group.checks {
                            shared
                                .ledger
                                .finish(&group.name, check, Outcome::Skip, None, &reason);
                        }
                        ended.insert(group.name.clone(), GroupEnd::Skipped);
                    }
                    Ready::Go => {
                        let job = GroupJob {
                            runtime: runtime.clone(),
                            plugins: plugins.clone(),
                            shared: shared.clone(),
                            group: group.clone(),
                        };
                        let handle = tasks.spawn(async move {
                            let name = job.group.name.clone();
                            (name, job.run().await)
                        });
                        names.insert(handle.id(), group.name.clone());
                    }
                }
            }
            waiting = still_waiting;
            if waiting.len() == before {
                break;
            }
        }
        match tasks.join_next_with_id().await {
            Some(Ok((_, (name, end)))) => {
                ended.insert(name, end);
            }
            Some(Err(e)) => {
                // A host-side fault in one group's task: that group ends red, the run goes on.
                if let Some(name) = names.remove(&e.id()) {
                    if let Some(group) = plan.groups.iter().find(|g| g.name == name) {
                        for check in &group.checks {
                            let detail = format!("internal error in the host: {e}");
                            shared
                                .ledger
                                .finish(&name, check, Outcome::Err, None, &detail);
                        }
                    }
                    ended.insert(name, GroupEnd::Failed);
                }
            }
            None => {
                // Nothing runs and nothing can start: whatever still waits never will.
                for group in waiting {
                    for check in &group.checks {
                        let detail = "its dependencies never ran";
                        shared
                            .ledger
                            .finish(&group.name, check, Outcome::Skip, None, detail);
                    }
                }
                return;
            }
        }
    }
}

enum Ready {
    Go,
    Wait,
    Skip(String),
}

fn readiness(group: &PlannedGroup, ended: &HashMap<String, GroupEnd>, plan: &Plan) -> Ready {
    for dep in &group.depends_on {
        match ended.get(dep) {
            Some(GroupEnd::Failed) => return Ready::Skip(format!("dependency {dep} failed")),
            Some(GroupEnd::Skipped) if plan.excluded.contains(dep) => {
                return Ready::Skip(format!("dependency {dep} not run (--skip {dep})"));
            }
            Some(GroupEnd::Skipped) => return Ready::Skip(format!("dependency {dep} was skipped")),
            Some(GroupEnd::Passed) => {}
            None => return Ready::Wait,
        }
    }
    Ready::Go
}

/// One group's run on its own instance.
struct GroupJob {
    runtime: Arc<Runtime>,
    plugins: Arc<Vec<LoadedPlugin>>,
    shared: Arc<RunShared>,
    group: PlannedGroup,
}

impl GroupJob {
    async fn run(self) -> GroupEnd {
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
        let mut store = self.runtime.store(state);
        let timeout = limits.check_timeout;
        let timed_out = || format!("timed out after {} ms (check timeout)", timeout.as_millis());

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
            store
                .data_mut()
                .start_check(check, Instant::now() + timeout);
            let call = instance.call_run_check(&mut store, local, check);
            let result = tokio::time::timeout(timeout, call).await;
            let (stdout, stderr) = store.data_mut().take_output();
            store.data_mut().log("stdout", &stdout);
            store.data_mut().log("stderr", &stderr);
            let data = store.data();
            let aborted = match result {
                Ok(Ok(result)) => {
                    let (outcome, status, detail) = convert(result);
                    if outcome == Outcome::Err {
                        end = GroupEnd::Failed;
                    }
                    ledger.finish(g, check, outcome, status, &detail);
                    false
                }
                Ok(Err(e)) if e.downcast_ref::<DeadlinePassed>().is_some() => {
                    ledger.finish(g, check, Outcome::Err, None, &timed_out());
                    true
                }
                Ok(Err(e)) => {
                    let detail = crash_detail(&e, &data.limiter, &stderr);
                    ledger.finish(g, check, Outcome::Err, None, &detail);
                    true
                }
                Err(_) => {
                    ledger.finish(g, check, Outcome::Err, None, &timed_out());
                    true
                }
            };
            if aborted {
                // A trapped or cancelled instance cannot be entered again.
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
