//! What a run's results are made of: how a check or cleanup ended, each
//! one's record (with the attempts made before its last one: by `--retries`
//! or by the plugin itself), and the totals at the end.
//! The ledger fills them; the sinks read them. Every text in them is a
//! [`SafeLine`]: only the redactor makes one, so a record cannot carry text
//! that skipped it (a report merge's event file included).

use std::time::Duration;

use crate::limits::EARLIER_ATTEMPTS_MAX;
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
    /// The attempts that did not pass before the one recorded, oldest
    /// first: those `--retries` made and those the plugin reported.
    pub earlier: Earlier,
}

impl CheckRecord {
    pub fn name(&self) -> String {
        format!("{}.{}", self.group, self.check)
    }

    /// Attempts made, the recorded one included (those past the bound too).
    pub fn attempts(&self) -> usize {
        self.earlier.count() + 1
    }

    /// Passed, but only after an attempt erred (a `pending` one does not count).
    pub fn flaky(&self) -> bool {
        self.outcome == Outcome::Ok && self.earlier.erred() > 0
    }
}

/// How an attempt that did not pass counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AttemptKind {
    /// A failure asked past (`--retries`, a plugin's retry): a check that
    /// passes after one is flaky.
    #[default]
    Erred,
    /// A question that did not hold yet while a change settled (a plugin
    /// polling for eventual consistency): counted, never flaky.
    Pending,
}

/// An attempt at a check that did not pass and was tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAttempt {
    pub kind: AttemptKind,
    pub status: Option<u16>,
    pub detail: SafeLine,
    pub elapsed: Duration,
}

/// A check's earlier attempts: the first [`EARLIER_ATTEMPTS_MAX`] kept,
/// oldest first, the rest counted by kind. It reads as the slice of the
/// kept ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Earlier {
    kept: Vec<FailedAttempt>,
    dropped: Dropped,
}

/// Earlier attempts past the bound, counted by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub erred: usize,
    pub pending: usize,
}

impl Dropped {
    pub fn total(&self) -> usize {
        self.erred + self.pending
    }

    /// Counts one attempt of `kind`.
    fn add(&mut self, kind: AttemptKind) {
        match kind {
            AttemptKind::Erred => self.erred += 1,
            AttemptKind::Pending => self.pending += 1,
        }
    }
}

impl Earlier {
    /// `kept` (already within the bound) and the attempts counted past it:
    /// what a report file read back holds.
    pub fn from_parts(mut kept: Vec<FailedAttempt>, mut dropped: Dropped) -> Self {
        for a in kept.drain(EARLIER_ATTEMPTS_MAX.min(kept.len())..) {
            dropped.add(a.kind);
        }
        Earlier { kept, dropped }
    }

    /// Adds the latest attempt: kept while under the bound, else counted.
    pub fn push(&mut self, attempt: FailedAttempt) {
        if self.kept.len() < EARLIER_ATTEMPTS_MAX {
            self.kept.push(attempt);
        } else {
            self.count_dropped(attempt.kind);
        }
    }

    /// Counts an attempt past the bound without its text.
    pub fn count_dropped(&mut self, kind: AttemptKind) {
        self.dropped.add(kind);
    }

    /// Whether the next attempt would be kept.
    pub fn has_room(&self) -> bool {
        self.kept.len() < EARLIER_ATTEMPTS_MAX
    }

    /// Appends `later`, oldest first, within the bound.
    pub fn extend(&mut self, later: Earlier) {
        for a in later.kept {
            self.push(a);
        }
        self.dropped.erred += later.dropped.erred;
        self.dropped.pending += later.dropped.pending;
    }

    /// Every earlier attempt, kept or not.
    pub fn count(&self) -> usize {
        self.kept.len() + self.dropped.total()
    }

    /// The earlier attempts that erred, kept or not.
    pub fn erred(&self) -> usize {
        let kept = self
            .kept
            .iter()
            .filter(|a| a.kind == AttemptKind::Erred)
            .count();
        kept + self.dropped.erred
    }

    /// The attempts counted past the bound.
    pub fn dropped(&self) -> Dropped {
        self.dropped
    }
}

impl std::ops::Deref for Earlier {
    type Target = [FailedAttempt];

    fn deref(&self) -> &[FailedAttempt] {
        &self.kept
    }
}

impl From<Vec<FailedAttempt>> for Earlier {
    fn from(kept: Vec<FailedAttempt>) -> Self {
        Earlier::from_parts(kept, Dropped::default())
    }
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
