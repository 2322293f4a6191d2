//! Text a plugin chose, made fit to show: one line, nothing that drives a
//! terminal, bounded.
//!
//! Names, details, log lines, cleanup labels and plugin metadata come from a
//! guest. Each must reach the terminal and every report as exactly what it
//! claims to be — one line of plain text — so it can neither forge another
//! line (a `[ok  ]` row, a GitHub workflow command, a TAP test point, a
//! Markdown table row) nor drive the reader's terminal (colours, cursor
//! moves, the window title, the clipboard). The rules, applied once, after
//! redaction, by [`crate::redact::Redactor::line`] — through the ledger for
//! the reports, through [`crate::console`] for what Plume prints itself
//! (sinks then only escape for their own format):
//!
//! - line breaks — LF, CR, CR LF, VT, FF, NEL (U+0085), LS (U+2028) and PS
//!   (U+2029) — end a line; lines are trimmed, blank ones dropped, and the
//!   rest joined with [`SEPARATOR`] (` | `);
//! - a tab becomes a space;
//! - every other control character becomes a visible escape: `\x1b` for C0
//!   and DEL (two lowercase hex digits), `\u{9b}` for C1;
//! - bidirectional formatting characters, which reorder what a reader sees
//!   (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), become
//!   `\u{202e}`-style escapes too;
//! - text longer than its limit ([`DETAIL_MAX`](crate::limits::DETAIL_MAX),
//!   [`LOG_MAX`](crate::limits::LOG_MAX), [`LABEL_MAX`](crate::limits::LABEL_MAX))
//!   is cut on a character boundary and ends with a note of its full size:
//!   `… (cut: 16777216 bytes in all)`.
//!
//! The escapes are for reading, not for reversing: a backslash the plugin
//! wrote itself is left as it is. Group and check names are held to
//! [`check_name`]'s stricter rule when a plugin loads, and refused if they
//! break it.

use crate::limits::{NAME_MAX, NAME_QUOTE_MAX};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Joins what were separate lines.
pub const SEPARATOR: &str = " | ";

/// Ends a line: LF, CR, VT, FF, NEL, LS, PS.
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Reorders the text around it: the Unicode bidirectional formatting characters.
pub fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Never shown as itself: control characters (C0, DEL, C1), line and
/// paragraph separators, bidirectional formatting characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_line_break(c) || is_bidi(c)
}

/// Drawn as nothing: Unicode's default-ignorable code points (zero-width
/// space and joiners, word joiner, soft hyphen, variation selectors, byte
/// order mark, tags, fillers). In a name they would make two different
/// names print the same (`auth` and `auth\u{200b}`).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// `text` with every [`is_invisible`] character written as its escape, so
/// a cleanup label (shown, never refused) cannot print like another.
pub fn invisible_shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_invisible(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a plugin's group or check name is acceptable, and why not.
///
/// A name is one token: not empty, at most [`NAME_MAX`] characters, no
/// white space and nothing [`is_unsafe`] or [`is_invisible`].
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".to_owned());
    }
    let chars = name.chars().count();
    if chars > NAME_MAX {
        return Err(format!(
            "is {chars} characters long; the limit is {NAME_MAX}"
        ));
    }
    if let Some(c) = name.chars().find(|&c| is_unsafe(c)) {
        return Err(format!("contains the unsafe character {}", escape(c)));
    }
    if let Some(c) = name.chars().find(|&c| is_invisible(c)) {
        return Err(format!("contains the invisible character {}", escape(c)));
    }
    if name.chars().any(char::is_whitespace) {
        return Err("contains white space".to_owned());
    }
    Ok(())
}

/// The non-blank lines of `text`, split at every [`is_line_break`], trimmed.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_line_break)
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// `text` on one line, every character safe to show (see the module's rules).
pub fn one_line(text: &str) -> String {
    // Most lines are already one trimmed line of printable ASCII.
    let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if plain && !text.starts_with(' ') && !text.ends_with(' ') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines(text).enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
        }
        for c in line.chars() {
            if c == '\t' {
                out.push(' ');
            } else if is_unsafe(c) {
                out.push_str(&escape(c));
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// The visible stand-in for an unsafe character: `\x1b`, `\u{9b}`, `\u{202e}`.
fn escape(c: char) -> String {
    let code = u32::from(c);
    let mut out = String::new();
    if code < 0x80 {
        let _ = write!(out, "\\x{code:02x}");
    } else {
        let _ = write!(out, "\\u{{{code:x}}}");
    }
    out
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What ends a cut text: `… (cut: 16777216 bytes in all)`.
pub fn cut_note(total_bytes: usize) -> String {
    format!("… (cut: {total_bytes} bytes in all)")
}

/// Bounds `line` to `max` bytes, with the note of `total_bytes` (the size of
/// the text it was made from) when this cut or an earlier one (`cut_before`)
/// dropped something.
pub fn bound(line: String, total_bytes: usize, max: usize, cut_before: bool) -> String {
    if line.len() <= max && !cut_before {
        return line;
    }
    let mut out = prefix(&line, max).trim_end().to_owned();
    out.push_str(&cut_note(total_bytes));
    out
}

/// `text` as one safe line of at most `max` bytes plus the note: for text
/// that holds no secret (the ledger also redacts; see [`crate::redact`]).
pub fn shown(text: &str, max: usize) -> String {
    let head = prefix(text, max);
    bound(one_line(head), text.len(), max, head.len() < text.len())
}

/// A name quoted in an error message: safe, on one line, short.
pub fn quoted(name: &str) -> String {
    format!("`{}`", shown(name, NAME_QUOTE_MAX))
}

/// `line` unable to start a GitHub Actions workflow command: the runner reads
/// any output line that starts (after white space) with `::` as one, so a
/// leading `::` becomes `\x3a:`.
pub fn not_a_command(line: &str) -> Cow<'_, str> {
    let body = line.trim_start();
    if body.starts_with("::") {
        let indent = &line[..line.len() - body.len()];
        Cow::Owned(format!("{indent}\\x3a{}", &body[1..]))
    } else {
        Cow::Borrowed(line)
    }
}

/// `json` (serialised JSON) with U+2028, U+2029 and U+0085 escaped as
/// `\uXXXX`: valid JSON either way, but JavaScript and YAML readers treat
/// them raw as line breaks. Inside serialised JSON they only occur in strings.
pub fn json_line_safe(json: &str) -> Cow<'_, str> {
    if !json.contains(['\u{2028}', '\u{2029}', '\u{85}']) {
        return Cow::Borrowed(json);
    }
    Cow::Owned(
        json.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace('\u{85}', "\\u0085"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_print_like_another_are_refused() {
        for name in [
            "auth\u{200b}",
            "\u{feff}auth",
            "au\u{ad}th",
            "auth\u{e0041}",
        ] {
            let why = check_name(name).unwrap_err();
            assert!(
                why.starts_with("contains the invisible character \\u{"),
                "{why}"
            );
        }
        assert!(check_name("auth").is_ok());
        assert!(check_name("café.über").is_ok());
        assert_eq!(invisible_shown("auth\u{200b}"), "auth\\u{200b}");
        assert!(matches!(invisible_shown("auth"), Cow::Borrowed("auth")));
    }

    #[test]
    fn every_line_break_joins_with_the_separator() {
        for brk in [
            "\n", "\r", "\r\n", "\x0b", "\x0c", "\u{85}", "\u{2028}", "\u{2029}",
        ] {
            assert_eq!(one_line(&format!("a{brk}b")), "a | b", "{brk:?}");
        }
        assert_eq!(one_line(" a \n\n \r\n b \n"), "a | b");
        assert_eq!(one_line("\n\r\n"), "");
        assert_eq!(one_line("  padded  "), "padded");
        assert_eq!(one_line("GET /a in 0 ms: ok"), "GET /a in 0 ms: ok");
        assert_eq!(one_line(""), "");
    }

    #[test]
    fn controls_and_bidi_become_visible_escapes() {
        assert_eq!(one_line("\x1b[32mgreen"), "\\x1b[32mgreen");
        assert_eq!(one_line("a\x07b\x7fc"), "a\\x07b\\x7fc");
        assert_eq!(one_line("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            one_line("x\u{202e}y\u{2066}z\u{200f}\u{61c}"),
            "x\\u{202e}y\\u{2066}z\\u{200f}\\u{61c}"
        );
        assert_eq!(one_line("a\tb"), "a b");
        let hostile: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let shown = one_line(&hostile);
        assert!(!shown.chars().any(is_unsafe), "{shown:?}");
        assert!(
            shown.contains("é") && shown.contains("→"),
            "printable text is kept"
        );
    }

    #[test]
    fn a_cut_ends_with_the_full_size() {
        let big = "é".repeat(10_000);
        let cut = shown(&big, 101);
        assert!(cut.ends_with("… (cut: 20000 bytes in all)"), "{cut}");
        assert_eq!(cut.chars().filter(|&c| c == 'é').count(), 50);
        assert_eq!(shown("short", 100), "short");
        assert_eq!(prefix("aé", 2), "a");
    }

    #[test]
    fn names_are_single_safe_tokens_of_bounded_length() {
        assert!(check_name("auth.sign_in-2").is_ok());
        assert!(check_name(&"n".repeat(NAME_MAX)).is_ok());
        assert_eq!(
            check_name(&"n".repeat(70_000)).unwrap_err(),
            "is 70000 characters long; the limit is 128"
        );
        assert_eq!(check_name("").unwrap_err(), "is empty");
        assert_eq!(check_name("a b").unwrap_err(), "contains white space");
        assert_eq!(check_name("a\u{a0}b").unwrap_err(), "contains white space");
        for bad in ["a\x1bb", "a\u{202e}b", "a\u{2028}b", "a\u{85}b", "a\nb"] {
            assert!(
                check_name(bad)
                    .unwrap_err()
                    .starts_with("contains the unsafe"),
                "{bad:?}"
            );
        }
        let q = quoted(&format!("{}\x1b", "x".repeat(70_000)));
        assert!(q.len() < 120 && q.contains("70001 bytes in all"), "{q}");
    }

    #[test]
    fn workflow_commands_cannot_start_a_line() {
        assert_eq!(not_a_command("::error::x"), "\\x3a:error::x");
        assert_eq!(
            not_a_command("  ::stop-commands::t"),
            "  \\x3a:stop-commands::t"
        );
        assert_eq!(not_a_command("a ::error::x"), "a ::error::x");
    }

    #[test]
    fn json_separators_are_escaped() {
        let json = serde_json::to_string("a\u{2028}b\u{2029}c\u{85}d").unwrap();
        let safe = json_line_safe(&json);
        assert!(!safe.contains(['\u{2028}', '\u{2029}', '\u{85}']), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{2028}b\u{2029}c\u{85}d");
    }
}
