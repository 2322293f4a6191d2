//! Plume's pages in a real browser: runs a script of `tests/browser/`
//! (puppeteer-core driving Debian's headless chromium, with axe-core;
//! both installed on first use by `support::tools`) and reads the JSON facts it prints. Screenshots go under
//! `target/browser-artifacts/`, kept as the test's artifacts.

use std::path::{Path, PathBuf};

/// `tests/browser`.
fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/browser")
}

/// Where a test's screenshot goes: `target/browser-artifacts/NAME`.
pub fn artifact(name: &str) -> PathBuf {
    let dir = super::harness::shared_cache()
        .parent()
        .expect("target dir")
        .join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir.join(name)
}

/// Runs `node tests/browser/SCRIPT ARGS...` and parses what it printed.
pub fn facts(script: &str, args: &[&str]) -> serde_json::Value {
    let dir = scripts();
    let out = super::tools::browser_node()
        .arg(dir.join(script))
        .args(args)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{script}: {e}: {stdout}"))
}

/// Asserts what every page must show a browser: no request left it, no CSP
/// violation, no dialog, no script of a hostile text ran, no serious or
/// critical accessibility violation.
pub fn assert_safe_and_accessible(facts: &serde_json::Value) {
    let empty = |key: &str| {
        let list = facts[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}: {facts}"));
        assert!(list.is_empty(), "{key}: {list:?}");
    };
    empty("requests");
    empty("csp_violations");
    empty("axe_serious");
    assert_eq!(facts["dialogs"], 0, "dialogs opened");
    assert!(
        facts["pwned"].is_null(),
        "a hostile script ran: {}",
        facts["pwned"]
    );
    let errors = facts["console_errors"].as_array().expect("console errors");
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
