//! The registry of a plugin's groups and checks, and the glue the
//! [`export_plugin!`](crate::export_plugin) macro calls.

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

static PLUGIN: OnceLock<Plugin> = OnceLock::new();

fn plugin(build: fn() -> Plugin) -> &'static Plugin {
    PLUGIN.get_or_init(build)
}

#[doc(hidden)]
pub fn __describe(build: fn() -> Plugin) -> PluginInfo {
    let p = plugin(build);
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
    let p = plugin(build);
    let found = p
        .groups
        .iter()
        .find(|g| g.name == group)
        .and_then(|g| g.checks.iter().find(|(n, _)| n == check));
    let Some((_, run)) = found else {
        return CheckResult {
            outcome: Outcome::Err,
            status: None,
            detail: format!("plugin {} has no check {group}.{check}", p.name),
        };
    };
    let mut ctx = Ctx::new(group, check);
    match run(&mut ctx) {
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
