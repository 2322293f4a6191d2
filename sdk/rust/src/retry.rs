//! [`eventually`] and [`retried`]: ask a question again until it holds or a
//! deadline passes, say how many attempts it took, and report each attempt
//! that did not pass to the host (contract 0.1.4's `log.attempt-failed`),
//! so the run's reports count it as they count a `--retries` attempt.
//!
//! The two differ in what a failed attempt means. [`eventually`] polls for
//! eventual consistency ("I deleted it" and "it's deleted" are not the same
//! statement): an attempt that does not hold yet is `pending`, expected, and
//! a check that passes after some is not flaky. [`retried`] asks again past
//! failures that should not have happened (a 503 from a server that should
//! be up): each is `erred`, and a check that passes after one is flaky.

use std::time::{Duration, Instant};

use crate::__bindings::plume::check::log;
use crate::outcome::Halt;

pub use crate::__bindings::plume::check::log::AttemptKind;

/// A question that came true, and what it took.
#[derive(Debug, Clone)]
pub struct Settled<T> {
    pub value: T,
    pub attempts: u32,
    pub elapsed: Duration,
}

impl<T> Settled<T> {
    /// The time it took in whole milliseconds, as the other SDKs' `elapsedMs`.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX)
    }

    /// `"after 3 attempts in 412 ms"`, for a check's detail.
    pub fn summary(&self) -> String {
        let tries = if self.attempts == 1 {
            "attempt"
        } else {
            "attempts"
        };
        format!(
            "after {} {tries} in {} ms",
            self.attempts,
            self.elapsed_ms()
        )
    }
}

/// Reports an attempt of the running check that did not pass and is asked
/// again (contract 0.1.4): the host counts it in the check's `attempts` and
/// lists it among its earlier attempts, redacted as every text is; an
/// `Erred` one makes the check flaky if it then passes. [`eventually`] and
/// [`retried`] call it for each attempt; call it yourself only for a retry
/// loop of your own.
pub fn attempt_failed(kind: AttemptKind, status: Option<u16>, detail: &str, elapsed: Duration) {
    log::attempt_failed(&log::FailedAttempt {
        kind,
        status,
        detail: detail.to_owned(),
        elapsed_ms: u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX),
    });
}

/// Calls `attempt` (given the attempt number, from 1) every `interval` until
/// it returns `Ok` or `deadline` passes, for a state that settles over time.
/// Each `err` before the last is reported as a `Pending` attempt (a check
/// that passes after them is not flaky). A `skip` ends at once; the last
/// `err` is returned with the attempt count when time runs out.
pub fn eventually<T>(
    deadline: Duration,
    interval: Duration,
    attempt: impl FnMut(u32) -> Result<T, Halt>,
) -> Result<Settled<T>, Halt> {
    ask_again(AttemptKind::Pending, deadline, interval, attempt, report)
}

/// [`eventually`] for a question that should have held at once: each `err`
/// before the last is reported as an `Erred` attempt, so a check that passes
/// after one is flaky, as one `--retries` passed is.
pub fn retried<T>(
    deadline: Duration,
    interval: Duration,
    attempt: impl FnMut(u32) -> Result<T, Halt>,
) -> Result<Settled<T>, Halt> {
    ask_again(AttemptKind::Erred, deadline, interval, attempt, report)
}

/// An attempt that did not pass, as the loop reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Missed {
    kind: AttemptKind,
    status: Option<u16>,
    detail: String,
    elapsed: Duration,
}

fn report(missed: Missed) {
    attempt_failed(missed.kind, missed.status, &missed.detail, missed.elapsed);
}

/// The loop of both: `report` hears each `err` that is asked again.
fn ask_again<T>(
    kind: AttemptKind,
    deadline: Duration,
    interval: Duration,
    mut attempt: impl FnMut(u32) -> Result<T, Halt>,
    mut report: impl FnMut(Missed),
) -> Result<Settled<T>, Halt> {
    let start = Instant::now();
    let mut n = 0;
    loop {
        n += 1;
        let began = Instant::now();
        match attempt(n) {
            Ok(value) => {
                return Ok(Settled {
                    value,
                    attempts: n,
                    elapsed: start.elapsed(),
                });
            }
            Err(skip @ Halt::Skip { .. }) => return Err(skip),
            Err(Halt::Err { status, detail }) => {
                if start.elapsed() + interval > deadline {
                    return Err(Halt::Err {
                        status,
                        detail: format!(
                            "still failing after {n} attempts in {} ms: {detail}",
                            start.elapsed().as_millis()
                        ),
                    });
                }
                report(Missed {
                    kind,
                    status,
                    detail,
                    elapsed: began.elapsed(),
                });
                std::thread::sleep(interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_until_the_question_holds_counts_and_reports_each_miss() {
        let mut missed = Vec::new();
        let settled = ask_again(
            AttemptKind::Pending,
            Duration::from_secs(5),
            Duration::from_millis(1),
            |n| {
                if n < 3 {
                    crate::fail(500, format!("try {n}"))
                } else {
                    Ok(n * 10)
                }
            },
            |m| missed.push(m),
        )
        .unwrap();
        assert_eq!((settled.value, settled.attempts), (30, 3));
        assert_eq!(
            settled.summary(),
            format!("after 3 attempts in {} ms", settled.elapsed_ms())
        );
        let seen: Vec<_> = missed
            .iter()
            .map(|m| (m.kind, m.status, m.detail.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (AttemptKind::Pending, Some(500), "try 1"),
                (AttemptKind::Pending, Some(500), "try 2"),
            ]
        );
    }

    #[test]
    fn a_skip_ends_at_once_and_the_last_err_is_kept_past_the_deadline_unreported() {
        let mut calls = 0;
        let mut missed = Vec::new();
        let skipped = ask_again(
            AttemptKind::Erred,
            Duration::from_secs(5),
            Duration::from_millis(1),
            |_| {
                calls += 1;
                crate::skip::<()>("no key")
            },
            |m| missed.push(m),
        );
        assert_eq!((skipped.unwrap_err().outcome(), calls), ("skip", 1));
        assert!(missed.is_empty());
        let failed = ask_again(
            AttemptKind::Erred,
            Duration::from_millis(5),
            Duration::from_millis(2),
            |_| crate::fail::<()>(503, "down"),
            |m| missed.push(m),
        )
        .unwrap_err();
        assert_eq!(failed.status(), Some(503));
        assert!(
            failed.detail().starts_with("still failing after ")
                && failed.detail().ends_with(": down"),
            "{}",
            failed.detail()
        );
        // The last attempt is the check's result, not an earlier attempt.
        let attempts: usize = failed.detail()["still failing after ".len()..]
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(missed.len(), attempts - 1);
        assert!(missed.iter().all(|m| m.kind == AttemptKind::Erred));
    }

    #[test]
    fn one_attempt_is_singular() {
        let settled = Settled {
            value: (),
            attempts: 1,
            elapsed: Duration::from_millis(412),
        };
        assert_eq!(settled.summary(), "after 1 attempt in 412 ms");
    }
}
