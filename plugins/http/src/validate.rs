//! What the pack refuses when it reads its config, before any check runs:
//! expectations a check's mode cannot evaluate (a stream has no whole body,
//! so no `json` and no JSON capture; `body-excludes` on a stream needs the
//! window `open-for-ms` to watch), and `{{name}}` values no earlier check
//! of the group captures (`{{group.name}}`: no check of that group), JSON
//! pointers that are not RFC 6901 pointers and regexes that do not parse (the
//! host's `regex` grammar, through `regex-syntax`). A key that is accepted is
//! evaluated; nothing is silently ignored, and no mistake waits for the run
//! to be reported as a failed deploy.

use serde_json::Value;

use crate::config::CheckSpec;

/// The first problem of a check with `expect.sha256` or `expect.bytes`: its
/// body is hashed by the host and never reaches the pack.
pub fn digest_mode(c: &CheckSpec) -> Option<String> {
    let e = &c.expect;
    if !e.digest() {
        return None;
    }
    let how = "the body is hashed by the host as it streams and never reaches the pack; \
               move it to a check of its own";
    if e.stream.is_some() {
        return Some(format!(
            "expect.sha256/expect.bytes cannot be combined with expect.stream: {how}"
        ));
    }
    if let Some(sha) = &e.sha256
        && !(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Some(format!(
            "expect.sha256 {sha:?} is not a SHA-256 (64 hex digits)"
        ));
    }
    let key = if !e.json.is_empty() {
        "expect.json"
    } else if e.body_contains.is_some() {
        "expect.body-contains"
    } else if e.body_excludes.is_some() {
        "expect.body-excludes"
    } else if c.capture.iter().any(|cap| cap.json.is_some()) {
        "a json capture"
    } else {
        return None;
    };
    Some(format!(
        "{key} cannot be evaluated with expect.sha256/expect.bytes: {how}"
    ))
}

/// The first problem of a check with `expect.stream`, as
/// `expect.json: ...; how to fix it`.
pub fn stream_mode(c: &CheckSpec) -> Option<String> {
    let s = c.expect.stream.as_ref()?;
    if !c.expect.json.is_empty() {
        return Some(
            "expect.json cannot be evaluated with expect.stream: a stream's body never ends, so \
             there is no JSON document to read; check its text with expect.body-contains, or \
             remove expect.stream to read the body whole"
                .to_owned(),
        );
    }
    if let Some(cap) = c.capture.iter().find(|cap| cap.json.is_some()) {
        return Some(format!(
            "capture {}: a JSON capture cannot be evaluated with expect.stream (a stream has no \
             whole body); capture a header (`header = \"...\"`) or remove expect.stream",
            cap.name
        ));
    }
    if c.expect.body_excludes.is_some() && s.open_for_ms.is_none() {
        return Some(
            "expect.body-excludes with expect.stream needs expect.stream.open-for-ms: the window \
             in which the text must not arrive"
                .to_owned(),
        );
    }
    None
}

/// The first reference no check can satisfy, as `(check index, message)`:
/// a `{{name}}` that no earlier check of the same group captures, a
/// `{{group.name}}` that no check of that group captures, an unknown filter.
pub fn references(checks: &[CheckSpec]) -> Result<(), (usize, String)> {
    for (i, c) in checks.iter().enumerate() {
        for inner in names_in(c) {
            if let Some(filter) = crate::template::unknown_filter(&inner) {
                return Err((
                    i,
                    format!(
                        "`{{{{{inner}}}}}`: unknown filter `{filter}`; use one of: {}",
                        crate::template::FILTERS.join(", ")
                    ),
                ));
            }
            let (name, filters) = crate::template::parse(&inner);
            // The host masks a secret as written and in one base64 or base64url
            // encoding; an encoding of an encoding would print unrecognised.
            if name.starts_with("secret:") && filters.len() > 1 {
                return Err((
                    i,
                    format!(
                        "`{{{{{inner}}}}}`: a secret takes at most one filter (the host masks a secret and its one base64 or base64url form, not an encoding of an encoding)"
                    ),
                ));
            }
            let name = name.to_owned();
            if name == "marker" || name.starts_with("secret:") {
                continue;
            }
            match name.split_once('.') {
                None => {
                    let earlier = checks[..i].iter().filter(|p| p.group == c.group);
                    if producer(earlier, &name).is_none() {
                        return Err((
                            i,
                            format!(
                                "`{{{{{name}}}}}` is not captured by an earlier check of group {}; \
                                 add `capture = [{{ name = \"{name}\", ... }}]` to one, or fix the name",
                                c.group
                            ),
                        ));
                    }
                }
                Some((group, key)) => {
                    let in_group: Vec<&CheckSpec> =
                        checks.iter().filter(|p| p.group == group).collect();
                    if !in_group.is_empty()
                        && !in_group
                            .iter()
                            .any(|p| p.capture.iter().any(|cap| cap.name == key))
                    {
                        return Err((
                            i,
                            format!(
                                "`{{{{{name}}}}}`: no check of group {group} captures `{key}`; \
                                 add `capture = [{{ name = \"{key}\", ... }}]` to one, or fix the name"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The first of `earlier` (checks before one in its group) that captures
/// `name`: the check a `{{name}}` reads from.
pub fn producer<'a>(
    earlier: impl IntoIterator<Item = &'a CheckSpec>,
    name: &str,
) -> Option<&'a CheckSpec> {
    earlier
        .into_iter()
        .find(|p| p.capture.iter().any(|cap| cap.name == name))
}

/// The secrets the checks name as `{{secret:NAME}}`, each once, in order.
pub fn secrets(checks: &[CheckSpec]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for inner in checks.iter().flat_map(names_in) {
        let name = crate::template::parse(&inner).0;
        if let Some(secret) = name.strip_prefix("secret:").map(str::trim)
            && !out.iter().any(|s| s == secret)
        {
            out.push(secret.to_owned());
        }
    }
    out
}

/// Every `{{...}}` name in the strings a check expands when it runs.
fn names_in(c: &CheckSpec) -> Vec<String> {
    let mut texts: Vec<&str> = vec![&c.url];
    if let Some(b) = &c.basic {
        texts.extend([b.user.as_str(), b.password.as_str()]);
    }
    texts.extend(c.headers.values().map(String::as_str));
    texts.extend(c.body.as_deref());
    let mut values: Vec<&Value> = c.json.iter().collect();
    if let Some(d) = &c.defer {
        texts.push(&d.url);
        texts.extend(d.headers.values().map(String::as_str));
        texts.extend(d.body.as_deref());
    }
    let mut owned: Vec<String> = Vec::new();
    for b in c.expect.body_contains.iter().chain(&c.expect.body_excludes) {
        owned.extend(b.items());
    }
    if let Some(s) = &c.expect.stream {
        texts.extend(s.contains.as_deref());
    }
    for j in &c.expect.json {
        texts.extend(j.matches.as_deref());
        values.extend(j.equals.as_ref());
    }
    texts.extend(c.capture.iter().filter_map(|cap| cap.value.as_deref()));
    let mut all: Vec<String> = texts.into_iter().map(str::to_owned).collect();
    all.extend(owned);
    for v in values {
        strings_of(v, &mut all);
    }
    let mut names = Vec::new();
    for text in &all {
        let mut rest = text.as_str();
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            names.push(after[..end].trim().to_owned());
            rest = &after[end + 2..];
        }
    }
    names
}

fn strings_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings_of(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings_of(i, out)),
        _ => {}
    }
}

/// The first JSON pointer or regex of a check that could never match.
pub fn patterns(c: &CheckSpec) -> Option<String> {
    let e = &c.expect;
    for (i, j) in e.json.iter().enumerate() {
        if let Some(why) = bad_pointer(&j.pointer) {
            return Some(format!("expect.json[{i}].pointer {:?}: {why}", j.pointer));
        }
        if let Some(why) = j.matches.as_deref().and_then(bad_regex) {
            return Some(format!("expect.json[{i}].matches: {why}"));
        }
    }
    for (i, h) in e.headers.iter().enumerate() {
        if h.absent && h.matches.is_some() {
            return Some(format!(
                "expect.headers[{i}]: `absent = true` and `matches` contradict each other; \
                 keep one"
            ));
        }
        if let Some(why) = h.matches.as_deref().and_then(bad_regex) {
            return Some(format!("expect.headers[{i}].matches: {why}"));
        }
    }
    for k in &c.capture {
        if let Some(why) = k.json.as_deref().and_then(bad_pointer) {
            return Some(format!(
                "capture {}: json {:?}: {why}",
                k.name,
                k.json.as_deref().unwrap_or("")
            ));
        }
    }
    None
}

/// Why `pointer` is not an RFC 6901 JSON pointer (`""` or `/a/0/b`, `~0` and
/// `~1` the only escapes); a `{{value}}` is checked when it is filled in.
fn bad_pointer(pointer: &str) -> Option<String> {
    if pointer.contains("{{") {
        return None;
    }
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Some(format!(
            "a JSON pointer starts with `/`: write \"/{pointer}\""
        ));
    }
    let mut chars = pointer.chars();
    while let Some(ch) = chars.next() {
        if ch == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some("`~` must be followed by 0 (for `~`) or 1 (for `/`)".to_owned());
        }
    }
    None
}

/// Why `pattern` is not a regex the host can run.
fn bad_regex(pattern: &str) -> Option<String> {
    if pattern.contains("{{") {
        return None;
    }
    regex_syntax::Parser::new().parse(pattern).err().map(|e| {
        let first = e.to_string();
        let last = first
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned();
        format!("{pattern:?} is not a valid regex ({last})")
    })
}

#[cfg(test)]
mod pattern_tests {
    use super::{bad_pointer, bad_regex};

    #[test]
    fn pointers_follow_rfc_6901() {
        assert_eq!(bad_pointer(""), None);
        assert_eq!(bad_pointer("/a/0/b~1c~0"), None);
        assert!(bad_pointer("a/b").unwrap().contains("starts with `/`"));
        assert!(bad_pointer("/a~2").is_some());
        assert!(bad_pointer("/a~").is_some());
    }

    #[test]
    fn regexes_are_parsed_as_the_host_would() {
        assert_eq!(bad_regex("^v[0-9]+\\.[0-9]+$"), None);
        let why = bad_regex("([a-z]+").unwrap();
        assert!(
            why.starts_with("\"([a-z]+\" is not a valid regex ("),
            "{why}"
        );
    }
}
