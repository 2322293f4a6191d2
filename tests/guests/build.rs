//! Compiles the test guests to components: the Rust guest crates in this
//! folder, the demo plugin and the check packs (wasm32-wasip2), the demo
//! plugin's JavaScript and Python ports and the `tls` scripts
//! (componentize-js, componentize-py), and a generated multi-memory component.
//!
//! [`GUESTS`] is the one table of guests. From it this script writes
//! `guests.rs`: a constant per guest (`pub const BASIC: &str = "/abs/path.wasm";`)
//! and `ALL`, every guest as `(placeholder, path)`, which the end-to-end
//! harness loops over to fill `@basic@` in a suite file. A guest no test uses
//! is refused: before building anything, the script looks for each guest's
//! placeholder or constant in the end-to-end tests and the host's benchmarks
//! ([`USED_IN`]) and fails naming the unused guests (as wasmtime's
//! `test-programs/artifacts` build script makes the test side mention each
//! program).
//!
//! Rust guests are built by a nested `cargo build` with its own target
//! directory (`<target>/guests`, next to the workspace's), so the outer
//! build's lock is not contended and the guests are built once and reused by
//! `cargo clippy` and `cargo test` alike. That folder, the profile and the
//! environment are `host/build.rs`'s for the packs built into `plume`
//! (both include `host/build_support/nested_wasm.rs`), so the four packs are
//! compiled once for the binary and the tests. When the wasm32-wasip2 target is missing, it is
//! installed with rustup. The JavaScript and Python toolchains come from the
//! SDKs' pinned files (`sdk/js/package-lock.json`, `sdk/python/requirements.txt`),
//! installed on first use; a plugin is rebuilt only when its sources changed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One test guest.
struct Guest {
    /// Its constant in `plume_test_guests`: `BASIC`.
    name: &'static str,
    /// What a test's suite file writes for its path, between `@`: `basic`.
    placeholder: &'static str,
    source: Source,
}

/// How a guest is built.
enum Source {
    /// A package of this workspace, compiled to wasm32-wasip2.
    Rust(&'static str),
    /// A JavaScript plugin (relative to the workspace), built with `sdk/js`.
    Js(&'static str),
    /// A Python plugin (relative to the workspace), built with `sdk/python`.
    Python(&'static str),
    /// `wat/multi_memory.wat`, filled in and parsed here.
    MultiMemory,
    /// A component written as text (relative to this crate), parsed here.
    Wat(&'static str),
}

const fn guest(name: &'static str, placeholder: &'static str, source: Source) -> Guest {
    Guest {
        name,
        placeholder,
        source,
    }
}

/// Every guest the tests run. Adding one here makes its constant and its
/// placeholder; the build then fails until some test uses it.
#[rustfmt::skip]
const GUESTS: &[Guest] = &[
    guest("BASIC",                 "basic",          Source::Rust("guest-basic")),
    guest("HOSTILE",               "hostile",        Source::Rust("guest-hostile")),
    guest("FORGER",                "forger",         Source::Rust("guest-forger")),
    guest("HOG",                   "hog",            Source::Rust("guest-hog")),
    guest("MULTI_MEMORY",          "multi",          Source::MultiMemory),
    guest("TAIL_CALL",             "tail-call",      Source::Wat("wat/tail_call.wat")),
    guest("WRONG_WORLD",           "wrong",          Source::Rust("guest-wrong-world")),
    guest("CONTRACT_0_1_0",        "contract-0.1.0", Source::Rust("guest-contract-0-1-0")),
    guest("CONTRACT_0_1_3",        "contract-0.1.3", Source::Rust("guest-contract-0-1-3")),
    guest("DEMO",                  "demo",           Source::Rust("demo-plugin")),
    guest("DEMO_JS",               "demo-js",        Source::Js("examples/js/demo.js")),
    guest("DEMO_PY",               "demo-py",        Source::Python("examples/python/demo.py")),
    guest("PACK_HTTP",             "http",           Source::Rust("plume-pack-http")),
    guest("PACK_RELEASE_ARTIFACT", "release",        Source::Rust("plume-pack-release-artifact")),
    guest("PACK_TLS",              "tls",            Source::Rust("plume-pack-tls")),
    guest("PACK_OAUTH",            "oauth",          Source::Rust("plume-pack-oauth")),
    guest("TLS_JS",                "tls-js",         Source::Js("tests/guests/scripts/tls.js")),
    guest("TLS_PY",                "tls-py",         Source::Python("tests/guests/scripts/tls.py")),
    guest("MASK",                  "mask",           Source::Rust("guest-mask")),
    guest("MASK_JS",               "mask-js",        Source::Js("tests/guests/scripts/mask.js")),
    guest("MASK_PY",               "mask-py",        Source::Python("tests/guests/scripts/mask.py")),
    guest("ATTEMPTS_JS",           "attempts-js",    Source::Js("tests/guests/scripts/attempts.js")),
    guest("ATTEMPTS_PY",           "attempts-py",    Source::Python("tests/guests/scripts/attempts.py")),
];

/// Where a guest counts as used: the `.rs` files directly in these folders
/// (relative to the workspace). `tests/e2e/support/` holds the fixtures every
/// test shares, so a mention there is no test.
const USED_IN: &[&str] = &["tests/e2e", "host/benches"];

/// Placeholders the harness fills with something other than a guest.
const RESERVED_PLACEHOLDERS: &[&str] = &["url"];

include!("../../host/build_support/nested_wasm.rs");

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .join("../..")
        .canonicalize()
        .expect("workspace root");
    let out_dir = PathBuf::from(env("OUT_DIR"));
    let target_dir = guest_target_dir(&out_dir, &workspace);

    check_table();
    refuse_unused(&workspace);

    for dir in [
        "basic",
        "hostile",
        "forger",
        "hog",
        "wrong-world",
        "contract-0.1.0",
        "contract-0.1.3",
        "mask",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            manifest_dir.join(dir).display()
        );
    }
    for dir in ["sdk/rust/src", "examples/demo/plugin", "plugins"] {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!("cargo:rerun-if-changed={}", workspace.join("wit").display());
    let shared = workspace.join("host/build_support");
    println!("cargo:rerun-if-changed={}", shared.display());

    build_rust(&workspace, &target_dir);
    let plugins = target_dir.join("plugins");
    let mut consts = String::new();
    let mut all = String::new();
    for guest in GUESTS {
        let file = match guest.source {
            Source::Rust(package) => {
                let file = built_component(&target_dir, package);
                assert!(file.exists(), "{} was not built", file.display());
                file
            }
            Source::Js(script) | Source::Python(script) => {
                build_scripted(&workspace, guest, script, &plugins)
            }
            Source::MultiMemory => multi_memory(&manifest_dir, &plugins),
            Source::Wat(file) => parsed_wat(&manifest_dir.join(file), &plugins),
        };
        let (name, placeholder) = (guest.name, guest.placeholder);
        let path = file.display().to_string();
        consts.push_str(&format!("pub const {name}: &str = {path:?};\n"));
        all.push_str(&format!("    ({placeholder:?}, {name}),\n"));
    }
    consts.push_str(&format!(
        "/// Every guest as `(placeholder, path)`: a suite file in a test writes\n\
         /// `@placeholder@` for the path.\n\
         pub const ALL: &[(&str, &str)] = &[\n{all}];\n"
    ));
    std::fs::write(out_dir.join("guests.rs"), consts).expect("write guests.rs");
}

/// Names and placeholders are unique, and no placeholder is one the harness
/// fills with something else.
fn check_table() {
    for (i, a) in GUESTS.iter().enumerate() {
        assert!(
            !RESERVED_PLACEHOLDERS.contains(&a.placeholder),
            "guest {}: the placeholder @{}@ is reserved by the e2e harness; pick another",
            a.name,
            a.placeholder
        );
        for b in &GUESTS[i + 1..] {
            assert!(
                a.name != b.name && a.placeholder != b.placeholder,
                "guests {} and {} share a name or a placeholder",
                a.name,
                b.name
            );
        }
    }
}

/// Fails the build when a guest is used by no test: neither its placeholder
/// (`@basic@`) nor its constant (`plume_test_guests::BASIC`) appears outside
/// a comment in any `.rs` file directly in a [`USED_IN`] folder.
fn refuse_unused(workspace: &Path) {
    let mut sources = Vec::new();
    for dir in USED_IN {
        let dir = workspace.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                sources.push(without_comment_lines(&text));
            }
        }
    }
    let unused: Vec<String> = GUESTS
        .iter()
        .filter(|g| !sources.iter().any(|text| mentions(text, g)))
        .map(|g| {
            format!(
                "  - {}: neither `@{}@` (in a suite file) nor `plume_test_guests::{}` appears",
                g.name, g.placeholder, g.name
            )
        })
        .collect();
    if unused.is_empty() {
        return;
    }
    let places = USED_IN
        .iter()
        .map(|d| format!("{d}/*.rs"))
        .collect::<Vec<_>>()
        .join(" or ");
    eprintln!(
        "error: every test guest must be used by a test; these are used by none in {places}:\n{}\n\
         write a test that runs each (a module of tests/e2e/, listed in tests/e2e/main.rs), \
         or remove it from GUESTS in tests/guests/build.rs",
        unused.join("\n")
    );
    std::process::exit(1);
}

/// `text` without its `//` comment lines (doc comments included).
fn without_comment_lines(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` holds `@placeholder@` or `plume_test_guests::NAME` (as a
/// whole name: `DEMO` is not `DEMO_JS`).
fn mentions(text: &str, guest: &Guest) -> bool {
    let constant = format!("plume_test_guests::{}", guest.name);
    text.contains(&format!("@{}@", guest.placeholder))
        || text.match_indices(&constant).any(|(at, _)| {
            !text[at + constant.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
}

/// Builds every Rust guest with one nested `cargo build`, in the folder, with
/// the profile and the environment of `host/build.rs`'s build of the packs
/// (`nested_wasm.rs`), so the packs among the guests are compiled once.
fn build_rust(workspace: &Path, target_dir: &Path) {
    ensure_target();
    let packages: Vec<&str> = GUESTS
        .iter()
        .filter_map(|g| match g.source {
            Source::Rust(package) => Some(package),
            _ => None,
        })
        .collect();
    let status = nested_wasm_build(workspace, target_dir, &packages)
        .status()
        .expect("run cargo for the guest components");
    assert!(
        status.success(),
        "building the guest components failed (see the cargo output above)"
    );
}

/// Builds a JavaScript or Python guest with its SDK's pinned toolchain, when
/// its sources changed, into `plugins/<name in lower case>.wasm`.
fn build_scripted(workspace: &Path, guest: &Guest, script: &str, plugins: &Path) -> PathBuf {
    let source = workspace.join(script);
    let out = plugins.join(format!("{}.wasm", guest.name.to_lowercase()));
    let mut inputs = vec![source.clone(), workspace.join("wit")];
    match guest.source {
        Source::Js(_) => inputs.extend([
            workspace.join("sdk/js/plume.js"),
            workspace.join("sdk/js/lib"),
            workspace.join("sdk/js/build.mjs"),
        ]),
        _ => inputs.push(workspace.join("sdk/python/plume_sdk")),
    }
    if stale(&out, &inputs) {
        match guest.source {
            Source::Js(_) => build_js(workspace, &source, &out),
            _ => build_python(workspace, &source, &out),
        }
    }
    for input in &inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    out
}

/// A component written as text, parsed into `plugins/NAME.wasm`.
fn parsed_wat(source: &Path, plugins: &Path) -> PathBuf {
    println!("cargo:rerun-if-changed={}", source.display());
    let bytes = wat::parse_file(source).expect("the guest's .wat parses");
    std::fs::create_dir_all(plugins).expect("create the plugins folder");
    let stem = source.file_stem().expect("a .wat file name");
    let out = plugins.join(stem).with_extension("wasm");
    std::fs::write(&out, bytes).expect("write the parsed guest");
    out
}

/// `MULTI_MEMORY`: a component of 32 core instances with a memory of 62.5
/// MiB each (`wat/multi_memory.wat`), written as text and parsed here.
fn multi_memory(manifest_dir: &Path, plugins: &Path) -> PathBuf {
    let source = manifest_dir.join("wat/multi_memory.wat");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).expect("read multi_memory.wat");
    let instances = "  (core instance (instantiate $hog))\n".repeat(32);
    let text = text
        .replace("HOG_PAGES", "1000")
        .replace("HOG_INSTANCES", &instances);
    let bytes = wat::parse_str(&text).expect("multi_memory.wat parses");
    std::fs::create_dir_all(plugins).expect("create the plugins folder");
    let out = plugins.join("multi_memory.wasm");
    std::fs::write(&out, bytes).expect("write multi_memory.wasm");
    out
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set by cargo"))
}

/// Installs the wasm32-wasip2 standard library when the toolchain lacks it.
fn ensure_target() {
    if target_installed() {
        return;
    }
    println!("cargo:warning=installing the {TARGET} target with rustup");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status();
    match status {
        Ok(s) if s.success() => {}
        _ => panic!(
            "the {TARGET} target is missing and `rustup target add {TARGET}` failed; run it by hand"
        ),
    }
}

/// Whether `output` is missing or older than any file under `inputs`.
fn stale(output: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(built) = std::fs::metadata(output).and_then(|m| m.modified()) else {
        return true;
    };
    inputs
        .iter()
        .any(|input| newest(input).is_some_and(|t| t > built))
}

fn newest(path: &Path) -> Option<std::time::SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter(|e| e.file_name() != "node_modules" && e.file_name() != "__pycache__")
        .filter_map(|e| newest(&e.path()))
        .max()
}

fn require(tool: &str, install: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{tool}` is needed to build the test plugins written in other languages: install it with `{install}`"
    );
}

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(status.success(), "{what} failed (see the output above)");
}

/// Bundles and componentizes a JavaScript plugin with the SDK's pinned toolchain.
fn build_js(workspace: &Path, entry: &Path, out: &Path) {
    require("node", "apt-get install nodejs npm");
    require("npm", "apt-get install npm");
    // build.mjs installs the SDK's pinned toolchain (`npm ci`) on first use.
    let sdk = workspace.join("sdk/js");
    run(
        Command::new("node")
            .arg(sdk.join("build.mjs"))
            .arg(entry)
            .arg(out),
        "building the JavaScript plugin",
    );
}

/// Componentizes a Python plugin with the SDK's pinned componentize-py.
fn build_python(workspace: &Path, entry: &Path, out: &Path) {
    require("python3", "apt-get install python3 python3-venv");
    run(
        Command::new("bash")
            .arg(workspace.join("sdk/python/build.sh"))
            .arg(entry)
            .arg(out),
        "building the Python plugin",
    );
}
