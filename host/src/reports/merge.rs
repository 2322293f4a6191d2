//! `plume report merge`: the JSON events of a sharded run's shards read back
//! and replayed, in time order, into the same report writers a run feeds.
//!
//! The files must be either one whole run or every shard `1/N`..`N/N` of one
//! suite, each once: a missing or repeated shard, shards of different counts
//! or suites, a check reported by two files, a file cut short (no
//! `run_finished`, a planned check without its outcome) or a line that is not
//! an event of `plume.events/1` is bad input, one line naming the file. A
//! merge that silently lacked a shard would report its failures as green.
//!
//! Counts, red names and the checks' records come from the events; the
//! merged run started when the earliest shard started and ended when the
//! latest ended; `denied` adds up; each shard's `stopped` is kept, prefixed
//! with its shard.

mod file;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::{Clock, ReportSpec, RunInfo};
use crate::error::PlumeError;
use crate::events::{Event, Outcome, OwnedEvent, Sink, Summary};
use file::{EventFile, detail, text_shown};

/// The files of one run, checked to fit together.
pub struct Merged {
    files: Vec<EventFile>,
}

fn set_error(message: String) -> PlumeError {
    PlumeError::BadMerge { message }
}

impl Merged {
    /// Reads `paths` and checks they are one whole run or every shard of one.
    pub fn read(paths: &[PathBuf]) -> Result<Merged, PlumeError> {
        let files = paths
            .iter()
            .map(|p| EventFile::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        Merged::check(files)
    }

    /// One run's events held in memory (the monitor's stored runs); `name`
    /// names them in messages.
    pub fn from_text(name: &Path, text: &str) -> Result<Merged, PlumeError> {
        Merged::check(vec![EventFile::parse(name, text)?])
    }

    fn check(mut files: Vec<EventFile>) -> Result<Merged, PlumeError> {
        let Some(first) = files.first() else {
            return Err(set_error("give at least one events file".to_owned()));
        };
        if let Some(other) = files.iter().find(|f| f.suite != first.suite) {
            return Err(set_error(format!(
                "{} is of suite `{}` and {} of suite `{}`: merge the shards of one suite",
                first.path.display(),
                text_shown(&first.suite),
                other.path.display(),
                text_shown(&other.suite)
            )));
        }
        match (files.len(), first.shard) {
            (1, None) => {}
            (_, None) => {
                return Err(set_error(format!(
                    "{} is a whole run, not a shard (no --shard): merge the shards of one sharded run",
                    first.path.display()
                )));
            }
            (_, Some((_, count))) => {
                let mut by_index: Vec<Option<&EventFile>> = vec![None; count];
                for f in &files {
                    let Some((k, _)) = f.shard.filter(|(_, n)| *n == count) else {
                        return Err(set_error(format!(
                            "{} is {} and {} is {}: merge the shards of one run",
                            first.path.display(),
                            first.shard_name(),
                            f.path.display(),
                            f.shard_name()
                        )));
                    };
                    if let Some(seen) = by_index[k - 1].replace(f) {
                        return Err(set_error(format!(
                            "shard {k}/{count} is given twice ({} and {}): give each shard once",
                            seen.path.display(),
                            f.path.display()
                        )));
                    }
                }
                let missing: Vec<String> = (1..=count)
                    .filter(|k| by_index[k - 1].is_none())
                    .map(|k| format!("{k}/{count}"))
                    .collect();
                if !missing.is_empty() {
                    return Err(set_error(format!(
                        "{} {} missing: give the events of every shard, 1/{count} to {count}/{count}",
                        if missing.len() == 1 {
                            "shard"
                        } else {
                            "shards"
                        },
                        missing.join(", ")
                    )));
                }
            }
        }
        files.sort_by_key(|f| f.shard);
        let mut owner: HashMap<&(String, String), &Path> = HashMap::new();
        for f in &files {
            for pair in &f.planned {
                if let Some(other) = owner.insert(pair, &f.path) {
                    return Err(set_error(format!(
                        "check {}.{} is in both {} and {}: were the shards run with the same suite, --only and --skip?",
                        text_shown(&pair.0),
                        text_shown(&pair.1),
                        other.display(),
                        f.path.display()
                    )));
                }
            }
        }
        Ok(Merged { files })
    }

    /// Replays the merged events, in time order (each file's own order
    /// kept), into `printer` and the reports `specs` asks for; returns the
    /// merged totals.
    pub fn replay(
        &self,
        printer: Box<dyn Sink>,
        specs: &[ReportSpec],
    ) -> Result<Summary, PlumeError> {
        self.replay_with(|info| {
            let mut sinks = vec![printer];
            sinks.extend(super::sinks(specs, info)?);
            Ok(sinks)
        })
    }

    /// Replays the merged events into the sinks `sinks` makes for the merged run.
    pub fn replay_with(
        &self,
        sinks: impl FnOnce(&RunInfo) -> Result<Vec<Box<dyn Sink>>, PlumeError>,
    ) -> Result<Summary, PlumeError> {
        let started_at = self
            .files
            .iter()
            .map(|f| f.started_at)
            .min()
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let finished_at = self
            .files
            .iter()
            .map(|f| f.finished_at)
            .max()
            .unwrap_or(started_at);
        let now = Arc::new(Mutex::new(started_at));
        let clock: Clock = {
            let now = now.clone();
            Arc::new(move || *now.lock().unwrap_or_else(|p| p.into_inner()))
        };
        let info = RunInfo {
            suite: self.files[0].suite.clone(),
            shard: None,
            env: self.files[0].env.clone(),
            started_at,
            clock,
        };
        let mut sinks = sinks(&info)?;
        let mut emit = |at: SystemTime, event: &Event<'_>| {
            *now.lock().unwrap_or_else(|p| p.into_inner()) = at;
            for sink in &mut sinks {
                sink.event(event);
            }
        };
        let planned: Vec<(String, String)> = self
            .files
            .iter()
            .flat_map(|f| f.planned.iter().cloned())
            .collect();
        emit(started_at, &Event::Planned(&planned));

        let mut summary = Summary::default();
        let mut next: Vec<usize> = vec![0; self.files.len()];
        // The earliest head of the files: a k-way merge that keeps each file's order.
        while let Some(i) = (0..self.files.len())
            .filter(|&i| next[i] < self.files[i].events.len())
            .min_by_key(|&i| self.files[i].events[next[i]].0)
        {
            let (at, replay) = &self.files[i].events[next[i]];
            next[i] += 1;
            match replay {
                OwnedEvent::CheckFinished(r) => {
                    summary.flaky += usize::from(r.flaky());
                    match r.outcome {
                        Outcome::Ok => summary.passed += 1,
                        Outcome::Skip => summary.skipped += 1,
                        Outcome::Err => {
                            summary.failed += 1;
                            summary.red.push(r.name());
                        }
                    }
                }
                OwnedEvent::CleanupFinished(r) => {
                    if r.outcome == Outcome::Err {
                        summary.cleanups_failed += 1;
                        summary.red.push(format!("cleanup.{}", r.label));
                    } else {
                        summary.cleanups_ok += 1;
                    }
                }
                _ => {}
            }
            emit(*at, &replay.as_event());
        }
        summary.denied = self.files.iter().map(|f| f.denied).sum();
        let stopped: Vec<String> = self
            .files
            .iter()
            .filter_map(|f| Some(format!("{}: {}", f.shard_name(), f.stopped.as_ref()?)))
            .collect();
        summary.stopped = (!stopped.is_empty()).then(|| detail(&stopped.join("; ")));
        summary.elapsed = finished_at.duration_since(started_at).unwrap_or_default();
        emit(finished_at, &Event::Finished(&summary));
        Ok(summary)
    }
}
