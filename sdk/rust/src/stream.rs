//! [`Stream`]: a response whose headers arrived and whose body is read in
//! chunks, each read with its own deadline — so a check can tell "nothing
//! before the deadline" from "200 headers arrived, then the stream stayed
//! open" (an SSE endpoint that must keep its connection).

use std::time::{Duration, Instant};

use crate::__bindings::plume::check::assert;
use crate::__bindings::plume::check::http::{self, BodyStream, ResponseHead};
use crate::outcome::Halt;

pub use crate::__bindings::plume::check::http::Chunk;

/// How much of a stream's body a wrong status shows, and how long it waits for it.
const EXCERPT_BYTES: usize = 2048;
const EXCERPT_WAIT: Duration = Duration::from_millis(250);

/// An open response.
pub struct Stream {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Time until the headers arrived.
    pub elapsed_ms: u32,
    body: BodyStream,
}

impl Stream {
    pub(crate) fn new(head: ResponseHead, body: BodyStream) -> Self {
        Stream {
            status: head.status,
            headers: head.headers,
            elapsed_ms: head.elapsed_ms,
            body,
        }
    }

    fn check(&self, result: Result<(), String>) -> Result<&Self, Halt> {
        result.map(|()| self).map_err(|detail| Halt::Err {
            status: Some(self.status),
            detail,
        })
    }

    /// The status is one of `expected`. When it is not, up to 2 KiB of the
    /// body (whatever arrives within 250 ms) goes into the failure, so the
    /// line shows what came instead.
    pub fn expect_status(&self, expected: &[u16]) -> Result<&Self, Halt> {
        if expected.contains(&self.status) {
            return Ok(self);
        }
        let excerpt = self.excerpt(EXCERPT_BYTES, EXCERPT_WAIT);
        self.check(assert::status_in(self.status, expected, &excerpt))
    }

    /// Up to `max` bytes of the body, read until the body ends, nothing
    /// arrives, or `within` passes.
    fn excerpt(&self, max: usize, within: Duration) -> Vec<u8> {
        let start = Instant::now();
        let mut seen = Vec::new();
        while seen.len() < max {
            let left = within.saturating_sub(start.elapsed());
            let ms = u32::try_from(left.as_millis()).unwrap_or(u32::MAX);
            if ms == 0 {
                break;
            }
            let want = u32::try_from(max - seen.len()).unwrap_or(u32::MAX);
            match self.body.read(want, ms) {
                Ok(Chunk::Data(d)) => seen.extend_from_slice(&d),
                _ => break,
            }
        }
        seen
    }

    /// The header is present and matches `regex`.
    pub fn expect_header_match(&self, name: &str, regex: &str) -> Result<&Self, Halt> {
        self.check(assert::header_matches(&self.headers, name, regex))
    }

    /// Reads up to `max_bytes`, waiting at most `timeout`.
    pub fn read(&mut self, max_bytes: u32, timeout: Duration) -> Result<Chunk, http::HttpError> {
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        self.body.read(max_bytes, ms)
    }

    /// Reads for `hold` and requires the stream to still be open at the end;
    /// returns how many bytes arrived meanwhile.
    pub fn expect_open_for(&mut self, hold: Duration) -> Result<u64, Halt> {
        let start = Instant::now();
        let mut bytes = 0u64;
        loop {
            let left = hold.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Ok(bytes);
            }
            match self.read(64 * 1024, left)? {
                Chunk::Data(d) => bytes += d.len() as u64,
                Chunk::Idle => {}
                Chunk::End => {
                    return Err(Halt::Err {
                        status: Some(self.status),
                        detail: format!(
                            "the stream closed after {} ms ({bytes} bytes); expected it open for {} ms",
                            start.elapsed().as_millis(),
                            hold.as_millis()
                        ),
                    });
                }
            }
        }
    }

    /// Reads until the body contains `needle` or `within` passes; returns what was read.
    pub fn read_until(&mut self, needle: &str, within: Duration) -> Result<String, Halt> {
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            if seen
                .windows(needle.len().max(1))
                .any(|w| w == needle.as_bytes())
            {
                return Ok(String::from_utf8_lossy(&seen).into_owned());
            }
            let left = within.saturating_sub(start.elapsed());
            let chunk = if left.is_zero() {
                Chunk::Idle
            } else {
                self.read(64 * 1024, left)?
            };
            match chunk {
                Chunk::Data(d) => seen.extend_from_slice(&d),
                Chunk::Idle | Chunk::End => {
                    let ended = if matches!(chunk, Chunk::End) {
                        "the stream ended"
                    } else {
                        "timed out"
                    };
                    return Err(Halt::Err {
                        status: Some(self.status),
                        detail: format!(
                            "{ended} after {} ms without {needle:?}; read: {}",
                            start.elapsed().as_millis(),
                            String::from_utf8_lossy(&seen[..seen.len().min(160)])
                        ),
                    });
                }
            }
        }
    }
}
