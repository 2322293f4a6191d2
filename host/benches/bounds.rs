//! Bounded-resources benchmark: what each attack of a hostile plugin costs
//! the host, under the default limits.
//!
//! For every attack of `guest-hog` (and the many-memories component), it
//! runs the real `plume` binary against a server on 127.0.0.1 and prints the
//! process's wall time, its peak RSS (from `wait4`), its exit code and what
//! the attacking check's line said. Goal: peak RSS under 256 MiB for any
//! single attacking plugin, and every time bound held to +100 ms.
//! It also times one group of 20,000 and of 100,000 trivial checks (the
//! per-check cost must not grow with the group's size).
//!
//! Run: `cargo bench -p plume --bench bounds --profile dev`
//! It prints numbers; it asserts nothing.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use axum::Router;
use axum::routing::{delete, get};

/// Serves `/ok` and `DELETE /cleanup/{label}` on 127.0.0.1.
fn serve() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let app = Router::new().route("/ok", get(|| async { "ok" })).route(
        "/cleanup/{label}",
        delete(|| async { axum::http::StatusCode::NO_CONTENT }),
    );
    support::serve_on(listener, app)
}

/// What one run cost.
struct Cost {
    wall: Duration,
    peak_rss_mib: f64,
    code: i32,
    stdout: String,
}

/// Runs `plume run SUITE ARGS` and measures it with `wait4`.
// The child is reaped by `wait4` (which also reads its peak RSS), not `wait`.
#[allow(clippy::zombie_processes)]
fn measure(suite: &Path, args: &[&str]) -> Cost {
    let start = Instant::now();
    let out_path = suite.with_extension("out");
    let out = std::fs::File::create(&out_path).expect("stdout file");
    let child = Command::new(env!("CARGO_BIN_EXE_plume"))
        .arg("run")
        .arg(suite)
        .args(args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn plume");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both pointers are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    let wall = start.elapsed();
    let code = std::process::ExitStatus::from_raw(status)
        .code()
        .unwrap_or(-1);
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    Cost {
        wall,
        peak_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        code,
        stdout,
    }
}

/// The first line of `stdout` naming `name` (or its first error line), cut for the table.
fn line_of(stdout: &str, name: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.contains(name))
        .or_else(|| stdout.lines().find(|l| l.starts_with("[err")))
        .unwrap_or("");
    if line.len() > 150 {
        let head: String = line.chars().take(60).collect();
        return format!("{head}… ({} bytes in all)", line.len());
    }
    line.to_owned()
}

/// The longest `duration_ms` of an `err` check in a JSON events file.
fn slowest_err_ms(events: &Path) -> Option<u64> {
    std::fs::read_to_string(events)
        .ok()?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "check_finished" && e["outcome"] == "err")
        .filter_map(|e| e["duration_ms"].as_u64())
        .max()
}

/// One row: (attack, plugin, groups, extra config, suite keys, flags, the line to show).
type Attack<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [&'a str],
    &'a str,
);

fn main() {
    let base = serve();
    let hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let hang = format!("http://{}", hole.local_addr().expect("addr"));
    let dir = tempfile::tempdir().expect("temp dir");
    let hog = plume_test_guests::HOG;
    let multi = plume_test_guests::MULTI_MEMORY;

    // (attack, plugin, groups, extra config, suite keys, flags, the line to show)
    let attacks: &[Attack] = &[
        (
            "publish 60 x 32 MiB",
            hog,
            r#""publish""#,
            "",
            "",
            &[],
            "publish.hoard",
        ),
        (
            "60 cleanups of 32 MiB",
            hog,
            r#""defers""#,
            "",
            "",
            &[],
            "defers.hoard",
        ),
        (
            "1,000,000 cleanups",
            hog,
            r#""flood""#,
            "",
            "",
            &[],
            "flood.cleanups",
        ),
        (
            "20 details of 16 MiB",
            hog,
            r#""details""#,
            "",
            "",
            &[],
            "details.big19",
        ),
        (
            "assert on a 24 MB body",
            hog,
            r#""bigjson""#,
            "",
            "",
            &[],
            "bigjson.refused",
        ),
        (
            "describe() with 6,000 groups",
            hog,
            "",
            r#", extra_groups = "6000""#,
            "",
            &[],
            "groups",
        ),
        (
            "200 groups holding 48 MiB each",
            hog,
            "G200",
            r#", extra_groups = "200""#,
            "",
            &[],
            "g199.hold",
        ),
        ("32 memories of 62.5 MiB", multi, "", "", "", &[], "memory"),
        (
            "a cleanup that never answers",
            hog,
            r#""hang""#,
            "",
            "",
            &[],
            "cleanup.hang-never",
        ),
        (
            "digest + json loops, 1 s timeout",
            hog,
            r#""digest", "json""#,
            "",
            r#"check-timeout = "1s""#,
            &[],
            "digest.loop",
        ),
        (
            "digest + json loops, 1.5 s ceiling",
            hog,
            r#""digest", "json""#,
            "",
            "",
            &["--timeout", "1500ms"],
            "digest.loop",
        ),
        (
            "one group of 20,000 checks",
            hog,
            r#""scale""#,
            r#", scale_checks = "20000""#,
            "",
            &[],
            "summary",
        ),
        (
            "one group of 100,000 checks",
            hog,
            r#""scale""#,
            r#", scale_checks = "100000""#,
            "max-checks = 100100",
            &[],
            "summary",
        ),
    ];
    println!("| attack | wall | peak RSS | exit | slowest err check | line |");
    println!("|---|---|---|---|---|---|");
    for (i, (attack, plugin, groups, config, keys, flags, show)) in attacks.iter().enumerate() {
        let groups = if groups.is_empty() {
            String::new()
        } else if *groups == "G200" {
            let names: Vec<String> = (0..200).map(|i| format!("\"g{i}\"")).collect();
            format!("groups = [{}]", names.join(", "))
        } else {
            format!("groups = [{groups}]")
        };
        let suite = format!(
            r#"
{keys}
[plugins.hog]
path = "{plugin}"
allow-hosts = ["{base}", "{hang}"]
{groups}
config = {{ base_url = "{base}", hang_url = "{hang}"{config} }}
"#
        );
        let path = dir.path().join(format!("attack{i}.toml"));
        std::fs::write(&path, suite).expect("write suite");
        let events = dir.path().join(format!("attack{i}.json"));
        let report = format!("json={}", events.display());
        let args: Vec<&str> = flags.iter().copied().chain(["--report", &report]).collect();
        let cost = measure(&path, &args);
        let slowest =
            slowest_err_ms(&events).map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms"));
        let line = if *show == "summary" {
            cost.stdout.lines().last().unwrap_or("").to_owned()
        } else {
            line_of(&cost.stdout, show)
        };
        let line = if cost.code == 2 {
            "(refused at load: exit 2)".to_owned()
        } else {
            line.replace('|', "\\|")
        };
        println!(
            "| {attack} | {:.2} s | {:.0} MiB | {} | {slowest} | {line} |",
            cost.wall.as_secs_f64(),
            cost.peak_rss_mib,
            cost.code
        );
    }
    drop(hole);
}
