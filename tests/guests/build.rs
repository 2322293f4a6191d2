//! Compiles the test guests to components: the Rust guest crates in this
//! folder and the demo plugin (wasm32-wasip2), and the demo plugin's
//! JavaScript and Python ports (componentize-js, componentize-py).
//!
//! Rust guests are built by a nested `cargo build` with its own target
//! directory (next to the workspace's), so the outer build's lock is not
//! contended and the guests are built once and reused by `cargo clippy` and
//! `cargo test` alike. When the wasm32-wasip2 target is missing, it is
//! installed with rustup. The JavaScript and Python toolchains come from the
//! SDKs' pinned files (`sdk/js/package-lock.json`, `sdk/python/requirements.txt`),
//! installed on first use; a plugin is rebuilt only when its sources changed.

use std::path::{Path, PathBuf};
use std::process::Command;

const GUESTS: &[(&str, &str)] = &[
    ("BASIC", "guest-basic"),
    ("HOSTILE", "guest-hostile"),
    ("FORGER", "guest-forger"),
    ("HOG", "guest-hog"),
    ("WRONG_WORLD", "guest-wrong-world"),
    ("CONTRACT_0_1_0", "guest-contract-0-1-0"),
    ("DEMO", "demo-plugin"),
    ("PACK_HTTP", "plume-pack-http"),
    ("PACK_RELEASE_ARTIFACT", "plume-pack-release-artifact"),
    ("PACK_TLS", "plume-pack-tls"),
    ("PACK_OAUTH", "plume-pack-oauth"),
];
const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .join("../..")
        .canonicalize()
        .expect("workspace root");
    let out_dir = PathBuf::from(env("OUT_DIR"));
    let target_dir = guest_target_dir(&out_dir, &workspace);

    for dir in [
        "basic",
        "hostile",
        "forger",
        "hog",
        "wrong-world",
        "contract-0.1.0",
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

    ensure_target();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .arg("build")
        .arg("--release")
        .arg("--target")
        .arg(TARGET)
        .arg("--target-dir")
        .arg(&target_dir);
    for (_, package) in GUESTS {
        cmd.arg("-p").arg(package);
    }
    // Flags meant for the host build must not leak into the wasm build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("run cargo for the guest components");
    assert!(
        status.success(),
        "building the guest components failed (see the cargo output above)"
    );

    // Guests in JavaScript and Python, built with the SDKs' pinned toolchains.
    let plugins = target_dir.join("plugins");
    let js_sdk = [
        workspace.join("sdk/js/plume.js"),
        workspace.join("sdk/js/build.mjs"),
    ];
    let py_sdk = [workspace.join("sdk/python/plume_sdk")];
    let scripted: [(&str, &str, &str, &[PathBuf]); 4] = [
        ("DEMO_JS", "examples/js/demo.js", "demo_js.wasm", &js_sdk),
        (
            "DEMO_PY",
            "examples/python/demo.py",
            "demo_py.wasm",
            &py_sdk,
        ),
        (
            "TLS_JS",
            "tests/guests/scripts/tls.js",
            "tls_js.wasm",
            &js_sdk,
        ),
        (
            "TLS_PY",
            "tests/guests/scripts/tls.py",
            "tls_py.wasm",
            &py_sdk,
        ),
    ];
    let mut consts = String::new();
    for (name, source, output, sdk) in scripted {
        let source = workspace.join(source);
        let out = plugins.join(output);
        let mut inputs = vec![source.clone(), workspace.join("wit")];
        inputs.extend(sdk.iter().cloned());
        if stale(&out, &inputs) {
            if output.ends_with("_js.wasm") {
                build_js(&workspace, &source, &out);
            } else {
                build_python(&workspace, &source, &out);
            }
        }
        for input in &inputs {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        consts.push_str(&format!(
            "pub const {name}: &str = {:?};\n",
            out.display().to_string()
        ));
    }
    for (name, package) in GUESTS {
        let file = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{}.wasm", package.replace('-', "_")));
        assert!(file.exists(), "{} was not built", file.display());
        consts.push_str(&format!(
            "pub const {name}: &str = {:?};\n",
            file.display().to_string()
        ));
    }
    consts.push_str(&multi_memory(&manifest_dir, &plugins));
    std::fs::write(out_dir.join("guests.rs"), consts).expect("write guests.rs");
}

/// `MULTI_MEMORY`: a component of 32 core instances with a memory of 62.5
/// MiB each (`wat/multi_memory.wat`), written as text and parsed here.
fn multi_memory(manifest_dir: &Path, plugins: &Path) -> String {
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
    format!(
        "pub const MULTI_MEMORY: &str = {:?};\n",
        out.display().to_string()
    )
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set by cargo"))
}

/// `<workspace target>/guests`: found from OUT_DIR (`<target>/<profile>/build/<pkg>/out`).
fn guest_target_dir(out_dir: &Path, workspace: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(|target| target.join("guests"))
        .unwrap_or_else(|| workspace.join("target/guests"))
}

/// Installs the wasm32-wasip2 standard library when the toolchain lacks it.
fn ensure_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let installed = sysroot.is_some_and(|s| s.join("lib/rustlib").join(TARGET).exists());
    if installed {
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
