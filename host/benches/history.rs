//! The monitor's history at scale: a state directory holding 100 suites ×
//! 7 days at one run a minute (1,008,000 runs, 3 checks and ~1.2 KB of JSON
//! events each), generated straight into the database; then what the
//! monitor does with it, through `History`: opening it (schema check,
//! lock), what the status page `/` reads (each suite's last 40 runs, their
//! checks, since when its state holds, its count), a `/runs` read of 100
//! runs, and writing one more run (one transaction, with its pruning).
//!
//! Prints the database's size, each time (median and worst of several) and
//! the process's peak RSS. Not run in CI; asserts nothing.
//!
//! Run: `cargo bench -p plume --bench history` (`PLUME_BENCH_RUNS_PER_SUITE`
//! to generate fewer runs per suite; default 10,080 = 7 days a minute).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use plume::events::Outcome;
use plume::monitor::collect::{CheckSample, RunLabels, RunResult};
use plume::monitor::history::{DATABASE, History, Retention, StateDir};

const SUITES: usize = 100;
const CHECKS: [&str; 3] = ["api.health", "auth.login", "cart.add"];

/// One run's JSON events, as `--report json` writes them for 3 checks.
fn events(suite: &str, at: &str) -> String {
    let mut lines = vec![format!(
        r#"{{"event":"run_started","schema":"plume.events/1","suite":"{suite}","shard":null,"env":"prod","plume_version":"0.1.0","started_at":"{at}","checks":["api.health","auth.login","cart.add"],"at":"{at}"}}"#
    )];
    for name in CHECKS {
        let (g, c) = name.split_once('.').unwrap_or((name, name));
        lines.push(format!(
            r#"{{"event":"check_started","group":"{g}","check":"{c}","at":"{at}"}}"#
        ));
        lines.push(format!(
            r#"{{"event":"check_finished","group":"{g}","check":"{c}","outcome":"ok","status":200,"detail":"status 200 in 12 ms","duration_ms":12,"attempts":1,"flaky":false,"earlier":[],"at":"{at}"}}"#
        ));
    }
    lines.push(format!(
        r#"{{"event":"run_finished","passed":3,"flaky":0,"failed":0,"skipped":0,"cleanups_ok":0,"cleanups_failed":0,"red":[],"stopped":null,"denied":0,"started_at":"{at}","finished_at":"{at}","duration_ms":40,"exit_code":0,"at":"{at}"}}"#
    ));
    lines.join("\n") + "\n"
}

fn generate(dir: &std::path::Path, per_suite: usize) -> Duration {
    let start = Instant::now();
    let mut conn = rusqlite::Connection::open(dir.join(DATABASE)).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .expect("pragmas");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let first = now.as_millis() as i64 - per_suite as i64 * 60_000;
    let tx = conn.transaction().expect("tx");
    {
        let mut run = tx
            .prepare("INSERT INTO runs (suite, env, finished_ms, duration_ms, success, passed, failed, skipped, headline, events) VALUES (?1, 'prod', ?2, 40, ?3, ?4, ?5, 0, ?6, ?7)")
            .expect("prepare");
        let mut check = tx
            .prepare(
                "INSERT INTO checks (run_id, name, outcome, duration_ms) VALUES (?1, ?2, ?3, ?4)",
            )
            .expect("prepare");
        for minute in 0..per_suite {
            let at = first + minute as i64 * 60_000;
            let stamp =
                humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(at as u64))
                    .to_string();
            for s in 0..SUITES {
                let suite = format!("suite-{s}");
                // One suite in ten is red for a stretch each day.
                let red = s % 10 == 0 && (minute / 60) % 24 == 3;
                run.execute(rusqlite::params![
                    suite,
                    at + s as i64,
                    !red,
                    if red { 2 } else { 3 },
                    i64::from(red),
                    if red {
                        "2 passed, 1 failed, 0 skipped in 0.04s"
                    } else {
                        "3 passed, 0 failed, 0 skipped in 0.04s"
                    },
                    events(&suite, &stamp).as_bytes(),
                ])
                .expect("insert run");
                let id = tx.last_insert_rowid();
                for (i, name) in CHECKS.iter().enumerate() {
                    let outcome = if red && i == 0 { 1 } else { 0 };
                    check
                        .execute(rusqlite::params![
                            id,
                            name,
                            outcome,
                            10 + (minute + i) as i64 % 30
                        ])
                        .expect("insert check");
                }
            }
        }
    }
    tx.commit().expect("commit");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    start.elapsed()
}

fn timed<T>(times: usize, mut work: impl FnMut() -> T) -> (Duration, Duration) {
    let mut all: Vec<Duration> = (0..times)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        })
        .collect();
    all.sort();
    (all[all.len() / 2], all[all.len() - 1])
}

fn peak_rss_kib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l[6..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn result(suite: &str) -> RunResult {
    let mut r = RunResult::not_started(
        RunLabels {
            suite: suite.to_owned(),
            env: "prod".to_owned(),
        },
        String::new(),
        Duration::from_millis(40),
    );
    r.error = None;
    r.success = true;
    r.headline = "3 passed, 0 failed, 0 skipped in 0.04s".to_owned();
    r.checks = CHECKS
        .iter()
        .map(|name| {
            let (g, c) = name.split_once('.').unwrap_or((name, name));
            CheckSample {
                group: g.to_owned(),
                check: c.to_owned(),
                outcome: Outcome::Ok,
                duration: Duration::from_millis(12),
            }
        })
        .collect();
    r
}

fn main() {
    let per_suite: usize = std::env::var("PLUME_BENCH_RUNS_PER_SUITE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7 * 24 * 60);
    let dir = tempfile::tempdir().expect("temp dir");
    let state = StateDir::Dir(dir.path().to_owned());
    let retention = Retention {
        keep: Duration::from_secs(30 * 86_400),
        max_bytes: 64 << 30,
    };
    drop(History::open(&state, retention).expect("create the schema"));
    let took = generate(dir.path(), per_suite);
    let bytes = std::fs::metadata(dir.path().join(DATABASE)).map_or(0, |m| m.len());
    println!(
        "generated {} runs ({SUITES} suites × {per_suite}) in {:.1} s; database {:.1} MiB ({:.0} bytes a run)",
        SUITES * per_suite,
        took.as_secs_f64(),
        bytes as f64 / 1048576.0,
        bytes as f64 / (SUITES * per_suite) as f64
    );

    let start = Instant::now();
    let history = History::open(&state, retention).expect("open");
    println!(
        "open (lock, schema check): {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );

    let (median, worst) = timed(5, || {
        (0..SUITES)
            .map(|s| {
                history
                    .recent(&format!("suite-{s}"), "prod", 40)
                    .expect("recent")
                    .runs
                    .len()
            })
            .sum::<usize>()
    });
    println!(
        "status page reads (100 suites × last 40 runs, their checks, since, oldest): median {:.1} ms, worst {:.1} ms",
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
    let (median, worst) = timed(20, || {
        history.recent("suite-42", "prod", 100).expect("recent")
    });
    println!(
        "/runs of one suite (100 runs with their checks): median {:.2} ms, worst {:.2} ms",
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
    let sample = events("suite-7", "2026-01-01T00:00:00.000Z");
    let run = result("suite-7");
    let (median, worst) = timed(50, || {
        history
            .record("suite-7", "prod", &run, Some(sample.as_bytes()))
            .expect("record")
    });
    println!(
        "writing one run (one transaction, with its pruning): median {:.2} ms, worst {:.2} ms",
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0
    );
    println!("peak RSS: {}", peak_rss_kib());
}
