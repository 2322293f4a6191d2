//! The SDKs built into `plume`, written into each new project under
//! [`ROOT`] so it builds on any machine, without a Plume checkout: the
//! contract (`wit/plume.wit`), the suite file's JSON Schema
//! (`plume.schema.json`) and the SDK of the project's language, laid out
//! as in the checkout, so the SDK's build scripts find the contract where
//! they do there. The Rust SDK's manifest inherits from the workspace's; its
//! vendored copy has the workspace's values written in.

use std::borrow::Cow;

use toml::{Table, Value};

use super::Lang;
use crate::error::PlumeError;

/// Where a project keeps its copy of the SDK, relative to its folder.
pub const ROOT: &str = "vendor/plume";

/// One file of the vendored SDK: its path under [`ROOT`] and its text.
pub struct VendoredFile {
    pub path: &'static str,
    pub text: Cow<'static, str>,
}

const WIT: (&str, &str) = ("wit/plume.wit", include_str!("../../../wit/plume.wit"));

/// The suite file's JSON Schema, which the project's `plume.toml` names in
/// its `#:schema` line for editors (Taplo, Even Better TOML).
pub(super) const SCHEMA: (&str, &str) = (
    "plume.schema.json",
    include_str!("../../schema/plume.schema.json"),
);

const RUST_SOURCES: &[(&str, &str)] = &[
    (
        "sdk/rust/src/lib.rs",
        include_str!("../../../sdk/rust/src/lib.rs"),
    ),
    (
        "sdk/rust/src/config_table.rs",
        include_str!("../../../sdk/rust/src/config_table.rs"),
    ),
    (
        "sdk/rust/src/ctx.rs",
        include_str!("../../../sdk/rust/src/ctx.rs"),
    ),
    (
        "sdk/rust/src/outcome.rs",
        include_str!("../../../sdk/rust/src/outcome.rs"),
    ),
    (
        "sdk/rust/src/plugin.rs",
        include_str!("../../../sdk/rust/src/plugin.rs"),
    ),
    (
        "sdk/rust/src/request.rs",
        include_str!("../../../sdk/rust/src/request.rs"),
    ),
    (
        "sdk/rust/src/response.rs",
        include_str!("../../../sdk/rust/src/response.rs"),
    ),
    (
        "sdk/rust/src/retry.rs",
        include_str!("../../../sdk/rust/src/retry.rs"),
    ),
    (
        "sdk/rust/src/stream.rs",
        include_str!("../../../sdk/rust/src/stream.rs"),
    ),
];

const JS_FILES: &[(&str, &str)] = &[
    ("sdk/js/plume.js", include_str!("../../../sdk/js/plume.js")),
    (
        "sdk/js/plume.d.ts",
        include_str!("../../../sdk/js/plume.d.ts"),
    ),
    (
        "sdk/js/lib/outcome.js",
        include_str!("../../../sdk/js/lib/outcome.js"),
    ),
    (
        "sdk/js/lib/response.js",
        include_str!("../../../sdk/js/lib/response.js"),
    ),
    (
        "sdk/js/lib/stream.js",
        include_str!("../../../sdk/js/lib/stream.js"),
    ),
    (
        "sdk/js/lib/request.js",
        include_str!("../../../sdk/js/lib/request.js"),
    ),
    (
        "sdk/js/lib/ctx.js",
        include_str!("../../../sdk/js/lib/ctx.js"),
    ),
    (
        "sdk/js/lib/retry.js",
        include_str!("../../../sdk/js/lib/retry.js"),
    ),
    (
        "sdk/js/lib/plugin.js",
        include_str!("../../../sdk/js/lib/plugin.js"),
    ),
    (
        "sdk/js/lib/config-table.js",
        include_str!("../../../sdk/js/lib/config-table.js"),
    ),
    (
        "sdk/js/build.mjs",
        include_str!("../../../sdk/js/build.mjs"),
    ),
    (
        "sdk/js/package.json",
        include_str!("../../../sdk/js/package.json"),
    ),
    (
        "sdk/js/package-lock.json",
        include_str!("../../../sdk/js/package-lock.json"),
    ),
];

const PYTHON_FILES: &[(&str, &str)] = &[
    (
        "sdk/python/plume_sdk/__init__.py",
        include_str!("../../../sdk/python/plume_sdk/__init__.py"),
    ),
    (
        "sdk/python/plume_sdk/_outcome.py",
        include_str!("../../../sdk/python/plume_sdk/_outcome.py"),
    ),
    (
        "sdk/python/plume_sdk/_response.py",
        include_str!("../../../sdk/python/plume_sdk/_response.py"),
    ),
    (
        "sdk/python/plume_sdk/_stream.py",
        include_str!("../../../sdk/python/plume_sdk/_stream.py"),
    ),
    (
        "sdk/python/plume_sdk/_request.py",
        include_str!("../../../sdk/python/plume_sdk/_request.py"),
    ),
    (
        "sdk/python/plume_sdk/_ctx.py",
        include_str!("../../../sdk/python/plume_sdk/_ctx.py"),
    ),
    (
        "sdk/python/plume_sdk/_retry.py",
        include_str!("../../../sdk/python/plume_sdk/_retry.py"),
    ),
    (
        "sdk/python/plume_sdk/_plugin.py",
        include_str!("../../../sdk/python/plume_sdk/_plugin.py"),
    ),
    (
        "sdk/python/plume_sdk/_config_table.py",
        include_str!("../../../sdk/python/plume_sdk/_config_table.py"),
    ),
    (
        "sdk/python/plume_sdk/py.typed",
        include_str!("../../../sdk/python/plume_sdk/py.typed"),
    ),
    (
        "sdk/python/build.sh",
        include_str!("../../../sdk/python/build.sh"),
    ),
    (
        "sdk/python/requirements.txt",
        include_str!("../../../sdk/python/requirements.txt"),
    ),
];

const SDK_MANIFEST: &str = include_str!("../../../sdk/rust/Cargo.toml");
const WORKSPACE_MANIFEST: &str = include_str!("../../../Cargo.toml");

/// The files a project in `lang` gets under [`ROOT`].
pub fn files(lang: Lang) -> Result<Vec<VendoredFile>, PlumeError> {
    let borrowed = |&(path, text): &(&'static str, &'static str)| VendoredFile {
        path,
        text: Cow::Borrowed(text),
    };
    let mut files = vec![borrowed(&WIT), borrowed(&SCHEMA)];
    match lang {
        Lang::Rust => {
            files.push(VendoredFile {
                path: "sdk/rust/Cargo.toml",
                text: Cow::Owned(rust_manifest()?),
            });
            files.extend(RUST_SOURCES.iter().map(borrowed));
        }
        Lang::Js => files.extend(JS_FILES.iter().map(borrowed)),
        Lang::Python => files.extend(PYTHON_FILES.iter().map(borrowed)),
    }
    Ok(files)
}

/// The Rust SDK's manifest with every `x.workspace = true` replaced by the
/// workspace's value, so the crate builds outside the workspace.
fn rust_manifest() -> Result<String, PlumeError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| PlumeError::Scaffold {
        message: format!("the Rust SDK's {what} built into plume is broken: {e}"),
    };
    let workspace: Table =
        toml::from_str(WORKSPACE_MANIFEST).map_err(|e| bad("workspace manifest", &e))?;
    let mut sdk: Table = toml::from_str(SDK_MANIFEST).map_err(|e| bad("manifest", &e))?;
    let inherited = workspace
        .get("workspace")
        .and_then(Value::as_table)
        .ok_or_else(|| bad("workspace manifest", &"no [workspace]"))?;
    for section in ["package", "dependencies"] {
        let from = inherited.get(section).and_then(Value::as_table);
        if let (Some(table), Some(from)) =
            (sdk.get_mut(section).and_then(Value::as_table_mut), from)
        {
            inherit(table, from)
                .map_err(|key| bad("manifest", &format!("`{key}` is not in the workspace")))?;
        }
    }
    let text = toml::to_string(&sdk).map_err(|e| bad("manifest", &e))?;
    Ok(format!(
        "# Plume's Rust SDK, written by `plume new` from the plume binary that created this\n\
         # project (Cargo.toml of sdk/rust in Plume's repository, workspace values filled in).\n\n{text}"
    ))
}

/// Replaces each `key.workspace = true` in `table` by `from[key]`, keeping
/// the entry's other keys (a dependency's `features`); `Err(key)` when the
/// workspace does not have it.
fn inherit(table: &mut Table, from: &Table) -> Result<(), String> {
    for (key, value) in table.iter_mut() {
        let Some(entry) = value.as_table() else {
            continue;
        };
        if entry.get("workspace") != Some(&Value::Boolean(true)) {
            continue;
        }
        let base = from.get(key).ok_or_else(|| key.clone())?;
        let mut merged = match base {
            Value::Table(t) => t.clone(),
            other => Table::from_iter([("version".to_owned(), other.clone())]),
        };
        merged.extend(
            entry
                .iter()
                .filter(|(k, _)| *k != "workspace")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        *value = match (merged.len(), merged.get("version")) {
            (1, Some(version)) if !matches!(base, Value::Table(_)) => version.clone(),
            _ => Value::Table(merged),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_rust_manifest_has_the_workspace_values_written_in() {
        let text = rust_manifest().unwrap();
        assert!(!text.contains("workspace = true"), "{text}");
        let manifest: Table = toml::from_str(&text).unwrap();
        let package = manifest["package"].as_table().unwrap();
        assert_eq!(package["name"].as_str(), Some("plume-sdk"));
        assert_eq!(package["version"].as_str(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(package["edition"].as_str(), Some("2024"));
        let deps = manifest["dependencies"].as_table().unwrap();
        assert_eq!(deps["wit-bindgen"].as_str(), Some("0.61"));
        assert_eq!(deps["serde_json"].as_str(), Some("1"));
    }

    #[test]
    fn a_dependency_keeps_its_own_keys_next_to_the_workspace_ones() {
        let from: Table =
            toml::from_str("serde = { version = \"1\", features = [\"derive\"] }\nhex = \"0.4\"\n")
                .unwrap();
        let mut deps: Table = toml::from_str(
            "serde = { workspace = true, optional = true }\nhex = { workspace = true, features = [\"std\"] }\nx = \"1\"\n",
        )
        .unwrap();
        inherit(&mut deps, &from).unwrap();
        assert_eq!(deps["serde"]["version"].as_str(), Some("1"));
        assert_eq!(deps["serde"]["optional"].as_bool(), Some(true));
        assert_eq!(deps["hex"]["version"].as_str(), Some("0.4"));
        assert_eq!(deps["x"].as_str(), Some("1"));
        let mut missing: Table = toml::from_str("nope = { workspace = true }").unwrap();
        assert_eq!(inherit(&mut missing, &from), Err("nope".to_owned()));
    }

    #[test]
    fn every_language_gets_the_contract_and_its_own_sdk_only() {
        for (lang, mine) in [
            (Lang::Rust, "sdk/rust/"),
            (Lang::Js, "sdk/js/"),
            (Lang::Python, "sdk/python/"),
        ] {
            let files = files(lang).unwrap();
            let shared = ["wit/plume.wit", "plume.schema.json"];
            for path in shared {
                assert!(files.iter().any(|f| f.path == path), "{path}");
            }
            assert!(
                files
                    .iter()
                    .all(|f| shared.contains(&f.path) || f.path.starts_with(mine))
            );
        }
    }
}
