//! Running the real `plume` binary and reading its lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A suite file in its own temporary folder.
pub struct SuiteFile {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

/// Writes `toml` as a suite file, with every guest's placeholder in
/// `plume_test_guests::ALL` (`@basic@`, `@hostile@`, `@multi@`, `@http@`, ...)
/// replaced by its path and `@url@` by the server's URL.
pub fn suite(toml: &str, url: &str) -> SuiteFile {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plume.toml");
    let mut text = toml.to_owned();
    for (placeholder, guest) in plume_test_guests::ALL {
        text = text.replace(&format!("@{placeholder}@"), guest);
    }
    let text = text.replace("@url@", url);
    std::fs::write(&path, text).expect("write suite");
    SuiteFile { _dir: dir, path }
}

/// The compiled-plugin cache the tests share (`target/plume-test-cache`), so
/// the large JavaScript and Python components compile once per machine.
pub fn shared_cache() -> PathBuf {
    let target = Path::new(plume_test_guests::BASIC)
        .ancestors()
        .nth(4)
        .expect("target dir");
    target.join("plume-test-cache")
}

/// The binary under test.
pub fn plume_command() -> Command {
    plume_command_of(Path::new(env!("CARGO_BIN_EXE_plume")))
}

/// `binary` (a `plume` installed from a release) with the environment the
/// tests give the binary under test.
pub fn plume_command_of(binary: &Path) -> Command {
    let mut cmd = Command::new(binary);
    cmd.env_remove("PLUME_TEST_TOKEN");
    // Lines are asserted plain: a CI that forces colour must not change them.
    cmd.env_remove("FORCE_COLOR").env_remove("CLICOLOR_FORCE");
    cmd.env("PLUME_CACHE_DIR", shared_cache());
    // A monitor keeps no history between tests unless one asks with --state-dir.
    cmd.env("PLUME_STATE_DIR", ":memory:");
    cmd
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The line of check (or cleanup) `name`, e.g. `basics.ok_status`.
    pub fn line(&self, name: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| {
                l.starts_with('[')
                    && l.get(7..).and_then(|r| r.split_whitespace().next()) == Some(name)
            })
            .unwrap_or_else(|| panic!("no line for {name} in:\n{}\n{}", self.stdout, self.stderr))
    }

    /// `ok`, `err` or `skip` for check `name`.
    pub fn outcome(&self, name: &str) -> &str {
        self.line(name)[1..5].trim()
    }

    /// Asserts `name` ended as `outcome` with a line containing `text`.
    pub fn expect(&self, name: &str, outcome: &str, text: &str) {
        let line = self.line(name);
        assert_eq!(
            self.outcome(name),
            outcome,
            "{name}: {line}\n---\n{}",
            self.stdout
        );
        assert!(line.contains(text), "{name}: expected {text:?} in {line:?}");
    }

    /// The names of every line, in the order printed.
    pub fn names(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with('['))
            .filter_map(|l| l.get(7..)?.split_whitespace().next().map(str::to_owned))
            .collect()
    }
}

/// Runs `plume ARGS...` to completion.
pub fn plume(args: &[&str]) -> Run {
    let out = plume_command().args(args).output().expect("run plume");
    Run::from_output(out)
}

/// Runs `plume run SUITE ARGS...`.
pub fn run(suite: &Path, args: &[&str]) -> Run {
    let mut all = vec!["run", suite.to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    plume(&all)
}

/// Waits until `server` has received a request to `prefix` (a check that
/// says it is under way), then sends `signal` (`-INT`, `-TERM`) to `child`.
pub fn signal_when_seen(
    server: &crate::support::server::TestServer,
    prefix: &str,
    child: &std::process::Child,
    signal: &str,
) {
    let start = std::time::Instant::now();
    while server.requests_to(prefix).is_empty() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "nothing reached {prefix}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}
