//! `plume monitor`: suites run on a schedule and on demand, their results
//! served to Prometheus; and the push of a one-shot run to a Pushgateway.
//!
//! - [`target`]: one suite in one environment — compiled once, run many
//!   times, never twice at once;
//! - [`collect`]: the ledger's sink that keeps a run's outcomes for its
//!   metrics, and the run's result;
//! - [`metrics`]: the metric families, encoded by `prometheus-client`;
//! - [`schedule`]: `--every`, first runs spread over the interval, a
//!   fixed grid per target that does not drift, bounded concurrency;
//! - [`http`]: `/metrics`, `/probe`, `/runs/last`, `/healthz`;
//! - [`admission`]: the layer over every route: `Host` must name the
//!   monitor, a browser page of another origin is refused;
//! - [`listener`]: the accept loop: head and stall timeouts, a connection
//!   limit, a bounded shutdown;
//! - [`history`]: every run kept in SQLite under `--state-dir`, bounded;
//! - [`page`]: the status page `/`, `/runs` (JSON) and `/runs/ID` (a run's report);
//! - [`push`]: `plume run --push-gateway`.
//!
//! The server listens on loopback unless told otherwise: a wider address
//! needs `--allow-remote`, since the metrics name every check of every
//! suite and `/probe` starts runs. SIGINT and SIGTERM stop it cleanly: no
//! new run starts, runs in flight stop and walk their cleanups, then the
//! server closes; a stalled client cannot hold it open past
//! [`crate::limits::SHUTDOWN_GRACE`].

pub mod admission;
pub mod collect;
pub mod history;
pub mod http;
pub mod listener;
pub mod metrics;
pub mod page;
pub mod push;
pub mod schedule;
pub mod target;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::{Semaphore, watch};

use crate::engine::Sandbox;
use crate::error::PlumeError;
use admission::Admission;
use schedule::Every;
use target::Target;

/// The default `--listen` address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";

/// What can go wrong starting the monitor or pushing a run.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Input(#[from] PlumeError),
    #[error(
        "--listen {addr} is not a loopback address: add --allow-remote=NAME (the host name Prometheus reaches it by; bare --allow-remote for IP addresses only) to serve the metrics and /probe beyond this machine"
    )]
    RemoteListen { addr: SocketAddr },
    #[error(
        "cannot listen on {addr}: {reason} (choose another --listen address, or port 0 for any free port)"
    )]
    Listen { addr: SocketAddr, reason: String },
    #[error(
        "suite {suite:?} is given twice for environment {env:?}; give each suite file once (two files need two suite names)"
    )]
    Duplicate { suite: String, env: String },
    #[error("push to the Pushgateway at {url} failed: {reason}")]
    Push { url: String, reason: String },
}

/// Stop requests: `Some(signal number)` once SIGINT (2) or SIGTERM (15) came.
pub type Shutdown = watch::Receiver<Option<i32>>;

/// Resolves with the signal number once a stop is requested; never if the
/// sender is gone without one.
pub async fn signalled(mut stop: Shutdown) -> i32 {
    loop {
        if let Some(sig) = *stop.borrow_and_update() {
            return sig;
        }
        if stop.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// How the monitor serves and schedules.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// `--allow-remote`: a non-loopback `--listen`, reached by IP address.
    pub allow_remote: bool,
    /// `--allow-remote=NAME`: further names clients reach it by (lower case).
    pub host_names: Vec<String>,
    /// Connections served at once (`--max-client-connections`).
    pub max_connections: usize,
    /// `None`: no schedule, runs only on `/probe`.
    pub every: Option<Every>,
    /// Runs of all targets at once, scheduled and probes together.
    pub max_concurrent_runs: usize,
    /// Where every run is kept (`--state-dir`).
    pub history: Arc<history::History>,
}

impl Settings {
    /// Whether other machines may reach it: `--allow-remote`, bare or named.
    pub fn remote(&self) -> bool {
        self.allow_remote || !self.host_names.is_empty()
    }

    /// Which `Host` names it answers to.
    pub fn admission(&self) -> Admission {
        Admission {
            remote: self.remote(),
            names: self.host_names.clone(),
        }
    }
}

/// What the HTTP handlers share.
pub struct Monitor {
    pub targets: Vec<Arc<Target>>,
    pub sandbox: Arc<Sandbox>,
    pub slots: Arc<Semaphore>,
    pub max_runs: usize,
    pub shutdown: Shutdown,
    pub history: Arc<history::History>,
}

impl Monitor {
    /// The suites it runs, for messages: `demo (local), shop (staging)`.
    pub fn suite_names(&self) -> String {
        self.targets
            .iter()
            .map(|t| format!("{} ({})", t.labels.suite, t.labels.env))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Refuses a second target of the same suite and environment.
pub fn check_unique(targets: &[Arc<Target>]) -> Result<(), MonitorError> {
    for (i, t) in targets.iter().enumerate() {
        if targets[..i]
            .iter()
            .any(|u| u.suite_name == t.suite_name && u.env_name == t.env_name)
        {
            return Err(MonitorError::Duplicate {
                suite: t.labels.suite.clone(),
                env: t.labels.env.clone(),
            });
        }
    }
    Ok(())
}

/// Binds `settings.listen` (loopback unless `allow_remote`), then calls
/// `listening` with the bound address.
pub async fn bind(settings: &Settings) -> Result<tokio::net::TcpListener, MonitorError> {
    let addr = settings.listen;
    if !addr.ip().is_loopback() && !settings.remote() {
        return Err(MonitorError::RemoteListen { addr });
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| MonitorError::Listen {
            addr,
            reason: e.to_string(),
        })
}

/// Serves `targets` on `listener` and runs them on the schedule until `stop`
/// fires; returns once every run in flight has walked its cleanups.
pub async fn serve(
    listener: tokio::net::TcpListener,
    targets: Vec<Arc<Target>>,
    sandbox: Arc<Sandbox>,
    settings: &Settings,
    stop: Shutdown,
) {
    let max_runs = settings.max_concurrent_runs.max(1);
    for target in &targets {
        target.keep_history(settings.history.clone());
    }
    let monitor = Arc::new(Monitor {
        targets,
        sandbox,
        slots: Arc::new(Semaphore::new(max_runs)),
        max_runs,
        shutdown: stop.clone(),
        history: settings.history.clone(),
    });
    let mut schedules = tokio::task::JoinSet::new();
    if let Some(every) = settings.every {
        let count = monitor.targets.len();
        for (index, target) in monitor.targets.iter().enumerate() {
            schedules.spawn(schedule::run_every(
                target.clone(),
                monitor.sandbox.clone(),
                every,
                every.spread(index, count),
                monitor.slots.clone(),
                stop.clone(),
            ));
        }
    }
    let app = http::router(monitor.clone()).layer(axum::middleware::from_fn_with_state(
        Arc::new(settings.admission()),
        admission::admit,
    ));
    listener::serve(listener, app, settings.max_connections, stop).await;
    while schedules.join_next().await.is_some() {}
    // Every run holds a slot until it ends, probes too: all back, all ended.
    let all = u32::try_from(max_runs).unwrap_or(u32::MAX);
    let _ = monitor.slots.acquire_many(all).await;
}

#[cfg(test)]
mod tests;
