//! Check-pack benchmark: what the packs in `plugins/` cost at run time.
//!
//! - `release-artifact`: download throughput of `binary.matches_manifest`,
//!   which streams the binary through the guest and a host-side SHA-256
//!   (never holding it whole), for 64 and 256 MiB binaries on loopback;
//!   against the host's own `fetch-digest` (hashing in the host, no copy
//!   into the guest) on the same bytes;
//! - `http`: the cost of one declarative check (request, four expectations,
//!   the line), 200 checks in one group and the same 200 in 20 groups.
//!
//! Run: `cargo bench -p plume --bench packs --profile dev`
//! It starts its own server on 127.0.0.1, runs the real `plume` binary and
//! reads durations from its JSON events. It prints numbers; it asserts nothing.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod support;

use axum::Router;
use axum::routing::get;
use sha2::{Digest, Sha256};

/// Serves `/big.bin` (`mib` MiB, also as `/blob`), `/version.json` and
/// `/blob.sha256` naming it, and `/ok`.
fn serve(mib: usize) -> String {
    let body: Vec<u8> = (0..mib * 1024 * 1024)
        .map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[3])
        .collect();
    let sha = hex::encode(Sha256::digest(&body));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let manifest = serde_json::json!({
        "version": "1.0.0",
        "sha256": sha,
        "download_url": format!("{base}/big.bin"),
        "updated_at": "2026-11-25T00:00:00Z",
    })
    .to_string();
    let blob = body.clone();
    let app = Router::new()
        .route("/big.bin", get(move || async move { body.clone() }))
        .route("/blob", get(move || async move { blob.clone() }))
        .route("/blob.sha256", get(move || async move { sha.clone() }))
        .route(
            "/version.json",
            get(move || async move { manifest.clone() }),
        )
        .route(
            "/ok",
            get(|| async { axum::Json(serde_json::json!({"status": "ok", "n": 7})) }),
        );
    support::serve_on(listener, app)
}

/// Runs `suite` and returns each finished check's duration by name, and the wall time.
fn run(dir: &Path, suite: &str) -> (Vec<(String, u64)>, Duration) {
    let path = dir.join("plume.toml");
    std::fs::write(&path, suite).expect("write suite");
    let events = dir.join("events.jsonl");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_plume"))
        .arg("run")
        .arg(&path)
        .arg("-q")
        .arg("--report")
        .arg(format!("json={}", events.display()))
        .output()
        .expect("run plume");
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&events).expect("events");
    let checks = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "check_finished")
        .map(|e| {
            let name = format!(
                "{}.{}",
                e["group"].as_str().unwrap_or(""),
                e["check"].as_str().unwrap_or("")
            );
            (name, e["duration_ms"].as_u64().unwrap_or(0))
        })
        .collect();
    (checks, wall)
}

fn release(dir: &Path, mib: usize) {
    let base = serve(mib);
    let suite = format!(
        "check-timeout = \"120s\"\nceiling = \"300s\"\n[plugins.release]\npath = \"{}\"\n\
         allow-hosts = [\"{base}\"]\n[plugins.release.config]\nmanifest_url = \"{base}/version.json\"\n",
        plume_test_guests::PACK_RELEASE_ARTIFACT
    );
    let best = best_of_3(dir, &suite, "release.binary.matches_manifest");
    line("release-artifact", mib, "streamed through the guest", best);

    // The same bytes through the host's fetch-digest (the basic test guest).
    let suite = format!(
        "check-timeout = \"120s\"\nceiling = \"300s\"\n[plugins.basic]\npath = \"{}\"\n\
         allow-hosts = [\"{base}\"]\ngroups = [\"digest\"]\nconfig = {{ base_url = \"{base}\" }}\n",
        plume_test_guests::BASIC
    );
    let best = best_of_3(dir, &suite, "digest.blob");
    line("fetch-digest", mib, "hashed in the host", best);
}

/// The shortest of three runs' durations of `check`, in milliseconds.
fn best_of_3(dir: &Path, suite: &str, check: &str) -> u64 {
    (0..3)
        .map(|_| {
            let (checks, _) = run(dir, suite);
            checks
                .iter()
                .find(|(n, _)| n == check)
                .map_or(u64::MAX, |(_, d)| *d)
        })
        .min()
        .unwrap_or(u64::MAX)
}

fn line(what: &str, mib: usize, how: &str, ms: u64) {
    let rate = mib as f64 / (ms.max(1) as f64 / 1000.0);
    println!("{what:<17} {mib:>4} MiB {how:<27} {ms:>5} ms  ({rate:.0} MiB/s, best of 3)");
}

fn http(dir: &Path, groups: usize, total: usize) {
    let base = serve(0);
    let mut suite = format!(
        "check-timeout = \"10s\"\n[plugins.site]\npath = \"{}\"\nallow-hosts = [\"{base}\"]\n",
        plume_test_guests::PACK_HTTP
    );
    for i in 0..total {
        let _ = write!(
            suite,
            "[[plugins.site.config.checks]]\ngroup = \"g{}\"\nname = \"c{i}\"\nurl = \"{base}/ok\"\n\
             expect.status = 200\nexpect.json = [{{ pointer = \"/status\", equals = \"ok\" }}, \
             {{ pointer = \"/n\", type = \"number\" }}]\nexpect.headers = [{{ name = \"content-type\", matches = \"json\" }}]\n",
            i % groups
        );
    }
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let (checks, wall) = run(dir, &suite);
        assert_eq!(checks.len(), total);
        best = best.min(wall);
    }
    let ms = best.as_secs_f64() * 1000.0;
    println!(
        "http              {total} checks in {groups:>2} group(s): {ms:>5.0} ms for the whole run, {:.2} ms per check (best of 3)",
        ms / total as f64
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    for mib in [64, 256] {
        release(dir.path(), mib);
    }
    http(dir.path(), 1, 200);
    http(dir.path(), 20, 200);
}
