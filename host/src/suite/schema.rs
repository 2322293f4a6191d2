//! The suite file's JSON Schema, generated from its serde types (feature
//! `schema`), and the pieces the check packs' schemas share with it.
//!
//! `host/schema` writes these documents into the repository
//! (`host/schema/plume.schema.json`, `plugins/<pack>/config.schema.json`) for
//! editors (Taplo, Even Better TOML) and for `check-jsonschema` in the tests.
//! They are JSON Schema draft 7: Taplo's validator knows drafts 4 to 7, not
//! 2020-12. The schema checks structure, types, enums and unknown keys; what
//! `plume` checks beyond that (durations, hosts, `${...}` values) it checks
//! when the suite loads.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::RawSuite;

/// The suite file's schema, `plume.schema.json`.
pub fn suite_schema() -> serde_json::Value {
    document::<RawSuite>("plume.toml")
}

/// The draft 7 schema of `T`, titled.
pub fn document<T: JsonSchema>(title: &str) -> serde_json::Value {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".to_owned(), title.into());
    let mut value = schema.to_value();
    tidy(&mut value);
    value
}

/// Makes a generated schema say what TOML can hold and what an editor shows
/// well: no `null` (TOML has none, so an `Option` is a key left out), and doc
/// comments' line breaks inside a paragraph joined.
fn tidy(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [one] = types.as_slice() {
                    let one = one.clone();
                    map.insert("type".to_owned(), one);
                }
            }
            if let Some(Value::Array(choices)) = map.get_mut("anyOf") {
                choices.retain(|c| c != &serde_json::json!({ "type": "null" }));
            }
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = unwrap_lines(text);
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Paragraphs kept, the lines inside each joined with a space.
fn unwrap_lines(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A string that holds a `${...}` value: checked only when the suite loads.
fn interpolated() -> serde_json::Value {
    serde_json::json!({
        "type": "string",
        "pattern": "\\$\\{",
        "description": "a ${name} or ${env:NAME} value, expanded when the suite loads"
    })
}

/// A config value a pack parses as a whole number: written as a number, as
/// its digits in a string, or as a `${...}` value.
pub fn whole_number(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 0 },
            { "type": "string", "pattern": "^\\s*[0-9]+\\s*$" },
            interpolated()
        ]
    })
}

/// A config value that is one of `choices`, or a `${...}` value.
pub fn one_of(choices: &[&str]) -> Schema {
    json_schema!({
        "anyOf": [
            { "type": "string", "enum": choices },
            interpolated()
        ]
    })
}

/// One environment's values for `${name}`: strings, numbers or booleans.
pub(super) struct EnvValues;

impl JsonSchema for EnvValues {
    fn schema_name() -> Cow<'static, str> {
        "EnvValues".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Values for ${name}, by name: strings, numbers or booleans.",
            "type": "object",
            "additionalProperties": { "type": ["string", "number", "boolean"] }
        })
    }
}
