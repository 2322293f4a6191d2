//! The JSON Schemas the repository ships (`host/schema/plume.schema.json`,
//! `plugins/<pack>/config.schema.json`) against every suite it shows: the
//! example suites, the suites `plume new` writes, and the TOML blocks of the
//! README, the book (`docs/`) and the packs' READMEs. Validated by an independent validator,
//! `check-jsonschema` from PyPI, run as a real process on each suite turned
//! into JSON; each check pack's config table (a plugin whose `path` names the
//! pack's component) against that pack's schema. A typo is shown flagged, and
//! each pack's schema has exactly the config keys the built pack declares.
//!
//! `check-jsonschema` is `PLUME_CHECK_JSONSCHEMA` when set, else the tools
//! venv's (installed on first use, see `support::tools`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::harness::{Run, plume_command};

const SUITE_SCHEMA: &str = "host/schema/plume.schema.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// The validator's executable: `$PLUME_CHECK_JSONSCHEMA`, else the tools venv's.
fn validator() -> PathBuf {
    if let Some(path) = std::env::var_os("PLUME_CHECK_JSONSCHEMA") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "PLUME_CHECK_JSONSCHEMA={} is not a file",
            path.display()
        );
        return path;
    }
    crate::support::tools::python_tool("check-jsonschema")
}

/// Runs `check-jsonschema --schemafile SCHEMA FILES...`.
fn check(schema: &Path, files: &[PathBuf]) -> Run {
    let out = Command::new(validator())
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .output()
        .expect("run check-jsonschema");
    Run::from_output(out)
}

/// A suite the repository shows: where it is and its text.
struct Example {
    label: String,
    text: String,
}

/// Every suite the repository shows.
fn examples(scaffolded: &Path) -> Vec<Example> {
    let root = root();
    let mut found = Vec::new();
    for file in toml_files(&root.join("examples")) {
        found.push(Example {
            label: rel(&root, &file),
            text: std::fs::read_to_string(&file).expect("read example"),
        });
    }
    let mut readmes = vec![root.join("README.md")];
    readmes.extend(crate::docs::book_chapters());
    readmes.extend(pack_dirs().iter().map(|d| d.join("README.md")));
    for readme in readmes {
        let text = std::fs::read_to_string(&readme).expect("read README");
        for (i, block) in toml_blocks(&text).into_iter().enumerate() {
            found.push(Example {
                label: format!("{} block {}", rel(&root, &readme), i + 1),
                text: block,
            });
        }
    }
    for lang in ["rust", "js", "python"] {
        let suite = scaffold(lang, scaffolded);
        found.push(Example {
            label: format!("plume new --lang {lang}: plume.toml"),
            text: std::fs::read_to_string(&suite).expect("read scaffolded suite"),
        });
    }
    found
}

/// Runs `plume new --lang LANG` in `parent`; returns the suite it wrote.
fn scaffold(lang: &str, parent: &Path) -> PathBuf {
    let name = format!("schema-{lang}");
    let out = plume_command()
        .args(["new", "--lang", lang, &name])
        .current_dir(parent)
        .output()
        .expect("run plume new");
    let made = Run::from_output(out);
    assert_eq!(made.code, 0, "plume new --lang {lang}: {}", made.stderr);
    parent.join(&name).join("plume.toml")
}

/// The suite files under `dir` (every `.toml` but Cargo's and rustup's).
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && name != "node_modules" {
            files.extend(toml_files(&path));
        } else if name.ends_with(".toml") && name != "Cargo.toml" && name != "rust-toolchain.toml" {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The text of each ```toml block of a Markdown file.
fn toml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Each pack's folder in `plugins/`.
fn pack_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("plugins"))
        .expect("plugins/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// A pack's component file name: `plugins/release-artifact` →
/// `plume_pack_release_artifact.wasm`.
fn component(pack_dir: &Path) -> String {
    let name = pack_dir.file_name().expect("pack name").to_string_lossy();
    format!("plume_pack_{}.wasm", name.replace('-', "_"))
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A TOML document as JSON, the form JSON Schema validators read.
fn json_of(label: &str, text: &str) -> Value {
    let value: toml::Value =
        toml::from_str(text).unwrap_or_else(|e| panic!("{label} is not valid TOML: {e}"));
    to_json(value)
}

fn to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
    }
}

/// Writes `value` as `dir/<name>.json`.
fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = dir.join(format!("{safe}.json"));
    std::fs::write(&path, value.to_string()).expect("write JSON");
    path
}

/// The config tables of the plugins whose `path` names `component`, or the
/// same pack built into plume (`plume:release-artifact`).
fn pack_configs(suite: &Value, component: &str) -> Vec<(String, Value)> {
    let plugins = suite["plugins"].as_object().cloned().unwrap_or_default();
    let builtin = component
        .strip_prefix("plume_pack_")
        .and_then(|c| c.strip_suffix(".wasm"))
        .map(|name| format!("plume:{}", name.replace('_', "-")));
    plugins
        .into_iter()
        .filter(|(_, p)| {
            p["path"]
                .as_str()
                .is_some_and(|path| path.ends_with(component) || Some(path) == builtin.as_deref())
        })
        .map(|(name, p)| (name, p.get("config").cloned().unwrap_or(Value::Null)))
        .collect()
}

fn assert_valid(schema: &str, files: &[PathBuf]) {
    let run = check(&root().join(schema), files);
    assert_eq!(
        run.code, 0,
        "against {schema}:\n{}{}",
        run.stdout, run.stderr
    );
}

#[test]
fn every_example_suite_and_pack_config_is_valid() {
    let work = tempfile::tempdir().expect("temp dir");
    let scaffolded = tempfile::tempdir().expect("temp dir");
    let examples = examples(scaffolded.path());
    let suites: Vec<(String, Value)> = examples
        .iter()
        .map(|e| (e.label.clone(), json_of(&e.label, &e.text)))
        .collect();
    let files: Vec<PathBuf> = suites
        .iter()
        .map(|(label, json)| write_json(work.path(), label, json))
        .collect();
    assert_valid(SUITE_SCHEMA, &files);

    let mut per_pack = BTreeMap::new();
    for dir in pack_dirs() {
        let component = component(&dir);
        let configs: Vec<PathBuf> = suites
            .iter()
            .flat_map(|(label, json)| {
                pack_configs(json, &component)
                    .into_iter()
                    .map(move |(plugin, config)| (format!("{label} {plugin} config"), config))
            })
            .map(|(label, config)| write_json(work.path(), &label, &config))
            .collect();
        // Every pack's README shows a configured example, so each schema meets one.
        assert!(!configs.is_empty(), "no example configures {component}");
        let schema = format!("{}/config.schema.json", rel(&root(), &dir));
        assert_valid(&schema, &configs);
        per_pack.insert(component, configs.len());
    }
    println!(
        "validated {} suites; pack configs: {per_pack:?}",
        files.len()
    );
}

/// The demo suite with `allow-hosts` misspelt, and the http pack's README
/// example with `expect` misspelt: the validator passes each as written and
/// exits non-zero on the typo, naming the key.
#[test]
fn a_typo_is_flagged() {
    let demo = std::fs::read_to_string(root().join("examples/demo/plume.toml")).expect("demo");
    assert_flagged(SUITE_SCHEMA, &demo, "allow-hosts", "alow-hosts", |suite| {
        suite.clone()
    });

    let readme = std::fs::read_to_string(root().join("plugins/http/README.md")).expect("README");
    let block = toml_blocks(&readme)
        .into_iter()
        .next()
        .expect("a TOML block");
    assert_flagged(
        "plugins/http/config.schema.json",
        &block,
        "expect.status",
        "expcet.status",
        |suite| {
            let (_, config) = pack_configs(suite, "plume_pack_http.wasm")
                .into_iter()
                .next()
                .expect("an http plugin");
            config
        },
    );
}

/// Validates `part` of `text` against `schema` as written (it must pass) and
/// with the key `right` at the start of a line misspelt `wrong` (it must fail,
/// naming `wrong`).
fn assert_flagged(
    schema: &str,
    text: &str,
    right: &str,
    wrong: &str,
    part: impl Fn(&Value) -> Value,
) {
    let work = tempfile::tempdir().expect("temp dir");
    let before = format!("\n{right} = ");
    assert!(text.contains(&before), "no `{right} = ` line in\n{text}");
    let typo = text.replacen(&before, &format!("\n{wrong} = "), 1);
    let as_written = write_json(work.path(), "as-written", &part(&json_of(right, text)));
    assert_valid(schema, &[as_written]);
    let misspelt = write_json(work.path(), "misspelt", &part(&json_of(wrong, &typo)));
    let run = check(&root().join(schema), &[misspelt]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let key = wrong.split('.').next().unwrap_or(wrong);
    assert!(
        run.stdout.contains(&format!("'{key}' was unexpected")),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// Each pack's schema has the config keys the built pack declares
/// (`plume inspect`), no more and no fewer.
#[test]
fn pack_schemas_have_the_keys_the_packs_declare() {
    let built = [
        ("http", plume_test_guests::PACK_HTTP),
        ("oauth", plume_test_guests::PACK_OAUTH),
        ("release-artifact", plume_test_guests::PACK_RELEASE_ARTIFACT),
        ("tls", plume_test_guests::PACK_TLS),
    ];
    assert_eq!(built.len(), pack_dirs().len(), "a pack is missing here");
    for (pack, wasm) in built {
        let out = plume_command()
            .args(["inspect", wasm])
            .output()
            .expect("run plume inspect");
        let run = Run::from_output(out);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let line = run
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("config:"))
            .expect("a config line");
        let mut declared: Vec<&str> = line.split(',').map(str::trim).collect();
        declared.sort_unstable();
        let schema_path = root().join(format!("plugins/{pack}/config.schema.json"));
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema"))
                .expect("schema is JSON");
        let mut keys: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, declared, "{pack}: schema keys against plume inspect");
    }
}

/// Each example suite file, and the suite `plume new` writes, names the
/// suite's schema for editors (Taplo's `#:schema` directive) by a relative
/// path or a `file://` URL that leads to it (a new project, to its own copy
/// under `vendor/plume/`, the same bytes).
#[test]
fn example_suites_name_their_schema() {
    let root = root();
    let schema = std::fs::read(root.join(SUITE_SCHEMA)).expect("schema");
    let scaffolded = tempfile::tempdir().expect("temp dir");
    let mut suites = toml_files(&root.join("examples"));
    suites.push(scaffold("rust", scaffolded.path()));
    for file in suites {
        let text = std::fs::read_to_string(&file).expect("read");
        let first = text.lines().next().unwrap_or_default();
        let named = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{}: first line is not `#:schema PATH`", file.display()));
        let named = named.trim();
        let target = match named.strip_prefix("file://") {
            Some(absolute) => PathBuf::from(absolute),
            None => file.parent().expect("folder").join(named),
        };
        assert!(
            std::fs::read(&target).ok().as_ref() == Some(&schema),
            "{}: {named} does not lead to {SUITE_SCHEMA}",
            file.display()
        );
    }
}
