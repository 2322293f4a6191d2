//! Which group runs when: each starts once its dependencies ended, a group
//! whose dependency erred or was left out is skipped with the reason, and a
//! group that can never start is said so. Groups run concurrently, each on
//! its own task ([`super::group`]).

use std::collections::HashMap;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::engine::Sandbox;
use crate::events::Outcome;
use crate::record::RunShared;

use super::group::{GroupEnd, GroupJob};
use super::plan::{Plan, PlannedGroup};
use super::prepare::LoadedPlugin;

/// Starts each group once its dependencies end, until every group has ended.
pub(super) async fn schedule(
    runtime: Arc<Sandbox>,
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

pub(super) enum Ready {
    Go,
    Wait,
    Skip(String),
}

pub(super) fn readiness(
    group: &PlannedGroup,
    ended: &HashMap<String, GroupEnd>,
    plan: &Plan,
) -> Ready {
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

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Arc;

    use super::{GroupEnd, Ready, readiness};
    use crate::run::plan::{Plan, PlannedGroup};

    fn group(name: &str, deps: &[&str]) -> PlannedGroup {
        PlannedGroup {
            plugin: 0,
            name: name.into(),
            local: name.into(),
            checks: vec!["c".into()],
            depends_on: deps.iter().map(|d| (*d).into()).collect(),
            upstream: Arc::new(HashSet::new()),
        }
    }

    fn plan(excluded: &[&str]) -> Plan {
        Plan {
            groups: vec![],
            excluded: excluded.iter().map(|g| (*g).into()).collect(),
        }
    }

    fn ready(g: &PlannedGroup, ended: &[(&str, GroupEnd)], plan: &Plan) -> String {
        let ended: HashMap<String, GroupEnd> =
            ended.iter().map(|(n, e)| ((*n).into(), *e)).collect();
        match readiness(g, &ended, plan) {
            Ready::Go => "go".into(),
            Ready::Wait => "wait".into(),
            Ready::Skip(why) => why,
        }
    }

    #[test]
    fn a_group_waits_for_every_dependency_then_goes() {
        let g = group("orders", &["health", "auth"]);
        let p = plan(&[]);
        assert_eq!(ready(&g, &[], &p), "wait");
        assert_eq!(ready(&g, &[("health", GroupEnd::Passed)], &p), "wait");
        let both = [("health", GroupEnd::Passed), ("auth", GroupEnd::Passed)];
        assert_eq!(ready(&g, &both, &p), "go");
        assert_eq!(ready(&group("free", &[]), &[], &p), "go");
    }

    #[test]
    fn a_failed_skipped_or_left_out_dependency_skips_with_its_reason() {
        let g = group("orders", &["auth"]);
        let p = plan(&[]);
        assert_eq!(
            ready(&g, &[("auth", GroupEnd::Failed)], &p),
            "dependency auth failed"
        );
        assert_eq!(
            ready(&g, &[("auth", GroupEnd::Skipped)], &p),
            "dependency auth was skipped"
        );
        let left_out = plan(&["auth"]);
        assert_eq!(
            ready(&g, &[("auth", GroupEnd::Skipped)], &left_out),
            "dependency auth not run (--skip auth)"
        );
    }
}
