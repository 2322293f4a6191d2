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
            self.elapsed.as_millis()
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
