//! Bad input: one line on stderr saying what is wrong and how to fix it,
//! exit code 2, never a panic, and nothing run.

use crate::support::harness::{Run, plume, run, suite};

pub(crate) fn one_line_exit_2(r: &Run, expected: &str) {
    assert_eq!(r.code, 2, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(
        r.stderr.contains(expected),
        "expected {expected:?} in {}",
        r.stderr
    );
}

/// Runs the pack at `path` (`@tls@`) as plugin `p` with `config` as its
/// config table: the run must stop before any check with one line holding
/// `expected` and exit 2.
pub(crate) fn pack_config_refused(path: &str, config: &str, expected: &str) {
    let toml = format!(
        "[plugins.p]\npath = \"{path}\"\nallow-hosts = [\"https://127.0.0.1:9\"]\n\n\
         [plugins.p.config]\n{config}\n"
    );
    let r = run(&suite(&toml, "").path, &[]);
    assert!(r.stdout.trim().is_empty(), "{config}: ran {}", r.stdout);
    one_line_exit_2(&r, &format!("plugin `p`: {expected}"));
}

const GOOD: &str = r#"
[env.test]
url = "http://127.0.0.1:9"
[plugins.basic]
path = "@basic@"
allow-hosts = ["${url}"]
config = { base_url = "${url}" }
"#;

#[test]
fn a_missing_suite_file() {
    let r = plume(&["run", "/nonexistent/plume.toml"]);
    one_line_exit_2(
        &r,
        "cannot read suite file /nonexistent/plume.toml: no such file",
    );
}

#[test]
fn invalid_toml_names_line_and_column() {
    let s = suite(
        "[plugins.basic]\npath = \"@basic@\"\nallow-hosts = [\"a\"\n",
        "",
    );
    let r = run(&s.path, &[]);
    one_line_exit_2(&r, "plume.toml:3:");
}

#[test]
fn unknown_env_and_group_list_the_valid_names() {
    let s = suite(GOOD, "");
    one_line_exit_2(
        &run(&s.path, &["--env", "prod"]),
        "unknown environment `prod`; the suite defines: test",
    );
    one_line_exit_2(
        &run(&s.path, &["--only", "nope"]),
        "unknown group `nope` in --only; the suite's groups are: after_failing, basics, cleanups",
    );
}

#[test]
fn an_unset_process_variable() {
    let s = suite(
        &GOOD.replace("http://127.0.0.1:9", "${env:PLUME_SURELY_UNSET}"),
        "",
    );
    one_line_exit_2(
        &run(&s.path, &[]),
        "environment variable PLUME_SURELY_UNSET is not set",
    );
}

#[test]
fn a_plugin_that_does_not_exist() {
    let s = suite(&GOOD.replace("@basic@", "missing.wasm"), "");
    one_line_exit_2(
        &run(&s.path, &[]),
        "missing.wasm does not exist (build it first",
    );
}

#[test]
fn files_that_are_not_components() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wasm");
    std::fs::write(&text, "hello").unwrap();
    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    for (file, why) in [
        (&text, "does not start with a wasm header"),
        (&core, "it is a core wasm module, not a component"),
    ] {
        let s = suite(&GOOD.replace("@basic@", file.to_str().unwrap()), "");
        one_line_exit_2(&run(&s.path, &[]), why);
    }
}

#[test]
fn a_component_for_another_contract_names_the_mismatch() {
    let s = suite(&GOOD.replace("@basic@", "@wrong@"), "");
    let r = run(&s.path, &[]);
    one_line_exit_2(&r, "was built for another contract");
    assert!(r.stderr.contains("plume:check/log@0.9.0"), "{}", r.stderr);
}

#[test]
fn a_bad_var_and_a_bad_duration() {
    let s = suite(GOOD, "");
    one_line_exit_2(
        &run(&s.path, &["--var", "novalue"]),
        "invalid --var `novalue`: expected KEY=VALUE",
    );
    let r = run(&s.path, &["--check-timeout", "soon"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("write e.g. 30s"), "{}", r.stderr);
}

#[test]
fn a_pack_without_its_config_is_inspected_but_never_run_green() {
    for (pack, keys) in [
        (plume_test_guests::PACK_HTTP, "config:  checks, groups"),
        (
            plume_test_guests::PACK_TLS,
            "config:  hosts, warn_days, min_version",
        ),
    ] {
        let r = plume(&["inspect", pack]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(keys), "{}", r.stdout);
    }
    // Run without its config, the pack would check nothing: bad input, not green.
    let s = suite(
        r#"
[plugins.site]
path = "@http@"
allow-hosts = ["@url@"]
"#,
        "http://127.0.0.1:9",
    );
    let r = run(&s.path, &[]);
    one_line_exit_2(
        &r,
        "plugin `site`: describes no check, so a run would pass having checked nothing: give it its config (`plume inspect",
    );
}

#[test]
fn a_key_a_plugin_does_not_declare_is_named_in_a_warning() {
    // The basic guest declares `base_url` and `denied_url`; `base_ulr` is what a typo gives.
    let s = suite(
        &GOOD.replace(
            "config = { base_url = \"${url}\" }",
            "config = { base_url = \"${url}\", base_ulr = \"x\" }",
        ),
        "",
    );
    let r = plume(&["list", s.path.to_str().expect("utf-8 path")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("base_ulr"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: plugin `basic`: config.base_ulr: a key it does not declare (it declares `base_url`, `denied_url`): if misspelt, it is never read"
        ],
        "{}",
        r.stderr
    );
}
