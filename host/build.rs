//! Builds the check packs in `plugins/` into every `plume` with the
//! `runtime` feature, from this repository's sources: a nested `cargo build
//! --release --target wasm32-wasip2` of the four pack crates (as wasmtime's
//! `crates/test-programs/artifacts/build.rs` builds its test programs), then
//! `OUT_DIR/packs.rs`, one `Pack` per built-in pack with its bytes
//! (`include_bytes!`) and SHA-256, which `src/packs.rs` includes.
//!
//! The nested build uses `<target dir>/guests` with the release profile, the
//! directory and profile `tests/guests/build.rs` builds the same packs in, so
//! a workspace build compiles them once (the second nested cargo finds them
//! fresh). Each pack (and `packs.rs`) is written into `OUT_DIR` only when its
//! bytes changed, so a nested build that rewrites an identical file does not
//! recompile the host.
//!
//! Without the `runtime` feature (the fuzz build, `host/fuzz`) nothing is
//! built and `packs.rs` is not written. A toolchain without the
//! `wasm32-wasip2` target fails the build with one line saying how to add it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

include!("build_support/nested_wasm.rs");

/// The built-in packs: the name a suite writes after `plume:`, and the crate.
const PACKS: &[(&str, &str)] = &[
    ("http", "plume-pack-http"),
    ("release-artifact", "plume-pack-release-artifact"),
    ("tls", "plume-pack-tls"),
    ("oauth", "plume-pack-oauth"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build_support");
    if std::env::var_os("CARGO_FEATURE_RUNTIME").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.join("..");
    let out_dir = PathBuf::from(env("OUT_DIR"));
    for dir in [
        "plugins",
        "sdk/rust/src",
        "sdk/rust/Cargo.toml",
        "wit",
        "Cargo.lock",
    ] {
        println!("cargo::rerun-if-changed={}", workspace.join(dir).display());
    }
    if !target_installed() {
        println!(
            "cargo::error=the {TARGET} target is missing; the built-in packs are built for it: \
             run `rustup target add {TARGET}` (rust-toolchain.toml lists it)"
        );
        return;
    }
    let target_dir = guest_target_dir(&out_dir, &workspace);
    if let Err(message) = build(&workspace, &target_dir) {
        println!("cargo::error={message}");
        return;
    }
    let packs_dir = out_dir.join("packs");
    std::fs::create_dir_all(&packs_dir).expect("create OUT_DIR/packs");
    let mut table = String::new();
    for (name, package) in PACKS {
        let built = built_component(&target_dir, package);
        let bytes = std::fs::read(&built)
            .unwrap_or_else(|e| panic!("{} was not built: {e}", built.display()));
        let embedded = packs_dir.join(format!("{name}.wasm"));
        write_if_changed(&embedded, &bytes);
        let sha256 = hex(&Sha256::digest(&bytes));
        table.push_str(&format!(
            "    Pack {{ name: {name:?}, package: {package:?}, sha256: {sha256:?}, \
             wasm: include_bytes!({:?}) }},\n",
            embedded.display().to_string()
        ));
    }
    let table = format!(
        "/// Every built-in pack, in the order the README lists them.\n\
         pub const PACKS: &[Pack] = &[\n{table}];\n"
    );
    write_if_changed(&out_dir.join("packs.rs"), table.as_bytes());
}

/// One nested `cargo build` of every pack.
fn build(workspace: &Path, target_dir: &Path) -> Result<(), String> {
    let packages: Vec<&str> = PACKS.iter().map(|(_, package)| *package).collect();
    match nested_wasm_build(workspace, target_dir, &packages).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err(
            "building the built-in packs for wasm32-wasip2 failed (see the cargo output above)"
                .to_owned(),
        ),
        Err(e) => Err(format!("cannot run cargo to build the built-in packs: {e}")),
    }
}

/// Writes `bytes` at `path` unless it holds them already, so an unchanged
/// pack does not make the host recompile.
fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set by cargo"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
