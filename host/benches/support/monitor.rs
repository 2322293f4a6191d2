//! What the benchmarks of `plume monitor` (`soak`, `scale`) share: where a
//! started monitor listens, and its memory as `/proc` reports it. Both read
//! the process from outside; nothing here asserts anything about it.

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A started `plume monitor`: the process, where it listens, and the rest of
/// its stdout, which the caller keeps reading so the pipe never fills.
pub struct Started {
    pub child: Child,
    pub url: String,
    pub lines: Lines<BufReader<ChildStdout>>,
}

/// Starts `monitor` (a `plume monitor` command with `--listen 127.0.0.1:0`)
/// with its stdout piped and its stderr shown, and reads its stdout until it
/// says where it listens.
pub fn start(monitor: &mut Command) -> Started {
    let mut child = monitor
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start plume monitor");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("plume monitor: listening on ")
                .and_then(|r| r.split_whitespace().next())
                .map(str::to_owned)
        })
        .expect("the monitor's address");
    Started { child, url, lines }
}

/// A field of `/proc/PID/status` (`VmRSS`, `VmHWM`, …), in MiB; 0 when unreadable.
pub fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}
