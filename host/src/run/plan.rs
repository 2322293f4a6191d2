//! What a run will do: the groups to run, their checks and their dependencies.
//!
//! Built from each plugin's `describe()` and the user's selection. Every
//! description is validated here (unique names, known dependencies, no
//! cycles), so the runner can trust it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::engine::bindings::types::PluginInfo;
use crate::error::PlumeError;
use crate::limits::Limits;
use crate::run::select;
use crate::text::quoted;

/// One group to run.
#[derive(Debug, Clone)]
pub struct PlannedGroup {
    /// Index of its plugin in the suite's list.
    pub plugin: usize,
    /// The name lines show: the plugin's name for it with the suite's prefix.
    pub name: String,
    /// The plugin's own name for it.
    pub local: String,
    pub checks: Vec<String>,
    pub depends_on: Vec<String>,
    /// Every group it depends on, directly or not (the plugin's own names).
    pub upstream: Arc<HashSet<String>>,
}

/// The groups of a run, in the plugins' order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub groups: Vec<PlannedGroup>,
    /// Groups left out with `--skip`: their dependents are skipped.
    pub excluded: HashSet<String>,
}

/// Which groups the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

/// A plugin's description and the suite's own `groups` filter for it.
pub struct Described<'a> {
    pub plugin: &'a str,
    pub info: &'a PluginInfo,
    pub groups: Option<&'a [String]>,
    /// The suite's `group-prefix` for this plugin ("" for none).
    pub prefix: &'a str,
}

/// `info` with every group name (and dependency) prefixed.
fn prefixed(info: &PluginInfo, prefix: &str) -> PluginInfo {
    let mut info = info.clone();
    for g in &mut info.groups {
        g.name = format!("{prefix}{}", g.name);
        for d in &mut g.depends_on {
            *d = format!("{prefix}{d}");
        }
    }
    info
}

/// Checks that a plugin's description is coherent.
pub fn validate(plugin: &str, info: &PluginInfo) -> Result<(), PlumeError> {
    let bad = |message: String| PlumeError::BadDescription {
        plugin: plugin.to_owned(),
        message,
    };
    let mut names = HashSet::new();
    for g in &info.groups {
        check_name(&g.name).map_err(|why| bad(format!("group name {} {why}", quoted(&g.name))))?;
        if !names.insert(g.name.as_str()) {
            return Err(bad(format!("group {} is described twice", g.name)));
        }
        let mut checks = HashSet::new();
        for c in &g.checks {
            check_name(c).map_err(|why| {
                bad(format!(
                    "check name {} in group {} {why}",
                    quoted(c),
                    g.name
                ))
            })?;
            if !checks.insert(c.as_str()) {
                return Err(bad(format!("check {}.{} is described twice", g.name, c)));
            }
        }
    }
    for g in &info.groups {
        for d in &g.depends_on {
            if !names.contains(d.as_str()) {
                return Err(bad(format!(
                    "group {} depends on unknown group {}",
                    g.name,
                    crate::text::shown(d, crate::limits::LABEL_MAX)
                )));
            }
        }
    }
    let deps: HashMap<&str, &[String]> = info
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.depends_on.as_slice()))
        .collect();
    for g in &info.groups {
        if upstream_of(&g.name, &deps).contains(&g.name) {
            return Err(bad(format!(
                "group {} depends on itself through its depends-on",
                g.name
            )));
        }
    }
    Ok(())
}

/// A group or check name must be one short, safe token: not empty, at most
/// [`crate::limits::NAME_MAX`] characters, no white space, no control, line
/// separator or bidi character (see [`crate::text::check_name`]).
fn check_name(name: &str) -> Result<(), String> {
    crate::text::check_name(name)
}

/// Every group reachable through depends-on from `start` (not `start` itself unless in a cycle).
fn upstream_of(start: &str, deps: &HashMap<&str, &[String]>) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut stack: Vec<&str> = deps
        .get(start)
        .map(|d| d.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(g) = stack.pop() {
        if seen.insert(g.to_owned())
            && let Some(more) = deps.get(g)
        {
            stack.extend(more.iter().map(String::as_str));
        }
    }
    seen
}

impl Plan {
    /// Builds the plan; an unknown `--only`/`--skip` name is an error listing the valid ones.
    pub fn build(described: &[Described<'_>], selection: &Selection) -> Result<Plan, PlumeError> {
        // Work on the names the suite shows: each plugin's groups with its prefix.
        for p in described {
            validate(p.plugin, p.info)?;
        }
        let infos: Vec<PluginInfo> = described
            .iter()
            .map(|p| prefixed(p.info, p.prefix))
            .collect();
        let filters: Vec<Option<Vec<String>>> = described
            .iter()
            .map(|p| {
                p.groups
                    .map(|w| w.iter().map(|g| format!("{}{g}", p.prefix)).collect())
            })
            .collect();
        let plugins: Vec<Described<'_>> = described
            .iter()
            .zip(&infos)
            .zip(&filters)
            .map(|((p, info), groups)| Described {
                plugin: p.plugin,
                info,
                groups: groups.as_deref(),
                prefix: p.prefix,
            })
            .collect();
        let mut owner: HashMap<&str, usize> = HashMap::new();
        for (i, p) in plugins.iter().enumerate() {
            for g in &p.info.groups {
                if let Some(&other) = owner.get(g.name.as_str()) {
                    return Err(PlumeError::BadDescription {
                        plugin: p.plugin.to_owned(),
                        message: format!(
                            "group {} is also a group of plugin {}; group names must be unique in a suite",
                            g.name, plugins[other].plugin
                        ),
                    });
                }
                owner.insert(&g.name, i);
            }
            if let Some(wanted) = p.groups {
                for w in wanted {
                    if !p.info.groups.iter().any(|g| &g.name == w) {
                        return Err(PlumeError::UnknownGroup {
                            name: w.clone(),
                            flag: "the suite's `groups`",
                            valid: p
                                .info
                                .groups
                                .iter()
                                .map(|g| g.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
            }
        }
        let all: BTreeSet<&str> = owner.keys().copied().collect();
        let valid = || all.iter().copied().collect::<Vec<_>>().join(", ");
        let listing: Vec<(&str, &[String])> = plugins
            .iter()
            .flat_map(|p| p.info.groups.iter())
            .map(|g| (g.name.as_str(), g.checks.as_slice()))
            .collect();
        let picked = |flag: &'static str, patterns: &[String]| {
            select::pick(patterns, &listing).map_err(|name| PlumeError::UnknownGroup {
                name,
                flag,
                valid: valid(),
            })
        };
        let only = picked("--only", &selection.only)?;
        let skip = picked("--skip", &selection.skip)?;

        let mut deps: HashMap<&str, &[String]> = HashMap::new();
        for p in &plugins {
            for g in &p.info.groups {
                deps.insert(&g.name, &g.depends_on);
            }
        }
        // What the suite file and --only select, plus everything they depend
        // on; a dependency runs whole.
        let mut chosen: HashSet<String> = HashSet::new();
        let mut pulled: HashSet<String> = HashSet::new();
        for p in &plugins {
            for g in &p.info.groups {
                let by_suite = p.groups.is_none_or(|w| w.contains(&g.name));
                let by_flag = selection.only.is_empty() || only.touches(&g.name);
                if by_suite && by_flag {
                    chosen.insert(g.name.clone());
                    pulled.extend(upstream_of(&g.name, &deps));
                }
            }
        }
        chosen.extend(pulled.iter().cloned());
        let excluded: HashSet<String> = skip.groups.clone();
        let mut groups = Vec::new();
        for (i, p) in plugins.iter().enumerate() {
            for g in &p.info.groups {
                if chosen.contains(&g.name) && !excluded.contains(&g.name) {
                    let local = |name: &str| name[p.prefix.len()..].to_owned();
                    // `--only group.check` keeps that group's picked checks,
                    // unless the group also runs whole; `--skip group.check`
                    // leaves checks out.
                    let whole = only.groups.contains(&g.name) || pulled.contains(&g.name);
                    let kept = only.checks.get(&g.name).filter(|_| !whole);
                    let dropped = skip.checks.get(&g.name);
                    let checks = g
                        .checks
                        .iter()
                        .filter(|c| kept.is_none_or(|k| k.contains(*c)))
                        .filter(|c| dropped.is_none_or(|d| !d.contains(*c)))
                        .cloned()
                        .collect();
                    groups.push(PlannedGroup {
                        plugin: i,
                        name: g.name.clone(),
                        local: local(&g.name),
                        checks,
                        depends_on: g.depends_on.clone(),
                        upstream: Arc::new(
                            upstream_of(&g.name, &deps)
                                .iter()
                                .map(|u| local(u))
                                .collect(),
                        ),
                    });
                }
            }
        }
        Ok(Plan { groups, excluded })
    }

    /// Every (group, check) in plan order.
    pub fn checks(&self) -> Vec<(String, String)> {
        self.groups
            .iter()
            .flat_map(|g| g.checks.iter().map(|c| (g.name.clone(), c.clone())))
            .collect()
    }
}

/// Refuses a description larger than the suite lets one plugin be: every
/// group holds an instance while it runs and every check a ledger entry, so
/// the counts are bounded before anything is planned.
pub fn within_limits(plugin: &str, info: &PluginInfo, limits: &Limits) -> Result<(), PlumeError> {
    let bad = |message: String| PlumeError::BadDescription {
        plugin: plugin.to_owned(),
        message,
    };
    let groups = info.groups.len();
    if groups > limits.groups {
        return Err(bad(format!(
            "describes {groups} groups, over the limit of {} (raise max-groups in the suite file if that is intended)",
            limits.groups
        )));
    }
    let checks: usize = info.groups.iter().map(|g| g.checks.len()).sum();
    if checks > limits.checks {
        return Err(bad(format!(
            "describes {checks} checks, over the limit of {} (raise max-checks in the suite file if that is intended)",
            limits.checks
        )));
    }
    Ok(())
}

/// Refuses a run in which a plugin describes no check: it would pass having
/// checked nothing (a pack left without its config, say).
pub fn each_checks_something(
    plugins: &[crate::run::prepare::LoadedPlugin],
) -> Result<(), PlumeError> {
    match plugins
        .iter()
        .find(|p| p.info.groups.iter().all(|g| g.checks.is_empty()))
    {
        Some(p) => Err(PlumeError::BadDescription {
            plugin: p.entry.name.clone(),
            message: format!(
                "describes no check, so a run would pass having checked nothing: give it its config (`plume inspect {}` lists the keys it reads)",
                p.entry.path.display()
            ),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::bindings::types::GroupInfo;

    fn info(groups: &[(&str, &[&str])]) -> PluginInfo {
        PluginInfo {
            name: "p".into(),
            version: "1".into(),
            groups: groups
                .iter()
                .map(|(name, deps)| GroupInfo {
                    name: (*name).into(),
                    checks: vec!["c".into()],
                    depends_on: deps.iter().map(|d| (*d).into()).collect(),
                })
                .collect(),
            config_keys: vec![],
            secrets: vec![],
        }
    }

    fn names(plan: &Plan) -> Vec<&str> {
        plan.groups.iter().map(|g| g.name.as_str()).collect()
    }

    #[test]
    fn only_pulls_in_dependencies() {
        let i = info(&[
            ("health", &[]),
            ("auth", &["health"]),
            ("sse", &["auth"]),
            ("public", &[]),
        ]);
        let d = [Described {
            plugin: "p",
            info: &i,
            groups: None,
            prefix: "",
        }];
        let plan = Plan::build(
            &d,
            &Selection {
                only: vec!["sse".into()],
                skip: vec![],
            },
        )
        .unwrap();
        assert_eq!(names(&plan), ["health", "auth", "sse"]);
        assert!(plan.groups[2].upstream.contains("health"));
    }

    #[test]
    fn a_prefix_renames_groups_and_dependencies_but_not_what_the_plugin_sees() {
        let i = info(&[("health", &[]), ("auth", &["health"])]);
        let d = [
            Described {
                plugin: "rs",
                info: &i,
                groups: None,
                prefix: "",
            },
            Described {
                plugin: "js",
                info: &i,
                groups: None,
                prefix: "js.",
            },
        ];
        let plan = Plan::build(
            &d,
            &Selection {
                only: vec!["js.auth".into()],
                skip: vec![],
            },
        )
        .unwrap();
        assert_eq!(names(&plan), ["js.health", "js.auth"]);
        assert_eq!(plan.groups[1].local, "auth");
        assert_eq!(plan.groups[1].depends_on, ["js.health"]);
        assert!(plan.groups[1].upstream.contains("health"));
    }

    #[test]
    fn cycles_and_unknown_dependencies_are_rejected() {
        let i = info(&[("a", &["b"]), ("b", &["a"])]);
        assert!(
            validate("p", &i)
                .unwrap_err()
                .to_string()
                .contains("depends on itself")
        );
        let i = info(&[("a", &["zzz"])]);
        assert!(
            validate("p", &i)
                .unwrap_err()
                .to_string()
                .contains("unknown group zzz")
        );
    }

    #[test]
    fn unknown_selection_lists_valid_groups() {
        let i = info(&[("b", &[]), ("a", &[])]);
        let d = [Described {
            plugin: "p",
            info: &i,
            groups: None,
            prefix: "",
        }];
        let err = Plan::build(
            &d,
            &Selection {
                only: vec![],
                skip: vec!["x".into()],
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown group `x` in --skip; the suite's groups are: a, b"
        );
    }
}
