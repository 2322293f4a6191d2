//! Soak benchmark of `plume monitor`: 1,000 scheduled runs of the demo suite
//! against the demo service on 127.0.0.1, printing the monitor's resident
//! memory (VmRSS) and open file descriptors every 100 runs, so growth shows.
//!
//! The monitor runs the real binary with `--every 10ms --jitter 0s` (each run
//! starts as soon as the last one ended) and `--skip apikeys` (its revoked
//! key check waits on purpose); the run count is read from its own
//! `plume_runs_total`. `PLUME_SOAK_RUNS` changes the number of runs.
//!
//! Run: `cargo bench -p plume --bench soak --profile dev`
//! It prints numbers; it asserts nothing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use plume_demo_service::faults::Faults;
use plume_demo_service::{Options, start_in_background};

#[path = "support/monitor.rs"]
mod monitor;

const PASSWORD: &str = "soak-admin-password";

/// Open file descriptors of `pid`.
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// `plume_runs_total` from the monitor's `/metrics`.
fn runs(runtime: &tokio::runtime::Runtime, client: &reqwest::Client, url: &str) -> u64 {
    runtime.block_on(async {
        let Ok(resp) = client.get(format!("{url}/metrics")).send().await else {
            return 0;
        };
        let text = resp.text().await.unwrap_or_default();
        text.lines()
            .find(|l| l.starts_with("plume_runs_total{"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    })
}

fn main() {
    let total: u64 = std::env::var("PLUME_SOAK_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let service = start_in_background(Options {
        admin_port: 0,
        mcp_port: 0,
        faults: Faults::new([]),
        admin_password: PASSWORD.to_owned(),
    })
    .expect("demo service");
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo/plume.toml");
    let plugin_dir = Path::new(plume_test_guests::DEMO).parent().expect("dir");
    let cache = tempfile::tempdir().expect("cache dir");
    let monitor::Started {
        mut child,
        url,
        lines,
    } = monitor::start(
        Command::new(env!("CARGO_BIN_EXE_plume"))
            .arg("monitor")
            .arg(&suite)
            .args(["--var", &format!("admin_url={}", service.admin_url())])
            .args(["--var", &format!("mcp_url={}", service.mcp_url())])
            .args(["--var", &format!("plugin_dir={}", plugin_dir.display())])
            .args(["--skip", "apikeys", "--every", "10ms", "--jitter", "0s"])
            .args(["--listen", "127.0.0.1:0"])
            .env("SMOKE_ADMIN_PASSWORD", PASSWORD)
            .env("PLUME_CACHE_DIR", cache.path()),
    );
    let pid = child.id();
    // Keep reading its per-run lines so its pipe never fills.
    let last_line = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    {
        let last_line = last_line.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                *last_line.lock().unwrap() = line;
            }
        });
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = plume::net::clients::http_client().expect("client");

    println!("plume monitor soak: {total} runs of the demo suite (--skip apikeys)");
    println!(
        "{:>6} {:>9} {:>9} {:>8}",
        "runs", "RSS MiB", "open fds", "wall s"
    );
    let start = Instant::now();
    let mut next = 0;
    loop {
        let done = runs(&runtime, &client, &url);
        if done >= next {
            println!(
                "{:>6} {:>9.1} {:>9} {:>8.1}",
                done,
                monitor::status_mib(pid, "VmRSS"),
                open_fds(pid),
                start.elapsed().as_secs_f64()
            );
            next = (done / 100 + 1) * 100;
        }
        if done >= total {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            println!("the monitor exited early: {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("last run: {}", last_line.lock().unwrap());
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
}
