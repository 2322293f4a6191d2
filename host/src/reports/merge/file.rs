//! One `--report json` file read back for `plume report merge`: every line an
//! event of `plume.events/1`, starting with `run_started`, ending with
//! `run_finished`, every planned check with exactly one outcome; anything
//! else is bad input naming the file (and the line). A file may have been
//! edited since plume wrote it (or written by anyone), so every text in it —
//! names, details, log lines, the suite's name, why the run stopped — is made
//! a [`SafeLine`] again before any sink gets it: redacted with the secrets
//! this process knows, one line, bounded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::PlumeError;
use crate::events::json::{JsonEvent, SCHEMA};
use crate::events::{CheckRecord, CleanupRecord, Earlier, FailedAttempt, OwnedEvent};
use crate::redact::SafeLine;

/// One file of events, read and checked.
pub(super) struct EventFile {
    pub(super) path: PathBuf,
    pub(super) suite: String,
    /// `(K, N)`.
    pub(super) shard: Option<(usize, usize)>,
    /// The environment, as `run_started` names it (one safe line).
    pub(super) env: Option<String>,
    pub(super) started_at: SystemTime,
    pub(super) finished_at: SystemTime,
    /// Planned checks as `run_started` names them (`group.check`).
    pub(super) planned_names: Vec<String>,
    /// Planned checks as `(group, check)`, in plan order.
    pub(super) planned: Vec<(String, String)>,
    pub(super) events: Vec<(SystemTime, OwnedEvent)>,
    pub(super) denied: usize,
    pub(super) stopped: Option<SafeLine>,
}

fn bad(path: &Path, message: impl Into<String>) -> PlumeError {
    PlumeError::BadEvents {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn time(path: &Path, line: usize, text: &str) -> Result<SystemTime, PlumeError> {
    humantime::parse_rfc3339_weak(text).map_err(|e| {
        bad(
            path,
            format!(
                "line {line}: `{}` is not an RFC 3339 time ({e})",
                text_shown(text)
            ),
        )
    })
}

pub(super) fn text_shown(text: &str) -> String {
    crate::text::shown(text, 64)
}

/// Room for the note a cut text ends with, past its limit.
const NOTE_ROOM: usize = 64;

/// A name or a label from a file, as sinks get it: one safe line.
fn name(text: &str) -> SafeLine {
    crate::console::redactor().line(text, crate::limits::LABEL_MAX + NOTE_ROOM)
}

/// A planned `group.check` from a file, made safe as its two names are.
fn planned_name(text: &str) -> String {
    crate::console::redactor()
        .line(text, 2 * (crate::limits::LABEL_MAX + NOTE_ROOM) + 1)
        .into_string()
}

/// A detail or a log message from a file, as sinks get it: one safe line.
pub(super) fn detail(text: &str) -> SafeLine {
    crate::console::redactor().line(text, crate::limits::DETAIL_MAX + NOTE_ROOM)
}

/// `K/N` of a `shard` field.
fn shard_of(path: &Path, text: &str) -> Result<(usize, usize), PlumeError> {
    let parsed = text.split_once('/').and_then(|(k, n)| {
        let (k, n) = (k.parse::<usize>().ok()?, n.parse::<usize>().ok()?);
        (1..=n).contains(&k).then_some((k, n))
    });
    parsed.ok_or_else(|| bad(path, format!("shard `{}` is not K/N", text_shown(text))))
}

impl EventFile {
    pub(super) fn read(path: &Path) -> Result<EventFile, PlumeError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad(path, format!("cannot read the events: {e}")))?;
        EventFile::parse(path, &text)
    }

    /// The events `text` holds; `path` names them in messages.
    pub(super) fn parse(path: &Path, text: &str) -> Result<EventFile, PlumeError> {
        let mut file: Option<EventFile> = None;
        let mut finished = false;
        for (n, raw) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let number = n + 1;
            let line = JsonEvent::from_line(raw).map_err(|e| {
                bad(path, format!("line {number} is not a plume event ({e}); give the files `--report json=FILE` wrote"))
            })?;
            let Some(run) = file.as_mut() else {
                let JsonEvent::RunStarted {
                    schema,
                    suite,
                    shard,
                    env,
                    started_at,
                    checks,
                    ..
                } = line
                else {
                    return Err(bad(
                        path,
                        format!(
                            "line {number}: the events do not start with run_started; give the files `--report json=FILE` wrote"
                        ),
                    ));
                };
                if schema != SCHEMA {
                    return Err(bad(
                        path,
                        format!(
                            "events of schema `{}`; this plume reads {}",
                            text_shown(&schema),
                            SCHEMA
                        ),
                    ));
                }
                let started_at = time(path, number, &started_at)?;
                file = Some(EventFile {
                    path: path.to_owned(),
                    suite: name(&suite).into_string(),
                    shard: shard.map(|s| shard_of(path, &s)).transpose()?,
                    env: env.map(|e| name(&e).into_string()),
                    started_at,
                    finished_at: started_at,
                    planned_names: checks.iter().map(|c| planned_name(c)).collect(),
                    // Filled from the checks' own events below: a name may hold dots.
                    planned: Vec::new(),
                    events: Vec::new(),
                    denied: 0,
                    stopped: None,
                });
                continue;
            };
            if finished {
                continue;
            }
            let (at, replay) = match line {
                JsonEvent::RunStarted { .. } => {
                    return Err(bad(
                        path,
                        format!(
                            "line {number}: a second run_started; give one run's events per file"
                        ),
                    ));
                }
                JsonEvent::Other => continue,
                JsonEvent::RunFinished {
                    denied,
                    stopped,
                    finished_at,
                    ..
                } => {
                    run.finished_at = time(path, number, &finished_at)?;
                    run.denied = denied;
                    run.stopped = stopped.as_deref().map(detail);
                    finished = true;
                    continue;
                }
                JsonEvent::CheckStarted { at, group, check } => (
                    at,
                    OwnedEvent::CheckStarted {
                        group: name(&group).into_string(),
                        check: name(&check).into_string(),
                    },
                ),
                JsonEvent::CheckFinished {
                    at,
                    group,
                    check,
                    outcome,
                    status,
                    detail: text,
                    duration_ms,
                    earlier,
                    earlier_dropped,
                    ..
                } => (
                    at,
                    OwnedEvent::CheckFinished(CheckRecord {
                        group: name(&group),
                        check: name(&check),
                        outcome,
                        status,
                        elapsed: Duration::from_millis(duration_ms),
                        detail: detail(&text),
                        earlier: Earlier::from_parts(
                            earlier
                                .into_iter()
                                .map(|a| FailedAttempt {
                                    kind: a.kind,
                                    status: a.status,
                                    detail: detail(&a.detail),
                                    elapsed: Duration::from_millis(a.duration_ms),
                                })
                                .collect(),
                            earlier_dropped.into(),
                        ),
                    }),
                ),
                JsonEvent::Log {
                    at,
                    group,
                    check,
                    level,
                    message,
                } => (
                    at,
                    OwnedEvent::Log {
                        group: name(&group).into_string(),
                        check: name(&check).into_string(),
                        level: name(&level).into_string(),
                        message: detail(&message).into_string(),
                    },
                ),
                JsonEvent::CleanupFinished {
                    at,
                    label,
                    outcome,
                    status,
                    detail: text,
                    duration_ms,
                } => (
                    at,
                    OwnedEvent::CleanupFinished(CleanupRecord {
                        label: name(&label),
                        outcome,
                        status,
                        elapsed: Duration::from_millis(duration_ms),
                        detail: detail(&text),
                    }),
                ),
            };
            run.events.push((time(path, number, &at)?, replay));
        }
        let Some(mut run) = file else {
            return Err(bad(
                path,
                "holds no events; give the files `--report json=FILE` wrote",
            ));
        };
        if !finished {
            return Err(bad(
                path,
                "has no run_finished event: that run was cut short; run it again",
            ));
        }
        run.split_planned()?;
        Ok(run)
    }

    /// Turns the planned `group.check` names into pairs, from the checks'
    /// outcomes; every planned check must have exactly one.
    fn split_planned(&mut self) -> Result<(), PlumeError> {
        let mut finished: HashMap<String, (String, String)> = HashMap::new();
        for (_, event) in &self.events {
            if let OwnedEvent::CheckFinished(r) = event
                && finished
                    .insert(r.name(), (r.group.to_string(), r.check.to_string()))
                    .is_some()
            {
                return Err(bad(
                    &self.path,
                    format!("check {} has two outcomes", text_shown(&r.name())),
                ));
            }
        }
        for name in &self.planned_names {
            let Some(pair) = finished.remove(name.as_str()) else {
                return Err(bad(
                    &self.path,
                    format!(
                        "check {} was planned but has no outcome: the file is cut short",
                        text_shown(name)
                    ),
                ));
            };
            self.planned.push(pair);
        }
        if let Some(name) = finished.keys().next() {
            return Err(bad(
                &self.path,
                format!(
                    "check {} has an outcome but was not planned",
                    text_shown(name)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn shard_name(&self) -> String {
        self.shard
            .map_or_else(|| "whole run".to_owned(), |(k, n)| format!("shard {k}/{n}"))
    }
}
