//! Getting a run ready: pull OCI plugins into the store, compile every
//! plugin, ask each what it checks, plan.
//!
//! Everything that can be wrong with the input is found here, before any
//! check runs, so bad input never leaves a half-finished run behind.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::engine::bindings::PluginPre;
use crate::engine::bindings::types::PluginInfo;
use crate::engine::state::{Position, StoreState};
use crate::engine::{Sandbox, describe};
use crate::error::{ConfigRejected, PlumeError};
use crate::limits::{CONFIG_KEY_MAX, DETAIL_MAX};
use crate::oci::{OciRef, Puller};
use crate::record::RunShared;
use crate::redact::Redactor;
use crate::run::plan::{Described, Plan, Selection};
use crate::suite::{PluginEntry, Suite, locate};
use crate::text;

/// A compiled plugin and what it says it checks.
pub struct LoadedPlugin {
    pub entry: Arc<PluginEntry>,
    pub pre: PluginPre<StoreState>,
    pub info: PluginInfo,
}

/// Calls `describe()` on a plugin compiled before (`plume monitor` compiles
/// once and describes afresh for every run) and validates what it says.
pub async fn describe_compiled(
    sandbox: &Sandbox,
    entry: Arc<PluginEntry>,
    pre: PluginPre<StoreState>,
    shared: &Arc<RunShared>,
) -> Result<LoadedPlugin, PlumeError> {
    let position = Position {
        group: String::new(),
        suite_group: String::new(),
        check: String::new(),
        upstream: Arc::default(),
    };
    let limits = &shared.limits;
    let state = StoreState::new(shared.clone(), entry.clone(), position);
    let info = describe(sandbox, &pre, &entry, state, limits.check_timeout).await?;
    crate::run::plan::validate(&entry.name, &info)?;
    crate::run::plan::within_limits(&entry.name, &info, limits)?;
    undeclared_config(&entry, &info)?;
    Ok(LoadedPlugin { entry, pre, info })
}

/// A key of the suite's config table that the plugin does not declare,
/// when it declares its keys at all: most often a misspelt one (`warn_day`
/// for `warn_days`) whose value the run would silently go without.
///
/// A built-in pack declares every key it reads, so there it is refused
/// before any check. Another plugin's list may be short of what it reads
/// (the list was documentation before), so there it is a warning, once per
/// plugin and key in a process. A plugin that declares no key is not judged.
fn undeclared_config(entry: &PluginEntry, info: &PluginInfo) -> Result<(), PlumeError> {
    if info.config_keys.is_empty() {
        return Ok(());
    }
    let Some(key) = entry.config.keys().find(|k| !info.config_keys.contains(k)) else {
        return Ok(());
    };
    let known: Vec<String> = info.config_keys.iter().map(|k| format!("`{k}`")).collect();
    if crate::packs::builtin(&entry.path).is_none() {
        static WARNED: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());
        let first = WARNED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((entry.name.clone(), key.clone()));
        if first {
            crate::console::warning(format_args!(
                "plugin `{}`: config.{}: a key it does not declare (it declares {}): if misspelt, it is never read",
                entry.name,
                text::shown(key, CONFIG_KEY_MAX),
                known.join(", ")
            ));
        }
        return Ok(());
    }
    let message = format!(
        "unknown key: the plugin reads only {} (check the key's spelling)",
        known.join(", ")
    );
    Err(PlumeError::ConfigRejected {
        at: None,
        plugin: entry.name.clone(),
        rejected: ConfigRejected {
            key: text::shown(key, CONFIG_KEY_MAX),
            message: text::shown(&message, DETAIL_MAX),
        },
    })
}

/// Pulls every OCI plugin of `suite` into the store (see [`crate::oci::fetch`])
/// and points its entry at the component there, all within the suite's
/// ceiling. A file pin (`sha256`) is checked here against the manifest's
/// layer digest, naming the reference. Returns the warnings to show: a
/// registry that could not be reached, the store's copy used instead.
pub async fn pull_plugins(suite: &mut Suite, puller: &Puller) -> Result<Vec<String>, PlumeError> {
    let mut warnings = Vec::new();
    let (started, ceiling) = (std::time::Instant::now(), suite.limits.ceiling);
    for entry in &mut suite.plugins {
        let Some(source) = &entry.oci else { continue };
        let fail = |message: String| PlumeError::PluginFetch {
            plugin: entry.name.clone(),
            message,
        };
        let reference = OciRef::parse(&source.to_string()).map_err(|e| fail(e.to_string()))?;
        let left = ceiling.saturating_sub(started.elapsed());
        let fetched = puller
            .fetch_within(&reference, source.digest.as_deref(), left, ceiling)
            .await
            .map_err(|e| fail(e.to_string()))?;
        if let Some(pin) = &entry.sha256
            && fetched.layer_digest != format!("sha256:{pin}")
        {
            return Err(PlumeError::PinMismatch {
                plugin: entry.name.clone(),
                path: source.to_string().into(),
                expected: pin.clone(),
                actual: fetched
                    .layer_digest
                    .trim_start_matches("sha256:")
                    .to_owned(),
            });
        }
        if let Some(warning) = fetched.warning {
            warnings.push(format!("plugin `{}`: {warning}", entry.name));
        }
        entry.path = fetched.file;
    }
    Ok(warnings)
}

/// Every plugin of a suite, compiled (or taken from the cache), not yet
/// described: what `plume monitor` keeps for all its runs, and what
/// `plume run` makes before its session opens.
#[derive(Clone)]
pub struct Compiled(Vec<(Arc<PluginEntry>, PluginPre<StoreState>)>);

impl Compiled {
    /// Compiles, or loads from the cache, each plugin of `suite` in order.
    pub fn compile(sandbox: &Sandbox, suite: &Suite) -> Result<Compiled, PlumeError> {
        Self::each(suite, |p| {
            sandbox.load(&p.name, &p.path, p.sha256.as_deref())
        })
    }

    /// As [`Compiled::compile`], sharing one compiled component among every
    /// suite of the process whose plugin has the same SHA-256 (`plume
    /// monitor`: see [`Sandbox::load_shared`]).
    pub fn compile_shared(sandbox: &Sandbox, suite: &Suite) -> Result<Compiled, PlumeError> {
        Self::each(suite, |p| {
            sandbox.load_shared(&p.name, &p.path, p.sha256.as_deref())
        })
    }

    fn each(
        suite: &Suite,
        load: impl Fn(&PluginEntry) -> Result<PluginPre<StoreState>, PlumeError>,
    ) -> Result<Compiled, PlumeError> {
        suite
            .plugins
            .iter()
            .map(|p| Ok((Arc::new(p.clone()), load(p)?)))
            .collect::<Result<_, _>>()
            .map(Compiled)
    }

    /// Asks each plugin what it checks (a fresh instance each), validates
    /// what it says, and plans `selection`; a refused config names its place
    /// in the suite file. A plugin that describes no check is not refused
    /// here (`plume list` and `plume lock` show it): a run refuses it.
    pub async fn describe_and_plan(
        &self,
        sandbox: &Sandbox,
        suite: &Suite,
        shared: &Arc<RunShared>,
        selection: &Selection,
    ) -> Result<(Vec<LoadedPlugin>, Plan), PlumeError> {
        let mut plugins = Vec::with_capacity(self.0.len());
        for (entry, pre) in &self.0 {
            let described = describe_compiled(sandbox, entry.clone(), pre.clone(), shared)
                .await
                .map_err(|e| placed(e, suite))?;
            plugins.push(described);
        }
        let plan = plan_loaded(&plugins, selection)?;
        Ok((plugins, plan))
    }
}

/// Loads every plugin of `suite` and plans the run.
pub async fn prepare(
    sandbox: &Sandbox,
    suite: &Suite,
    shared: &Arc<RunShared>,
    selection: &Selection,
) -> Result<(Vec<LoadedPlugin>, Plan), PlumeError> {
    let compiled = Compiled::compile(sandbox, suite)?;
    compiled
        .describe_and_plan(sandbox, suite, shared, selection)
        .await
}

/// Plans a run of plugins already described.
pub fn plan_loaded(plugins: &[LoadedPlugin], selection: &Selection) -> Result<Plan, PlumeError> {
    let described: Vec<Described<'_>> = plugins
        .iter()
        .map(|p| Described {
            plugin: &p.entry.name,
            info: &p.info,
            groups: p.entry.groups.as_deref(),
            prefix: &p.entry.group_prefix,
        })
        .collect();
    Plan::build(&described, selection)
}

/// A refused config with the suite file's `path:line:column` of the value
/// the plugin named (or of its deepest ancestor in the file).
pub fn placed(error: PlumeError, suite: &Suite) -> PlumeError {
    let PlumeError::ConfigRejected {
        at: None,
        plugin,
        rejected,
    } = error
    else {
        return error;
    };
    let at = std::fs::read_to_string(&suite.path)
        .ok()
        .and_then(|text| locate::config_value(&text, &plugin, &rejected.key))
        .map(|(line, column)| format!("{}:{line}:{column}", suite.path.display()));
    PlumeError::ConfigRejected {
        at,
        plugin,
        rejected,
    }
}

/// The redactor for every secret value of `suite`.
pub fn redactor_for(suite: &Suite) -> Redactor {
    Redactor::new(
        suite
            .plugins
            .iter()
            .flat_map(|p| p.secrets.values().flatten().map(String::as_str)),
    )
}
