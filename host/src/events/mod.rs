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

pub use results::{
    AttemptKind, CheckRecord, CleanupRecord, Dropped, Earlier, FailedAttempt, Outcome, Summary,
};

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

/// An [`Event`] that owns what it tells: one read back from a file
/// (`plume report merge`), or one kept to be told again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedEvent {
    Planned(Vec<(String, String)>),
    CheckStarted {
        group: String,
        check: String,
    },
    CheckFinished(CheckRecord),
    Log {
        group: String,
        check: String,
        level: String,
        message: String,
    },
    CleanupFinished(CleanupRecord),
    Finished(Summary),
}

impl OwnedEvent {
    /// A copy of `event`.
    pub fn of(event: &Event<'_>) -> OwnedEvent {
        match *event {
            Event::Planned(checks) => OwnedEvent::Planned(checks.to_vec()),
            Event::CheckStarted { group, check } => OwnedEvent::CheckStarted {
                group: group.to_owned(),
                check: check.to_owned(),
            },
            Event::CheckFinished(r) => OwnedEvent::CheckFinished(r.clone()),
            Event::Log {
                group,
                check,
                level,
                message,
            } => OwnedEvent::Log {
                group: group.to_owned(),
                check: check.to_owned(),
                level: level.to_owned(),
                message: message.to_owned(),
            },
            Event::CleanupFinished(r) => OwnedEvent::CleanupFinished(r.clone()),
            Event::Finished(s) => OwnedEvent::Finished(s.clone()),
        }
    }

    /// The event, as sinks take it.
    pub fn as_event(&self) -> Event<'_> {
        match self {
            OwnedEvent::Planned(checks) => Event::Planned(checks),
            OwnedEvent::CheckStarted { group, check } => Event::CheckStarted { group, check },
            OwnedEvent::CheckFinished(r) => Event::CheckFinished(r),
            OwnedEvent::Log {
                group,
                check,
                level,
                message,
            } => Event::Log {
                group,
                check,
                level,
                message,
            },
            OwnedEvent::CleanupFinished(r) => Event::CleanupFinished(r),
            OwnedEvent::Finished(s) => Event::Finished(s),
        }
    }
}

/// Somewhere events go: the terminal, a report file.
///
/// Every text in an event has been redacted and made one safe line by the
/// ledger; a sink only escapes it for its own format.
pub trait Sink: Send {
    fn event(&mut self, event: &Event<'_>);

    /// Whether it does anything with [`Event::Log`]: when no sink of a run
    /// does, the run builds no log or trace line at all (they are a
    /// plugin's own lines and the exchanges' traces: a few per check).
    fn wants_logs(&self) -> bool {
        true
    }

    /// What it is, for the message if it fails: `the terminal`, `the json report`.
    fn name(&self) -> &'static str {
        "an output"
    }

    /// Called a few times a second with the checks still running and for how
    /// long, for a live indicator; most sinks ignore it.
    fn tick(&mut self, _running: &[(String, Duration)]) {}
}
