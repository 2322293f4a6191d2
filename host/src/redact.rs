//! Keeps secret values out of everything Plume prints or writes.
//!
//! Each secret is matched in every form the host's own libraries (and the
//! usual client and server code) produce, and replaced by `***`:
//!
//! - as written, JSON-string-escaped (`serde_json`, and PHP's `\/`), and
//!   with its white space as Plume's own one-line forms show it (line
//!   breaks joined with ` | `, runs of white space as one space);
//! - inside a JSON string with any of its characters escaped (`\uXXXX` in
//!   either case, surrogate pairs, `\/`, JSON quoted inside JSON): the text
//!   is also searched with those escapes undone (`unescaped`) and the span
//!   a match came from is masked;
//! - percent-encoded: `application/x-www-form-urlencoded`, every byte but the
//!   unreserved ones (RFC 3986), `encodeURIComponent`'s set, and the `url`
//!   crate's own sets for a query, a path, a fragment and userinfo (what an
//!   HTTP error shows of a normalised URL);
//! - base64, standard and URL-safe: the whole encoding, and — because a
//!   secret inside `user:secret` in a Basic header starts at any offset —
//!   for each of the three alignments the inner run of characters that depend
//!   only on the secret's bytes.
//!
//! Every form of at least `MIN_SECRET_LEN` bytes is a needle of one
//! Aho-Corasick automaton (leftmost-longest), so redacting a line is one
//! pass over it (two when it holds a backslash), however many secrets and
//! forms there are, and overlapping forms are masked whole. A secret shorter
//! than [`MIN_SECRET_LEN`] characters cannot be masked without mangling
//! ordinary text: [`check_secret`] refuses it when the suite loads.
//!
//! Credentials nobody configured but a server handed out (token fields in
//! JSON, presigned URLs' signatures) are masked by their names in every
//! line, whatever their length (`obtained`). Values a plugin registers
//! while a run goes on (`log.mask`) join the run's redactor, a
//! [`GrowingRedactor`], and are masked like configured secrets from then on.
//!
//! [`Redactor::line`] is the one way to a [`SafeLine`]: redacted, then one
//! line with nothing that drives a terminal, bounded ([`crate::text`]).
//! Every text Plume shows that it did not write itself holds one.

mod growing;
mod obtained;
mod part;
mod unescaped;
mod urls;

pub use growing::GrowingRedactor;
pub use urls::{url_credentials, url_shown};

use std::fmt;
use std::ops::Deref;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

use crate::text;
use part::Part;
use unescaped::Unescaped;

/// Shortest secret value (and shortest form of one) worth redacting, in
/// characters: shorter ones would mangle ordinary text, so they are refused.
pub const MIN_SECRET_LEN: usize = 4;

/// What a secret is replaced with.
const MASK: &str = "***";

/// Longest escape a secret's character can take in a JSON string (a surrogate pair).
const ESCAPE_MAX: usize = 12;

/// Whether `value` can serve as a secret: the line saying why not.
pub fn check_secret(value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    if chars < MIN_SECRET_LEN {
        return Err(format!(
            "is {chars} character(s) long; Plume masks secrets of at least {MIN_SECRET_LEN} characters (a shorter one would mangle ordinary text): use a longer value"
        ));
    }
    Ok(())
}

/// Text that went through [`Redactor::line`]: secrets masked, one line,
/// nothing that drives a terminal, bounded. Sinks and printers take it, so
/// text that skipped the redactor does not type-check where it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SafeLine(String);

impl SafeLine {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for SafeLine {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SafeLine {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SafeLine {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SafeLine {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// The secrets themselves, sorted, so redactors can be joined.
    secrets: Vec<String>,
    /// Every form of every secret, in one automaton or a few (`part`).
    parts: Vec<Part>,
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN)
            .map(str::to_owned)
            .collect();
        secrets.sort();
        secrets.dedup();
        let parts = Part::new(needles_of(&secrets)).into_iter().collect();
        Redactor { secrets, parts }
    }

    /// A redactor for this one's secrets and `other`'s.
    pub fn joined(&self, other: &Redactor) -> Redactor {
        Redactor::new(
            self.secrets
                .iter()
                .chain(&other.secrets)
                .map(String::as_str),
        )
    }

    /// A redactor for this one's secrets and `added`, built for the added
    /// ones alone (merged with the smaller parts before), so adding values
    /// one at a time does not rebuild the whole automaton each time.
    pub fn with_added<'a>(&self, added: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut fresh: Vec<String> = added
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN && !self.masks(s))
            .map(str::to_owned)
            .collect();
        fresh.sort();
        fresh.dedup();
        let Some(part) = Part::new(needles_of(&fresh)) else {
            return self.clone();
        };
        let mut secrets = self.secrets.clone();
        secrets.extend(fresh);
        secrets.sort();
        let mut parts = self.parts.clone();
        parts.push(part);
        while let [.., before, last] = parts.as_slice()
            && before.bytes() <= 2 * last.bytes()
        {
            let Some(merged) = Part::merged(before, last) else {
                break;
            };
            parts.truncate(parts.len() - 2);
            parts.push(merged);
        }
        Redactor { secrets, parts }
    }

    /// Whether `value` is one of its secrets (not merely a form of one).
    pub fn masks(&self, value: &str) -> bool {
        self.secrets
            .binary_search_by(|s| s.as_str().cmp(value))
            .is_ok()
    }

    /// How many forms of its secrets it looks for, in how many automata,
    /// and the heap they hold, in bytes (for the benchmarks).
    pub fn size(&self) -> (usize, usize, usize) {
        let forms = self.parts.iter().map(|p| p.needles().len()).sum();
        let heap = self.parts.iter().map(Part::heap).sum();
        (forms, self.parts.len(), heap)
    }

    /// Whether it masks nothing.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Every needle, part by part.
    fn needles(&self) -> impl Iterator<Item = &String> {
        self.parts.iter().flat_map(|p| p.needles())
    }

    /// `raw` as it may be shown: secrets masked, one safe line, at most
    /// `max` bytes plus the note of its full size when cut. Cut first (a 16
    /// MiB text costs no more than a short one), but never through the first
    /// part of a secret, which redaction would then miss.
    pub fn line(&self, raw: &str, max: usize) -> SafeLine {
        let head = self.cut_prefix(raw, max);
        let cut = head.len() < raw.len();
        let line = text::one_line(&self.redact(head));
        // Joining lines may have spelled a secret out: mask again.
        let line = self.redact(&line);
        SafeLine(text::bound(line, raw.len(), max, cut))
    }

    /// `text` with every form of every secret replaced by `***`.
    /// Credentials a server handed out are masked by their names first
    /// (`obtained`), configured or not.
    pub fn redact(&self, text: &str) -> String {
        let masked = obtained::mask(text);
        let text = masked.as_ref();
        if self.is_empty() {
            return text.to_owned();
        }
        let mut spans = self.spans(text);
        let levels = Unescaped::levels(text);
        for u in &levels {
            spans.extend(
                self.spans(&u.view)
                    .into_iter()
                    .map(|(s, e)| u.span(s, e, text.len())),
            );
        }
        if !levels.is_empty() {
            spans.sort_unstable();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            if end <= at {
                continue;
            }
            if start >= at {
                out.push_str(text.get(at..start).unwrap_or_default());
                out.push_str(MASK);
            }
            at = end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }

    /// Where the needles occur in `text`, in order (spans of different
    /// parts may overlap; `redact` masks their union).
    fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut spans: Vec<(usize, usize)> =
            self.parts.iter().flat_map(|p| p.spans(text)).collect();
        if self.parts.len() > 1 {
            spans.sort_unstable();
        }
        spans
    }

    /// The longest prefix of `text` of at most `max` bytes, less any tail
    /// that begins a form of a secret (also with JSON escapes undone, and
    /// less a half-written escape): cutting text before redacting it must
    /// not leave the first part of a secret on show.
    pub fn cut_prefix<'a>(&self, text: &'a str, max: usize) -> &'a str {
        let mut head = text::prefix(text, max);
        if head.len() == text.len() || self.is_empty() {
            return head;
        }
        head = &head[..head.len() - partial_escape(head)];
        let mut keep = head.len() - self.begun(head);
        let longest = self.needles().map(String::len).max().unwrap_or(0);
        let window_start = floor_boundary(head, head.len().saturating_sub(longest * ESCAPE_MAX));
        for u in Unescaped::levels(&head[window_start..]) {
            let begun = self.begun(&u.view);
            if begun > 0 {
                let (from, _) = u.span(u.view.len() - begun, u.view.len(), head.len());
                keep = keep.min(window_start + from);
            }
        }
        head.get(..keep).unwrap_or_default()
    }

    /// How many bytes at the end of `text` begin (but do not finish) a needle.
    fn begun(&self, text: &str) -> usize {
        let mut trim = 0;
        for needle in self.needles() {
            let longest = needle.len().min(text.len() + 1);
            if let Some(k) = (trim + 1..longest)
                .rev()
                .find(|&k| needle.is_char_boundary(k) && text.ends_with(&needle[..k]))
            {
                trim = k;
            }
        }
        trim
    }
}

/// The largest character boundary of `text` at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The length of a JSON escape cut short at the end of `text` (`\u00`,
/// `\ud83d\u`), or 0.
fn partial_escape(text: &str) -> usize {
    let from = floor_boundary(text, text.len().saturating_sub(ESCAPE_MAX));
    for (i, _) in text[from..].match_indices('\\') {
        let tail = &text[from + i..];
        if is_partial_escape(tail) {
            return tail.len();
        }
    }
    0
}

/// Whether `tail` is the start of a `\uXXXX` escape or surrogate pair, not the whole.
fn is_partial_escape(tail: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(rest) = tail.strip_prefix('\\') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(digits) = rest.strip_prefix('u') else {
        return false;
    };
    if digits.len() < 4 {
        return hex(digits);
    }
    let (first, after) = digits.split_at(4);
    let high = hex(first) && matches!(u32::from_str_radix(first, 16), Ok(0xd800..=0xdbff));
    high && after.len() < 6 && (after.is_empty() || is_partial_escape(after))
}

/// Every form of every one of `secrets` worth looking for.
fn needles_of(secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .flat_map(|s| forms(s))
        .filter(|n| n.len() >= MIN_SECRET_LEN)
        .collect()
}

/// Every form of `secret` a line might show.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent(secret, b"-_.~"),
        percent(secret, b"-_.~!'()*"),
    ];
    forms.extend(url_forms(secret));
    if let Ok(json) = serde_json::to_string(secret) {
        let inner = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json);
        forms.push(inner.replace('/', "\\/"));
        forms.push(inner.to_owned());
    }
    // As Plume's own one-line forms show a secret with white space in it.
    forms.push(text::one_line(secret));
    forms.push(secret.split_whitespace().collect::<Vec<_>>().join(" "));
    forms.push(
        secret
            .chars()
            .map(|c| {
                if c.is_whitespace() || c.is_control() {
                    ' '
                } else {
                    c
                }
            })
            .collect(),
    );
    for engine in [STANDARD, URL_SAFE] {
        forms.push(engine.encode(secret).trim_end_matches('=').to_owned());
        for align in 0..3 {
            forms.extend(base64_inner(&engine, secret.as_bytes(), align));
        }
    }
    forms
}

/// Percent-encodes every byte but ASCII letters, digits and `keep` (uppercase hex).
fn percent(s: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `secret` as the `url` crate writes it in a query, a fragment, a path and userinfo.
fn url_forms(secret: &str) -> Vec<String> {
    let Ok(base) = url::Url::parse("http://plume.invalid/") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut u = base.clone();
    u.set_query(Some(secret));
    out.extend(u.query().map(str::to_owned));
    let mut u = base.clone();
    u.set_fragment(Some(secret));
    out.extend(u.fragment().map(str::to_owned));
    let mut u = base.clone();
    u.set_path(&format!("/{secret}"));
    out.push(u.path().trim_start_matches('/').to_owned());
    let mut u = base.clone();
    if u.set_username(secret).is_ok() {
        out.push(u.username().to_owned());
    }
    let mut u = base;
    if u.set_password(Some(secret)).is_ok() {
        out.extend(u.password().map(str::to_owned));
    }
    out
}

/// The base64 characters that depend only on `secret` when it starts `align`
/// bytes (mod 3) into the encoded data: character k covers bits 6k..6k+6,
/// the secret bits 8·align..8·(align+len).
fn base64_inner(engine: &impl base64::Engine, secret: &[u8], align: usize) -> Option<String> {
    let mut data = vec![0u8; align];
    data.extend_from_slice(secret);
    let encoded = engine.encode(&data);
    let start = (8 * align).div_ceil(6);
    let end = 8 * (align + secret.len()) / 6;
    encoded.get(start..end).map(str::to_owned)
}

#[cfg(test)]
mod tests;
