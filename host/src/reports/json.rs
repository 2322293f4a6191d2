//! `--report json`: newline-delimited JSON events, written as they happen.
//!
//! Schema `plume.events/1`. Every line is an object with `"event"` and `"at"`,
//! the moment it happened as an RFC 3339 UTC timestamp with milliseconds
//! (`"2026-11-26T19:51:17.123Z"`), so any log pipeline can ingest it; every
//! duration is a whole number of milliseconds in a field ending `_ms`.
//!
//! | event | fields besides `event` and `at` |
//! |---|---|
//! | `run_started` | `schema` (`"plume.events/1"`, first line only), `suite`, `shard` (`"2/4"` under `--shard`, else null), `env` (the environment, or null), `plume_version`, `started_at` (when the run started), `checks` (planned `group.check` names, in order) |
//! | `check_started` | `group`, `check` |
//! | `check_finished` | `group`, `check`, `outcome` (`ok`/`err`/`skip`), `status` (number or null), `detail`, `duration_ms`, `attempts` (1 unless retried), `flaky` (passed on a retry), `earlier` (the attempts that erred before: `status`, `detail`, `duration_ms`) |
//! | `log` | `group`, `check`, `level` (`debug`/`info`/`warn`/`stdout`/`stderr`/`trace`), `message` |
//! | `cleanup_finished` | `label`, `outcome`, `status`, `detail`, `duration_ms` |
//! | `run_finished` | `passed`, `flaky` (of the passed), `failed`, `skipped`, `cleanups_ok`, `cleanups_failed`, `red`, `stopped` (null or why), `denied` (requests refused by the egress policy), `started_at`, `finished_at`, `duration_ms`, `exit_code` (what `plume run` exits with) |
//!
//! A check's place on a timeline is its `check_started` event's `at` to its
//! `check_finished` event's `at`; `env`, `plume_version` and `exit_code` were
//! added within `plume.events/1` (readers of older files do without them).
//!
//! A consumer should ignore fields it does not know; a change that removes
//! or retypes a field bumps the schema's version. `plume report merge` reads
//! these events back ([`super::merge`]).
//!
//! Strings hold no raw control characters (serde_json escapes C0, the ledger
//! removed the rest) and U+2028, U+2029 and U+0085 are written as `\uXXXX`,
//! so a JavaScript or YAML reader sees one event per line too.

use std::io::Write;
use std::time::SystemTime;

use serde_json::{Value, json};

use super::{Out, RunInfo};
use crate::record::ledger::{Event, Outcome, Sink};
use crate::text::json_line_safe;

pub const SCHEMA: &str = "plume.events/1";

pub struct JsonEvents {
    out: Out,
    run: RunInfo,
}

/// `time` as RFC 3339 in UTC with milliseconds: `2026-11-26T19:51:17.123Z`.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

impl JsonEvents {
    pub fn new(out: Out, run: RunInfo) -> Self {
        JsonEvents { out, run }
    }

    fn write(&mut self, mut value: Value) {
        if let Value::Object(fields) = &mut value {
            fields.insert("at".to_owned(), timestamp((self.run.clock)()).into());
        }
        let _ = writeln!(self.out, "{}", json_line_safe(&value.to_string()));
        let _ = self.out.flush();
    }
}

pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Err => "err",
        Outcome::Skip => "skip",
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Sink for JsonEvents {
    fn name(&self) -> &'static str {
        "the json report"
    }

    fn event(&mut self, event: &Event<'_>) {
        let value = match event {
            Event::Planned(checks) => json!({
                "event": "run_started",
                "schema": SCHEMA,
                "suite": self.run.suite,
                "shard": self.run.shard,
                "env": self.run.env,
                "plume_version": env!("CARGO_PKG_VERSION"),
                "started_at": timestamp(self.run.started_at),
                "checks": checks.iter().map(|(g, c)| format!("{g}.{c}")).collect::<Vec<_>>(),
            }),
            Event::CheckStarted { group, check } => {
                json!({"event": "check_started", "group": group, "check": check})
            }
            Event::CheckFinished(r) => json!({
                "event": "check_finished",
                "group": r.group,
                "check": r.check,
                "outcome": outcome_name(r.outcome),
                "status": r.status,
                "detail": r.detail,
                "duration_ms": millis(r.elapsed),
                "attempts": r.attempts(),
                "flaky": r.flaky(),
                "earlier": r.earlier.iter().map(|a| json!({
                    "status": a.status,
                    "detail": a.detail,
                    "duration_ms": millis(a.elapsed),
                })).collect::<Vec<_>>(),
            }),
            Event::Log {
                group,
                check,
                level,
                message,
            } => {
                json!({"event": "log", "group": group, "check": check, "level": level, "message": message})
            }
            Event::CleanupFinished(r) => json!({
                "event": "cleanup_finished",
                "label": r.label,
                "outcome": outcome_name(r.outcome),
                "status": r.status,
                "detail": r.detail,
                "duration_ms": millis(r.elapsed),
            }),
            Event::Finished(s) => json!({
                "event": "run_finished",
                "passed": s.passed,
                "flaky": s.flaky,
                "failed": s.failed,
                "skipped": s.skipped,
                "cleanups_ok": s.cleanups_ok,
                "cleanups_failed": s.cleanups_failed,
                "red": s.red,
                "stopped": s.stopped,
                "denied": s.denied,
                "started_at": timestamp(self.run.started_at),
                "finished_at": timestamp(
                    self.run.started_at.checked_add(s.elapsed).unwrap_or(self.run.started_at)
                ),
                "duration_ms": millis(s.elapsed),
                "exit_code": super::exit_code(s),
            }),
        };
        self.write(value);
    }
}
