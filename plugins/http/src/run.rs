//! Runs one declarative check: skip when a required value is empty, register
//! its cleanup, send the request (or open it as a stream), test every
//! expectation with the host's matchers, capture values.

use std::time::{Duration, Instant};

use plume_sdk::{
    Check, Ctx, Halt, HttpError, JsonKind, RequestBuilder, Response, describe_error, fail, ok, skip,
};

use crate::spec::{CheckSpec, Expect, JsonExpect, JsonType, StreamExpect};
use crate::template::Template;

/// How long `contains` waits on a stream without `open-for-ms`.
const DEFAULT_STREAM_WAIT: Duration = Duration::from_secs(5);

pub fn run(spec: &CheckSpec, ctx: &mut Ctx) -> Check {
    if let Some(requires) = &spec.requires
        && requires.value.trim().is_empty()
    {
        return skip(requires.reason.clone());
    }
    let mut t = Template::new(ctx);
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
    let mut request = ctx.request(&spec.method, url.clone());
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
    let what = format!("{} {}", spec.method, path_of(&url));
    match &spec.expect.stream {
        Some(stream) => run_stream(request, &spec.expect, stream, &mut t, &what),
        None => {
            let response = request.send()?;
            let facts = expect_response(&response, &spec.expect, &mut t)?;
            let captured = capture(spec, &response, ctx, &mut t)?;
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
    r.expect_json(p)?;
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

fn run_stream(
    mut request: RequestBuilder,
    expect: &Expect,
    s: &StreamExpect,
    t: &mut Template,
    what: &str,
) -> Check {
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
    if let Some(status) = &expect.status {
        stream.expect_status(&status.items())?;
    }
    for h in &expect.headers {
        stream.expect_header_match(&h.name, h.matches.as_deref().unwrap_or(""))?;
    }
    let hold = s.open_for_ms.map(|ms| Duration::from_millis(ms.into()));
    let opened = Instant::now();
    let mut facts = vec![format!("headers in {headers_ms} ms")];
    if let Some(needle) = &s.contains {
        let needle = t.expand(needle)?;
        stream.read_until(&needle, hold.unwrap_or(DEFAULT_STREAM_WAIT))?;
        facts.push(format!(
            "{needle:?} after {} ms",
            opened.elapsed().as_millis()
        ));
    }
    if let Some(hold) = hold {
        let left = hold.saturating_sub(opened.elapsed());
        stream.expect_open_for(left)?;
        facts.push(format!("open for {} ms", hold.as_millis()));
    }
    ok(stream.status, format!("{what}: {}", facts.join(", ")))
}

fn capture(spec: &CheckSpec, r: &Response, ctx: &Ctx, t: &mut Template) -> Result<String, Halt> {
    let mut names = Vec::new();
    for c in &spec.capture {
        let value = match (&c.json, &c.header, &c.value) {
            (Some(pointer), None, None) => r.json_str(pointer)?,
            (None, None, Some(template)) => t.expand(template)?,
            (None, Some(header), None) => match r.header(header) {
                Some(v) => v.to_owned(),
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
        ctx.publish(&c.name, &value);
        names.push(c.name.as_str());
    }
    Ok(if names.is_empty() {
        String::new()
    } else {
        format!("; captured {}", names.join(", "))
    })
}

/// The path and query of a URL, for compact lines.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}
