//! Compiles the guest crates in this folder to wasm32-wasip2 components.
//!
//! It runs a nested `cargo build` with its own target directory (next to the
//! workspace's), so the outer build's lock is not contended and the guests
//! are built once and reused by `cargo clippy` and `cargo test` alike. When
//! the wasm32-wasip2 target is missing, it is installed with rustup.

use std::path::{Path, PathBuf};
use std::process::Command;

const GUESTS: &[(&str, &str)] = &[
    ("BASIC", "guest-basic"),
    ("HOSTILE", "guest-hostile"),
    ("WRONG_WORLD", "guest-wrong-world"),
    ("DEMO", "demo-plugin"),
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

    for dir in ["basic", "hostile", "wrong-world"] {
        println!(
            "cargo:rerun-if-changed={}",
            manifest_dir.join(dir).display()
        );
    }
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("sdk/rust/src").display()
    );
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

    let mut consts = String::new();
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
    std::fs::write(out_dir.join("guests.rs"), consts).expect("write guests.rs");
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
