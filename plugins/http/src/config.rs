//! The pack's config table as serde types: the `checks` array and the
//! `groups` table, read from the suite file as JSON. Unknown keys are
//! errors, so a typo in a suite file is named instead of silently ignored.
//!
//! The same file is compiled natively by `host/schema` with `feature =
//! "schema"` on, where the types derive `schemars::JsonSchema` and their doc
//! comments become the descriptions editors show for each key
//! (`plugins/http/config.schema.json`); the pack declares [`Config`]'s field
//! names as the keys it reads.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The `http` pack's config (plugins/http/README.md): checks written as tables.
// The pack reads its two keys itself (`lib.rs`): a group's instance parses
// only its own checks. This struct names the keys and gives the schema.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Config {
    /// The checks, in the order they run (`[[plugins.NAME.config.checks]]`): each a request and
    /// what its answer must show. At least one.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub checks: Vec<CheckSpec>,
    /// Options by group name, e.g. `[plugins.NAME.config.groups.session]` with
    /// `depends-on = ["login"]`. Groups are the checks' `group` names; they run in parallel
    /// unless one depends on another.
    #[serde(default)]
    pub groups: BTreeMap<String, GroupSpec>,
}

/// Group options, keyed by group name.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupSpec {
    /// Groups that run before this one (when one fails, this one skips); their captures are
    /// `{{group.name}}` here.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// One check: a request and what its answer must show.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSpec {
    /// The check's group; the line is `group.name`.
    pub group: String,
    /// The check's name within its group.
    pub name: String,
    /// The request's method (default "GET").
    #[serde(default = "get")]
    pub method: String,
    /// The request's URL; `{{...}}` values are expanded when the check runs.
    pub url: String,
    /// Request headers, name → value.
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
}

fn get() -> String {
    "GET".to_owned()
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Usually a `${env:X:-}` value: when it is empty the check skips.
    pub value: String,
    /// The skip's reason, e.g. "X is not set".
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DeferSpec {
    /// The cleanup's line is `cleanup.<label>` (default: the check's name).
    pub label: Option<String>,
    /// The cleanup's method (default "DELETE").
    #[serde(default = "delete")]
    pub method: String,
    /// The cleanup's URL.
    pub url: String,
    /// The cleanup's headers, name → value.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The cleanup's raw body.
    pub body: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BasicSpec {
    /// The user name.
    pub user: String,
    /// The password: write it as `{{secret:NAME}}` so it is redacted.
    pub password: String,
}

/// `eventually`: attempts every `interval-ms` until `until-ms` has passed.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetrySpec {
    /// Give up after this many milliseconds (keep it under the check timeout).
    pub until_ms: u32,
    /// Milliseconds between attempts (default 250).
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expect {
    /// One status or a set.
    pub status: Option<OneOrMany<u16>>,
    /// Values at JSON pointers: `[{ pointer = "/token", matches = "^tok-" }]`.
    #[serde(default)]
    pub json: Vec<JsonExpect>,
    /// Headers that must be present, match, or be absent: `[{ name = "content-type", matches =
    /// "json" }]`, `[{ name = "content-encoding", absent = true }]`.
    #[serde(default)]
    pub headers: Vec<HeaderExpect>,
    /// Text the body must contain: a string or a list.
    pub body_contains: Option<OneOrMany<String>>,
    /// Text the body must not contain: a string or a list.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
/// One value, or a list of them.
#[cfg_attr(feature = "schema", schemars(rename = "OneOrMany_{T}"))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JsonExpect {
    /// A JSON pointer, e.g. "/items/0/id".
    pub pointer: String,
    /// The value must equal this JSON value.
    pub equals: Option<Value>,
    /// Its text must match this regex.
    pub matches: Option<String>,
    /// Its JSON type.
    #[serde(rename = "type")]
    pub kind: Option<JsonType>,
    /// It must not be null, "", [] or {}.
    #[serde(default)]
    pub non_empty: bool,
}

/// The JSON types `type` can name.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    /// The header's name (any case).
    pub name: String,
    /// The value must match this regex; without it the header must be present.
    pub matches: Option<String>,
    /// The header must not be in the answer (e.g. `content-encoding` on a download that
    /// clients must save as sent). Cannot be combined with `matches`.
    #[serde(default)]
    pub absent: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// The value's name: `{{name}}` in later checks of the group, `{{group.name}}` in
    /// dependent groups.
    pub name: String,
    /// A JSON pointer into the answer's body.
    pub json: Option<String>,
    /// A header of the answer.
    pub header: Option<String>,
    /// A template, e.g. "{{marker}}".
    pub value: Option<String>,
    /// The value is a credential (a token, a session id): it is masked in
    /// every line, log and report of the run from the moment the answer
    /// holding it arrives, as a configured secret is.
    #[serde(default)]
    pub secret: bool,
}
