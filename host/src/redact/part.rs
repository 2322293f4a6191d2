//! One automaton over some of a redactor's needles (the forms of its
//! secrets). A redactor built at once has one part; a run's redactor, to
//! which values are added one at a time, has a few: each addition builds a
//! part for the new needles alone, and merges it with the part before while
//! that one is at most twice its size, so the parts grow geometrically, a
//! redactor holds O(log n) of them and n additions cost O(n log n) needle
//! bytes built, not O(n²).
//!
//! Guarantees: every needle of a part is found by it (leftmost-longest,
//! non-overlapping within the part); a part is shared by clones, never
//! rebuilt once made.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

#[derive(Debug, Clone)]
pub struct Part {
    /// Longest first.
    needles: Arc<[String]>,
    /// All the needles at once; `None` if it could not be built.
    matcher: Option<AhoCorasick>,
    bytes: usize,
}

impl Part {
    /// A part for `needles` (none of them empty); `None` when there are none.
    pub fn new(mut needles: Vec<String>) -> Option<Part> {
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        if needles.is_empty() {
            return None;
        }
        // A contiguous NFA: built in time and memory linear in the needles'
        // bytes (a DFA of ten 2 KiB secrets took 55 MiB and 0.3 s).
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&needles)
            .ok();
        let bytes = needles.iter().map(String::len).sum();
        Some(Part {
            needles: needles.into(),
            matcher,
            bytes,
        })
    }

    /// One part for the needles of both.
    pub fn merged(a: &Part, b: &Part) -> Option<Part> {
        Part::new(a.needles.iter().chain(b.needles.iter()).cloned().collect())
    }

    /// Its needles, longest first.
    pub fn needles(&self) -> &[String] {
        &self.needles
    }

    /// The bytes of its needles.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The heap its automaton holds, in bytes.
    pub fn heap(&self) -> usize {
        self.matcher.as_ref().map_or(0, AhoCorasick::memory_usage)
    }

    /// Where its needles occur in `text`, in order. Needles and text are
    /// UTF-8, so every span starts and ends on a character boundary.
    pub fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        if let Some(found) = self
            .matcher
            .as_ref()
            .and_then(|m| m.try_find_iter(text).ok())
        {
            return found.map(|m| (m.start(), m.end())).collect();
        }
        // The automaton could not be built: one needle at a time.
        let mut spans: Vec<(usize, usize)> = self
            .needles
            .iter()
            .flat_map(|n| {
                text.match_indices(n.as_str())
                    .map(|(i, m)| (i, i + m.len()))
            })
            .collect();
        spans.sort_unstable();
        spans
    }
}
