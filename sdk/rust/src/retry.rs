//! [`eventually`]: "I deleted it" and "it's deleted" are not the same
//! statement. Retries a question until it holds or a deadline passes, and
//! says how many attempts it took.

use std::time::{Duration, Instant};

use crate::outcome::Halt;

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

/// Calls `attempt` (given the attempt number, from 1) every `interval` until
/// it returns `Ok` or `deadline` passes. A `skip` ends at once; the last
/// `err` is returned with the attempt count when time runs out.
pub fn eventually<T>(
    deadline: Duration,
    interval: Duration,
    mut attempt: impl FnMut(u32) -> Result<T, Halt>,
) -> Result<Settled<T>, Halt> {
    let start = Instant::now();
    let mut n = 0;
    loop {
        n += 1;
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
                std::thread::sleep(interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_until_the_question_holds_and_counts() {
        let settled = eventually(Duration::from_secs(5), Duration::from_millis(1), |n| {
            if n < 3 {
                crate::fail(500, format!("try {n}"))
            } else {
                Ok(n * 10)
            }
        })
        .unwrap();
        assert_eq!((settled.value, settled.attempts), (30, 3));
        assert_eq!(
            settled.summary(),
            format!("after 3 attempts in {} ms", settled.elapsed_ms())
        );
    }

    #[test]
    fn a_skip_ends_at_once_and_the_last_err_is_kept_past_the_deadline() {
        let mut calls = 0;
        let skipped = eventually(Duration::from_secs(5), Duration::from_millis(1), |_| {
            calls += 1;
            crate::skip::<()>("no key")
        });
        assert_eq!((skipped.unwrap_err().outcome(), calls), ("skip", 1));
        let failed = eventually(Duration::from_millis(5), Duration::from_millis(2), |_| {
            crate::fail::<()>(503, "down")
        })
        .unwrap_err();
        assert_eq!(failed.status(), Some(503));
        assert!(
            failed.detail().starts_with("still failing after ")
                && failed.detail().ends_with(": down"),
            "{}",
            failed.detail()
        );
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
