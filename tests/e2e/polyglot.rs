//! One contract, three languages: the demo plugin's core written in Rust,
//! JavaScript and Python, side by side in one suite (`examples/demo/polyglot.toml`)
//! against the demo service, prints the same line for the same behaviour —
//! healthy and with faults on — because the failure text comes from the host.

use std::collections::BTreeMap;
use std::path::Path;

use plume_demo_service::faults::{Fault, Faults};
use plume_demo_service::{Options, start_in_background};
use regex::Regex;

use crate::support::harness::{Run, plume_command};

/// Runs the polyglot suite against a fresh service with `faults` on.
fn run_polyglot(faults: &[Fault]) -> Run {
    run_polyglot_with(faults, &[])
}

/// Runs the polyglot suite against a fresh service with `faults` on, with
/// `extra` arguments (`--cache-dir DIR`, say).
pub(crate) fn run_polyglot_with(faults: &[Fault], extra: &[&str]) -> Run {
    let addresses = start_in_background(Options {
        admin_port: 0,
        mcp_port: 0,
        faults: Faults::new(faults.iter().copied()),
        admin_password: "unused".to_owned(),
    })
    .expect("demo service starts");
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/polyglot.toml");
    let dir = |file: &str| Path::new(file).parent().unwrap().display().to_string();
    let out = plume_command()
        .arg("run")
        .arg(suite)
        .args(["--var", &format!("admin_url={}", addresses.admin_url())])
        .args(["--var", &format!("mcp_url={}", addresses.mcp_url())])
        .args([
            "--var",
            &format!("rust_dir={}", dir(plume_test_guests::DEMO)),
        ])
        .args([
            "--var",
            &format!("plugin_dir={}", dir(plume_test_guests::DEMO_JS)),
        ])
        .args(extra)
        .output()
        .expect("run plume");
    Run::from_output(out)
}

/// For one language prefix: check name -> (outcome, status, detail with ids,
/// markers, ports and timings replaced by placeholders).
pub(crate) fn lines_of(run: &Run, prefix: &str) -> BTreeMap<String, (String, String, String)> {
    let hex = Regex::new("[0-9a-f]{8,}").unwrap();
    let digits = Regex::new("[0-9]+").unwrap();
    run.names()
        .into_iter()
        .filter_map(|name| {
            name.strip_prefix(prefix)
                .map(str::to_owned)
                .map(|short| (name, short))
        })
        .map(|(name, short)| {
            let line = run.line(&name);
            let rest = line[7..].trim_start()[name.len()..].trim_start();
            let (status, detail) = rest.split_once("  ").unwrap_or((rest, ""));
            let detail = digits
                .replace_all(&hex.replace_all(detail.trim(), "H"), "N")
                .into_owned();
            (
                short,
                (
                    run.outcome(&name).to_owned(),
                    status.trim().to_owned(),
                    detail,
                ),
            )
        })
        .collect()
}

fn assert_same_lines(faults: &[Fault]) {
    let run = run_polyglot(faults);
    let rust = lines_of(&run, "rs.");
    for lang in ["js.", "py."] {
        let port = lines_of(&run, lang);
        assert_eq!(
            port.len(),
            14,
            "{lang} reports its 14 checks:\n{}",
            run.stdout
        );
        for (check, line) in &port {
            let expected = rust
                .get(check)
                .unwrap_or_else(|| panic!("rust has no {check}"));
            assert_eq!(
                line, expected,
                "{lang}{check} differs from rs.{check} with {faults:?}:\n{}",
                run.stdout
            );
        }
    }
    let red = |lang: &str| {
        lines_of(&run, lang)
            .values()
            .filter(|(o, _, _)| o == "err")
            .count()
    };
    if faults.is_empty() {
        assert_eq!(run.code, 0, "{}", run.stdout);
    } else {
        assert!(
            red("js.") > 0 && red("py.") > 0,
            "each port catches {faults:?}:\n{}",
            run.stdout
        );
        assert_eq!(run.code, 1);
    }
}

#[test]
fn three_languages_print_the_same_lines_on_a_healthy_service() {
    assert_same_lines(&[]);
}

#[test]
fn three_languages_print_the_same_lines_for_each_fault_they_cover() {
    std::thread::scope(|scope| {
        for fault in [
            Fault::SseRejectsToken,
            Fault::EmptyMemoryAccepted,
            Fault::SlowQuery,
        ] {
            scope.spawn(move || assert_same_lines(&[fault]));
        }
    });
}
