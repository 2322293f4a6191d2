//! A text as a JSON reader would see it, with the way back to the text.
//!
//! A server may echo a secret inside a JSON string with any of its
//! characters escaped: Python's `json.dumps` writes every non-ASCII
//! character as `\uXXXX` (a non-BMP one as a surrogate pair), PHP's
//! `json_encode` writes `/` as `\/`, and nothing stops a server from
//! escaping every character, in lower- or upper-case hex. No list of needles
//! covers every mix, so the redactor also looks for secrets in the text with
//! those escapes undone — [`Unescaped`] — and masks the span of the original
//! text each match came from. Escapes are undone up to [`JSON_ESCAPE_LEVELS`] times, for
//! JSON quoted inside JSON, and every level is searched.

use crate::limits::JSON_ESCAPE_LEVELS;

/// `text` with its JSON string escapes undone, and where each byte came from.
#[derive(Debug)]
pub struct Unescaped {
    /// The text with the escapes undone.
    pub view: String,
    /// For each byte of `view` and one past its end, the offset in the
    /// original text where the escape (or character) it came from starts.
    origin: Vec<usize>,
}

impl Unescaped {
    /// `text` with one, two, … up to [`JSON_ESCAPE_LEVELS`] levels of escapes undone,
    /// each level a view of its own (a secret may hold a backslash that the
    /// next level would undo); empty when it holds no escape.
    pub fn levels(text: &str) -> Vec<Unescaped> {
        let mut levels: Vec<Unescaped> = Vec::new();
        while levels.len() < JSON_ESCAPE_LEVELS {
            let next = match levels.last() {
                None => unescape_once(text),
                Some(last) => unescape_once(&last.view).map(|next| Unescaped {
                    origin: next.origin.iter().map(|&i| last.origin[i]).collect(),
                    view: next.view,
                }),
            };
            let Some(next) = next else { break };
            levels.push(next);
        }
        levels
    }

    /// The span of the original text that the view's bytes `start..end` came from.
    pub fn span(&self, start: usize, end: usize, text_len: usize) -> (usize, usize) {
        let from = self.origin.get(start).copied().unwrap_or(text_len);
        let to = self.origin.get(end).copied().unwrap_or(text_len);
        (from, to.max(from))
    }
}

/// One level of escapes undone; `None` if `text` holds no backslash escape.
fn unescape_once(text: &str) -> Option<Unescaped> {
    if !text.contains('\\') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut view = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let (c, len) = match decode_at(bytes, i) {
            Some(decoded) => {
                changed = true;
                decoded
            }
            None => {
                let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                (c, c.len_utf8())
            }
        };
        for _ in 0..c.len_utf8() {
            origin.push(i);
        }
        view.push(c);
        i += len;
    }
    origin.push(text.len());
    changed.then_some(Unescaped { view, origin })
}

/// The character a JSON escape at `at` stands for, and the escape's length;
/// `None` if no escape starts there (a lone surrogate is left as written).
fn decode_at(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    if bytes.get(at) != Some(&b'\\') {
        return None;
    }
    let simple = match bytes.get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\x08',
        b'f' => '\x0c',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return decode_unicode(bytes, at),
        _ => return None,
    };
    Some((simple, 2))
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at `at`.
fn decode_unicode(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let first = hex4(bytes, at + 2)?;
    if let Some(c) = char::from_u32(first) {
        return Some((c, 6));
    }
    if !(0xd800..0xdc00).contains(&first) || bytes.get(at + 6..at + 8)? != b"\\u" {
        return None;
    }
    let second = hex4(bytes, at + 8)?;
    if !(0xdc00..0xe000).contains(&second) {
        return None;
    }
    let code = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
    Some((char::from_u32(code)?, 12))
}

/// Four hex digits (either case) at `at`.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::Unescaped;
    use crate::limits::JSON_ESCAPE_LEVELS;

    #[test]
    fn escapes_of_every_kind_are_undone_and_mapped_back() {
        let text = r#"x "\u0073\u0045cr\/et\ud83d\uDE00\n" y"#;
        let u = Unescaped::levels(text).remove(0);
        assert_eq!(u.view, "x \"sEcr/et\u{1f600}\n\" y");
        let start = u.view.find("sEcr").unwrap();
        let end = u.view.find('\n').unwrap();
        let (from, to) = u.span(start, end, text.len());
        assert_eq!(&text[from..to], r"\u0073\u0045cr\/et\ud83d\uDE00");
        assert!(Unescaped::levels("no escapes").is_empty());
        assert!(Unescaped::levels(r"lone \ud83d x").is_empty());
        let levels = Unescaped::levels(r"]\u005c\u005cZ");
        assert_eq!(
            levels[0].view, r"]\\Z",
            "a level keeps what the next would undo"
        );
        assert_eq!(levels[1].view, r"]\Z");
    }

    #[test]
    fn json_quoted_inside_json_is_undone_too() {
        let inner = serde_json::to_string("pé/w").unwrap();
        let outer = serde_json::to_string(&inner.replace('é', "\\u00e9")).unwrap();
        let levels = Unescaped::levels(&outer);
        assert!(levels[1].view.contains("pé/w"), "{}", levels[1].view);
    }

    #[test]
    fn escapes_past_the_levels_bound_are_left_as_they_are() {
        // `\u0041` (an `A`) with its backslash escaped once per level: the
        // `A` lies one level past the bound, so the last view keeps `\u0041`.
        let backslashes = "\\".repeat(1 << JSON_ESCAPE_LEVELS);
        let text = format!("x {backslashes}u0041 y");
        let levels = Unescaped::levels(&text);
        assert_eq!(levels.len(), JSON_ESCAPE_LEVELS);
        assert_eq!(levels[JSON_ESCAPE_LEVELS - 1].view, r"x \u0041 y");
    }
}
