//! The plugin's config table read as one serde type, and the keys that type
//! declares.
//!
//! The host hands a plugin its config one key at a time (`config::get`): a
//! scalar as its text, a table or an array as JSON text. [`config_table`]
//! asks for exactly the fields of `T` (serde's field names, after renames)
//! and deserializes what it gets, so a plugin keeps one struct for its
//! config instead of a list of keys beside the code that reads them.
//!
//! Guarantees:
//! - A field's text is read the way the suite file wrote it: a number or a
//!   boolean from its text, a string as it is, a table or an array from its
//!   JSON; an `Option` whose text is blank (`${env:X:-}` with `X` unset) is
//!   `None`, and a given one is trimmed; a blank array or table is empty.
//! - Every error names the offending value's path in the table
//!   (`sign_in_fields.login`, `hosts[1]`, an unknown key's own path; empty
//!   for the table itself) and says what is wrong (a required key left out:
//!   how to set it), with no position in the host's JSON text.
//! - [`config_keys`] lists exactly the keys [`config_table`] reads.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor,
};

use crate::__bindings::plume::check::config;

/// What is wrong with a plugin's config: the offending value's path in the
/// table and why. [`reject_config`](crate::reject_config) takes both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// `warn_days`, `sign_in_fields.login`, `hosts[1]`; empty for the table itself.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key.as_str() {
            "" => f.write_str(&self.message),
            key => write!(f, "{key}: {}", self.message),
        }
    }
}

/// The plugin's config table as a `T` (a struct), or `None` when none of its
/// keys is set (`plume inspect` describes a plugin with no config).
pub fn config_table<T: DeserializeOwned>() -> Result<Option<T>, ConfigError> {
    table_from(config::get)
}

/// [`config_table`], each error refused with
/// [`reject_config`](crate::reject_config) (the run stops before any check,
/// naming the value): serde's, then `check`'s (the key and what is wrong,
/// for what the types alone do not refuse). `help` follows each message,
/// e.g. `(see plugins/tls/README.md)`.
pub fn config_table_or_reject<T: DeserializeOwned>(
    help: &str,
    check: impl Fn(&T) -> Result<(), (&'static str, String)>,
) -> Option<T> {
    let refuse =
        |key: &str, message: &str| -> ! { crate::reject_config(key, &format!("{message} {help}")) };
    let table = config_table::<T>().unwrap_or_else(|e| refuse(&e.key, &e.message))?;
    if let Err((key, message)) = check(&table) {
        refuse(key, &message);
    }
    Some(table)
}

/// The keys a `T` (a struct) reads from the config table: its serde field
/// names, for [`Plugin::config`](crate::Plugin::config).
pub fn config_keys<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(FieldNames) {
        Err(FieldsOf(fields)) => fields,
        Ok(_) => &[],
    }
}

/// [`config_table`] over any source of values by key.
fn table_from<T: DeserializeOwned>(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<T>, ConfigError> {
    let fields = config_keys::<T>();
    let values: Vec<(&'static str, String)> = fields
        .iter()
        .filter_map(|&key| get(key).map(|text| (key, text)))
        .collect();
    if values.is_empty() && !fields.is_empty() {
        return Ok(None);
    }
    serde_path_to_error::deserialize(Table { values })
        .map(Some)
        .map_err(|e| {
            let key = path_text(&e.path().to_string());
            let message = without_position(e.inner());
            let message = match key.as_str() {
                "" => how_to_set(&message).unwrap_or(message),
                _ => message,
            };
            ConfigError { key, message }
        })
}

/// serde's "missing field `x`" as what to do about it.
fn how_to_set(message: &str) -> Option<String> {
    let key = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    Some(format!(
        "`{key}` is not set: add it to the plugin's config table"
    ))
}

/// serde's root path is `.`: the table itself.
fn path_text(path: &str) -> String {
    if path == "." {
        String::new()
    } else {
        path.to_owned()
    }
}

/// serde_json's message without its ` at line 1 column 9`: that position is
/// in the host's JSON text, which the user never sees.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// The table: the set keys, in the struct's order.
struct Table {
    values: Vec<(&'static str, String)>,
}

impl<'de> Deserializer<'de> for Table {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(Entries {
            values: self.values.into_iter(),
            next: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Entries {
    values: std::vec::IntoIter<(&'static str, String)>,
    next: Option<String>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, text)) = self.values.next() else {
            return Ok(None);
        };
        self.next = Some(text);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        let text = self.next.take().unwrap_or_default();
        seed.deserialize(Text { text })
    }
}

/// One key's text as the host sent it.
struct Text {
    text: String,
}

impl Text {
    /// The text as JSON, for a table or an array.
    fn json(&self, what: &str) -> Result<serde_json::Value, serde_json::Error> {
        let trimmed = self.text.trim_start();
        if !(trimmed.starts_with('[') || trimmed.starts_with('{')) {
            return Err(de::Error::custom(format!(
                "expected {what}, got {:?}",
                self.text
            )));
        }
        serde_json::from_str(&self.text)
    }

    fn number<N: std::str::FromStr>(&self, what: &str) -> Result<N, serde_json::Error> {
        self.text
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("{:?} is not {what}", self.text)))
    }
}

macro_rules! parsed {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            visitor.$visit(self.number::<$ty>($what)?)
        }
    )*};
}

impl<'de> Deserializer<'de> for Text {
    type Error = serde_json::Error;

    /// A table or an array when the text is one (an untagged enum's
    /// choices), else the text.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.json("") {
            Ok(json) => json.deserialize_any(visitor),
            Err(_) => visitor.visit_string(self.text),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.text.trim() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(de::Error::custom(format!(
                "{:?} is not true or false",
                self.text
            ))),
        }
    }

    parsed! {
        deserialize_u8 visit_u8 u8, "a whole number up to 255";
        deserialize_u16 visit_u16 u16, "a whole number up to 65535";
        deserialize_u32 visit_u32 u32, "a whole number up to 4294967295";
        deserialize_u64 visit_u64 u64, "a whole number";
        deserialize_i8 visit_i8 i8, "a whole number from -128 to 127";
        deserialize_i16 visit_i16 i16, "a whole number from -32768 to 32767";
        deserialize_i32 visit_i32 i32, "a whole number that fits 32 bits";
        deserialize_i64 visit_i64 i64, "a whole number";
        deserialize_f32 visit_f32 f32, "a number";
        deserialize_f64 visit_f64 f64, "a number";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let given = self.text.trim();
        if given.is_empty() {
            return visitor.visit_none();
        }
        visitor.visit_some(Text {
            text: given.to_owned(),
        })
    }

    /// A blank text (`${env:X:-}` with `X` unset) is an empty array.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.text.trim().is_empty() {
            return serde_json::Value::Array(Vec::new()).deserialize_seq(visitor);
        }
        self.json("an array")?.deserialize_seq(visitor)
    }

    /// A blank text is an empty table.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.text.trim().is_empty() {
            return serde_json::Value::Object(serde_json::Map::new()).deserialize_map(visitor);
        }
        self.json("a table")?.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.json("a table")?
            .deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(self.text.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_string(self.text)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char string bytes byte_buf unit unit_struct tuple tuple_struct
        identifier ignored_any
    }
}

/// A deserializer that answers only with the field names of the struct
/// asked for.
struct FieldNames;

/// The "error" [`FieldNames`] ends with: the struct's field names.
#[derive(Debug)]
struct FieldsOf(&'static [&'static str]);

impl fmt::Display for FieldsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for FieldsOf {}

impl de::Error for FieldsOf {
    fn custom<M: fmt::Display>(_: M) -> Self {
        FieldsOf(&[])
    }
}

impl<'de> Deserializer<'de> for FieldNames {
    type Error = FieldsOf;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        Err(FieldsOf(fields))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(FieldsOf(&[]))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        url: String,
        days: Option<u32>,
        #[serde(default)]
        strict: bool,
        #[serde(default)]
        names: Vec<String>,
        fields: Option<BTreeMap<String, Inner>>,
        note: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        value: u8,
    }

    fn read(pairs: &[(&str, &str)]) -> Result<Option<Sample>, ConfigError> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        table_from(|key| map.get(key).cloned())
    }

    fn error(pairs: &[(&str, &str)]) -> (String, String) {
        let e = read(pairs).expect_err("an error");
        (e.key, e.message)
    }

    #[test]
    fn keys_are_the_fields_in_order() {
        assert_eq!(
            config_keys::<Sample>(),
            ["url", "days", "strict", "names", "fields", "note"]
        );
    }

    #[test]
    fn an_empty_table_is_none() {
        assert_eq!(read(&[]), Ok(None));
        let blank = read(&[("url", "u"), ("names", " ")]).expect("valid");
        assert_eq!(blank.expect("set").names, Vec::<String>::new());
    }

    #[test]
    fn each_text_is_read_as_its_field_type() {
        let sample = read(&[
            ("url", " https://x "),
            ("days", " 7 "),
            ("strict", "true"),
            ("names", r#"["a","b"]"#),
            ("fields", r#"{"login":{"value":3}}"#),
            ("note", "  "),
            ("unread", "anything"),
        ])
        .expect("valid")
        .expect("set");
        assert_eq!(
            sample,
            Sample {
                url: " https://x ".to_owned(),
                days: Some(7),
                strict: true,
                names: vec!["a".to_owned(), "b".to_owned()],
                fields: Some(BTreeMap::from([("login".to_owned(), Inner { value: 3 })])),
                note: None,
            }
        );
    }

    #[test]
    fn errors_name_the_value_and_say_what_is_wrong() {
        assert_eq!(
            error(&[("url", "u"), ("days", "soon")]),
            (
                "days".to_owned(),
                "\"soon\" is not a whole number up to 4294967295".to_owned()
            )
        );
        assert_eq!(
            error(&[("url", "u"), ("strict", "yes")]),
            (
                "strict".to_owned(),
                "\"yes\" is not true or false".to_owned()
            )
        );
        assert_eq!(
            error(&[("url", "u"), ("names", "a")]),
            (
                "names".to_owned(),
                "expected an array, got \"a\"".to_owned()
            )
        );
        assert_eq!(
            error(&[("url", "u"), ("fields", r#"{"login":{"valu":3}}"#)]),
            (
                "fields.login.valu".to_owned(),
                "unknown field `valu`, expected `value`".to_owned()
            )
        );
        assert_eq!(
            error(&[("url", "u"), ("names", r#"["a",2]"#)]),
            (
                "names[1]".to_owned(),
                "invalid type: integer `2`, expected a string".to_owned()
            )
        );
        assert_eq!(
            error(&[("days", "3")]),
            (
                String::new(),
                "`url` is not set: add it to the plugin's config table".to_owned()
            )
        );
    }
}
