//! `{{...}}` in a check's strings, expanded when the check runs:
//! `{{marker}}` is a fresh `PLUME-MARKER-…` (the same one throughout a check),
//! `{{name}}` a value captured by an earlier check of the group, and
//! `{{group.name}}` one captured by a group this one depends on, and
//! `{{secret:NAME}}` a secret of the suite's `[plugins.X.secrets]` (redacted
//! everywhere by the host). A value that was never captured, or a secret
//! whose variable is unset, skips the check, naming it.
//!
//! `${...}` values are the suite file's and are expanded before the pack
//! sees its config; `{{...}}` are the run's.

use std::collections::BTreeMap;

use plume_sdk::{Ctx, Halt};
use serde_json::Value;

pub struct Template<'a> {
    ctx: &'a Ctx,
    marker: Option<String>,
    /// The check (`group.check`) that captures each `{{name}}`.
    sources: &'a BTreeMap<String, String>,
}

impl<'a> Template<'a> {
    pub fn new(ctx: &'a Ctx, sources: &'a BTreeMap<String, String>) -> Self {
        Template {
            ctx,
            marker: None,
            sources,
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
            let name = after[..end].trim();
            out.push_str(&self.value(name)?);
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
            None => self
                .ctx
                .recall(name)
                .map_err(|halt| match self.sources.get(name) {
                    // The pack publishes every capture of a check that passes, so
                    // a missing value means its producer did not pass.
                    Some(producer) => Halt::Skip {
                        reason: format!(
                            "no `{name}`: {producer}, the check that captures it, did not pass"
                        ),
                    },
                    None => halt,
                }),
        }
    }
}
