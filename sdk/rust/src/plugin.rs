//! The registry of a plugin's groups and checks, and the glue the
//! [`export_plugin!`](crate::export_plugin) macro calls.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::__bindings::plume::check::types::{CheckResult, GroupInfo, Outcome, PluginInfo};
use crate::ctx::Ctx;
use crate::outcome::{Check, Halt};

/// A check: a function, or a closure over what the plugin read from its
/// config when it was built (as the declarative packs in `plugins/` do).
pub type CheckFn = Box<dyn Fn(&mut Ctx) -> Check + Send + Sync>;

/// A plugin: its name, version, what it reads, and its groups in order.
pub struct Plugin {
    name: String,
    version: String,
    config_keys: Vec<String>,
    secrets: Vec<String>,
    groups: Vec<Group>,
}

/// A group: checks that run in order on one instance, after its dependencies.
pub struct Group {
    name: String,
    depends_on: Vec<String>,
    checks: Vec<(String, CheckFn)>,
}

impl Plugin {
    pub fn new(name: &str, version: &str) -> Self {
        Plugin {
            name: name.to_owned(),
            version: version.to_owned(),
            config_keys: Vec::new(),
            secrets: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Declares the config keys the plugin reads (shown by `plume inspect`).
    pub fn config(mut self, keys: &[&str]) -> Self {
        self.config_keys
            .extend(keys.iter().map(|k| (*k).to_owned()));
        self
    }

    /// Declares the secrets the plugin reads.
    pub fn secrets(mut self, names: &[&str]) -> Self {
        self.secrets.extend(names.iter().map(|k| (*k).to_owned()));
        self
    }

    /// Adds a group that runs after `depends_on`; `build` registers its checks.
    pub fn group(
        mut self,
        name: &str,
        depends_on: &[&str],
        build: impl FnOnce(Group) -> Group,
    ) -> Self {
        let group = Group {
            name: name.to_owned(),
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            checks: Vec::new(),
        };
        self.groups.push(build(group));
        self
    }
}

impl Group {
    /// Registers a check; checks run in the order they are registered.
    pub fn check(
        mut self,
        name: &str,
        run: impl Fn(&mut Ctx) -> Check + Send + Sync + 'static,
    ) -> Self {
        self.checks.push((name.to_owned(), Box::new(run)));
        self
    }
}

/// The plugin and an index of its checks by (group, check), built once per
/// instance, so finding a check costs the same however many a group has.
struct Built {
    plugin: Plugin,
    index: HashMap<(String, String), (usize, usize)>,
    /// The group it was built for ([`running_group`]), or `None`: every group.
    scope: Option<String>,
}

/// The plugin as `describe()` sees it: every group.
static WHOLE: OnceLock<Built> = OnceLock::new();
/// The plugin as built for the group this instance runs.
static SCOPED: OnceLock<Built> = OnceLock::new();
thread_local! {
    /// The group being built for while `build` runs, read by [`running_group`].
    static BUILDING_FOR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The group this instance was made to run, while the function that builds
/// the [`Plugin`] runs for it; `None` when it builds for `describe()` (every
/// group).
///
/// The host gives every group a fresh instance, so a plugin whose groups are
/// costly to set up (a declarative pack parsing a long config) may register
/// only this group's checks, or skip work the others need. The plugin it
/// returns then must hold this group with its checks. Should a host ask the
/// same instance for another group, the whole plugin is built for it.
pub fn running_group() -> Option<String> {
    BUILDING_FOR.with_borrow(Clone::clone)
}

fn build_for(build: fn() -> Plugin, scope: Option<&str>) -> Built {
    BUILDING_FOR.set(scope.map(str::to_owned));
    let plugin = build();
    BUILDING_FOR.set(None);
    let mut index = HashMap::new();
    for (gi, g) in plugin.groups.iter().enumerate() {
        for (ci, (name, _)) in g.checks.iter().enumerate() {
            // The first of two same-named checks wins, as a linear search would.
            index
                .entry((g.name.clone(), name.clone()))
                .or_insert((gi, ci));
        }
    }
    Built {
        plugin,
        index,
        scope: scope.map(str::to_owned),
    }
}

fn whole(build: fn() -> Plugin) -> &'static Built {
    WHOLE.get_or_init(|| build_for(build, None))
}

/// The plugin built for `group`: only that group's when this is the
/// instance's first group, the whole plugin otherwise.
fn for_group(build: fn() -> Plugin, group: &str) -> &'static Built {
    if let Some(whole) = WHOLE.get() {
        return whole;
    }
    let scoped = SCOPED.get_or_init(|| build_for(build, Some(group)));
    if scoped.scope.as_deref() == Some(group) {
        scoped
    } else {
        whole(build)
    }
}

#[doc(hidden)]
pub fn __describe(build: fn() -> Plugin) -> PluginInfo {
    let p = &whole(build).plugin;
    PluginInfo {
        name: p.name.clone(),
        version: p.version.clone(),
        groups: p
            .groups
            .iter()
            .map(|g| GroupInfo {
                name: g.name.clone(),
                checks: g.checks.iter().map(|(n, _)| n.clone()).collect(),
                depends_on: g.depends_on.clone(),
            })
            .collect(),
        config_keys: p.config_keys.clone(),
        secrets: p.secrets.clone(),
    }
}

#[doc(hidden)]
pub fn __run_check(build: fn() -> Plugin, group: &str, check: &str) -> CheckResult {
    let b = for_group(build, group);
    let p = &b.plugin;
    let found = b
        .index
        .get(&(group.to_owned(), check.to_owned()))
        .and_then(|&(gi, ci)| p.groups.get(gi)?.checks.get(ci));
    let Some((_, run)) = found else {
        return CheckResult {
            outcome: Outcome::Err,
            status: None,
            detail: format!("plugin {} has no check {group}.{check}", p.name),
        };
    };
    let mut ctx = Ctx::new(group, check);
    into_result(run(&mut ctx))
}

/// What the host receives for what a check returned.
fn into_result(check: Check) -> CheckResult {
    match check {
        Ok(pass) => CheckResult {
            outcome: Outcome::Ok,
            status: pass.status,
            detail: pass.detail,
        },
        Err(Halt::Err { status, detail }) => CheckResult {
            outcome: Outcome::Err,
            status,
            detail,
        },
        Err(Halt::Skip { reason }) => CheckResult {
            outcome: Outcome::Skip,
            status: None,
            detail: reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin() -> Plugin {
        let scope = running_group();
        let mut p = Plugin::new("p", "1.0.0").config(&["a"]).secrets(&["s"]);
        for name in ["g", "h"] {
            if scope.is_none() || scope.as_deref() == Some(name) {
                p = p.group(name, &[], |g| {
                    g.check("c", |_| crate::ok(1, "first"))
                        .check("c", |_| crate::ok(2, "second"))
                        .check("skip", |_| crate::skip("later"))
                        .check("fail", |_| crate::fail(503, "down"))
                });
            }
        }
        p
    }

    fn run(built: &Built, group: &str, check: &str) -> CheckResult {
        let (gi, ci) = built.index[&(group.to_owned(), check.to_owned())];
        let mut ctx = Ctx::new(group, check);
        into_result((built.plugin.groups[gi].checks[ci].1)(&mut ctx))
    }

    #[test]
    fn a_build_for_a_group_sees_it_and_holds_only_it() {
        let scoped = build_for(plugin, Some("h"));
        assert_eq!(scoped.scope.as_deref(), Some("h"));
        assert_eq!(scoped.plugin.groups.len(), 1);
        assert_eq!(running_group(), None, "outside a build");
        let whole = build_for(plugin, None);
        let names: Vec<_> = whole
            .plugin
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(names, ["g", "h"]);
    }

    #[test]
    fn the_first_of_two_same_named_checks_wins() {
        let r = run(&build_for(plugin, None), "g", "c");
        assert!(matches!(r.outcome, Outcome::Ok));
        assert_eq!((r.status, r.detail.as_str()), (Some(1), "first"));
    }

    #[test]
    fn halts_become_the_contracts_outcomes() {
        let built = build_for(plugin, None);
        let skipped = run(&built, "g", "skip");
        assert!(matches!(skipped.outcome, Outcome::Skip));
        assert_eq!((skipped.status, skipped.detail.as_str()), (None, "later"));
        let failed = run(&built, "h", "fail");
        assert!(matches!(failed.outcome, Outcome::Err));
        assert_eq!((failed.status, failed.detail.as_str()), (Some(503), "down"));
    }
}
