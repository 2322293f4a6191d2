//! What `plume init` asks of one URL's answer: the `expect` lines of its
//! check. Always the status; the `content-type` (a redirect: its
//! `location`); a JSON body's most telling values (a short word or a boolean
//! by value, anything else by type, at most three), else a text the body
//! shows (an HTML `<title>`, else its first line with words in it); and a
//! latency bound of five times what the answer took, at least 500 ms. A body
//! cut at the probe's limit gets no body check, and the line says why.

use super::probe::Probe;
use crate::limits::MAX_PROBE_BODY;

/// A TOML string literal.
pub(super) fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The `expect` lines of one URL's check.
pub(super) fn expectations(p: &Probe) -> Vec<String> {
    let mut lines = vec![format!("expect.status = {}", p.status)];
    let content_type = p
        .content_type
        .as_deref()
        .map(|c| c.split(';').next().unwrap_or(c).trim());
    if (300..400).contains(&p.status) {
        if let Some(location) = &p.location {
            let pattern = format!("^{}$", regex::escape(location));
            lines.push(format!(
                "expect.headers = [{{ name = \"location\", matches = {} }}]",
                quoted(&pattern)
            ));
        }
    } else if let Some(ct) = content_type.filter(|c| !c.is_empty()) {
        let pattern = format!("^{}", regex::escape(ct));
        lines.push(format!(
            "expect.headers = [{{ name = \"content-type\", matches = {} }}]",
            quoted(&pattern)
        ));
    }
    if p.truncated {
        lines.push(format!(
            "# The first answer's body was over {} KiB: no body check was chosen from it.",
            MAX_PROBE_BODY / 1024
        ));
    } else if let Some(json) = json_expectations(p, content_type) {
        lines.push(format!(
            "expect.json = [\n{}\n]",
            json.iter()
                .map(|j| format!("    {j},"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    } else if let Some(marker) = text_marker(p, content_type) {
        lines.push(format!("expect.body-contains = {}", quoted(&marker)));
    } else if !(300..400).contains(&p.status) {
        lines.push(
            "# The first answer showed no JSON value or text to check in its body.".to_owned(),
        );
    }
    let answered = p.elapsed.as_millis();
    let bound = (answered * 5).div_ceil(100) * 100;
    lines.push(format!(
        "expect.within-ms = {}   # answered in {answered} ms when this was written",
        bound.max(500)
    ));
    lines
}

/// Up to three expectations on a JSON body: a short word-like string or a
/// boolean by value, anything else by type.
fn json_expectations(p: &Probe, content_type: Option<&str>) -> Option<Vec<String>> {
    if !content_type.is_some_and(|c| c.contains("json")) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(&p.body).ok()?;
    let members: Vec<(String, &serde_json::Value)> = match &value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (format!("/{}", escape_pointer(k)), v))
            .collect(),
        serde_json::Value::Array(items) if !items.is_empty() => {
            vec![(String::new(), &value), ("/0".to_owned(), &items[0])]
        }
        _ => return None,
    };
    // Values first: a status word says more than a type.
    let mut ranked: Vec<(u8, String)> = members
        .into_iter()
        .map(|(pointer, v)| json_expectation(&pointer, v))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let chosen: Vec<String> = ranked.into_iter().take(3).map(|(_, e)| e).collect();
    (!chosen.is_empty()).then_some(chosen)
}

/// One expectation and its rank (lower says more).
fn json_expectation(pointer: &str, value: &serde_json::Value) -> (u8, String) {
    use serde_json::Value;
    let at = quoted(pointer);
    match value {
        Value::String(s)
            if s.len() <= 40 && !s.is_empty() && !s.chars().any(|c| c.is_ascii_digit()) =>
        {
            (0, format!("{{ pointer = {at}, equals = {} }}", quoted(s)))
        }
        Value::Bool(b) => (1, format!("{{ pointer = {at}, equals = {b} }}")),
        Value::String(s) if !s.is_empty() => (
            2,
            format!("{{ pointer = {at}, type = \"string\", non-empty = true }}"),
        ),
        Value::Array(a) if !a.is_empty() => (
            2,
            format!("{{ pointer = {at}, type = \"array\", non-empty = true }}"),
        ),
        Value::Object(o) if !o.is_empty() => (
            2,
            format!("{{ pointer = {at}, type = \"object\", non-empty = true }}"),
        ),
        other => (
            3,
            format!("{{ pointer = {at}, type = \"{}\" }}", json_type(other)),
        ),
    }
}

fn json_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON pointer's reference token (RFC 6901): `~` as `~0`, `/` as `~1`.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A text the body shows: an HTML page's `<title>`, else its first line
/// with some words in it, at most 60 characters.
fn text_marker(p: &Probe, content_type: Option<&str>) -> Option<String> {
    let text = std::str::from_utf8(&p.body).ok()?;
    if content_type.is_some_and(|c| c.contains("html")) {
        let lower = text.to_ascii_lowercase();
        if let Some(start) = lower.find("<title>").map(|i| i + "<title>".len())
            && let Some(len) = lower[start..].find("</title>")
        {
            let title = text[start..start + len].trim();
            if !title.is_empty() && title.len() <= 120 && !title.contains('\n') {
                return Some(title.to_owned());
            }
        }
    }
    text.lines()
        .map(str::trim)
        .find(|line| line.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .map(|line| {
            line.chars()
                .take(60)
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn answer(status: u16, content_type: &str, body: &str) -> Probe {
        Probe {
            url: url::Url::parse("http://127.0.0.1:1/x").unwrap(),
            status,
            content_type: Some(content_type.to_owned()),
            location: Some("https://a.example/next?x=1".to_owned()),
            elapsed: Duration::from_millis(180),
            body: body.as_bytes().to_vec(),
            truncated: false,
            private: false,
        }
    }

    #[test]
    fn a_json_body_is_asked_for_its_words_by_value_and_the_rest_by_type() {
        let lines = expectations(&answer(
            200,
            "application/json; charset=utf-8",
            r#"{"a/b":"ok","id":"8f3e-12","up":true,"n":3,"list":[1]}"#,
        ));
        let text = lines.join("\n");
        assert!(
            text.contains(r#"{ pointer = "/a~1b", equals = "ok" }"#),
            "{text}"
        );
        assert!(
            text.contains(r#"{ pointer = "/up", equals = true }"#),
            "{text}"
        );
        assert!(
            !text.contains("8f3e"),
            "an id-like value is not pinned: {text}"
        );
        assert!(text.contains(r#"matches = "^application/json""#), "{text}");
        assert!(text.contains("expect.within-ms = 900"), "{text}");
    }

    #[test]
    fn a_redirect_is_asked_for_its_location_and_a_page_for_its_title() {
        let redirect = expectations(&answer(302, "text/html", "")).join("\n");
        assert!(
            redirect.contains(r"matches = '^https://a\.example/next\?x=1$'"),
            "{redirect}"
        );
        let page = expectations(&answer(
            200,
            "text/html",
            "<html><TITLE> Shop </TITLE></html>",
        ));
        assert!(
            page.join("\n").contains(r#"expect.body-contains = "Shop""#),
            "{page:?}"
        );
    }
}
