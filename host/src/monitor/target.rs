//! One suite in one environment, as the monitor runs it again and again:
//! its plugins compiled once (an `InstancePre` each, reused by every run),
//! described afresh and run on a fresh ledger, fresh stores and fresh
//! clients each time, under the suite's ceiling and cleanups — or, for a
//! probe, under the scrape's timeout. Never two runs of one target at once.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use tokio::task::JoinHandle;

use super::collect::{EventsBuffer, MetricsSink, RunLabels, RunResult};
use super::metrics::Counters;
use super::{Shutdown, signalled};
use crate::engine::Sandbox;
use crate::error::PlumeError;
use crate::limits::Limits;
use crate::record::RunShared;
use crate::reports::json::JsonEvents;
use crate::run::plan::Selection;
use crate::run::prepare::{Compiled, redactor_for};
use crate::run::session::{Plugins, Session, Stop};
use crate::suite::Suite;

/// Share of a probe's time its checks get; the rest is for its cleanups.
const PROBE_CHECKS_SHARE: f64 = 0.7;

/// What the monitor keeps of a target's runs.
#[derive(Default)]
struct Kept {
    last: Option<Arc<RunResult>>,
    counters: Counters,
    events: Arc<Vec<u8>>,
    events_cut: bool,
}

/// A run already in flight: how long it has been going.
#[derive(Debug, Clone, Copy)]
pub struct Busy {
    pub running_for: Duration,
}

/// One suite in one environment.
pub struct Target {
    pub labels: RunLabels,
    /// The suite's name, as `/probe?suite=` names it.
    pub suite_name: String,
    /// The environment's name, as `&env=` names it ("" when the suite has none).
    pub env_name: String,
    suite: Suite,
    compiled: Compiled,
    selection: Selection,
    max_check_series: usize,
    busy: Arc<tokio::sync::Mutex<()>>,
    running_since: Mutex<Option<Instant>>,
    kept: Mutex<Kept>,
    history: std::sync::OnceLock<Arc<super::history::History>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Target {
    /// Compiles (or loads from the cache) every plugin of `suite`, once; a
    /// plugin another target already loaded (the same bytes) is shared.
    pub fn compile(
        sandbox: &Sandbox,
        suite: Suite,
        selection: Selection,
        max_check_series: usize,
    ) -> Result<Target, PlumeError> {
        let compiled = Compiled::compile_shared(sandbox, &suite)?;
        let env_name = suite.env_name.clone().unwrap_or_default();
        Ok(Target {
            labels: RunLabels::new(&suite.name, &env_name, &redactor_for(&suite)),
            suite_name: suite.name.clone(),
            env_name,
            suite,
            compiled,
            selection,
            max_check_series,
            busy: Arc::new(tokio::sync::Mutex::new(())),
            running_since: Mutex::new(None),
            kept: Mutex::new(Kept::default()),
            history: std::sync::OnceLock::new(),
        })
    }

    /// Describes every plugin once and plans, so what is wrong with the
    /// input (a selector that matches nothing, a plugin that checks nothing)
    /// is bad input at start-up, not a failed run every minute.
    pub async fn check_plan(&self, sandbox: &Sandbox) -> Result<(), PlumeError> {
        let shared = RunShared::quiet()?;
        let (plugins, _) = self
            .compiled
            .describe_and_plan(sandbox, &self.suite, &shared, &self.selection)
            .await?;
        crate::run::plan::each_checks_something(&plugins)
    }

    /// Starts a run now, unless one is in flight. The run is its own task:
    /// a caller that goes away (a scraper that hung up) does not cut it
    /// short, and its cleanups run.
    pub fn try_start(
        self: &Arc<Self>,
        sandbox: Arc<Sandbox>,
        budget: Option<Duration>,
        stop: Shutdown,
    ) -> Result<JoinHandle<Arc<RunResult>>, Busy> {
        let guard = self.busy.clone().try_lock_owned().map_err(|_| Busy {
            running_for: lock(&self.running_since)
                .map(|s| s.elapsed())
                .unwrap_or_default(),
        })?;
        let me = self.clone();
        Ok(tokio::spawn(async move {
            let result = me.run_exclusive(&sandbox, budget, stop).await;
            drop(guard);
            result
        }))
    }

    /// Runs once the run in flight, if any, has ended.
    pub async fn run_when_free(
        self: &Arc<Self>,
        sandbox: Arc<Sandbox>,
        stop: Shutdown,
    ) -> Option<Arc<RunResult>> {
        let guard = self.busy.clone().lock_owned().await;
        let me = self.clone();
        let task = tokio::spawn(async move {
            let result = me.run_exclusive(&sandbox, None, stop).await;
            drop(guard);
            result
        });
        task.await.ok()
    }

    /// Keeps every run of this target in `history` from now on.
    pub fn keep_history(&self, history: Arc<super::history::History>) {
        let _ = self.history.set(history);
    }

    /// The last run, if there was one.
    pub fn last(&self) -> Option<Arc<RunResult>> {
        lock(&self.kept).last.clone()
    }

    pub fn counters(&self) -> Counters {
        lock(&self.kept).counters
    }

    /// The last run's JSON events (whole lines), and whether some were cut.
    pub fn events(&self) -> Option<(Arc<Vec<u8>>, bool)> {
        let kept = lock(&self.kept);
        kept.last.as_ref()?;
        Some((kept.events.clone(), kept.events_cut))
    }

    /// One run; the caller holds the target's lock.
    async fn run_exclusive(
        &self,
        sandbox: &Arc<Sandbox>,
        budget: Option<Duration>,
        stop: Shutdown,
    ) -> Arc<RunResult> {
        let start = Instant::now();
        *lock(&self.running_since) = Some(start);
        let limits = bounded(&self.suite.limits, budget);
        let (sink, gatherer) = MetricsSink::new(self.max_check_series);
        let events = EventsBuffer::default();
        let info = crate::reports::RunInfo::live(&self.suite.name, None, SystemTime::now())
            .with_env(self.suite.env_name.clone());
        let json = JsonEvents::new(Box::new(events.clone()), info);
        let mut session = Session::open(&self.suite, limits, vec![Box::new(sink), Box::new(json)]);
        let mut stop: Stop = Box::pin(signalled(stop));
        let ready = session
            .ready(
                sandbox,
                &self.suite,
                Plugins::Compiled(&self.compiled),
                &self.selection,
                None,
                &mut stop,
            )
            .await;
        let result = match ready {
            Err(not_started) => {
                let reason = not_started.reason();
                session.stop(&reason);
                RunResult::not_started(self.labels.clone(), reason, start.elapsed())
            }
            Ok(ready) => {
                let ended = session.run(sandbox.clone(), ready, stop).await;
                match ended.end {
                    Some(end) => RunResult::finished(self.labels.clone(), &gatherer, end),
                    None => RunResult::not_started(
                        self.labels.clone(),
                        "a fault inside plume ended the run".to_owned(),
                        start.elapsed(),
                    ),
                }
            }
        };
        let result = Arc::new(result);
        let (bytes, cut) = events.take();
        self.record(&result, (!cut && !bytes.is_empty()).then(|| bytes.clone()))
            .await;
        {
            let mut kept = lock(&self.kept);
            kept.counters.count(&result);
            kept.last = Some(result.clone());
            kept.events = Arc::new(bytes);
            kept.events_cut = cut;
        }
        *lock(&self.running_since) = None;
        let line = format!(
            "{} ({}): {}",
            self.labels.suite,
            if self.labels.env.is_empty() {
                "-"
            } else {
                &self.labels.env
            },
            result.headline
        );
        crate::console::out(line);
        result
    }

    /// Writes `result` into the history, off the async workers; a failed
    /// write is one line on standard error, and the monitor goes on.
    async fn record(&self, result: &Arc<RunResult>, events: Option<Vec<u8>>) {
        let Some(history) = self.history.get().cloned() else {
            return;
        };
        let (labels, result) = (self.labels.clone(), result.clone());
        let written = tokio::task::spawn_blocking(move || {
            history.record(&labels.suite, &labels.env, &result, events.as_deref())
        })
        .await;
        match written {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => crate::console::warning(format_args!(
                "plume monitor: this run is not in the history: {e}"
            )),
            Err(_) => crate::console::warning(
                "plume monitor: this run is not in the history: the write failed inside plume",
            ),
        }
    }
}

/// The suite's limits, or for a probe with `budget`, a ceiling and a cleanup
/// budget that together fit in it.
pub(crate) fn bounded(limits: &Limits, budget: Option<Duration>) -> Limits {
    let mut limits = limits.clone();
    if let Some(budget) = budget {
        let ceiling = budget.mul_f64(PROBE_CHECKS_SHARE).min(limits.ceiling);
        limits.cleanup_budget = limits.cleanup_budget.min(budget.saturating_sub(ceiling));
        limits.ceiling = ceiling;
    }
    limits
}
