//! The JSON Schemas Plume ships, generated from the Rust types: the suite
//! file's (`host/schema/plume.schema.json`, from `plume::suite`) and each check
//! pack's config (`plugins/<pack>/config.schema.json`, from [`packs`]).
//!
//! `cargo run -p plume-schema` writes them; the test below fails when a
//! committed file differs from what the types give, so a changed key cannot
//! ship with a stale schema. `tests/e2e/schema.rs` validates the examples
//! against the committed files with an independent validator.

pub mod packs;

use std::path::{Path, PathBuf};

/// The command that rewrites every schema file.
pub const UPDATE: &str = "cargo run -p plume-schema";

/// One schema file: where it lives and what it holds.
pub struct SchemaFile {
    /// Relative to the workspace root.
    pub path: &'static str,
    pub schema: serde_json::Value,
}

impl SchemaFile {
    /// The file's text: pretty JSON and a final newline.
    pub fn text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema)
            .unwrap_or_else(|e| unreachable!("a JSON value always serialises: {e}"));
        text.push('\n');
        text
    }
}

/// Every schema file, the suite's first.
pub fn files() -> Vec<SchemaFile> {
    let mut files = vec![SchemaFile {
        path: "host/schema/plume.schema.json",
        schema: plume::suite::schema::suite_schema(),
    }];
    for pack in packs::PACKS {
        files.push(SchemaFile {
            path: pack.schema_path,
            schema: (pack.schema)(),
        });
    }
    files
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The schema files whose committed text differs from the generated one (or
/// that are missing), by path.
pub fn stale(root: &Path) -> Vec<&'static str> {
    files()
        .into_iter()
        .filter(|f| std::fs::read_to_string(root.join(f.path)).ok() != Some(f.text()))
        .map(|f| f.path)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_schemas_match_the_rust_types() {
        let stale = stale(&workspace_root());
        assert!(
            stale.is_empty(),
            "{} differ from what the Rust types give; run `{UPDATE}` to update them",
            stale.join(", ")
        );
    }

    #[test]
    fn every_table_refuses_unknown_keys() {
        // deny_unknown_fields must reach the schema as additionalProperties: false,
        // or an editor would accept a typo the pack refuses.
        for file in files() {
            let defs = file.schema["definitions"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let tables = std::iter::once(("(root)".to_owned(), file.schema.clone()))
                .chain(defs)
                .filter(|(_, s)| s["type"] == "object" && s.get("properties").is_some());
            for (name, table) in tables {
                assert_eq!(
                    table["additionalProperties"],
                    serde_json::Value::Bool(false),
                    "{}: {name} accepts unknown keys",
                    file.path
                );
            }
        }
    }
}
