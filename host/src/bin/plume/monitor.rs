//! `plume monitor` and `plume run --push-gateway`, at the binary's edge:
//! flags to settings, signals to the stop channel, errors to one line.

use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use plume::engine::Sandbox;
use plume::engine::cache::CompileCache;
use plume::events::Sink;
use plume::monitor::collect::{Gatherer, MetricsSink, RunLabels, RunResult};
use plume::monitor::history::{History, Retention, StateDir};
use plume::monitor::schedule::Every;
use plume::monitor::target::Target;
use plume::monitor::{Settings, bind, check_unique, serve};
use plume::run::RunEnd;
use plume::run::plan::Selection;
use plume::run::prepare::redactor_for;
use plume::suite::{Overrides, Suite, SuiteFile};

use crate::cli::MonitorArgs;
use crate::commands::parse_vars;

/// `plume monitor`.
pub async fn monitor(args: MonitorArgs, cache: CompileCache) -> Result<u8> {
    let mut sigint = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    // The history first: a second monitor on the same directory is refused
    // before it binds or compiles anything.
    let history = Arc::new(History::open(
        &state_dir(args.state_dir.as_deref())?,
        Retention {
            keep: args.keep,
            max_bytes: args.max_state_mib.saturating_mul(1024 * 1024),
        },
    )?);
    let settings = Settings {
        listen: args.listen,
        allow_remote: !args.allow_remote.is_empty(),
        host_names: args.allow_remote.iter().flatten().cloned().collect(),
        max_connections: usize::from(args.max_client_connections),
        every: args.every.map(|interval| Every {
            interval,
            jitter: args.jitter.unwrap_or(interval / 10),
        }),
        max_concurrent_runs: usize::from(args.max_concurrent_runs),
        history,
    };
    let listener = bind(&settings).await?;
    // `oci://` plugins are pulled (or found in the store) once, at start-up.
    let puller = crate::registry::puller(&cache)?;
    let sandbox = Arc::new(Sandbox::new(cache)?);
    let envs: Vec<Option<String>> = if args.env.is_empty() {
        vec![None]
    } else {
        args.env.iter().cloned().map(Some).collect()
    };
    let vars = parse_vars(&args.vars)?;
    let selection = Selection {
        only: args.scope.only.clone(),
        skip: args.scope.skip.clone(),
    };
    let mut targets = Vec::new();
    for path in &args.suites {
        let file = SuiteFile::load(path)?;
        for env in &envs {
            let mut suite = file.resolve(&Overrides {
                env: env.clone(),
                vars: vars.clone(),
                ceiling: args.scope.ceiling,
                check_timeout: args.scope.check_timeout,
                retries: args.scope.retries,
            })?;
            for warning in plume::run::prepare::pull_plugins(&mut suite, &puller).await? {
                plume::console::warning(warning);
            }
            let target =
                Target::compile(&sandbox, suite, selection.clone(), args.max_check_series)?;
            target.check_plan(&sandbox).await?;
            targets.push(Arc::new(target));
        }
    }
    check_unique(&targets)?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    plume::console::out(format_args!(
        "plume monitor: listening on http://{addr} ({} suite(s), {})",
        targets.len(),
        match settings.every {
            Some(e) => format!(
                "every {} with up to {} jitter",
                humantime::format_duration(e.interval),
                humantime::format_duration(e.jitter)
            ),
            None => "on /probe only".to_owned(),
        }
    ));
    let (stop, stopped) = watch::channel(None);
    tokio::spawn(async move {
        let sig = tokio::select! {
            _ = sigint.recv() => 2,
            _ = sigterm.recv() => 15,
        };
        plume::console::out("plume monitor: stopping; runs in flight walk their cleanups first");
        let _ = stop.send(Some(sig));
    });
    serve(listener, targets, sandbox, &settings, stopped).await;
    plume::console::out("plume monitor: stopped");
    Ok(0)
}

/// `--state-dir`, or `plume/monitor` under the platform's data directory.
fn state_dir(given: Option<&str>) -> Result<StateDir> {
    match given {
        Some(text) => Ok(StateDir::parse(text)),
        None => match dirs::data_dir() {
            Some(dir) => Ok(StateDir::Dir(dir.join("plume").join("monitor"))),
            None => anyhow::bail!(
                "this platform has no data directory for the monitor's history: give --state-dir DIR (or :memory: for none)"
            ),
        },
    }
}

/// A push to do once the run has ended.
pub struct PendingPush {
    gateway: url::Url,
    labels: RunLabels,
    gatherer: Gatherer,
}

/// Adds the metrics sink of `--push-gateway` to `sinks`.
pub fn push_sink(gateway: &url::Url, suite: &Suite, sinks: &mut Vec<Box<dyn Sink>>) -> PendingPush {
    let (sink, gatherer) = MetricsSink::new(plume::limits::MONITOR_CHECK_SERIES);
    sinks.push(Box::new(sink));
    PendingPush {
        gateway: gateway.clone(),
        labels: RunLabels::new(
            &suite.name,
            suite.env_name.as_deref().unwrap_or_default(),
            &redactor_for(suite),
        ),
        gatherer,
    }
}

impl PendingPush {
    /// Pushes the run's metrics; a failed push is one line on stderr and
    /// makes the exit code at least 1.
    pub async fn send(self, end: RunEnd, code: u8) -> u8 {
        let run = Arc::new(RunResult::finished(self.labels, &self.gatherer, end));
        let pushed = match plume::net::clients::http_client() {
            Ok(client) => plume::monitor::push::push(&client, &self.gateway, run).await,
            Err(e) => Err(e.into()),
        };
        match pushed {
            Ok(()) => code,
            Err(e) => {
                plume::console::error(e);
                code.max(1)
            }
        }
    }
}
