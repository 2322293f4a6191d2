//! `http`: declarative checks, written as tables in the suite file.
//!
//! A simple product needs no plugin code: each `[[plugins.NAME.config.checks]]`
//! table is a request and what its answer must show (status set, JSON pointers
//! with the host's matchers, headers, body text, latency, streams), plus values
//! to capture for later checks and a cleanup registered before the request.
//! Groups are the checks' `group` names in order of first use; the `groups`
//! table gives them dependencies. See `plugins/http/README.md`.

mod basic;
mod config;
mod run;
mod stream;
mod template;
mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use plume_sdk::{Plugin, export_plugin};
use serde_json::value::RawValue;

use config::{CheckSpec, GroupSpec};

/// `text` as a `T`; on failure, the error with the path of the offending
/// value.
///
/// Plain serde_json first: tracking the path of every value costs a third of
/// the parse, and only a config that fails needs it, so the path-tracking
/// parse runs again only to name the offending key.
fn deserialize<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
}

/// Parses the JSON config value `key` (absent: the default); a bad one
/// refuses the config at the path of the offending value, which `plume`
/// prints with its suite line and column.
fn parse<'a, T: serde::Deserialize<'a> + Default>(key: &str, text: Option<&'a str>) -> T {
    let Some(text) = text else {
        return T::default();
    };
    deserialize(text).unwrap_or_else(|e| {
        bad_config(
            &join(key, &e.path().to_string()),
            &format!("{}{HELP}", e.inner()),
        )
    })
}

/// Check `i` of the `checks` array; an error names the table it is in and
/// the key inside it.
fn parse_check(i: usize, text: &str) -> CheckSpec {
    deserialize(text).unwrap_or_else(|e| {
        let item: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        let at = ["group", "name"].map(|k| item[k].as_str().unwrap_or("?").to_owned());
        bad_config(
            &join(&format!("checks[{i}]"), &e.path().to_string()),
            &format!("({}.{}) {}{HELP}", at[0], at[1], e.inner()),
        )
    })
}

/// `checks[2]` and `expect.status` as one path; serde's `.` is its root.
fn join(base: &str, inner: &str) -> String {
    match inner {
        "" | "." => base.to_owned(),
        _ if inner.starts_with('[') => format!("{base}{inner}"),
        _ => format!("{base}.{inner}"),
    }
}

/// The `group` of a check table, read without the rest of it.
#[derive(serde::Deserialize)]
struct GroupOf<'a> {
    #[serde(borrow)]
    group: std::borrow::Cow<'a, str>,
}

const HELP: &str = " (see plugins/http/README.md for the table's keys)";

/// Refuses the config at `key` (a path in the pack's table): `plume` stops
/// before any check with one line naming the suite file's line and column.
fn bad_config(key: &str, message: &str) -> ! {
    plume_sdk::reject_config(key, message)
}

/// [`bad_config`] for check `i`: the message names the check too.
fn bad_check(i: usize, c: &CheckSpec, message: &str) -> ! {
    bad_config(
        &format!("checks[{i}]"),
        &format!("({}.{}) {message}{HELP}", c.group, c.name),
    )
}

fn build() -> Plugin {
    let checks_text = plume_sdk::config_value("checks");
    let groups_text = plume_sdk::config_value("groups");
    // Unconfigured (`plume inspect`): say what the pack reads and check
    // nothing; `plume run` refuses a plugin that checks nothing.
    if checks_text.is_none() && groups_text.is_none() {
        return Plugin::new("http", env!("CARGO_PKG_VERSION"))
            .config(plume_sdk::config_keys::<config::Config>());
    }
    let groups: BTreeMap<String, GroupSpec> = parse("groups", groups_text.as_deref());
    // A group's own instance: `describe()` parsed and validated every check
    // (a run does not start otherwise), so only this group's are parsed; the
    // others are skimmed for their group.
    let mine = plume_sdk::running_group()
        .and_then(|group| Some((of_group(checks_text.as_deref()?, &group)?, vec![group])));
    let (checks, order) = match mine {
        Some(mine) => mine,
        None => {
            let items: Vec<&RawValue> = parse("checks", checks_text.as_deref());
            whole(&items, &groups)
        }
    };
    let secrets = validate::secrets(&checks);
    let checks: Vec<Arc<CheckSpec>> = checks.into_iter().map(Arc::new).collect();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let mut plugin = Plugin::new("http", env!("CARGO_PKG_VERSION"))
        .config(plume_sdk::config_keys::<config::Config>())
        .secrets(&secrets);
    for name in &order {
        let depends: Vec<&str> = groups
            .get(name)
            .map(|g| g.depends_on.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mine: Arc<[Arc<CheckSpec>]> = checks
            .iter()
            .filter(|c| &c.group == name)
            .cloned()
            .collect();
        plugin = plugin.group(name, &depends, move |mut group| {
            for (i, spec) in mine.iter().enumerate() {
                let (spec, mine) = (spec.clone(), mine.clone());
                group = group.check(&spec.name.clone(), move |ctx| {
                    run::run(&spec, &mine[..i], ctx)
                });
            }
            group
        });
    }
    plugin
}

/// Every check, validated; and the groups in order of first use.
fn whole(
    items: &[&RawValue],
    groups: &BTreeMap<String, GroupSpec>,
) -> (Vec<CheckSpec>, Vec<String>) {
    let checks: Vec<CheckSpec> = items
        .iter()
        .enumerate()
        .map(|(i, raw)| parse_check(i, raw.get()))
        .collect();
    if checks.is_empty() {
        bad_config(
            "checks",
            "no checks; add [[plugins.NAME.config.checks]] tables",
        );
    }
    if let Err((i, message)) = validate::references(&checks) {
        bad_check(i, &checks[i], &message);
    }
    let mut order: Vec<String> = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let problem = validate::stream_mode(c)
            .or_else(|| validate::digest_mode(c))
            .or_else(|| validate::patterns(c));
        if let Some(message) = problem {
            bad_check(i, c, &message);
        }
        if c.expect.count() == 0 {
            bad_check(
                i,
                c,
                "no expectations; give it an `expect` table (a status set, JSON pointers, headers, body text)",
            );
        }
        if !order.contains(&c.group) {
            order.push(c.group.clone());
        }
    }
    if let Some(unused) = groups.keys().find(|g| !order.contains(g)) {
        bad_config(
            &format!("groups.{unused}"),
            &format!("no check is in group {unused}"),
        );
    }
    (checks, order)
}

/// The checks of `group`.
///
/// One pass over the array: each table is read for its `group` alone and for
/// where it ends, and only this group's tables are parsed whole. (Skimming
/// every table twice, as raw JSON and then for its group, was a tenth of a
/// 100-check run.) `None` when `text` is not an array of tables; `describe()`
/// refuses such a config, and the caller then checks it whole again.
fn of_group(text: &str, group: &str) -> Option<Vec<CheckSpec>> {
    const SPACE: [char; 4] = [' ', '\t', '\n', '\r'];
    let mut rest = text.trim_start_matches(SPACE).strip_prefix('[')?;
    let mut checks = Vec::new();
    let mut i = 0;
    loop {
        rest = rest.trim_start_matches(SPACE);
        if i == 0 && rest.starts_with(']') {
            break;
        }
        let mut tables = serde_json::Deserializer::from_str(rest).into_iter::<GroupOf<'_>>();
        let of = tables.next()?.ok()?;
        let (table, after) = rest.split_at(tables.byte_offset());
        if of.group == group {
            checks.push(parse_check(i, table));
        }
        i += 1;
        rest = after.trim_start_matches(SPACE);
        match rest.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                rest.strip_prefix(']')?;
                break;
            }
        }
    }
    Some(checks)
}

export_plugin!(build);
