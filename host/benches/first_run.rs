//! First-run benchmark: what a plugin costs on an empty compiled-plugin
//! cache (a fresh CI runner) and on the run after, for a Rust, a JavaScript
//! and a Python plugin and a built-in pack, whole `plume` processes.
//!
//! Run: `cargo bench -p plume --bench first_run` (release profile), or
//! `--profile dev` to reuse the test build (dependencies at opt-level 2: the
//! compilers run at nearly release speed). `FIRST_RUN_PLUME=path/to/plume`
//! measures another build; `FIRST_RUN_SAMPLES` sets the samples (default 5).
//!
//! Each sample, per plugin, in a fresh cache folder:
//! - **Cranelift first run**: `plume inspect --no-cache` — the compile an
//!   empty cache cost before the baseline tier (plus describe), not stored;
//! - **first run**: `plume inspect` on the empty folder — Winch now, Cranelift
//!   in a detached background process;
//! - **entry ready**: when that background compile's entry is in the cache
//!   (from the start of the first run), and the CPU the same compile takes
//!   (`plume compile` into another empty folder);
//! - **second run**: `plume inspect` again, from the cache.
//!
//! Wall time is the median of the samples; CPU time (user + system of the
//! process, from `getrusage(RUSAGE_CHILDREN)`) their mean. `inspect` compiles,
//! links, instantiates and calls `describe()` — what `plume run` and `plume
//! list` do before the first check. It prints numbers; it asserts nothing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// CPU time (user + system) of all waited-for children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `plume ARGS`, which must succeed; returns (wall, CPU).
fn timed(plume: &str, args: &[&str], cache: &Path) -> (Duration, Duration) {
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new(plume)
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .expect("run plume");
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "plume {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (wall, children_cpu() - cpu)
}

fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
                .count()
        })
        .unwrap_or(0)
}

/// Waits for the background compile's entry, then for its lock.
fn entry_ready(dir: &Path) {
    let start = Instant::now();
    while entries(dir) == 0 {
        assert!(start.elapsed() < Duration::from_secs(600), "no entry");
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Ok(lock) = std::fs::File::open(dir.join("locks/background")) {
        let _ = lock.lock();
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn mean(xs: &[Duration]) -> Duration {
    xs.iter().sum::<Duration>() / xs.len().max(1) as u32
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[derive(Default)]
struct Samples {
    cranelift: Vec<(Duration, Duration)>,
    first: Vec<(Duration, Duration)>,
    ready: Vec<Duration>,
    background_cpu: Vec<Duration>,
    second: Vec<(Duration, Duration)>,
}

fn cell(xs: &[(Duration, Duration)]) -> String {
    let wall = median(xs.iter().map(|x| x.0).collect());
    let cpu = mean(&xs.iter().map(|x| x.1).collect::<Vec<_>>());
    format!("{} / {}", ms(wall), ms(cpu))
}

fn main() {
    let plume =
        std::env::var("FIRST_RUN_PLUME").unwrap_or_else(|_| env!("CARGO_BIN_EXE_plume").to_owned());
    let samples: usize = std::env::var("FIRST_RUN_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let plugins = [
        ("rust", plume_test_guests::DEMO),
        ("javascript", plume_test_guests::DEMO_JS),
        ("python", plume_test_guests::DEMO_PY),
        ("plume:http", "plume:http"),
    ];
    println!("plume: {plume}; {samples} samples; wall (median) / CPU (mean)");
    println!(
        "{:<11} {:>8}  {:>21}  {:>21}  {:>11}  {:>14}  {:>17}",
        "plugin",
        "size",
        "Cranelift first run",
        "first run (Winch)",
        "entry ready",
        "background CPU",
        "second run"
    );
    for (name, plugin) in plugins {
        let size = match Path::new(plugin).exists() {
            true => format!(
                "{:.1} MB",
                std::fs::metadata(plugin).map_or(0, |m| m.len()) as f64 / 1e6
            ),
            false => "built in".to_owned(),
        };
        let mut s = Samples::default();
        for _ in 0..samples {
            let none = tempfile::tempdir().expect("temp dir");
            s.cranelift.push(timed(
                &plume,
                &["inspect", "--no-cache", plugin],
                none.path(),
            ));

            let cache = tempfile::tempdir().expect("temp dir");
            let start = Instant::now();
            s.first
                .push(timed(&plume, &["inspect", plugin], cache.path()));
            entry_ready(cache.path());
            s.ready.push(start.elapsed());
            s.second
                .push(timed(&plume, &["inspect", plugin], cache.path()));

            let other = tempfile::tempdir().expect("temp dir");
            s.background_cpu
                .push(timed(&plume, &["compile", plugin], other.path()).1);
        }
        println!(
            "{:<11} {:>8}  {:>21}  {:>21}  {:>11}  {:>14}  {:>17}",
            name,
            size,
            cell(&s.cranelift),
            cell(&s.first),
            ms(median(s.ready.clone())),
            ms(mean(&s.background_cpu)),
            cell(&s.second)
        );
    }
}
