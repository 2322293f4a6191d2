//! `{{...}}` in a check's strings, expanded when the check runs:
//! `{{marker}}` is a fresh `PLUME-MARKER-…` (the same one throughout a check),
//! `{{name}}` a value captured by an earlier check of the group, and
//! `{{group.name}}` one captured by a group this one depends on, and
//! `{{secret:NAME}}` a secret of the suite's `[plugins.X.secrets]` (redacted
//! everywhere by the host). A value that was never captured, or a secret
//! whose variable is unset, skips the check, naming it.
//!
//! Filters follow the value, each after a `|`: `{{secret:TOKEN | base64}}`
//! (RFC 4648 §4, padded) and `| base64url` (§5, unpadded, as JWTs and most
//! URL-borne tokens are written). An unknown filter is refused at load.
//!
//! `${...}` values are the suite file's and are expanded before the pack
//! sees its config; `{{...}}` are the run's.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use plume_sdk::{Ctx, Halt};

use crate::config::CheckSpec;
use crate::validate::producer;
use serde_json::Value;

/// The filters a `{{value | filter}}` may name.
pub const FILTERS: [&str; 2] = ["base64", "base64url"];

/// `{{ source | filter | ... }}`: the value's source and its filters, in order.
pub fn parse(inner: &str) -> (&str, Vec<&str>) {
    let mut parts = inner.split('|').map(str::trim);
    let source = parts.next().unwrap_or_default();
    (source, parts.collect())
}

/// The first filter of `inner` that is not one of [`FILTERS`], if any.
pub fn unknown_filter(inner: &str) -> Option<&str> {
    parse(inner).1.into_iter().find(|f| !FILTERS.contains(f))
}

/// `value` through one filter (a name of [`FILTERS`]).
fn apply(filter: &str, value: String) -> Result<String, Halt> {
    match filter {
        "base64" => Ok(STANDARD.encode(value)),
        "base64url" => Ok(URL_SAFE_NO_PAD.encode(value)),
        other => Err(Halt::err(format!(
            "unknown filter `{other}`; use one of: {}",
            FILTERS.join(", ")
        ))),
    }
}

pub struct Template<'a> {
    ctx: &'a Ctx,
    marker: Option<String>,
    /// The checks before this one in its group: one of them captures each
    /// `{{name}}` it reads (`describe()` made sure), found only to name it
    /// in a skip.
    earlier: &'a [Arc<CheckSpec>],
}

impl<'a> Template<'a> {
    pub fn new(ctx: &'a Ctx, earlier: &'a [Arc<CheckSpec>]) -> Self {
        Template {
            ctx,
            marker: None,
            earlier,
        }
    }

    /// `text` with every `{{...}}` replaced.
    pub fn expand(&mut self, text: &str) -> Result<String, Halt> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(Halt::err(format!("unclosed `{{{{` in {text:?}")));
            };
            let (name, filters) = parse(&after[..end]);
            let mut value = self.value(name)?;
            for filter in filters {
                value = apply(filter, value)?;
            }
            out.push_str(&value);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A JSON value with every string in it expanded.
    pub fn expand_json(&mut self, value: &Value) -> Result<Value, Halt> {
        Ok(match value {
            Value::String(s) => Value::String(self.expand(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.expand_json(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.expand_json(v)?)))
                    .collect::<Result<_, Halt>>()?,
            ),
            other => other.clone(),
        })
    }

    fn value(&mut self, name: &str) -> Result<String, Halt> {
        if let Some(secret) = name.strip_prefix("secret:") {
            return self.ctx.secret(secret.trim());
        }
        if name == "marker" {
            let ctx = self.ctx;
            return Ok(self.marker.get_or_insert_with(|| ctx.marker()).clone());
        }
        match name.split_once('.') {
            Some((group, key)) => self.ctx.published(group, key),
            None => self.ctx.recall(name).map_err(|halt| {
                match producer(self.earlier.iter().map(|c| &**c), name) {
                    // The pack publishes every capture of a check that passes, so
                    // a missing value means its producer did not pass.
                    Some(p) => Halt::Skip {
                        reason: format!(
                            "no `{name}`: {}.{}, the check that captures it, did not pass",
                            p.group, p.name
                        ),
                    },
                    None => halt,
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_follow_the_value_and_unknown_ones_are_named() {
        assert_eq!(parse(" secret:t | base64 "), ("secret:t", vec!["base64"]));
        assert_eq!(parse("marker"), ("marker", vec![]));
        assert_eq!(unknown_filter("x | base64 | hex"), Some("hex"));
        assert_eq!(unknown_filter("x|base64url"), None);
        assert_eq!(
            apply("base64", "tok-123".into()).ok().as_deref(),
            Some("dG9rLTEyMw==")
        );
        assert_eq!(
            apply("base64url", "\u{fb}\u{ff}".into()).ok().as_deref(),
            Some("w7vDvw")
        );
    }
}
