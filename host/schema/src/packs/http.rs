//! The `http` pack's config: its own serde types (`plugins/http/src/spec.rs`,
//! compiled here natively with their `JsonSchema` derives) under the two keys
//! the pack reads, `checks` and `groups`.

use std::collections::BTreeMap;

use schemars::JsonSchema;

// The pack's helpers on these types are not used here: only their shapes.
#[allow(dead_code)]
#[path = "../../../../plugins/http/src/spec.rs"]
mod spec;

/// The `http` pack's config (plugins/http/README.md): checks written as tables.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The checks, in the order they run (`[[plugins.NAME.config.checks]]`): each a request and
    /// what its answer must show. At least one.
    #[schemars(length(min = 1))]
    pub checks: Vec<spec::CheckSpec>,
    /// Options by group name, e.g. `[plugins.NAME.config.groups.session]` with
    /// `depends-on = ["login"]`. Groups are the checks' `group` names; they run in parallel
    /// unless one depends on another.
    #[serde(default)]
    pub groups: BTreeMap<String, spec::GroupSpec>,
}
