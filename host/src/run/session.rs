//! One run of a suite, from its ledger to its exit code — the same steps for
//! `plume run` and for every run `plume monitor` makes.
//!
//! Guarantees, for both callers:
//! - The run's ceiling bounds everything after the session opens: the
//!   preflight, each plugin's description and the checks. Compiling is not
//!   counted (the monitor compiles once at start-up; `plume run` compiles
//!   after the preflight, so a service that is down is one line before any
//!   compile, and the clock is paused meanwhile), nor are the cleanups,
//!   which get their own budget afterwards.
//! - A ceiling or a signal before the checks start ends the session with its
//!   reason as the run's stop line; no check has started, so nothing is half
//!   run and no cleanup is owed.
//! - Bad input found while getting ready (a plugin that refuses its config,
//!   a selector that matches nothing) is a [`NotStarted::Input`] error, never
//!   a red run; a refused config names its place in the suite file.
//! - The ledger is closed exactly once, on every path ([`Session::run`] or
//!   [`Session::stop`]), so every sink — report files among them — is finished.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt as _;

use crate::engine::Sandbox;
use crate::error::PlumeError;
use crate::events::{Sink, Summary};
use crate::limits::Limits;
use crate::record::RunShared;
use crate::record::ledger::Ledger;
use crate::run::plan::{Plan, Selection, each_checks_something};
use crate::run::prepare::{Compiled, LoadedPlugin, redactor_for};
use crate::run::shard::{self, Shard};
use crate::run::{RunEnd, signal_name};
use crate::suite::Suite;

/// Resolves with a signal number (2, 15) when the run must stop.
pub type Stop = Pin<Box<dyn Future<Output = i32> + Send>>;

/// How often the ledger is asked to report on checks still running.
const TICK: Duration = Duration::from_millis(200);

/// Where a session's plugins come from.
pub enum Plugins<'a> {
    /// Compiled before the session opened (`plume monitor`, at start-up).
    Compiled(&'a Compiled),
    /// Compiled after the preflight, so a service that is down is one line
    /// before any compile (`plume run`).
    CompileNow,
}

/// What the checks need once the session is ready: each plugin described,
/// the plan selected and sharded.
pub struct Ready {
    plugins: Vec<LoadedPlugin>,
    shared: Arc<RunShared>,
    pub plan: Plan,
    /// Groups selected before sharding kept this shard's share.
    pub selected_groups: usize,
}

/// Why a session ended before its checks started.
#[derive(Debug)]
pub enum NotStarted {
    /// The input is wrong: bad input, exit 2.
    Input(PlumeError),
    /// The service did not answer the preflight.
    Preflight(PlumeError),
    /// The ceiling passed while getting ready (its text says so).
    Ceiling(String),
    /// A signal arrived while getting ready.
    Signal(i32),
}

impl NotStarted {
    /// The one line saying why the run did not start.
    pub fn reason(&self) -> String {
        match self {
            NotStarted::Input(e) | NotStarted::Preflight(e) => e.to_string(),
            NotStarted::Ceiling(why) => why.clone(),
            NotStarted::Signal(sig) => format!(
                "interrupted by {} before the checks started",
                signal_name(*sig)
            ),
        }
    }
}

/// How a session ended once its checks had started.
#[derive(Debug)]
pub struct Ended {
    /// `None` when a fault inside Plume ended the run (its panic line is printed).
    pub end: Option<RunEnd>,
    pub summary: Summary,
}

impl Ended {
    /// `plume run`'s exit code: 0 when nothing erred, 1 when a check or a
    /// cleanup erred, the ceiling stopped the run or Plume itself failed,
    /// 128 + the signal's number when a signal stopped it.
    pub fn exit_code(&self) -> u8 {
        match self.end {
            None | Some(RunEnd::Ceiling) => 1,
            Some(RunEnd::Signal(sig)) => 128 + sig as u8,
            Some(RunEnd::Completed) => u8::from(!self.summary.is_green()),
        }
    }
}

/// One run of one suite in one environment.
pub struct Session {
    ledger: Arc<Ledger>,
    limits: Limits,
    opened: Instant,
}

impl Session {
    /// Opens the run's ledger, redacting every secret of `suite`, with
    /// `sinks` as its first sinks; the ceiling's clock starts now.
    pub fn open(suite: &Suite, limits: Limits, sinks: Vec<Box<dyn Sink>>) -> Session {
        Session {
            ledger: Arc::new(Ledger::new(redactor_for(suite), sinks)),
            limits,
            opened: Instant::now(),
        }
    }

    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// The ceiling left.
    fn left(&self) -> Duration {
        self.limits.ceiling.saturating_sub(self.opened.elapsed())
    }

    /// Preflight, then each plugin compiled if it is not yet (not counted
    /// in the ceiling), described (a fresh instance each) and validated,
    /// then the plan: selected, and cut to `shard`'s share.
    pub async fn ready(
        &mut self,
        sandbox: &Sandbox,
        suite: &Suite,
        plugins: Plugins<'_>,
        selection: &Selection,
        shard: Option<Shard>,
        stop: &mut Stop,
    ) -> Result<Ready, NotStarted> {
        let shared =
            RunShared::new(self.ledger.clone(), &self.limits).map_err(NotStarted::Input)?;
        let preflight = crate::run::preflight::check(&shared.client, suite);
        self.within(stop, async {
            preflight.await.map_err(NotStarted::Preflight)
        })
        .await?;
        let compiled_now;
        let compiled = match plugins {
            Plugins::Compiled(compiled) => compiled,
            Plugins::CompileNow => {
                let started = Instant::now();
                compiled_now = Compiled::compile(sandbox, suite).map_err(NotStarted::Input)?;
                self.opened += started.elapsed();
                &compiled_now
            }
        };
        let described = async {
            let (plugins, plan) = compiled
                .describe_and_plan(sandbox, suite, &shared, selection)
                .await?;
            each_checks_something(&plugins)?;
            Ok((plugins, plan))
        };
        let (plugins, plan) = self
            .within(stop, async { described.await.map_err(NotStarted::Input) })
            .await?;
        let selected_groups = plan.groups.len();
        let plan = match shard {
            Some(shard) => shard::keep(plan, shard),
            None => plan,
        };
        Ok(Ready {
            plugins,
            shared,
            plan,
            selected_groups,
        })
    }

    /// `work` within the ceiling left, unless a signal comes first.
    async fn within<T>(
        &self,
        stop: &mut Stop,
        work: impl Future<Output = Result<T, NotStarted>>,
    ) -> Result<T, NotStarted> {
        tokio::select! {
            done = tokio::time::timeout(self.left(), work) => done.unwrap_or_else(|_| {
                Err(NotStarted::Ceiling(format!(
                    "preflight and describe took longer than the run's ceiling of {} ms",
                    self.limits.ceiling.as_millis()
                )))
            }),
            sig = stop => Err(NotStarted::Signal(sig)),
        }
    }

    /// Runs the checks under the ceiling left, then the cleanups; closes the
    /// ledger. A fault inside Plume still closes it (the run is not green).
    pub async fn run(self, sandbox: Arc<Sandbox>, ready: Ready, stop: Stop) -> Ended {
        let ticker = {
            let ledger = self.ledger.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(TICK);
                loop {
                    every.tick().await;
                    ledger.tick();
                }
            })
        };
        let ceiling = self.left();
        let end = AssertUnwindSafe(crate::run::run(
            sandbox,
            ready.plugins,
            &ready.plan,
            ready.shared,
            ceiling,
            stop,
        ))
        .catch_unwind()
        .await
        .ok();
        ticker.abort();
        Ended {
            end,
            summary: self.ledger.close(),
        }
    }

    /// Ends a session whose checks never started, with `reason` as the
    /// run's stop line; closes the ledger.
    pub fn stop(self, reason: &str) -> Summary {
        self.ledger.stop(reason);
        self.ledger.close()
    }
}
