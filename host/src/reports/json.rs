//! `--report json`: the run's events written as they happen, one
//! [`JsonEvent`] a line, flushed after each (schema `plume.events/1`, which
//! [`crate::events::json`] documents). `plume report merge` reads them back
//! ([`super::merge`]).

use std::borrow::Cow;
use std::io::Write;

use super::{Out, RunInfo};
use crate::events::json::{JsonAttempt, JsonEvent, SCHEMA, millis, timestamp};
use crate::events::{Event, Sink};

pub struct JsonEvents {
    out: Out,
    run: RunInfo,
}

impl JsonEvents {
    pub fn new(out: Out, run: RunInfo) -> Self {
        JsonEvents { out, run }
    }
}

/// `event`, which happened at `at` in the run `run`, as its JSON line holds it.
pub fn json_event<'a>(run: &'a RunInfo, at: String, event: &Event<'a>) -> JsonEvent<'a> {
    let at = Cow::Owned(at);
    match *event {
        Event::Planned(checks) => JsonEvent::RunStarted {
            at,
            schema: SCHEMA.into(),
            suite: run.suite.as_str().into(),
            shard: run.shard.as_deref().map(Cow::Borrowed),
            env: run.env.as_deref().map(Cow::Borrowed),
            plume_version: Some(env!("CARGO_PKG_VERSION").into()),
            started_at: timestamp(run.started_at).into(),
            checks: checks.iter().map(|(g, c)| format!("{g}.{c}")).collect(),
        },
        Event::CheckStarted { group, check } => JsonEvent::CheckStarted {
            at,
            group: group.into(),
            check: check.into(),
        },
        Event::CheckFinished(r) => JsonEvent::CheckFinished {
            at,
            group: r.group.as_str().into(),
            check: r.check.as_str().into(),
            outcome: r.outcome,
            status: r.status,
            detail: r.detail.as_str().into(),
            duration_ms: millis(r.elapsed),
            attempts: r.attempts(),
            flaky: r.flaky(),
            earlier: r
                .earlier
                .iter()
                .map(|a| JsonAttempt {
                    kind: a.kind,
                    status: a.status,
                    detail: a.detail.as_str().into(),
                    duration_ms: millis(a.elapsed),
                })
                .collect(),
            earlier_dropped: r.earlier.dropped().into(),
        },
        Event::Log {
            group,
            check,
            level,
            message,
        } => JsonEvent::Log {
            at,
            group: group.into(),
            check: check.into(),
            level: level.into(),
            message: message.into(),
        },
        Event::CleanupFinished(r) => JsonEvent::CleanupFinished {
            at,
            label: r.label.as_str().into(),
            outcome: r.outcome,
            status: r.status,
            detail: r.detail.as_str().into(),
            duration_ms: millis(r.elapsed),
        },
        Event::Finished(s) => JsonEvent::RunFinished {
            at,
            passed: s.passed,
            flaky: s.flaky,
            failed: s.failed,
            skipped: s.skipped,
            cleanups_ok: s.cleanups_ok,
            cleanups_failed: s.cleanups_failed,
            red: s.red.as_slice().into(),
            stopped: s.stopped.as_deref().map(Cow::Borrowed),
            denied: s.denied,
            started_at: timestamp(run.started_at).into(),
            finished_at: timestamp(
                run.started_at
                    .checked_add(s.elapsed)
                    .unwrap_or(run.started_at),
            )
            .into(),
            duration_ms: millis(s.elapsed),
            exit_code: super::exit_code(s),
        },
    }
}

impl Sink for JsonEvents {
    fn name(&self) -> &'static str {
        "the json report"
    }

    fn event(&mut self, event: &Event<'_>) {
        let at = timestamp((self.run.clock)());
        let line = json_event(&self.run, at, event).to_line();
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests;
