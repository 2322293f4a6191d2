//! A check with `expect.stream`: the response is opened, never read whole.
//! Every expectation a stream allows is evaluated: the status and headers
//! when they arrive, `within-ms` against their arrival, `body-contains` and
//! `stream.contains` by reading until each text arrives within the window,
//! `body-excludes` by watching the whole window (`open-for-ms`), and header
//! and template captures. What a stream cannot answer (`json`, JSON
//! captures) is refused when the pack reads its config (`validate`).

use std::time::{Duration, Instant};

use plume_sdk::{Check, Chunk, Halt, HttpError, RequestBuilder, Stream, describe_error, fail, ok};

use crate::config::{CheckSpec, StreamExpect};
use crate::template::Template;

/// How long texts are awaited on a stream without `open-for-ms`.
const DEFAULT_STREAM_WAIT: Duration = Duration::from_secs(5);

/// The most text kept for matching; past it only a tail as long as the
/// longest needle is kept, so a chatty stream cannot grow the buffer.
const KEEP_BYTES: usize = 1 << 20;

pub fn run_stream(
    mut request: RequestBuilder,
    spec: &CheckSpec,
    s: &StreamExpect,
    t: &mut Template,
    what: &str,
) -> Result<(Stream, Vec<String>), Halt> {
    let expect = &spec.expect;
    if let Some(ms) = s.headers_within_ms {
        request = request.timeout(Duration::from_millis(ms.into()));
    }
    let start = Instant::now();
    let mut stream = match request.open() {
        Ok(stream) => stream,
        Err(HttpError::Timeout(_)) => {
            return fail(
                None,
                format!(
                    "{what}: no status and headers within {} ms",
                    s.headers_within_ms.unwrap_or_default()
                ),
            );
        }
        Err(e) => return fail(None, format!("{what}: {}", describe_error(&e))),
    };
    let headers_ms = start.elapsed().as_millis();
    let mut facts = vec![format!("headers in {headers_ms} ms")];
    if let Some(status) = &expect.status {
        stream.expect_status(&status.items())?;
        facts.push(format!("status {}", stream.status));
    }
    for h in &expect.headers {
        if h.absent {
            if let Some((_, value)) = stream
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&h.name))
            {
                return fail(
                    stream.status,
                    format!("expected no {} header, got {}: {value}", h.name, h.name),
                );
            }
            facts.push(format!("no {}", h.name));
            continue;
        }
        stream.expect_header_match(&h.name, h.matches.as_deref().unwrap_or(""))?;
    }
    if let Some(limit) = expect.within_ms
        && headers_ms > u128::from(limit)
    {
        return fail(
            stream.status,
            format!("the headers arrived in {headers_ms} ms, expected within {limit} ms"),
        );
    }
    let mut needles = Vec::new();
    if let Some(needle) = &s.contains {
        needles.push(t.expand(needle)?);
    }
    for needle in expect.body_contains.iter().flat_map(|b| b.items()) {
        needles.push(t.expand(&needle)?);
    }
    let mut excluded = Vec::new();
    for needle in expect.body_excludes.iter().flat_map(|b| b.items()) {
        excluded.push(t.expand(&needle)?);
    }
    let hold = s.open_for_ms.map(|ms| Duration::from_millis(ms.into()));
    let watched = Watch {
        needles: &needles,
        excluded: &excluded,
        hold,
    }
    .run(&mut stream)?;
    facts.extend(watched);
    if let Some(limit) = expect.within_ms {
        facts.push(format!("headers within {limit} ms"));
    }
    Ok((stream, facts))
}

/// What to watch for while reading a stream.
struct Watch<'a> {
    needles: &'a [String],
    excluded: &'a [String],
    /// The stream must stay open this long (and excluded text must not
    /// arrive in it); without it, needles are awaited `DEFAULT_STREAM_WAIT`.
    hold: Option<Duration>,
}

impl Watch<'_> {
    fn run(&self, stream: &mut Stream) -> Result<Vec<String>, Halt> {
        let opened = Instant::now();
        let window = self.hold.unwrap_or(DEFAULT_STREAM_WAIT);
        let longest = self
            .needles
            .iter()
            .chain(self.excluded)
            .map(String::len)
            .max()
            .unwrap_or(0);
        let mut seen: Vec<u8> = Vec::new();
        let mut total = 0u64;
        let mut found: Vec<Option<u128>> = vec![None; self.needles.len()];
        loop {
            let text = String::from_utf8_lossy(&seen);
            for (i, needle) in self.needles.iter().enumerate() {
                if found[i].is_none() && text.contains(needle.as_str()) {
                    found[i] = Some(opened.elapsed().as_millis());
                }
            }
            if let Some(bad) = self.excluded.iter().find(|n| text.contains(n.as_str())) {
                return fail(
                    stream.status,
                    format!(
                        "the stream sent {bad:?} after {} ms; expected it not to within {} ms",
                        opened.elapsed().as_millis(),
                        window.as_millis()
                    ),
                );
            }
            let all_found = found.iter().all(Option::is_some);
            if all_found && self.hold.is_none() {
                break;
            }
            let left = window.saturating_sub(opened.elapsed());
            if left.is_zero() {
                break;
            }
            match stream.read(64 * 1024, left)? {
                Chunk::Data(d) => {
                    total += d.len() as u64;
                    seen.extend_from_slice(&d);
                    if seen.len() > KEEP_BYTES {
                        let cut = seen.len() - longest.max(1);
                        seen.drain(..cut);
                    }
                }
                Chunk::Idle => {}
                Chunk::End => {
                    if let Some(hold) = self.hold {
                        return fail(
                            stream.status,
                            format!(
                                "the stream closed after {} ms ({total} bytes); expected it open for {} ms",
                                opened.elapsed().as_millis(),
                                hold.as_millis()
                            ),
                        );
                    }
                    break;
                }
            }
        }
        if let Some(i) = found.iter().position(Option::is_none) {
            let text = String::from_utf8_lossy(&seen);
            let excerpt: String = text.chars().take(160).collect();
            return fail(
                stream.status,
                format!(
                    "no {:?} on the stream after {} ms ({total} bytes); read: {excerpt}",
                    self.needles[i],
                    opened.elapsed().as_millis()
                ),
            );
        }
        let mut facts: Vec<String> = self
            .needles
            .iter()
            .zip(&found)
            .map(|(n, at)| format!("{n:?} after {} ms", at.unwrap_or_default()))
            .collect();
        facts.extend(self.excluded.iter().map(|n| format!("no {n:?}")));
        if let Some(hold) = self.hold {
            facts.push(format!("open for {} ms", hold.as_millis()));
        }
        Ok(facts)
    }
}

/// The line of a stream check that passed.
pub fn passed(stream: &Stream, what: &str, facts: &[String], captured: &str) -> Check {
    ok(
        stream.status,
        format!("{what}: {}{captured}", facts.join(", ")),
    )
}
