//! The shape of the pack's config: the `checks` array and the `groups` table,
//! read from the suite file as JSON. Unknown keys are errors, so a typo in a
//! suite file is named instead of silently ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// Group options, keyed by group name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupSpec {
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// One check: a request and what its answer must show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSpec {
    pub group: String,
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A raw body.
    pub body: Option<String>,
    /// A JSON body (sent with `content-type: application/json`).
    pub json: Option<Value>,
    /// Redirect hops to follow (0: return the 3xx as it is).
    #[serde(default)]
    pub follow_redirects: u8,
    /// The exchange's deadline in milliseconds (the check's timeout otherwise).
    pub timeout_ms: Option<u32>,
    /// Skip, with this reason, when `value` is empty.
    pub requires: Option<Requires>,
    /// A request registered as a cleanup before this check's request is sent.
    pub defer: Option<DeferSpec>,
    /// HTTP basic authentication (`authorization: Basic …`).
    pub basic: Option<BasicSpec>,
    /// Ask again until every expectation holds or the deadline passes.
    pub retry: Option<RetrySpec>,
    #[serde(default)]
    pub expect: Expect,
    /// Values taken from the answer for later checks (`{{name}}`) and
    /// dependent groups (`{{group.name}}`).
    #[serde(default)]
    pub capture: Vec<Capture>,
    /// The check that captures each `{{name}}` this one reads (filled by
    /// `validate::references`), for a skip that names it.
    #[serde(skip)]
    pub sources: BTreeMap<String, String>,
}

fn get() -> String {
    "GET".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeferSpec {
    /// The cleanup's line is `cleanup.<label>` (default: the check's name).
    pub label: Option<String>,
    #[serde(default = "delete")]
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicSpec {
    pub user: String,
    pub password: String,
}

/// `eventually`: attempts every `interval-ms` until `until-ms` has passed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetrySpec {
    pub until_ms: u32,
    #[serde(default = "interval")]
    pub interval_ms: u32,
}

fn interval() -> u32 {
    250
}

fn delete() -> String {
    "DELETE".to_owned()
}

/// What the answer must show. A check without expectations is refused: a
/// check asks a specific question, never "did it answer".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expect {
    /// One status or a set.
    pub status: Option<OneOrMany<u16>>,
    #[serde(default)]
    pub json: Vec<JsonExpect>,
    #[serde(default)]
    pub headers: Vec<HeaderExpect>,
    pub body_contains: Option<OneOrMany<String>>,
    pub body_excludes: Option<OneOrMany<String>>,
    /// Slower answers fail (`answered in 812 ms, expected within 500 ms`).
    pub within_ms: Option<u32>,
    /// Open the response as a stream instead of reading it whole.
    pub stream: Option<StreamExpect>,
    /// The body's SHA-256 (hex), hashed by the host as it streams.
    pub sha256: Option<String>,
    /// The body's length in bytes, counted by the host as it streams.
    pub bytes: Option<u64>,
}

impl Expect {
    pub fn count(&self) -> usize {
        usize::from(self.status.is_some())
            + self.json.len()
            + self.headers.len()
            + self.body_contains.as_ref().map_or(0, |b| b.items().len())
            + self.body_excludes.as_ref().map_or(0, |b| b.items().len())
            + usize::from(self.within_ms.is_some())
            + usize::from(self.stream.is_some())
            + usize::from(self.sha256.is_some())
            + usize::from(self.bytes.is_some())
    }

    /// Whether the body goes through the host's hasher, never into the pack.
    pub fn digest(&self) -> bool {
        self.sha256.is_some() || self.bytes.is_some()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn items(&self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

/// An expectation on the value at a JSON pointer; with no matcher, the
/// value must exist.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JsonExpect {
    pub pointer: String,
    /// The value must equal this JSON value.
    pub equals: Option<Value>,
    /// Its text must match this regex.
    pub matches: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<JsonType>,
    /// It must not be null, "", [] or {}.
    #[serde(default)]
    pub non_empty: bool,
}

/// The JSON types `type` can name.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    pub name: String,
    /// The value must match this regex; without it the header must be present.
    pub matches: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StreamExpect {
    /// The status and headers must arrive within this many milliseconds.
    pub headers_within_ms: Option<u32>,
    /// This text must arrive (within `open-for-ms`, or the check's timeout).
    pub contains: Option<String>,
    /// The stream must still be open after this many milliseconds.
    pub open_for_ms: Option<u32>,
}

/// Where a captured value comes from: a JSON pointer or a header of the
/// answer, or a template (`value = "{{marker}}"` keeps the marker a check
/// wrote, for a later check to read back).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    pub name: String,
    pub json: Option<String>,
    pub header: Option<String>,
    pub value: Option<String>,
}
