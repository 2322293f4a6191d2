//! The JSON form of the run's events: schema `plume.events/1`, one
//! [`JsonEvent`] a line. `--report json` writes it (`reports/json.rs`);
//! `plume report merge`, `plume report html` and the monitor's stored runs
//! read it back (`reports/merge/file.rs`) — one type for both directions, so
//! the writer and the reader cannot drift apart.
//!
//! Every line is an object with `"event"` and `"at"`, the moment it happened
//! as an RFC 3339 UTC timestamp with milliseconds
//! (`"2026-11-26T19:51:17.123Z"`), so any log pipeline can ingest it; every
//! duration is a whole number of milliseconds in a field ending `_ms`.
//!
//! | event | fields besides `event` and `at` |
//! |---|---|
//! | `run_started` | `schema` (`"plume.events/1"`, first line only), `suite`, `shard` (`"2/4"` under `--shard`, else null), `env` (the environment, or null), `plume_version`, `started_at` (when the run started), `checks` (planned `group.check` names, in order) |
//! | `check_started` | `group`, `check` |
//! | `check_finished` | `group`, `check`, `outcome` (`ok`/`err`/`skip`), `status` (number or null), `detail`, `duration_ms`, `attempts` (every attempt made, the last included: 1 unless `--retries` or the plugin asked again), `flaky` (passed after an `erred` attempt), `earlier` (the attempts before the last, oldest first, at most 32: `kind` (`erred`, or `pending` for a plugin's poll that did not hold yet), `status`, `detail`, `duration_ms`), `earlier_dropped` (the earlier attempts past those 32, counted: `erred`, `pending`) |
//! | `log` | `group`, `check`, `level` (`debug`/`info`/`warn`/`stdout`/`stderr`/`trace`), `message` |
//! | `cleanup_finished` | `label`, `outcome`, `status`, `detail`, `duration_ms` |
//! | `run_finished` | `passed`, `flaky` (of the passed), `failed`, `skipped`, `cleanups_ok`, `cleanups_failed`, `red`, `stopped` (null or why), `denied` (requests refused by the egress policy), `started_at`, `finished_at`, `duration_ms`, `exit_code` (what `plume run` exits with) |
//!
//! A check's place on a timeline is its `check_started` event's `at` to its
//! `check_finished` event's `at`; `env`, `plume_version` and `exit_code` were
//! added within `plume.events/1` (readers of older files do without them).
//!
//! Guarantees:
//! - a line's keys are written in byte order (the order of a
//!   [`serde_json::Map`]), so the same events always make the same bytes;
//! - strings hold no raw control characters (serde_json escapes C0, the
//!   ledger removed the rest) and U+2028, U+2029 and U+0085 are written as
//!   `\uXXXX`, so a JavaScript or YAML reader sees one event per line too;
//! - a reader ignores events and fields it does not know, and the fields a
//!   reader does without ([`JsonEvent`] marks them `default`) may be missing;
//!   a change that removes or retypes a field bumps the schema's version.
//!
//! What is read back is text from a file anyone may have edited: a reader
//! makes every text in it a safe line again before any sink gets it.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{AttemptKind, Dropped, Outcome};

/// The schema every `run_started` line names.
pub const SCHEMA: &str = "plume.events/1";

/// `time` as RFC 3339 in UTC with milliseconds: `2026-11-26T19:51:17.123Z`.
pub fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// `d` in whole milliseconds, as `_ms` fields hold it.
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One line of a `--report json` file. The writer borrows the run's texts;
/// the reader owns what it read (`JsonEvent<'static>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JsonEvent<'a> {
    RunStarted {
        #[serde(default)]
        at: Cow<'a, str>,
        schema: Cow<'a, str>,
        suite: Cow<'a, str>,
        #[serde(default)]
        shard: Option<Cow<'a, str>>,
        #[serde(default)]
        env: Option<Cow<'a, str>>,
        #[serde(default)]
        plume_version: Option<Cow<'a, str>>,
        started_at: Cow<'a, str>,
        /// Planned `group.check` names, in plan order.
        checks: Vec<String>,
    },
    CheckStarted {
        at: Cow<'a, str>,
        group: Cow<'a, str>,
        check: Cow<'a, str>,
    },
    CheckFinished {
        at: Cow<'a, str>,
        group: Cow<'a, str>,
        check: Cow<'a, str>,
        outcome: Outcome,
        status: Option<u16>,
        detail: Cow<'a, str>,
        duration_ms: u64,
        /// Every attempt made, the last included.
        #[serde(default)]
        attempts: usize,
        /// Passed after an `erred` attempt.
        #[serde(default)]
        flaky: bool,
        /// The attempts before the last one that were kept, oldest first.
        #[serde(default)]
        earlier: Vec<JsonAttempt<'a>>,
        /// The earlier attempts past the bound: counted, not kept.
        #[serde(default)]
        earlier_dropped: JsonDropped,
    },
    Log {
        at: Cow<'a, str>,
        group: Cow<'a, str>,
        check: Cow<'a, str>,
        level: Cow<'a, str>,
        message: Cow<'a, str>,
    },
    CleanupFinished {
        at: Cow<'a, str>,
        label: Cow<'a, str>,
        outcome: Outcome,
        status: Option<u16>,
        detail: Cow<'a, str>,
        duration_ms: u64,
    },
    RunFinished {
        #[serde(default)]
        at: Cow<'a, str>,
        #[serde(default)]
        passed: usize,
        #[serde(default)]
        flaky: usize,
        #[serde(default)]
        failed: usize,
        #[serde(default)]
        skipped: usize,
        #[serde(default)]
        cleanups_ok: usize,
        #[serde(default)]
        cleanups_failed: usize,
        #[serde(default)]
        red: Cow<'a, [String]>,
        stopped: Option<Cow<'a, str>>,
        denied: usize,
        #[serde(default)]
        started_at: Cow<'a, str>,
        finished_at: Cow<'a, str>,
        #[serde(default)]
        duration_ms: u64,
        #[serde(default)]
        exit_code: u8,
    },
    /// An event this version does not know (read only).
    #[serde(other)]
    Other,
}

/// An attempt at a check that did not pass before its last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonAttempt<'a> {
    /// `erred` when missing (files written before plugins reported attempts).
    #[serde(default)]
    pub kind: AttemptKind,
    pub status: Option<u16>,
    pub detail: Cow<'a, str>,
    pub duration_ms: u64,
}

/// Earlier attempts past the bound, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDropped {
    #[serde(default)]
    pub erred: usize,
    #[serde(default)]
    pub pending: usize,
}

impl From<Dropped> for JsonDropped {
    fn from(d: Dropped) -> Self {
        JsonDropped {
            erred: d.erred,
            pending: d.pending,
        }
    }
}

impl From<JsonDropped> for Dropped {
    fn from(d: JsonDropped) -> Self {
        Dropped {
            erred: d.erred,
            pending: d.pending,
        }
    }
}

impl JsonEvent<'_> {
    /// The event as one line of the file, without its line break: keys in
    /// byte order, the line breaks JavaScript and YAML see escaped.
    pub fn to_line(&self) -> String {
        // Through a `Value`: its map orders the keys, the tag among them. It
        // cannot fail: every key is a field's name, every value plain data.
        let value = serde_json::to_value(self).unwrap_or_default();
        crate::text::json_line_safe(&value.to_string()).into_owned()
    }

    /// One line of a file read back.
    pub fn from_line(line: &str) -> Result<JsonEvent<'static>, serde_json::Error> {
        serde_json::from_str(line)
    }
}
