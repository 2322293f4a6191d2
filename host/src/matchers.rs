//! The assertion vocabulary behind `plume:check/assert`, free of the wasm runtime.
//!
//! A failure message states what was expected, what was found, and a bounded
//! excerpt of the body, so a check's line is enough to debug from:
//! `at /billing_plan: expected a value, found none; body: {"id":7,...}`.

use std::cell::RefCell;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use crate::limits::BODY_EXCERPT_CHARS;
use crate::redact::Redactor;

thread_local! {
    /// The redactor of the run whose assertion runs on this thread, if any.
    static RUN_REDACTOR: RefCell<Option<Arc<Redactor>>> = const { RefCell::new(None) };
}

/// Runs `work` with `redactor` as the one excerpts are redacted and cut
/// with: a run's, which holds the values its plugins masked so far, so a
/// cut never leaves the first part of one on show.
pub fn redacting_with<T>(redactor: Arc<Redactor>, work: impl FnOnce() -> T) -> T {
    let before = RUN_REDACTOR.with(|r| r.replace(Some(redactor)));
    let out = work();
    RUN_REDACTOR.with(|r| *r.borrow_mut() = before);
    out
}

/// The redactor for excerpts: the running assertion's run's, else every
/// secret the process has read.
fn secrets() -> Arc<Redactor> {
    RUN_REDACTOR
        .with(|r| r.borrow().clone())
        .unwrap_or_else(crate::console::redactor)
}

/// Response headers as the contract passes them: name and value pairs.
pub type Headers = Vec<(String, String)>;

/// The JSON types `json-type` can expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

/// A bounded, single-line excerpt of a body for failure messages.
///
/// The body is redacted with every secret the process knows before anything
/// else: a cut or a white-space change made first could leave part of a
/// secret, or a multi-line one, unrecognisable to the redaction that follows.
pub fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let head = &body[..body.len().min(BODY_EXCERPT_CHARS * 4 + 4)];
    let text = String::from_utf8_lossy(head);
    // A byte order mark is invisible; name it, since it is often the
    // reason a body that looks like JSON does not parse.
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("<BOM>", rest),
        None => ("", &*text),
    };
    let secrets = secrets();
    let bounded = secrets.cut_prefix(text, BODY_EXCERPT_CHARS * 4);
    let redacted = secrets.redact(bounded);
    let flat: String = bom
        .chars()
        .chain(
            redacted
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c }),
        )
        .collect();
    let count = flat.chars().count();
    if count <= BODY_EXCERPT_CHARS && head.len() == body.len() && bounded.len() == text.len() {
        flat
    } else {
        let head: String = flat.chars().take(BODY_EXCERPT_CHARS).collect();
        format!("{head}… ({} bytes)", body.len())
    }
}

pub fn status_in(status: u16, expected: &[u16], body: &[u8]) -> Result<(), String> {
    if expected.contains(&status) {
        return Ok(());
    }
    /// A status list longer than this is quoted by its start and length.
    const SHOWN: usize = 20;
    let want = match expected {
        [one] => one.to_string(),
        many => {
            let shown: Vec<String> = many.iter().take(SHOWN).map(u16::to_string).collect();
            let more = if many.len() > SHOWN {
                format!(", … ({} in all)", many.len())
            } else {
                String::new()
            };
            format!("one of {}{more}", shown.join(", "))
        }
    };
    Err(format!(
        "expected status {want}, got {status}; body: {}",
        excerpt(body)
    ))
}

/// The body as JSON. A leading UTF-8 byte order mark is skipped, as RFC 8259
/// §8.1 allows (servers on Windows stacks send one).
fn parse(body: &[u8]) -> Result<Value, String> {
    let json = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice(json)
        .map_err(|e| format!("expected a JSON body ({e}); body: {}", excerpt(body)))
}

/// JSON equality as a JSON reader sees it: numbers by value (`0`, `0.0` and
/// `0e0` are one number; serde_json's `==` tells an integer from a float),
/// arrays item by item, objects key by key.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn lookup<'a>(doc: &'a Value, pointer: &str, body: &[u8]) -> Result<&'a Value, String> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err(format!(
            "bad JSON pointer {pointer:?}: it must be empty or start with /"
        ));
    }
    doc.pointer(pointer).ok_or_else(|| {
        format!(
            "at {}: expected a value, found none; body: {}",
            show(pointer),
            excerpt(body)
        )
    })
}

fn show(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}

/// A value as text: strings as they are, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value as JSON for a failure message, redacted before it is cut.
fn quoted(value: &Value) -> String {
    let secrets = secrets();
    let text = value.to_string();
    let text = secrets.redact(secrets.cut_prefix(&text, BODY_EXCERPT_CHARS * 4));
    if text.chars().count() > BODY_EXCERPT_CHARS {
        format!(
            "{}…",
            text.chars().take(BODY_EXCERPT_CHARS).collect::<String>()
        )
    } else {
        text
    }
}

pub fn json_exists(body: &[u8], pointer: &str) -> Result<(), String> {
    lookup(&parse(body)?, pointer, body).map(|_| ())
}

pub fn json_get(body: &[u8], pointer: &str) -> Result<String, String> {
    lookup(&parse(body)?, pointer, body).map(text_of)
}

pub fn json_equals(body: &[u8], pointer: &str, expected: &str) -> Result<(), String> {
    let want: Value = serde_json::from_str(expected).map_err(|e| {
        format!(
            "the expected value {expected:?} is not JSON ({e}); write strings as \"\\\"text\\\"\""
        )
    })?;
    let doc = parse(body)?;
    let got = lookup(&doc, pointer, body)?;
    if same(got, &want) {
        Ok(())
    } else {
        Err(format!(
            "at {}: expected {}, got {}",
            show(pointer),
            quoted(&want),
            quoted(got)
        ))
    }
}

pub fn json_matches(body: &[u8], pointer: &str, pattern: &str) -> Result<(), String> {
    let re = Regex::new(pattern).map_err(|e| format!("bad regex {pattern:?}: {e}"))?;
    let doc = parse(body)?;
    let got = lookup(&doc, pointer, body)?;
    if re.is_match(&text_of(got)) {
        Ok(())
    } else {
        Err(format!(
            "at {}: expected a match for /{pattern}/, got {}",
            show(pointer),
            quoted(got)
        ))
    }
}

fn kind_name(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Null => "null",
        JsonKind::Boolean => "boolean",
        JsonKind::Number => "number",
        JsonKind::String => "string",
        JsonKind::Array => "array",
        JsonKind::Object => "object",
    }
}

fn kind_of(value: &Value) -> JsonKind {
    match value {
        Value::Null => JsonKind::Null,
        Value::Bool(_) => JsonKind::Boolean,
        Value::Number(_) => JsonKind::Number,
        Value::String(_) => JsonKind::String,
        Value::Array(_) => JsonKind::Array,
        Value::Object(_) => JsonKind::Object,
    }
}

pub fn json_type(body: &[u8], pointer: &str, kind: JsonKind) -> Result<(), String> {
    let doc = parse(body)?;
    let got = lookup(&doc, pointer, body)?;
    let actual = kind_of(got);
    if actual == kind {
        Ok(())
    } else {
        Err(format!(
            "at {}: expected {}, got {} {}",
            show(pointer),
            kind_name(kind),
            kind_name(actual),
            quoted(got)
        ))
    }
}

pub fn json_non_empty(body: &[u8], pointer: &str) -> Result<(), String> {
    let doc = parse(body)?;
    let got = lookup(&doc, pointer, body)?;
    let empty = match got {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    if empty {
        Err(format!(
            "at {}: expected a non-empty value, got {}",
            show(pointer),
            quoted(got)
        ))
    } else {
        Ok(())
    }
}

/// Every value of header `name`, in the order received (a server may repeat
/// one: `set-cookie`, `link`, `www-authenticate`).
fn values<'a>(headers: &'a Headers, name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

fn names(headers: &Headers) -> String {
    let list: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

fn absent(headers: &Headers, name: &str) -> String {
    format!(
        "expected header {name}, not present (headers: {})",
        names(headers)
    )
}

pub fn header_present(headers: &Headers, name: &str) -> Result<(), String> {
    if values(headers, name).is_empty() {
        return Err(absent(headers, name));
    }
    Ok(())
}

/// Holds when any value of a repeated header matches; a failure quotes them all.
pub fn header_matches(headers: &Headers, name: &str, pattern: &str) -> Result<(), String> {
    let re = Regex::new(pattern).map_err(|e| format!("bad regex {pattern:?}: {e}"))?;
    match values(headers, name).as_slice() {
        [] => Err(absent(headers, name)),
        found if found.iter().any(|v| re.is_match(v)) => Ok(()),
        [one] => Err(format!(
            "header {name}: expected a match for /{pattern}/, got {one:?}"
        )),
        many => Err(format!(
            "header {name}: expected a match for /{pattern}/, got {} values: {}",
            many.len(),
            many.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Linear in the body and the needle whatever their content (a naive
/// window scan is quadratic on `aaa…ab` in `aaa…a`).
pub fn body_contains(body: &[u8], needle: &str) -> Result<(), String> {
    if memchr::memmem::find(body, needle.as_bytes()).is_some() {
        Ok(())
    } else {
        Err(format!(
            "expected the body to contain {}, not found; body: {}",
            quoted(&Value::String(needle.to_owned())),
            excerpt(body)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[u8] = br#"{"plan":"free","items":[1,2],"empty":"","n":3}"#;

    #[test]
    fn status_messages_show_expected_actual_and_body() {
        assert!(status_in(200, &[200, 201], b"").is_ok());
        let msg = status_in(500, &[401], br#"{"error":"boom"}"#).unwrap_err();
        assert_eq!(
            msg,
            r#"expected status 401, got 500; body: {"error":"boom"}"#
        );
    }

    #[test]
    fn json_pointer_assertions_name_the_pointer() {
        assert!(json_exists(DOC, "/plan").is_ok());
        let msg = json_exists(DOC, "/billing_plan").unwrap_err();
        assert!(
            msg.starts_with("at /billing_plan: expected a value, found none; body: {"),
            "{msg}"
        );
        assert_eq!(
            json_equals(DOC, "/plan", "\"pro\"").unwrap_err(),
            r#"at /plan: expected "pro", got "free""#
        );
        assert!(json_equals(DOC, "/n", "3").is_ok());
        assert!(json_matches(DOC, "/plan", "^fr").is_ok());
        assert_eq!(
            json_type(DOC, "/items", JsonKind::Object).unwrap_err(),
            "at /items: expected object, got array [1,2]"
        );
        assert_eq!(
            json_non_empty(DOC, "/empty").unwrap_err(),
            r#"at /empty: expected a non-empty value, got """#
        );
        assert_eq!(json_get(DOC, "/plan").unwrap(), "free");
        assert_eq!(json_get(DOC, "/items").unwrap(), "[1,2]");
    }

    #[test]
    fn non_json_bodies_are_quoted() {
        let msg = json_exists(b"<html>oops</html>", "/a").unwrap_err();
        assert!(
            msg.contains("expected a JSON body") && msg.contains("<html>oops</html>"),
            "{msg}"
        );
    }

    #[test]
    fn headers_and_body_contains() {
        let h = vec![("content-type".to_string(), "text/event-stream".to_string())];
        assert!(header_present(&h, "Content-Type").is_ok());
        assert_eq!(
            header_present(&h, "www-authenticate").unwrap_err(),
            "expected header www-authenticate, not present (headers: content-type)"
        );
        assert!(header_matches(&h, "content-type", "^text/event-stream").is_ok());
        assert!(body_contains(b"abc MARK def", "MARK").is_ok());
        assert!(
            body_contains(b"abc", "MARK")
                .unwrap_err()
                .contains("\"MARK\", not found")
        );
    }

    #[test]
    fn numbers_are_equal_by_value_at_any_depth() {
        let doc =
            br#"{"price":0.0,"n":1,"big":18446744073709551615,"neg":-2,"list":[1.0,{"a":2e0}]}"#;
        assert!(json_equals(doc, "/price", "0").is_ok());
        assert!(json_equals(doc, "/n", "1.0").is_ok());
        assert!(json_equals(doc, "/n", "1e0").is_ok());
        assert!(json_equals(doc, "/big", "18446744073709551615").is_ok());
        assert!(json_equals(doc, "/neg", "-2.0").is_ok());
        assert!(json_equals(doc, "/list", r#"[1,{"a":2}]"#).is_ok());
        assert_eq!(
            json_equals(doc, "/price", "0.5").unwrap_err(),
            "at /price: expected 0.5, got 0.0"
        );
        assert!(json_equals(doc, "/n", "\"1\"").is_err());
        assert!(json_equals(doc, "/big", "18446744073709551614").is_err());
        assert!(json_equals(doc, "/list", r#"[1,{"a":2,"b":3}]"#).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_shown() {
        let doc = b"\xEF\xBB\xBF{\"version\":\"2.3.4\"}";
        assert!(json_equals(doc, "/version", "\"2.3.4\"").is_ok());
        assert_eq!(excerpt(doc), r#"<BOM>{"version":"2.3.4"}"#);
        let msg = json_exists(b"\xEF\xBB\xBF\xEF\xBB\xBF{}", "/a").unwrap_err();
        assert!(msg.ends_with("body: <BOM>\u{feff}{}"), "{msg}");
    }

    #[test]
    fn a_repeated_header_matches_when_any_value_does() {
        let h = vec![
            ("Set-Cookie".to_string(), "__cf_bm=abc; path=/".to_string()),
            ("set-cookie".to_string(), "session=s1; HttpOnly".to_string()),
        ];
        assert!(header_matches(&h, "set-cookie", "^session=").is_ok());
        assert_eq!(
            header_matches(&h, "set-cookie", "^csrf=").unwrap_err(),
            r#"header set-cookie: expected a match for /^csrf=/, got 2 values: "__cf_bm=abc; path=/", "session=s1; HttpOnly""#
        );
    }

    #[test]
    fn body_contains_is_linear_on_a_needle_that_almost_matches_everywhere() {
        // Quadratic with a window scan: 2^40 byte comparisons.
        let body = vec![b'a'; 1 << 21];
        let needle = format!("{}b", "a".repeat((1 << 20) - 1));
        let msg = body_contains(&body, &needle).unwrap_err();
        assert!(msg.ends_with("… (2097152 bytes)"), "{msg}");
        assert!(body_contains(&body, &needle[..1 << 19]).is_ok());
        assert!(body_contains(b"", "").is_ok());
    }

    #[test]
    fn a_long_status_list_is_quoted_by_its_start() {
        let many: Vec<u16> = (200..1200).collect();
        let msg = status_in(100, &many, b"").unwrap_err();
        assert!(
            msg.starts_with("expected status one of 200, 201,")
                && msg.contains("219, … (1000 in all), got 100"),
            "{msg}"
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        let long = vec![b'x'; 10_000];
        let e = excerpt(&long);
        assert!(e.ends_with("… (10000 bytes)"), "{e}");
        assert!(e.chars().count() < 200);
    }
}
