//! The record of a run: every check's outcome exactly once, in landing order.
//!
//! Group tasks, the cleanup walk and the run's stop (ceiling or signal) all
//! report here. The ledger drops reports for checks that already have an
//! outcome (a task aborted by the ceiling may still be finishing), and
//! forwards each event to the sinks — the terminal printer and the report
//! writers — the moment it lands.
//!
//! It is the one choke point every sink is fed from, so every text a plugin
//! chose — group and check names, details, log lines, cleanup labels — is made
//! safe here, once, by [`Redactor::line`]: secrets redacted (the suite's, and
//! every value a plugin masked before the text landed: [`Ledger::mask`]), then one line with
//! no control or bidi characters, cut at its limit with a note. The records
//! hold [`SafeLine`]s, which only the redactor makes. Sinks only escape for
//! their own format. A sink that panics is reported once on standard error
//! and dropped; the run and the other sinks go on.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use std::sync::Arc;

use crate::events::{CheckRecord, CleanupRecord, Earlier, Event, Outcome, Sink, Summary};
use crate::limits::LOG_MESSAGE_MAX;
use crate::redact::{GrowingRedactor, Redactor, SafeLine};
use crate::text;

#[derive(Debug, Clone, Copy)]
enum State {
    Pending,
    Running(Instant),
    Done,
}

struct Inner {
    sinks: Vec<Box<dyn Sink>>,
    states: HashMap<(String, String), State>,
    order: Vec<(String, String)>,
    summary: Summary,
    /// Set once the run stopped: late reports from aborted tasks are dropped.
    closed: bool,
}

/// The run's record; shared by every task.
pub struct Ledger {
    inner: Mutex<Inner>,
    /// Whether a sink shows or keeps log lines ([`Sink::wants_logs`]).
    wants_logs: AtomicBool,
    redactor: GrowingRedactor,
    start: Instant,
    started_at: SystemTime,
}

impl Ledger {
    pub fn new(redactor: Redactor, sinks: Vec<Box<dyn Sink>>) -> Self {
        let wants_logs = AtomicBool::new(sinks.iter().any(|s| s.wants_logs()));
        Ledger {
            wants_logs,
            inner: Mutex::new(Inner {
                sinks,
                states: HashMap::new(),
                order: Vec::new(),
                summary: Summary::default(),
                closed: false,
            }),
            redactor: GrowingRedactor::new(redactor),
            start: Instant::now(),
            started_at: SystemTime::now(),
        }
    }

    /// Whether a log line reaches any sink; when not, [`Ledger::log`] drops
    /// it, and callers may skip building it.
    pub fn wants_logs(&self) -> bool {
        self.wants_logs.load(Ordering::Relaxed)
    }

    /// When the run started, by the wall clock; its summary's `elapsed` counts from here.
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn emit(inner: &mut Inner, event: &Event<'_>) {
        inner
            .sinks
            .retain_mut(|sink| guarded(sink.as_mut(), |s| s.event(event)));
    }

    /// A text from outside, as sinks get it: secrets masked, one safe line,
    /// at most `max` bytes plus the note of its full size when cut.
    pub fn line(&self, raw: &str, max: usize) -> SafeLine {
        self.redactor.current().line(raw, max)
    }

    /// The run's redactor as it is now, for text the host builds from what
    /// it received before the ledger sees it (a body's excerpt).
    pub fn redactor(&self) -> Arc<Redactor> {
        self.redactor.current()
    }

    /// Masks `value` in every text that reaches the sinks from now on
    /// (`log.mask`); what they were told before is not recalled. The caller
    /// has checked its length ([`crate::redact::check_secret`]).
    pub fn mask(&self, value: &str) {
        self.redactor.add(value);
    }

    /// Whether `value` is masked already (a secret of the suite, or masked earlier in the run).
    pub fn masks(&self, value: &str) -> bool {
        self.redactor.knows(value)
    }

    /// A group or check name, or a cleanup label, as sinks get it.
    fn name(&self, raw: &str) -> SafeLine {
        self.line(raw, crate::limits::LABEL_MAX)
    }

    /// Adds sinks before the run starts.
    pub fn add_sinks(&self, sinks: Vec<Box<dyn Sink>>) {
        if sinks.iter().any(|s| s.wants_logs()) {
            self.wants_logs.store(true, Ordering::Relaxed);
        }
        self.lock().sinks.extend(sinks);
    }

    /// Declares the checks this run will report, in plan order.
    pub fn plan(&self, checks: Vec<(String, String)>) {
        let shown: Vec<(String, String)> = checks
            .iter()
            .map(|(g, c)| (self.name(g).into_string(), self.name(c).into_string()))
            .collect();
        let mut inner = self.lock();
        for key in &checks {
            inner.states.insert(key.clone(), State::Pending);
        }
        Self::emit(&mut inner, &Event::Planned(&shown));
        inner.order = checks;
    }

    pub fn started(&self, group: &str, check: &str) {
        let (shown_group, shown_check) = (self.name(group), self.name(check));
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        if let Some(state) = inner.states.get_mut(&(group.to_owned(), check.to_owned())) {
            *state = State::Running(Instant::now());
        }
        Self::emit(
            &mut inner,
            &Event::CheckStarted {
                group: &shown_group,
                check: &shown_check,
            },
        );
    }

    /// Records a check's outcome; ignored if it already has one or the run stopped.
    pub fn finish(
        &self,
        group: &str,
        check: &str,
        outcome: Outcome,
        status: Option<u16>,
        detail: &str,
    ) {
        self.finish_after(group, check, outcome, status, detail, Earlier::default());
    }

    /// [`Ledger::finish`] for a check tried more than once: `earlier` are the
    /// attempts that did not pass before this outcome (`--retries`'s and the
    /// plugin's own), their details already cut ([`Ledger::line`]) when they
    /// ended, so a retried check holds no more than one attempt's raw detail
    /// at a time.
    pub fn finish_after(
        &self,
        group: &str,
        check: &str,
        outcome: Outcome,
        status: Option<u16>,
        detail: &str,
        earlier: Earlier,
    ) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        self.finish_locked(&mut inner, group, check, outcome, status, detail, earlier);
    }

    #[allow(clippy::too_many_arguments)]
    fn finish_locked(
        &self,
        inner: &mut Inner,
        group: &str,
        check: &str,
        outcome: Outcome,
        status: Option<u16>,
        detail: &str,
        earlier: Earlier,
    ) {
        let key = (group.to_owned(), check.to_owned());
        let elapsed = match inner.states.get(&key) {
            Some(State::Done) => return,
            Some(State::Running(since)) => since.elapsed(),
            _ => Duration::ZERO,
        };
        inner.states.insert(key, State::Done);
        let record = CheckRecord {
            group: self.name(group),
            check: self.name(check),
            outcome,
            status,
            detail: self.line(detail, crate::limits::DETAIL_MAX),
            elapsed,
            earlier,
        };
        let s = &mut inner.summary;
        s.flaky += usize::from(record.flaky());
        match outcome {
            Outcome::Ok => s.passed += 1,
            Outcome::Skip => s.skipped += 1,
            Outcome::Err => {
                s.failed += 1;
                s.red.push(record.name());
            }
        }
        Self::emit(inner, &Event::CheckFinished(&record));
    }

    /// Stops the run: every check without an outcome gets one — `err` if it
    /// was running, `skip` if it had not started — and later reports are dropped.
    pub fn stop(&self, why: &str) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        inner.summary.stopped = Some(self.line(why, crate::limits::DETAIL_MAX));
        let order = inner.order.clone();
        for (group, check) in &order {
            match inner.states.get(&(group.clone(), check.clone())) {
                Some(State::Running(since)) => {
                    let detail = format!("{why} after {} ms", since.elapsed().as_millis());
                    self.finish_locked(
                        &mut inner,
                        group,
                        check,
                        Outcome::Err,
                        None,
                        &detail,
                        Earlier::default(),
                    );
                }
                Some(State::Pending) => {
                    let detail = format!("not started: {why}");
                    self.finish_locked(
                        &mut inner,
                        group,
                        check,
                        Outcome::Skip,
                        None,
                        &detail,
                        Earlier::default(),
                    );
                }
                _ => {}
            }
        }
        inner.closed = true;
    }

    /// A plugin's log line (or a request trace), attributed to a check.
    /// Each line of `message` becomes one event; every line break counts
    /// (a lone CR too), and each line is cut at [`crate::limits::LOG_MAX`].
    pub fn log(&self, group: &str, check: &str, level: &str, message: &str) {
        if !self.wants_logs() {
            return;
        }
        let redactor = self.redactor.current();
        let head = redactor.cut_prefix(message, LOG_MESSAGE_MAX);
        let redacted = redactor.redact(head);
        let mut lines: Vec<String> = text::lines(&redacted)
            .map(|line| {
                let shown = redactor.redact(&text::one_line(line));
                text::bound(shown, line.len(), crate::limits::LOG_MAX, false)
            })
            .collect();
        if head.len() < message.len() {
            lines.push(text::cut_note(message.len()));
        }
        let (group, check) = (self.name(group), self.name(check));
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        for line in &lines {
            Self::emit(
                &mut inner,
                &Event::Log {
                    group: &group,
                    check: &check,
                    level,
                    message: line,
                },
            );
        }
    }

    pub fn cleanup(
        &self,
        label: &str,
        outcome: Outcome,
        status: Option<u16>,
        detail: &str,
        elapsed: Duration,
    ) {
        // A label cannot be refused at run time (the cleanup must still run): it
        // is shown made safe, its invisible characters escaped (a name with
        // them was refused at load).
        let record = CleanupRecord {
            label: self.name(&text::invisible_shown(label)),
            outcome,
            status,
            detail: self.line(detail, crate::limits::DETAIL_MAX),
            elapsed,
        };
        let mut inner = self.lock();
        match outcome {
            Outcome::Err => {
                inner.summary.cleanups_failed += 1;
                inner.summary.red.push(format!("cleanup.{}", record.label));
            }
            _ => inner.summary.cleanups_ok += 1,
        }
        Self::emit(&mut inner, &Event::CleanupFinished(&record));
    }

    /// Counts a request the egress policy refused.
    pub fn denied(&self) {
        self.lock().summary.denied += 1;
    }

    /// Tells the sinks which checks are running, longest first.
    pub fn tick(&self) {
        let mut inner = self.lock();
        if inner.closed {
            return;
        }
        let mut running: Vec<(String, Duration)> = inner
            .states
            .iter()
            .filter_map(|((g, c), state)| match state {
                State::Running(since) => Some((
                    format!("{}.{}", self.name(g), self.name(c)),
                    since.elapsed(),
                )),
                _ => None,
            })
            .collect();
        running.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
        inner
            .sinks
            .retain_mut(|sink| guarded(sink.as_mut(), |s| s.tick(&running)));
    }

    /// Ends the run: tells the sinks the totals and returns them.
    pub fn close(&self) -> Summary {
        let mut inner = self.lock();
        inner.closed = true;
        inner.summary.elapsed = self.start.elapsed();
        let summary = inner.summary.clone();
        Self::emit(&mut inner, &Event::Finished(&summary));
        summary
    }
}

/// Runs `call` on `sink`. A sink that panics is reported once on standard
/// error and dropped (`false`), so it cannot take the run or the other
/// sinks down with it.
fn guarded(sink: &mut dyn Sink, call: impl FnOnce(&mut dyn Sink)) -> bool {
    let name = sink.name();
    let Err(panic) = catch_unwind(AssertUnwindSafe(|| call(sink))) else {
        return true;
    };
    let why = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    crate::console::err(format_args!(
        "plume: {name} failed and was dropped ({}); the run and the other outputs go on",
        text::prefix(&why, crate::limits::LABEL_MAX)
    ));
    false
}

#[cfg(test)]
mod tests;
