//! `plume monitor` at scale: one monitor process running many one-check
//! suites of the built-in `http` pack on a schedule against a loopback
//! server, printing its memory, its CPU, the runs it completed, how its
//! starts are spread and whether they drift.
//!
//! The suites (`PLUME_SCALE_SUITES`, default 1,000) each GET a small JSON
//! document from an axum server on 127.0.0.1 (status 200, `/status` equal to
//! `"ok"`). The monitor runs them `--every PLUME_SCALE_EVERY` seconds
//! (default 6: one run a minute, ten times faster) for
//! `PLUME_SCALE_INTERVALS` intervals (default 60: an hour of simulated
//! time), its history in a temporary `--state-dir`, warm compiled-plugin
//! cache. Everything is read from outside: VmRSS, VmHWM and the split into
//! anonymous and file-backed pages from `/proc/PID/status`, CPU from
//! `/proc/PID/stat`, and every run from `/metrics`, scraped three times an
//! interval as Prometheus would (its cost is in the CPU shown): each suite's
//! `plume_runs_total` and its last run's start (`plume_last_run_timestamp_seconds`
//! less `plume_run_duration_seconds`).
//!
//! Drift of a suite: how far its last start seen is from its first start
//! seen plus one interval per run in between; a schedule that adds each
//! run's delays to the next start grows it run after run.
//!
//! Run: `cargo bench -p plume --bench scale --profile dev`
//! (`PLUME_SCALE_PLUME=path/to/plume` measures another build). It prints
//! numbers; it asserts nothing.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "support/monitor.rs"]
mod monitor;
mod support;

use monitor::status_mib;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// User + system CPU seconds of `pid`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    // SAFETY: sysconf reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks / per_second.max(1.0)
}

fn memory(pid: u32) -> String {
    format!(
        "RSS {:.1} MiB (anonymous {:.1}, file-backed {:.1}), peak {:.1} MiB",
        status_mib(pid, "VmRSS"),
        status_mib(pid, "RssAnon"),
        status_mib(pid, "RssFile"),
        status_mib(pid, "VmHWM")
    )
}

/// What one scrape showed of a suite.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    runs: u64,
    failed: u64,
    /// The last run's end and length (Unix seconds, seconds).
    ended: f64,
    took: f64,
}

impl Seen {
    fn started(&self) -> f64 {
        self.ended - self.took
    }
}

/// Each suite's counters and last run, from `/metrics`.
fn scrape(
    runtime: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    url: &str,
) -> HashMap<String, Seen> {
    let text = runtime.block_on(async {
        let resp = client.get(format!("{url}/metrics")).send().await.ok()?;
        resp.text().await.ok()
    });
    let mut seen: HashMap<String, Seen> = HashMap::new();
    for line in text.unwrap_or_default().lines() {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Some((name, labels)) = series.split_once("{suite=\"") else {
            continue;
        };
        let Some((suite, _)) = labels.split_once('"') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let entry = seen.entry(suite.to_owned()).or_default();
        match name {
            "plume_runs_total" => entry.runs = value as u64,
            "plume_runs_failed_total" => entry.failed = value as u64,
            "plume_last_run_timestamp_seconds" => entry.ended = value,
            "plume_run_duration_seconds" => entry.took = value,
            _ => {}
        }
    }
    seen.retain(|_, s| s.runs > 0);
    seen
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let suites = setting("PLUME_SCALE_SUITES", 1000) as usize;
    let every = setting("PLUME_SCALE_EVERY", 6);
    let intervals = setting("PLUME_SCALE_INTERVALS", 60);
    let interval = Duration::from_secs(every);

    let app = axum::Router::new().route(
        "/item.json",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = support::serve_on(listener, app);

    let work = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::with_capacity(suites);
    for i in 0..suites {
        let path = work.path().join(format!("s{i}.toml"));
        let text = format!(
            "name = \"s{i}\"\n[plugins.site]\npath = \"plume:http\"\nallow-hosts = [\"{base}\"]\n\
             [[plugins.site.config.checks]]\ngroup = \"g\"\nname = \"ok\"\nurl = \"{base}/item.json\"\n\
             expect.status = 200\nexpect.json = [{{ pointer = \"/status\", equals = \"ok\" }}]\n"
        );
        std::fs::write(&path, text).expect("suite");
        paths.push(path);
    }
    let own = std::env::var("PLUME_SCALE_PLUME").ok();
    let plume = own.as_deref().unwrap_or(env!("CARGO_BIN_EXE_plume"));
    let cache = work.path().join("cache");
    // Warm the compiled-plugin cache: the monitor's start-up is measured warm.
    let compiled = Command::new(plume)
        .args(["compile", "plume:http"])
        .env("PLUME_CACHE_DIR", &cache)
        .stdout(Stdio::null())
        .status()
        .expect("run plume compile");
    assert!(compiled.success(), "plume compile plume:http failed");

    let launched = Instant::now();
    let monitor::Started {
        mut child,
        url,
        lines,
    } = monitor::start(
        Command::new(plume)
            .arg("monitor")
            .args(&paths)
            .args(["--every", &format!("{every}s"), "--listen", "127.0.0.1:0"])
            .arg("--state-dir")
            .arg(work.path().join("state"))
            .env("PLUME_CACHE_DIR", &cache),
    );
    let pid = child.id();
    let listening = unix_now();
    let started_in = launched.elapsed();
    // Keep reading its per-run lines so its pipe never fills.
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let startup_cpu = cpu_seconds(pid);

    println!(
        "plume monitor at scale: {suites} one-check suites of plume:http, --every {every}s, {intervals} intervals"
    );
    println!(
        "start-up: listening after {:.2} s wall, {:.2} s CPU; {}",
        started_in.as_secs_f64(),
        startup_cpu,
        memory(pid)
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = plume::net::clients::http_client().expect("client");
    let scrape_every = (interval / 3).max(Duration::from_secs(1));
    let end = Instant::now() + interval * u32::try_from(intervals).unwrap_or(u32::MAX);
    let mut first: HashMap<String, Seen> = HashMap::new();
    let mut last: HashMap<String, Seen> = HashMap::new();
    // Every run start seen, to find the busiest second.
    let mut starts: Vec<f64> = Vec::new();
    let mut peak_rss = 0.0f64;
    let mut next_report = Instant::now();
    loop {
        let now = Instant::now();
        for (suite, s) in scrape(&runtime, &client, &url) {
            first.entry(suite.clone()).or_insert(s);
            if last.get(&suite).is_none_or(|l| l.runs != s.runs) {
                starts.push(s.started());
            }
            last.insert(suite, s);
        }
        peak_rss = peak_rss.max(status_mib(pid, "VmRSS"));
        if now >= next_report {
            let runs: u64 = last.values().map(|s| s.runs).sum();
            println!(
                "  {:>6.0} s: {runs} runs, {} suites with a result, {}",
                unix_now() - listening,
                last.len(),
                memory(pid)
            );
            next_report = now + interval * 10;
        }
        if now >= end {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            println!("the monitor exited early: {status}");
            return;
        }
        std::thread::sleep(scrape_every.min(end.saturating_duration_since(now)));
    }
    let last_scrape = unix_now();
    let cpu = cpu_seconds(pid) - startup_cpu;
    let mem = memory(pid);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();

    let runs: u64 = last.values().map(|s| s.runs).sum();
    let failed: u64 = last.values().map(|s| s.failed).sum();
    // Runs due by the last scrape on each suite's own grid (from its first
    // start seen), counting only starts a second or more before it.
    let expected: u64 = first
        .values()
        .map(|f| {
            let since = last_scrape - 1.0 - (f.started() - (f.runs - 1) as f64 * every as f64);
            u64::try_from((since / every as f64).floor() as i64 + 1).unwrap_or(0)
        })
        .sum();
    let mut firsts: Vec<f64> = first
        .values()
        .filter(|s| s.runs == 1)
        .map(|s| s.started() - listening)
        .collect();
    firsts.sort_by(f64::total_cmp);
    let mut drifts: Vec<f64> = first
        .iter()
        .filter_map(|(suite, f)| {
            let l = last.get(suite)?;
            let between = l.runs.checked_sub(f.runs).filter(|n| *n > 0)?;
            Some(l.started() - f.started() - between as f64 * every as f64)
        })
        .collect();
    drifts.sort_by(f64::total_cmp);
    let mut per_second: HashMap<i64, usize> = HashMap::new();
    for s in &starts {
        *per_second.entry(s.floor() as i64).or_default() += 1;
    }
    let busiest = per_second.values().copied().max().unwrap_or(0);

    println!("after {intervals} intervals: {mem}; highest RSS seen {peak_rss:.1} MiB");
    println!(
        "runs: {runs} completed, {failed} failed ({expected} due by the last scrape on each suite's grid); {} of {suites} suites with a result in /metrics",
        last.len()
    );
    println!(
        "CPU while scheduled: {cpu:.2} s, {:.2} s per 1,000 runs, {:.1} % of one core",
        cpu * 1000.0 / runs.max(1) as f64,
        100.0 * cpu / (intervals * every) as f64
    );
    println!(
        "first runs: from {:.2} s to {:.2} s after listening ({} seen as first runs); at most {busiest} run starts in one second (an even spread: {:.1})",
        firsts.first().copied().unwrap_or(f64::NAN),
        firsts.last().copied().unwrap_or(f64::NAN),
        firsts.len(),
        suites as f64 / every as f64
    );
    println!(
        "drift over the run (last start - first start - interval x runs between): median {:.3} s, 95th percentile {:.3} s, max {:.3} s, over {} suites",
        percentile(&drifts, 0.5),
        percentile(&drifts, 0.95),
        drifts.last().copied().unwrap_or(f64::NAN),
        drifts.len()
    );
}
