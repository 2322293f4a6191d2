// The nested wasm32-wasip2 build both build scripts share: `host/build.rs`
// (the packs built into `plume`) and `tests/guests/build.rs` (the test
// guests, the same packs among them) include this file, so both build in the
// same folder with the same profile and the same environment, and the
// second finds the packs the first compiled fresh.

/// The target the packs and guests are built for.
const TARGET: &str = "wasm32-wasip2";

/// `<target dir>/guests`, from OUT_DIR (`<target>/[<triple>/]<profile>/build/<pkg>/out`).
fn guest_target_dir(out_dir: &std::path::Path, workspace: &std::path::Path) -> std::path::PathBuf {
    out_dir
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(|build| build.parent()?.parent())
        .map(|target| target.join("guests"))
        .unwrap_or_else(|| workspace.join("target/guests"))
}

/// `cargo build --release --target wasm32-wasip2` of `packages` in
/// `target_dir`, without the flags meant for the host build (static
/// linking, LTO, a profile's target directory).
fn nested_wasm_build(
    workspace: &std::path::Path,
    target_dir: &std::path::Path,
    packages: &[&str],
) -> std::process::Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(workspace)
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(target_dir);
    for package in packages {
        cmd.arg("-p").arg(package);
    }
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Whether the compiler has the wasm32-wasip2 standard library.
fn target_installed() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    std::process::Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .map(|o| std::path::PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|s| s.join("lib/rustlib").join(TARGET).exists())
}

/// The built component of `package` in `target_dir`.
fn built_component(target_dir: &std::path::Path, package: &str) -> std::path::PathBuf {
    target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}
