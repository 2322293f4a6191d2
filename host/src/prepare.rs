//! Getting a run ready: compile every plugin, ask each what it checks, plan.
//!
//! Everything that can be wrong with the input is found here, before any
//! check runs, so bad input never leaves a half-finished run behind.

use std::sync::Arc;

use crate::bindings::PluginPre;
use crate::bindings::types::PluginInfo;
use crate::budget::Budgets;
use crate::cleanup::CleanupRegistry;
use crate::engine::{Runtime, describe};
use crate::error::PlumeError;
use crate::ledger::Ledger;
use crate::limits::Limits;
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
///
/// Proxy variables in the environment (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, lower case too) are ignored: the egress policy resolves each
/// name itself and connects only to the addresses that survived, and a proxy
/// would resolve the name instead, past the policy.
pub fn client_builder() -> reqwest::ClientBuilder {
    // Several callers may race to install the provider; only the first wins, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("plume/", env!("CARGO_PKG_VERSION")))
}

/// The state shared by a run's groups, under the suite's limits.
pub fn run_shared_with(ledger: Arc<Ledger>, limits: &Limits) -> Result<Arc<RunShared>, PlumeError> {
    Ok(Arc::new(RunShared {
        client: http_client()?,
        clients: Default::default(),
        http: http_settings(limits),
        limits: limits.clone(),
        budgets: Budgets::default(),
        ledger,
        cleanups: CleanupRegistry::default(),
        published: Published::default(),
    }))
}

/// A ledger with no sinks, for describing plugins outside a run.
pub fn quiet_shared() -> Result<Arc<RunShared>, PlumeError> {
    run_shared_with(
        Arc::new(Ledger::new(Redactor::default(), Vec::new())),
        &Limits::default(),
    )
}

/// Compiles one plugin and calls its `describe()`.
pub async fn load_plugin(
    runtime: &Runtime,
    entry: Arc<PluginEntry>,
    shared: &Arc<RunShared>,
) -> Result<LoadedPlugin, PlumeError> {
    let pre = runtime.load(&entry.name, &entry.path, entry.sha256.as_deref())?;
    let position = Position {
        group: String::new(),
        check: String::new(),
        upstream: Arc::default(),
    };
    let limits = &shared.limits;
    let state = StoreState::new(shared.clone(), entry.clone(), position);
    let info = describe(runtime, &pre, &entry, state, limits.check_timeout).await?;
    crate::plan::validate(&entry.name, &info)?;
    crate::plan::within_limits(&entry.name, &info, limits)?;
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
        plugins.push(load_plugin(runtime, Arc::new(entry.clone()), shared).await?);
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

/// The HTTP part of `limits`.
pub fn http_settings(limits: &Limits) -> HttpSettings {
    HttpSettings {
        max_body: usize::try_from(limits.max_body_bytes).unwrap_or(usize::MAX),
        max_digest_body: limits.max_digest_bytes,
        max_connections: limits.max_connections.max(1),
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
