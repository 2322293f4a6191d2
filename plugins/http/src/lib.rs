//! `http`: declarative checks, written as tables in the suite file.
//!
//! A simple product needs no plugin code: each `[[plugins.NAME.config.checks]]`
//! table is a request and what its answer must show (status set, JSON pointers
//! with the host's matchers, headers, body text, latency, streams), plus values
//! to capture for later checks and a cleanup registered before the request.
//! Groups are the checks' `group` names in order of first use; the `groups`
//! table gives them dependencies. See `plugins/http/README.md`.

mod basic;
mod run;
mod spec;
mod stream;
mod template;
mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use plume_sdk::{Plugin, export_plugin};

use spec::{CheckSpec, GroupSpec};

/// Reads a JSON config value; a bad one refuses the config at the path of
/// the offending value, which `plume` prints with its suite line and column.
fn read<T: serde::de::DeserializeOwned + Default>(key: &str) -> T {
    let Some(text) = plume_sdk::config_value(key) else {
        return T::default();
    };
    let mut json = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut json).unwrap_or_else(|e| {
        bad_config(
            &join(key, &e.path().to_string()),
            &format!("{}{HELP}", e.inner()),
        )
    })
}

/// The `checks` array, read table by table so an error names the one it is
/// in (and the key inside it).
fn read_checks() -> Vec<CheckSpec> {
    let items: Vec<serde_json::Value> = read("checks");
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = ["group", "name"].map(|k| item[k].as_str().unwrap_or("?").to_owned());
            serde_path_to_error::deserialize(item).unwrap_or_else(|e| {
                bad_config(
                    &join(&format!("checks[{i}]"), &e.path().to_string()),
                    &format!("({}.{}) {}{HELP}", at[0], at[1], e.inner()),
                )
            })
        })
        .collect()
}

/// `checks[2]` and `expect.status` as one path; serde's `.` is its root.
fn join(base: &str, inner: &str) -> String {
    match inner {
        "" | "." => base.to_owned(),
        _ if inner.starts_with('[') => format!("{base}{inner}"),
        _ => format!("{base}.{inner}"),
    }
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
    // Unconfigured (`plume inspect`): say what the pack reads and check
    // nothing; `plume run` refuses a plugin that checks nothing.
    if plume_sdk::config_value("checks").is_none() && plume_sdk::config_value("groups").is_none() {
        return Plugin::new("http", env!("CARGO_PKG_VERSION")).config(&["checks", "groups"]);
    }
    let checks = read_checks();
    let groups: BTreeMap<String, GroupSpec> = read("groups");
    if checks.is_empty() {
        bad_config(
            "checks",
            "no checks; add [[plugins.NAME.config.checks]] tables",
        );
    }
    let mut checks = checks;
    match validate::references(&checks) {
        Ok(sources) => {
            for (c, s) in checks.iter_mut().zip(sources) {
                c.sources = s;
            }
        }
        Err((i, message)) => bad_check(i, &checks[i], &message),
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
    let secrets = validate::secrets(&checks);
    let checks: Vec<Arc<CheckSpec>> = checks.into_iter().map(Arc::new).collect();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let mut plugin = Plugin::new("http", env!("CARGO_PKG_VERSION"))
        .config(&["checks", "groups"])
        .secrets(&secrets);
    for name in &order {
        let depends: Vec<&str> = groups
            .get(name)
            .map(|g| g.depends_on.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mine: Vec<Arc<CheckSpec>> = checks
            .iter()
            .filter(|c| &c.group == name)
            .cloned()
            .collect();
        plugin = plugin.group(name, &depends, move |mut group| {
            for spec in mine {
                let check_name = spec.name.clone();
                group = group.check(&check_name, move |ctx| run::run(&spec, ctx));
            }
            group
        });
    }
    plugin
}

export_plugin!(build);
