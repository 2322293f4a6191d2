//! Runs one declarative check: skip when a required value is empty, register
//! its cleanup, send the request (or open it as a stream, or have the host
//! hash its body), test every expectation with the host's matchers, capture
//! values; with `retry`, ask again until it all holds or the deadline passes.

use std::sync::Arc;
use std::time::Duration;

use plume_sdk::{Check, Ctx, Halt, JsonKind, Pass, Response, fail, ok, retried, skip};

use crate::config::{CheckSpec, Expect, JsonExpect, JsonType};
use crate::stream::{passed, run_stream};
use crate::template::Template;

/// Runs `spec`; `earlier` are the checks before it in its group.
pub fn run(spec: &CheckSpec, earlier: &[Arc<CheckSpec>], ctx: &mut Ctx) -> Check {
    if let Some(requires) = &spec.requires
        && requires.value.trim().is_empty()
    {
        return skip(requires.reason.clone());
    }
    let mut t = Template::new(ctx, earlier);
    if let Some(d) = &spec.defer {
        let mut request = ctx.request(&d.method, t.expand(&d.url)?);
        for (name, value) in &d.headers {
            request = request.header(name, t.expand(value)?);
        }
        if let Some(body) = &d.body {
            request = request.body(t.expand(body)?);
        }
        ctx.defer(d.label.as_deref().unwrap_or(&spec.name), request);
    }
    let url = t.expand(&spec.url)?;
    let what = format!("{} {}", spec.method, path_of(&url));
    let Some(retry) = &spec.retry else {
        return attempt(spec, ctx, &mut t, &url, &what);
    };
    // Each failure asked past is reported to the host as an erred attempt
    // (`retried`), so the reports count it and a pass after one is flaky, as
    // with `--retries`. The first and the latest failure: what a line that
    // never passed names (every one is logged as it happens).
    let mut first: Option<String> = None;
    let mut latest: Option<String> = None;
    let interval = Duration::from_millis(retry.interval_ms.into());
    let settled = retried(
        Duration::from_millis(retry.until_ms.into()),
        interval,
        |n| {
            attempt(spec, ctx, &mut t, &url, &what).inspect_err(|halt| {
                if let Halt::Err { detail, .. } = halt {
                    ctx.warn(format!(
                        "retry: attempt {n} erred; asking again in {} ms unless {} ms have \
                         passed: {}",
                        interval.as_millis(),
                        retry.until_ms,
                        shown(detail)
                    ));
                    first.get_or_insert_with(|| detail.clone());
                    latest = Some(detail.clone());
                }
            })
        },
    )
    .map_err(|halt| with_first_failure(halt, first.as_deref(), latest.as_deref()))?;
    let pass = &settled.value;
    Ok(Pass {
        status: pass.status,
        detail: format!("{} ({})", pass.detail, settled.summary()),
    })
}

/// The most of an earlier attempt's detail a line shows.
const EARLIER_SHOWN: usize = 200;

/// An earlier attempt's detail, cut to [`EARLIER_SHOWN`] characters.
fn shown(detail: &str) -> String {
    match detail.char_indices().nth(EARLIER_SHOWN) {
        Some((at, _)) => format!("{}…", &detail[..at]),
        None => detail.to_owned(),
    }
}

/// A retry that never passed, with its first failure when that differs
/// from the last (a server that went from 404 to 503 while retried).
fn with_first_failure(halt: Halt, first: Option<&str>, last: Option<&str>) -> Halt {
    match (halt, first, last) {
        (Halt::Err { status, detail }, Some(first), Some(last)) if first != last => Halt::Err {
            status,
            detail: format!("{detail} (attempt 1: {})", shown(first)),
        },
        (halt, ..) => halt,
    }
}

/// One request and every expectation on its answer.
fn attempt(spec: &CheckSpec, ctx: &Ctx, t: &mut Template, url: &str, what: &str) -> Check {
    let mut request = ctx.request(&spec.method, url.to_owned());
    if let Some(b) = &spec.basic {
        let (user, password) = (t.expand(&b.user)?, t.expand(&b.password)?);
        request = request.header("authorization", crate::basic::header(&user, &password));
    }
    for (name, value) in &spec.headers {
        request = request.header(name, t.expand(value)?);
    }
    if let Some(json) = &spec.json {
        request = request.json(&t.expand_json(json)?);
    } else if let Some(body) = &spec.body {
        request = request.body(t.expand(body)?);
    }
    if spec.follow_redirects > 0 {
        request = request.follow_redirects(spec.follow_redirects);
    }
    if let Some(ms) = spec.timeout_ms {
        request = request.timeout(Duration::from_millis(ms.into()));
    }
    if spec.expect.digest() {
        let again = request.clone();
        let r = request.fetch_digest()?;
        mask_secrets(spec, &r.headers, None);
        if let Some(status) = &spec.expect.status
            && !status.items().contains(&r.status)
        {
            return Err(crate::basic::error_body(again, r.status, &status.items()));
        }
        let head = Response {
            status: r.status,
            headers: r.headers.clone(),
            body: Vec::new(),
            elapsed_ms: r.elapsed_ms,
        };
        let mut facts = expect_response(&head, &spec.expect, t)?;
        facts.extend(crate::basic::expect_digest(&r, &spec.expect)?);
        let answer = Answer {
            status: r.status,
            headers: &r.headers,
            response: None,
        };
        let captured = capture(spec, &answer, ctx, t)?;
        return ok(
            r.status,
            format!(
                "{what} in {} ms: {}{captured}",
                r.elapsed_ms,
                facts.join(", ")
            ),
        );
    }
    match &spec.expect.stream {
        Some(s) => {
            let (stream, facts) = run_stream(request, spec, s, t, what)?;
            let answer = Answer {
                status: stream.status,
                headers: &stream.headers,
                response: None,
            };
            let captured = capture(spec, &answer, ctx, t)?;
            passed(&stream, what, &facts, &captured)
        }
        None => {
            let response = request.send()?;
            mask_secrets(spec, &response.headers, Some(&response));
            let facts = expect_response(&response, &spec.expect, t)?;
            let answer = Answer {
                status: response.status,
                headers: &response.headers,
                response: Some(&response),
            };
            let captured = capture(spec, &answer, ctx, t)?;
            ok(
                response.status,
                format!(
                    "{what} in {} ms: {}{captured}",
                    response.elapsed_ms,
                    facts.join(", ")
                ),
            )
        }
    }
}

/// Tests every expectation; returns what was met, for the check's line.
fn expect_response(r: &Response, expect: &Expect, t: &mut Template) -> Result<Vec<String>, Halt> {
    let mut facts = Vec::new();
    if let Some(status) = &expect.status {
        r.expect_status(&status.items())?;
        facts.push(format!("status {}", r.status));
    }
    for j in &expect.json {
        facts.push(expect_json(r, j, t)?);
    }
    for h in &expect.headers {
        if h.absent {
            if let Some(value) = r.header(&h.name) {
                return fail(
                    r.status,
                    format!("expected no {} header, got {}: {value}", h.name, h.name),
                );
            }
            facts.push(format!("no {}", h.name));
            continue;
        }
        match &h.matches {
            Some(re) => {
                r.expect_header_match(&h.name, re)?;
                facts.push(format!("{} =~ /{re}/", h.name));
            }
            None => {
                r.expect_header(&h.name)?;
                facts.push(format!("{} present", h.name));
            }
        };
    }
    for needle in expect.body_contains.iter().flat_map(|b| b.items()) {
        let needle = t.expand(&needle)?;
        r.expect_contains(&needle)?;
        facts.push(format!("body has {needle:?}"));
    }
    for needle in expect.body_excludes.iter().flat_map(|b| b.items()) {
        let needle = t.expand(&needle)?;
        if r.text().contains(&needle) {
            return fail(
                r.status,
                format!("expected the body not to contain {needle:?}, but it does"),
            );
        }
        facts.push(format!("body lacks {needle:?}"));
    }
    if let Some(limit) = expect.within_ms {
        if r.elapsed_ms > limit {
            return fail(
                r.status,
                format!(
                    "answered in {} ms, expected within {limit} ms",
                    r.elapsed_ms
                ),
            );
        }
        facts.push(format!("within {limit} ms"));
    }
    Ok(facts)
}

fn expect_json(r: &Response, j: &JsonExpect, t: &mut Template) -> Result<String, Halt> {
    let p = &j.pointer;
    // Each matcher below fails on a missing value with the line this one
    // gives, so the presence of a value is asked on its own only when
    // nothing else is.
    let alone = j.equals.is_none() && j.matches.is_none() && j.kind.is_none() && !j.non_empty;
    if alone {
        r.expect_json(p)?;
    }
    let mut fact = vec![p.clone()];
    if let Some(want) = &j.equals {
        let want = t.expand_json(want)?;
        fact.push(format!("= {want}"));
        r.expect_json_eq(p, want)?;
    }
    if let Some(re) = &j.matches {
        let re = t.expand(re)?;
        r.expect_json_match(p, &re)?;
        fact.push(format!("=~ /{re}/"));
    }
    if let Some(t) = j.kind {
        let (kind, name) = kind_of(t);
        r.expect_json_type(p, kind)?;
        fact.push(name.to_owned());
    }
    if j.non_empty {
        r.expect_non_empty(p)?;
        fact.push("non-empty".to_owned());
    }
    if fact.len() == 1 {
        fact.push("present".to_owned());
    }
    Ok(fact.join(" "))
}

fn kind_of(t: JsonType) -> (JsonKind, &'static str) {
    match t {
        JsonType::Null => (JsonKind::Null, "null"),
        JsonType::Boolean => (JsonKind::Boolean, "boolean"),
        JsonType::Number => (JsonKind::Number, "number"),
        JsonType::String => (JsonKind::String, "string"),
        JsonType::Array => (JsonKind::Array, "array"),
        JsonType::Object => (JsonKind::Object, "object"),
    }
}

/// What a capture can read: the status and headers, and the whole response
/// when it was read whole (a stream has none: its JSON captures are refused
/// at load).
struct Answer<'a> {
    status: u16,
    headers: &'a [(String, String)],
    response: Option<&'a Response>,
}

fn capture(spec: &CheckSpec, r: &Answer, ctx: &Ctx, t: &mut Template) -> Result<String, Halt> {
    let mut names = Vec::new();
    for c in &spec.capture {
        let value = match (&c.json, &c.header, &c.value) {
            (Some(pointer), None, None) => match r.response {
                Some(response) => response.json_str(pointer)?,
                None => {
                    return Err(Halt::err(format!(
                        "capture {}: a stream has no whole JSON body",
                        c.name
                    )));
                }
            },
            (None, None, Some(template)) => t.expand(template)?,
            (None, Some(header), None) => match r
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(header))
            {
                Some((_, v)) => v.clone(),
                None => {
                    return fail(
                        r.status,
                        format!("capture {}: no header {header} in the answer", c.name),
                    );
                }
            },
            _ => {
                return Err(Halt::err(format!(
                    "capture {}: give exactly one of `json`, `header` or `value`",
                    c.name
                )));
            }
        };
        if c.secret {
            ctx.mask_secret(&value);
        }
        ctx.publish(&c.name, &value);
        names.push(c.name.as_str());
    }
    Ok(if names.is_empty() {
        String::new()
    } else {
        format!("; captured {}", names.join(", "))
    })
}

/// Masks what the `secret` captures will take, the moment the answer
/// arrives: before any expectation can quote it in a failure. A value not
/// there is left to [`capture`] to report.
fn mask_secrets(spec: &CheckSpec, headers: &[(String, String)], response: Option<&Response>) {
    for c in spec.capture.iter().filter(|c| c.secret) {
        let value = match (&c.json, &c.header, response) {
            (Some(pointer), None, Some(r)) => r.json_str(pointer).ok(),
            (None, Some(header), _) => headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(header))
                .map(|(_, v)| v.clone()),
            _ => None,
        };
        if let Some(v) = value {
            plume_sdk::mask_secret(&v);
        }
    }
}

/// The path and query of a URL, for compact lines.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

#[cfg(test)]
mod tests {
    use super::{EARLIER_SHOWN, shown};

    #[test]
    fn an_earlier_failure_is_cut_past_its_limit() {
        let long = "é".repeat(EARLIER_SHOWN + 5);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), EARLIER_SHOWN + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(
            shown("expected status 200, got 404"),
            "expected status 200, got 404"
        );
    }
}
