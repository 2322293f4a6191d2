//! A process's peak RSS, measured so that it is the process's own.
//!
//! `wait4`'s `ru_maxrss` for a child spawned straight from the test binary
//! is not the child's alone: the child starts sharing the test process's
//! memory (`posix_spawn` is a vfork), and the kernel records that memory's
//! high-water mark into the child's `maxrss` when it execs. With a hundred
//! tests in one process that is hundreds of MiB that are not plume's. So the
//! command runs under a small Python process that forks and execs it and
//! reads `wait4` itself: the floor is that Python's few MiB, not the test
//! binary's.

use std::path::Path;
use std::process::{Command, Stdio};

/// Forks, execs argv[2:], waits, writes the child's peak RSS (KiB) to
/// argv[1] and exits with the child's exit code.
const MEASURER: &str = r#"
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"#;

/// What a measured command printed, how it exited, and its peak RSS.
pub struct Measured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub peak_rss_mib: f64,
}

/// Runs `cmd` (its program, arguments, environment and folder) with stdin
/// closed and measures its peak RSS.
pub fn run(cmd: &Command) -> Measured {
    let dir = tempfile::tempdir().expect("temp dir");
    let (stdout, stderr, peak) = (
        dir.path().join("stdout"),
        dir.path().join("stderr"),
        dir.path().join("peak"),
    );
    let mut measured = Command::new("python3");
    measured
        .arg("-c")
        .arg(MEASURER)
        .arg(&peak)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => measured.env(key, v),
            None => measured.env_remove(key),
        };
    }
    if let Some(folder) = cmd.get_current_dir() {
        measured.current_dir(folder);
    }
    let status = measured
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .status()
        .expect("python3 runs the measured command");
    Measured {
        code: status.code().unwrap_or(-1),
        stdout: read(&stdout),
        stderr: read(&stderr),
        peak_rss_mib: read(&peak)
            .trim()
            .parse::<f64>()
            .unwrap_or_else(|e| panic!("no peak RSS measured ({e}): {}", read(&stderr)))
            / 1024.0,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
