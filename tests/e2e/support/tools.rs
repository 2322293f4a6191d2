//! What the end-to-end tests need from outside the workspace, installed by
//! the tests themselves on first use, so `cargo test --workspace` passes on a
//! fresh machine that has only rustup (and the node and python3 the guests'
//! build already needs):
//!
//! - [`debian`]: a program from a Debian package (nginx, Prometheus,
//!   docker-registry, chromium): `apt-get install` when it is missing and apt
//!   is usable (root), else the test fails with one line naming the package;
//! - [`python_tool`]: a program from PyPI in `target/tools-venv` (or
//!   `$PLUME_TOOLS_VENV`), installed from the pinned `tests/tools-requirements.txt`;
//! - [`npm_ci`]: a test folder's npm packages from its lock file;
//! - [`browser_node`]: node with a real browser for the scripts in `tests/browser/`.
//!
//! Each install happens once per test process (a lock per kind, so parallel
//! tests wait for one another rather than run apt or pip twice) and, for the
//! shared venv, once per target directory (a file lock, so two test processes
//! on one tree cannot interleave two `pip install`s).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Serialises apt: dpkg takes one install at a time.
static APT: Mutex<()> = Mutex::new(());
/// Serialises the venv's creation and installs within this process.
static VENV: Mutex<()> = Mutex::new(());
/// Serialises `npm ci` runs within this process.
static NPM: Mutex<()> = Mutex::new(());

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// The target directory the tests were built into (the guests live in it).
pub fn target_dir() -> PathBuf {
    Path::new(plume_test_guests::BASIC)
        .ancestors()
        .nth(4)
        .expect("target dir")
        .to_owned()
}

/// `binary` (an absolute path) from Debian's `package`, installed with
/// apt-get when it is missing.
pub fn debian(binary: &str, package: &str) -> PathBuf {
    let path = PathBuf::from(binary);
    if path.exists() {
        return path;
    }
    let _guard = APT.lock().unwrap_or_else(|e| e.into_inner());
    if path.exists() {
        return path;
    }
    let how = format!("install it with `apt-get install -y {package}` (as root)");
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    assert!(
        root && Path::new("/usr/bin/apt-get").exists(),
        "{binary} is missing and apt-get is not usable here: {how}"
    );
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let updated = Command::new("apt-get")
            .args(["update", "-qq"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            updated && install(),
            "apt-get could not install {package}: {how}"
        );
    }
    assert!(
        path.exists(),
        "{package} is installed but {binary} is missing"
    );
    path
}

/// The venv the PyPI tools live in: `$PLUME_TOOLS_VENV`, else `target/tools-venv`.
fn venv() -> PathBuf {
    std::env::var_os("PLUME_TOOLS_VENV")
        .map_or_else(|| target_dir().join("tools-venv"), PathBuf::from)
}

/// `name` from the tools venv, after the venv holds every package of
/// `tests/tools-requirements.txt` (made and filled on first use; a stamp file
/// holding the requirements' text says it was filled with exactly them).
pub fn python_tool(name: &str) -> PathBuf {
    let venv = venv();
    let requirements_file = workspace().join("tests/tools-requirements.txt");
    let requirements =
        std::fs::read_to_string(&requirements_file).expect("read tests/tools-requirements.txt");
    let stamp = venv.join("plume-requirements.txt");
    let filled = || std::fs::read_to_string(&stamp).is_ok_and(|s| s == requirements);
    if !filled() {
        let _guard = VENV.lock().unwrap_or_else(|e| e.into_inner());
        std::fs::create_dir_all(venv.parent().expect("the venv's parent"))
            .expect("make the venv's parent");
        let lock = File::create(venv.with_extension("lock")).expect("the venv's lock file");
        lock.lock().expect("lock the venv");
        if !filled() {
            fill(&venv, &requirements_file);
            std::fs::write(&stamp, &requirements).expect("write the venv's stamp");
        }
    }
    let bin = venv.join("bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing after installing {}",
        bin.display(),
        requirements_file.display()
    );
    bin
}

/// Makes `venv` if needed and installs `requirements` into it.
fn fill(venv: &Path, requirements: &Path) {
    let python = venv.join("bin/python3");
    if !python.exists() {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            made,
            "cannot make {}: install python3 with venv (`apt-get install -y python3-venv`)",
            venv.display()
        );
    }
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        installed,
        "`{} -m pip install -r {}` failed",
        python.display(),
        requirements.display()
    );
}

/// `npm ci` in `tests/FOLDER` (or any workspace folder) unless `marker`
/// (a package folder under its `node_modules`) is there already.
pub fn npm_ci(folder: &str, marker: &str) -> PathBuf {
    let dir = workspace().join(folder);
    let _guard = NPM.lock().unwrap_or_else(|e| e.into_inner());
    if !dir.join("node_modules").join(marker).exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm is not installed: install node and npm (`apt-get install -y nodejs npm`)");
        assert!(status.success(), "npm ci in {folder} failed");
    }
    dir
}

/// `node` ready to run a script of `tests/browser/` that drives a real
/// browser: Debian's chromium installed, the folder's packages
/// (puppeteer-core, axe-core) installed, `PLUME_CHROMIUM` pointing at it.
pub fn browser_node() -> Command {
    let chromium = debian("/usr/bin/chromium", "chromium");
    npm_ci("tests/browser", "puppeteer-core");
    let mut node = Command::new("node");
    node.env("PLUME_CHROMIUM", chromium);
    node
}
