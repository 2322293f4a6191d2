//! Getting a run ready: compile every plugin, ask each what it checks, plan.
//!
//! Everything that can be wrong with the input is found here, before any
//! check runs, so bad input never leaves a half-finished run behind.

use std::sync::Arc;

use crate::bindings::PluginPre;
use crate::bindings::types::PluginInfo;
use crate::cleanup::CleanupRegistry;
use crate::engine::{Runtime, describe};
use crate::error::PlumeError;
use crate::ledger::Ledger;
use crate::plan::{Described, Plan, Selection};
use crate::redact::Redactor;
use crate::state::{HttpSettings, Position, Published, RunShared, StoreState};
use crate::suite::{PluginEntry, Suite};

/// A compiled plugin and what it says it checks.
pub struct LoadedPlugin {
    pub entry: Arc<PluginEntry>,
    pub pre: PluginPre<StoreState>,
    pub info: PluginInfo,
}

/// The HTTP client every plugin's requests go through. Redirects are
/// followed by the host itself, hop by hop, under the allow-list.
pub fn http_client() -> Result<reqwest::Client, PlumeError> {
    client_builder()
        .build()
        .map_err(|e| PlumeError::Engine(format!("cannot build the HTTP client: {e}")))
}

/// The settings every Plume HTTP client shares.
pub fn client_builder() -> reqwest::ClientBuilder {
    // Several callers may race to install the provider; only the first wins, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("plume/", env!("CARGO_PKG_VERSION")))
}

/// The state shared by a run's groups, with the suite's HTTP limits.
pub fn run_shared_with(
    ledger: Arc<Ledger>,
    http: HttpSettings,
) -> Result<Arc<RunShared>, PlumeError> {
    Ok(Arc::new(RunShared {
        client: http_client()?,
        clients: Default::default(),
        http,
        ledger,
        cleanups: CleanupRegistry::default(),
        published: Published::default(),
    }))
}

/// A ledger with no sinks, for describing plugins outside a run.
pub fn quiet_shared() -> Result<Arc<RunShared>, PlumeError> {
    run_shared_with(
        Arc::new(Ledger::new(Redactor::default(), Vec::new())),
        HttpSettings::default(),
    )
}

/// Compiles one plugin and calls its `describe()`.
pub async fn load_plugin(
    runtime: &Runtime,
    entry: Arc<PluginEntry>,
    shared: &Arc<RunShared>,
    suite: &Suite,
) -> Result<LoadedPlugin, PlumeError> {
    let pre = runtime.load(&entry.name, &entry.path, entry.sha256.as_deref())?;
    let position = Position {
        group: String::new(),
        check: String::new(),
        upstream: Arc::default(),
    };
    let state = StoreState::new(shared.clone(), entry.clone(), position, suite.memory_bytes);
    let info = describe(runtime, &pre, &entry, state, suite.check_timeout).await?;
    crate::plan::validate(&entry.name, &info)?;
    Ok(LoadedPlugin { entry, pre, info })
}

/// Loads every plugin of `suite` and plans the run.
pub async fn prepare(
    runtime: &Runtime,
    suite: &Suite,
    shared: &Arc<RunShared>,
    selection: &Selection,
) -> Result<(Vec<LoadedPlugin>, Plan), PlumeError> {
    let mut plugins = Vec::new();
    for entry in &suite.plugins {
        plugins.push(load_plugin(runtime, Arc::new(entry.clone()), shared, suite).await?);
    }
    let described: Vec<Described<'_>> = plugins
        .iter()
        .map(|p| Described {
            plugin: &p.entry.name,
            info: &p.info,
            groups: p.entry.groups.as_deref(),
            prefix: &p.entry.group_prefix,
        })
        .collect();
    let plan = Plan::build(&described, selection)?;
    Ok((plugins, plan))
}

/// The HTTP limits `suite` sets.
pub fn http_settings(suite: &Suite) -> HttpSettings {
    HttpSettings {
        max_body: usize::try_from(suite.max_body_bytes).unwrap_or(usize::MAX),
        max_digest_body: suite.max_digest_bytes,
        max_connections: suite.max_connections,
        ..HttpSettings::default()
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
