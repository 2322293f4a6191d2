//! A plugin missing from the compiled-plugin cache: the run starts it from
//! the baseline compiler (Winch) and a detached background process compiles
//! it with Cranelift into the cache. The first run prints the same lines as
//! a run of optimised code, in all three languages; two first runs on one
//! empty cache both pass and leave valid entries; a run ends at its ceiling
//! whatever the background compile is doing; a component the baseline
//! compiler cannot take is compiled with Cranelift at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::polyglot::{lines_of, run_polyglot_with};
use crate::support::harness::{Run, plume_command, suite};
use crate::support::server::TestServer;

/// The three ports of the demo plugin, by their group prefix in the polyglot suite.
const PORTS: [(&str, &str); 3] = [
    ("rs.", plume_test_guests::DEMO),
    ("js.", plume_test_guests::DEMO_JS),
    ("py.", plume_test_guests::DEMO_PY),
];

/// `plume ARGS... --cache-dir DIR`.
fn plume_in(dir: &Path, args: &[&str]) -> Run {
    let out = plume_command()
        .args(args)
        .arg("--cache-dir")
        .arg(dir)
        .output()
        .expect("run plume");
    Run::from_output(out)
}

/// The compiled entries of a cache folder.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    list.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
    list.sort();
    list
}

/// Waits until `count` entries are in `dir` and no background compile is
/// working on it (the test takes the background compiles' lock itself).
fn background_done(dir: &Path, count: usize) {
    let start = Instant::now();
    while entries(dir).len() < count {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the background compiles wrote {} of {count} entries in 10 minutes",
            entries(dir).len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let lock = std::fs::File::open(dir.join("locks/background")).expect("the lock file");
    lock.lock().expect("wait for the background compile");
}

/// Files a writer left half-done: temporary files of the cache.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".tmp"))
        })
        .collect()
}

#[test]
fn two_first_runs_on_an_empty_cache_pass_print_the_usual_lines_and_leave_valid_entries() {
    // The usual way: compiled by Cranelift first (`plume compile`), then run.
    let ports: Vec<&str> = PORTS.iter().map(|(_, p)| *p).collect();
    let warm = plume_command()
        .arg("compile")
        .args(&ports)
        .output()
        .expect("plume compile");
    assert!(warm.status.success(), "{warm:?}");
    let usual = run_polyglot_with(&[], &[]);
    assert_eq!(usual.code, 0, "{}\n{}", usual.stdout, usual.stderr);

    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().to_str().unwrap();
    let firsts: Vec<Run> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| run_polyglot_with(&[], &["--cache-dir", dir])))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for first in &firsts {
        assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
        for (prefix, _) in PORTS {
            let lines = lines_of(first, prefix);
            assert!(lines.len() >= 14, "{prefix}: {}", first.stdout);
            assert_eq!(
                lines,
                lines_of(&usual, prefix),
                "{prefix}: the first run's lines differ from the usual run's"
            );
        }
    }

    background_done(cache.path(), PORTS.len());
    assert_eq!(
        entries(cache.path()).len(),
        PORTS.len(),
        "one entry per plugin"
    );
    assert!(temporary_files(cache.path()).is_empty());
    let check = plume_in(cache.path(), &[&["compile"], &ports[..]].concat());
    for port in ports {
        assert!(
            check.stdout.contains(&format!("{port}: already cached")),
            "every entry passes its checksum and wasmtime's header check:\n{}",
            check.stdout
        );
    }
}

#[test]
fn inspect_names_the_baseline_compiler_then_the_cache_the_background_compile_filled() {
    let cache = tempfile::tempdir().unwrap();
    let plugins = [
        plume_test_guests::DEMO,
        plume_test_guests::DEMO_JS,
        plume_test_guests::DEMO_PY,
        "plume:http",
    ];
    for plugin in plugins {
        let r = plume_in(cache.path(), &["inspect", plugin]);
        assert_eq!(r.code, 0, "{plugin}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("compiled: by the baseline compiler in "),
            "{plugin} starts from the baseline compiler:\n{}",
            r.stdout
        );
    }
    background_done(cache.path(), plugins.len());
    for plugin in plugins {
        let r = plume_in(cache.path(), &["inspect", plugin]);
        assert!(
            r.stdout.contains("compiled: optimised, from the cache"),
            "{plugin} then runs the background compile's entry:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_component_the_baseline_compiler_cannot_take_is_optimised_at_once() {
    let cache = tempfile::tempdir().unwrap();
    let r = plume_in(cache.path(), &["inspect", plume_test_guests::TAIL_CALL]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("compiled: optimised in ") && r.stdout.contains("now in the cache"),
        "tail calls are compiled by Cranelift:\n{}",
        r.stdout
    );
    assert_eq!(entries(cache.path()).len(), 1, "stored by the run itself");

    let s = suite("[plugins.tails]\npath = \"@tail-call@\"\n", "");
    let run = plume_in(
        cache.path(),
        &["run", s.path.to_str().unwrap(), "--ceiling", "30s"],
    );
    run.expect("g.c", "ok", "ok");
    assert_eq!(run.code, 0);
}

#[test]
fn a_run_ends_at_its_ceiling_while_its_background_compile_is_pending() {
    let server = TestServer::start();
    let s = suite(
        r#"
check-timeout = "20s"
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#,
        &server.url(),
    );
    let cache = tempfile::tempdir().unwrap();
    // The test holds the background compiles' turn, so the compile the run
    // starts is still pending when the ceiling passes.
    std::fs::create_dir_all(cache.path().join("locks")).unwrap();
    let turn = std::fs::File::create(cache.path().join("locks/background")).unwrap();
    turn.lock().unwrap();

    let start = Instant::now();
    let r = plume_in(
        cache.path(),
        &[
            "run",
            s.path.to_str().unwrap(),
            "--only",
            "sleepy",
            "--ceiling",
            "1500ms",
        ],
    );
    let took = start.elapsed();
    r.expect(
        "sleepy.sleeps",
        "err",
        "run ceiling of 1500 ms reached after",
    );
    assert!(
        r.stdout.contains("stopped: run ceiling of 1500 ms reached"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 1);
    assert!(
        took < Duration::from_secs(30),
        "the run waited for its background compile: {took:?}"
    );
    assert!(
        entries(cache.path()).is_empty(),
        "the compile was still pending when the run ended"
    );

    drop(turn);
    background_done(cache.path(), 1);
    let again = plume_in(cache.path(), &["inspect", plume_test_guests::HOSTILE]);
    assert!(
        again.stdout.contains("compiled: optimised, from the cache"),
        "the pending compile finished after the run:\n{}",
        again.stdout
    );
}
