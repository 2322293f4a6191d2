//! What one run leaves for its metrics: a [`Sink`] that keeps each check's
//! outcome and time as the ledger hands them over (already redacted and made
//! one bounded line), and the [`RunResult`] built from it when the run ends.
//! A bounded buffer keeps the run's JSON events for `/runs/last`.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::events::{Event, Outcome, Sink, Summary};
use crate::limits::MONITOR_EVENTS_MAX;
use crate::redact::Redactor;
use crate::run::RunEnd;

/// One check of a run, as its series show it.
#[derive(Debug, Clone)]
pub struct CheckSample {
    pub group: String,
    pub check: String,
    pub outcome: Outcome,
    pub duration: Duration,
}

/// What the sink gathered during a run.
#[derive(Debug, Default)]
struct Gathered {
    checks: Vec<CheckSample>,
    /// Checks past the series cap: counted, not kept.
    dropped: usize,
    summary: Option<Summary>,
}

/// The ledger's sink for metrics; its [`Gatherer`] reads what it gathered.
pub struct MetricsSink {
    gathered: Arc<Mutex<Gathered>>,
    max_checks: usize,
}

/// Where a run's gathered samples are read once it ended.
#[derive(Clone)]
pub struct Gatherer(Arc<Mutex<Gathered>>);

impl MetricsSink {
    /// A sink keeping at most `max_checks` check samples (the rest are counted).
    pub fn new(max_checks: usize) -> (MetricsSink, Gatherer) {
        let gathered = Arc::new(Mutex::new(Gathered::default()));
        let sink = MetricsSink {
            gathered: gathered.clone(),
            max_checks,
        };
        (sink, Gatherer(gathered))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sink for MetricsSink {
    fn name(&self) -> &'static str {
        "the metrics"
    }

    fn wants_logs(&self) -> bool {
        false
    }

    fn event(&mut self, event: &Event<'_>) {
        let mut g = lock(&self.gathered);
        match event {
            Event::CheckFinished(r) if g.checks.len() < self.max_checks => {
                g.checks.push(CheckSample {
                    group: r.group.to_string(),
                    check: r.check.to_string(),
                    outcome: r.outcome,
                    duration: r.elapsed,
                });
            }
            Event::CheckFinished(_) => g.dropped += 1,
            Event::Finished(summary) => g.summary = Some((*summary).clone()),
            _ => {}
        }
    }
}

/// The suite and environment of a run as label values: redacted and bounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RunLabels {
    pub suite: String,
    pub env: String,
}

impl RunLabels {
    pub fn new(suite: &str, env: &str, redactor: &Redactor) -> RunLabels {
        let label = |s: &str| crate::text::shown(&redactor.redact(s), crate::limits::LABEL_MAX);
        RunLabels {
            suite: label(suite),
            env: label(env),
        }
    }
}

/// One finished run, as its metrics show it.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub labels: RunLabels,
    pub checks: Vec<CheckSample>,
    /// Checks not kept as series (over the cap).
    pub dropped: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cleanups_failed: usize,
    pub denied: usize,
    pub ceiling_hit: bool,
    /// As `plume run` would exit 0: every check ok or skipped, every cleanup ok, no ceiling, no signal.
    pub success: bool,
    pub duration: Duration,
    pub finished_at: SystemTime,
    /// The run's last line: its summary, or why it could not start.
    pub headline: String,
    /// Set when the run could not start (preflight, a plugin that fails to describe).
    pub error: Option<String>,
}

impl RunResult {
    /// A run that ended (completed, or stopped by the ceiling or a signal).
    pub fn finished(labels: RunLabels, gatherer: &Gatherer, end: RunEnd) -> RunResult {
        let mut g = lock(&gatherer.0);
        let summary = g.summary.take().unwrap_or_default();
        let success = end == RunEnd::Completed && summary.is_green();
        RunResult {
            labels,
            checks: std::mem::take(&mut g.checks),
            dropped: g.dropped,
            passed: summary.passed,
            failed: summary.failed,
            skipped: summary.skipped,
            cleanups_failed: summary.cleanups_failed,
            denied: summary.denied,
            ceiling_hit: end == RunEnd::Ceiling,
            success,
            duration: summary.elapsed,
            finished_at: SystemTime::now(),
            headline: summary.headline(),
            error: None,
        }
    }

    /// A run that could not start: no check series, success 0.
    pub fn not_started(labels: RunLabels, error: String, duration: Duration) -> RunResult {
        RunResult {
            labels,
            checks: Vec::new(),
            dropped: 0,
            passed: 0,
            failed: 0,
            skipped: 0,
            cleanups_failed: 0,
            denied: 0,
            ceiling_hit: false,
            success: false,
            duration,
            finished_at: SystemTime::now(),
            headline: format!("not started: {error}"),
            error: Some(error),
        }
    }
}

/// A writer keeping at most [`MONITOR_EVENTS_MAX`] bytes; past it, nothing more.
#[derive(Clone, Default)]
pub struct EventsBuffer(Arc<Mutex<(Vec<u8>, bool)>>);

impl Write for EventsBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut inner = lock(&self.0);
        let (bytes, full) = &mut *inner;
        if !*full && bytes.len() + buf.len() <= MONITOR_EVENTS_MAX {
            bytes.extend_from_slice(buf);
        } else {
            *full = true;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl EventsBuffer {
    /// The whole lines written, and whether later ones were dropped.
    pub fn take(&self) -> (Vec<u8>, bool) {
        let mut inner = lock(&self.0);
        let (bytes, full) = &mut *inner;
        let mut bytes = std::mem::take(bytes);
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(whole);
        (bytes, *full)
    }
}
