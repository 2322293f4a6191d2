//! What a run tells its outputs, in one place: the [`Event`]s the ledger
//! emits as checks land, the [`Sink`]s that take them (the terminal, every
//! report, the monitor's collector), the results they carry ([`results`]),
//! and their JSON form ([`json`]), the one type `--report json` writes and
//! `plume report merge`, `plume report html` and the monitor read back.
//!
//! Guarantees:
//! - every text in an event is a [`SafeLine`](crate::redact::SafeLine) or
//!   was made from one by the ledger (or, for events read back from a file,
//!   by the reader): secrets redacted, one line, bounded; a sink only
//!   escapes it for its own format;
//! - the ledger tells its sinks the plan first (`Planned`), a check's
//!   outcome never twice (`CheckFinished`; a stopped run gives each check
//!   still open one), and the totals once when the run closes (`Finished`)
//!   — after the ceiling, a signal or a crashed plugin too.

pub mod json;
pub mod results;

use std::time::Duration;

pub use results::{CheckRecord, CleanupRecord, FailedAttempt, Outcome, Summary};

/// What a sink is told, as it happens.
#[derive(Debug)]
pub enum Event<'a> {
    /// Every check that will be reported, in plan order.
    Planned(&'a [(String, String)]),
    CheckStarted {
        group: &'a str,
        check: &'a str,
    },
    CheckFinished(&'a CheckRecord),
    Log {
        group: &'a str,
        check: &'a str,
        level: &'a str,
        message: &'a str,
    },
    CleanupFinished(&'a CleanupRecord),
    Finished(&'a Summary),
}

/// Somewhere events go: the terminal, a report file.
///
/// Every text in an event has been redacted and made one safe line by the
/// ledger; a sink only escapes it for its own format.
pub trait Sink: Send {
    fn event(&mut self, event: &Event<'_>);

    /// What it is, for the message if it fails: `the terminal`, `the json report`.
    fn name(&self) -> &'static str {
        "an output"
    }

    /// Called a few times a second with the checks still running and for how
    /// long, for a live indicator; most sinks ignore it.
    fn tick(&mut self, _running: &[(String, Duration)]) {}
}
