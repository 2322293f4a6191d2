//! What a run's results are made of: how a check or cleanup ended, each
//! one's record (with the attempts a retry made), and the totals at the end.
//! The ledger fills them; the sinks read them. Every text in them is a
//! [`SafeLine`]: only the redactor makes one, so a record cannot carry text
//! that skipped it (a report merge's event file included).

use std::time::Duration;

use crate::redact::SafeLine;

/// How a check or a cleanup ended; in JSON, its [`Outcome::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Err,
    Skip,
}

impl Outcome {
    /// `ok`, `err` or `skip`: the name reports and metrics give it.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Err => "err",
            Outcome::Skip => "skip",
        }
    }

    /// The bracketed tag of a line: `[ok  ]`, `[err ]`, `[skip]`.
    pub fn tag(self) -> &'static str {
        match self {
            Outcome::Ok => "ok  ",
            Outcome::Err => "err ",
            Outcome::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRecord {
    pub group: SafeLine,
    pub check: SafeLine,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub detail: SafeLine,
    /// From the first attempt's start to the last one's end.
    pub elapsed: Duration,
    /// The attempts that erred before the one recorded (`--retries`), oldest first.
    pub earlier: Vec<FailedAttempt>,
}

impl CheckRecord {
    pub fn name(&self) -> String {
        format!("{}.{}", self.group, self.check)
    }

    /// Attempts made, the recorded one included.
    pub fn attempts(&self) -> usize {
        self.earlier.len() + 1
    }

    /// Passed, but only after an attempt erred.
    pub fn flaky(&self) -> bool {
        self.outcome == Outcome::Ok && !self.earlier.is_empty()
    }
}

/// An attempt at a check that erred and was tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAttempt {
    pub status: Option<u16>,
    pub detail: SafeLine,
    pub elapsed: Duration,
}

/// One deferred cleanup's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanupRecord {
    pub label: SafeLine,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub detail: SafeLine,
    pub elapsed: Duration,
}

/// Totals at the end of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    /// Of the passed, those that passed only on a retry.
    pub flaky: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cleanups_ok: usize,
    pub cleanups_failed: usize,
    /// Requests the egress policy refused.
    pub denied: usize,
    /// Names of the red checks and cleanups, in landing order.
    pub red: Vec<String>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<SafeLine>,
    pub elapsed: Duration,
}

impl Summary {
    /// Green: no check or cleanup erred and nothing stopped the run early.
    pub fn is_green(&self) -> bool {
        self.failed + self.cleanups_failed == 0 && self.stopped.is_none()
    }

    /// `47 passed, 0 failed, 2 skipped in 0.73s; cleanups: 4 ok, 0 failed`,
    /// with the denied requests when there were any.
    pub fn headline(&self) -> String {
        let flaky = match self.flaky {
            0 => String::new(),
            n => format!(" ({n} flaky)"),
        };
        let mut line = format!(
            "{} passed{flaky}, {} failed, {} skipped in {:.2}s",
            self.passed,
            self.failed,
            self.skipped,
            self.elapsed.as_secs_f64()
        );
        if self.cleanups_ok + self.cleanups_failed > 0 {
            line.push_str(&format!(
                "; cleanups: {} ok, {} failed",
                self.cleanups_ok, self.cleanups_failed
            ));
        }
        if self.denied > 0 {
            line.push_str(&format!(
                "; {} request(s) denied by allow-hosts",
                self.denied
            ));
        }
        line
    }
}
