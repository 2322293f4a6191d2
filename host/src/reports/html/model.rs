//! What the page shows of a run, gathered from the ledger's events as they
//! come: each check with when it started and ended (offsets from the run's
//! start, by the report's clock: the wall clock in a run, the events' own
//! times when replayed), its trace lines, the cleanups in walk order, the
//! totals. Traces are kept up to [`HTML_LOGS_MAX`] bytes; the rest are counted.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::events::{CheckRecord, CleanupRecord, Event, Summary};
use crate::limits::HTML_LOGS_MAX;
use crate::reports::RunInfo;

/// One log or trace line of a check.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub level: String,
    pub message: String,
}

/// One check as the page shows it.
#[derive(Debug, Clone)]
pub struct CheckRow {
    pub record: CheckRecord,
    /// From the run's start to the check's first attempt.
    pub start: Duration,
    /// From the run's start to the check's outcome.
    pub end: Duration,
}

impl CheckRow {
    /// `ok`, `flaky`, `err` or `skip`: what the filters and colours go by.
    pub fn kind(&self) -> &'static str {
        if self.record.flaky() {
            "flaky"
        } else {
            self.record.outcome.name()
        }
    }
}

/// One cleanup of the walk.
#[derive(Debug, Clone)]
pub struct CleanupRow {
    pub record: CleanupRecord,
    pub start: Duration,
    pub end: Duration,
}

/// A run, as far as its events have come.
pub struct RunModel {
    pub suite: String,
    pub env: Option<String>,
    pub shard: Option<String>,
    pub started_at: SystemTime,
    /// Groups in plan order: the timeline's lanes.
    pub groups: Vec<String>,
    started: HashMap<(String, String), Duration>,
    pub checks: Vec<CheckRow>,
    pub cleanups: Vec<CleanupRow>,
    logs: HashMap<(String, String), Vec<LogLine>>,
    log_bytes: usize,
    /// Trace lines not kept (over `HTML_LOGS_MAX`).
    pub logs_dropped: usize,
    pub summary: Option<Summary>,
}

impl RunModel {
    pub fn new(run: &RunInfo) -> RunModel {
        RunModel {
            suite: run.suite.clone(),
            env: run.env.clone(),
            shard: run.shard.clone(),
            started_at: run.started_at,
            groups: Vec::new(),
            started: HashMap::new(),
            checks: Vec::new(),
            cleanups: Vec::new(),
            logs: HashMap::new(),
            log_bytes: 0,
            logs_dropped: 0,
            summary: None,
        }
    }

    fn offset(&self, at: SystemTime) -> Duration {
        at.duration_since(self.started_at).unwrap_or_default()
    }

    /// Takes in `event`, which happened at `at`.
    pub fn add(&mut self, at: SystemTime, event: &Event<'_>) {
        let now = self.offset(at);
        match event {
            Event::Planned(checks) => {
                for (group, _) in checks.iter() {
                    if !self.groups.contains(group) {
                        self.groups.push(group.clone());
                    }
                }
            }
            Event::CheckStarted { group, check } => {
                self.started
                    .insert(((*group).to_owned(), (*check).to_owned()), now);
            }
            Event::CheckFinished(r) => {
                let key = (r.group.to_string(), r.check.to_string());
                let start = self
                    .started
                    .get(&key)
                    .copied()
                    .unwrap_or_else(|| now.saturating_sub(r.elapsed));
                if !self.groups.iter().any(|g| r.group == g.as_str()) {
                    self.groups.push(r.group.to_string());
                }
                self.checks.push(CheckRow {
                    record: (*r).clone(),
                    start,
                    end: now.max(start),
                });
            }
            Event::Log {
                group,
                check,
                level,
                message,
            } => {
                if self.log_bytes + message.len() > HTML_LOGS_MAX {
                    self.logs_dropped += 1;
                    return;
                }
                self.log_bytes += message.len();
                self.logs
                    .entry(((*group).to_owned(), (*check).to_owned()))
                    .or_default()
                    .push(LogLine {
                        level: (*level).to_owned(),
                        message: (*message).to_owned(),
                    });
            }
            Event::CleanupFinished(r) => self.cleanups.push(CleanupRow {
                record: (*r).clone(),
                start: now.saturating_sub(r.elapsed),
                end: now,
            }),
            Event::Finished(s) => self.summary = Some((*s).clone()),
        }
    }

    /// The trace lines of `check`, in the order they came.
    pub fn logs_of(&self, check: &CheckRecord) -> &[LogLine] {
        self.logs
            .get(&(check.group.to_string(), check.check.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The run's length: its summary's, or as far as its events reach.
    pub fn length(&self) -> Duration {
        let reached = self
            .checks
            .iter()
            .map(|c| c.end)
            .chain(self.cleanups.iter().map(|c| c.end))
            .max()
            .unwrap_or_default();
        self.summary
            .as_ref()
            .map_or(reached, |s| s.elapsed)
            .max(reached)
    }

    /// The checks on the critical path, as indexes into `checks`: from the
    /// check that ended last, back through the check that ended latest
    /// before each one started (within a few milliseconds) — the chain the
    /// run's time waited on.
    pub fn critical_path(&self) -> Vec<usize> {
        const SLACK: Duration = Duration::from_millis(5);
        let mut path = Vec::new();
        let Some(mut current) = (0..self.checks.len()).max_by_key(|&i| self.checks[i].end) else {
            return path;
        };
        loop {
            path.push(current);
            let begins = self.checks[current].start + SLACK;
            let before = (0..self.checks.len())
                // Ends fall strictly along the path, so it ends.
                .filter(|&i| self.checks[i].end <= begins)
                .filter(|&i| self.checks[i].end < self.checks[current].end)
                .max_by_key(|&i| self.checks[i].end);
            match before {
                Some(i) => current = i,
                None => break,
            }
        }
        path.reverse();
        path
    }

    /// The slowest check, as an index into `checks`.
    pub fn slowest(&self) -> Option<usize> {
        (0..self.checks.len()).max_by_key(|&i| self.checks[i].record.elapsed)
    }
}
