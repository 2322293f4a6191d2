//! What a run keeps while it runs, shared by every group and the cleanup
//! walk: the ledger of outcomes, the cleanups registered, the values groups
//! publish, what each plugin has taken from the host, and the plugins'
//! clients, all under the run's limits. Nothing here runs a plugin; the
//! engine's stores and the runner only hold it.

pub mod budget;
pub mod cleanups;
pub mod ledger;
pub mod published;

use std::sync::Arc;

use crate::error::PlumeError;
use crate::limits::Limits;
use crate::net::clients::{Clients, HttpSettings};
use crate::redact::Redactor;

use budget::Budgets;
use cleanups::CleanupRegistry;
use ledger::Ledger;
use published::Published;

/// What every group of a run shares.
pub struct RunShared {
    /// For the host's own requests (preflight); plugins use [`Clients`].
    pub client: reqwest::Client,
    pub clients: Clients,
    pub http: HttpSettings,
    pub limits: Limits,
    /// What each plugin has taken from the host so far.
    pub budgets: Budgets,
    pub ledger: Arc<Ledger>,
    pub cleanups: CleanupRegistry,
    pub published: Published,
}

impl RunShared {
    /// The state shared by a run's groups, under the suite's limits.
    pub fn new(ledger: Arc<Ledger>, limits: &Limits) -> Result<Arc<RunShared>, PlumeError> {
        Ok(Arc::new(RunShared {
            client: crate::net::clients::http_client()?,
            clients: Clients::default(),
            http: HttpSettings::from(limits),
            limits: limits.clone(),
            budgets: Budgets::default(),
            ledger,
            cleanups: CleanupRegistry::default(),
            published: Published::default(),
        }))
    }

    /// A run with no sinks and the default limits, for describing plugins
    /// outside a run (`plume list`, `plume inspect`).
    pub fn quiet() -> Result<Arc<RunShared>, PlumeError> {
        RunShared::new(
            Arc::new(Ledger::new(Redactor::default(), Vec::new())),
            &Limits::default(),
        )
    }
}
