//! Start-up benchmark: how long a plugin takes from its `.wasm` file to a
//! fresh instance, cold (compiled now, cache empty) and warm (loaded from
//! the compiled-plugin cache), for a Rust, a JavaScript and a Python plugin.
//!
//! Run: `cargo bench -p plume --bench startup --profile dev`
//! (the dev profile builds dependencies at opt-level 2 and shares the test
//! build's artifacts; a release build gives similar numbers, since the time
//! is spent in wasmtime). It prints numbers; it asserts nothing.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use plume::engine::Sandbox;
use plume::engine::cache::{CacheOutcome, CompileCache};
use plume::engine::state::{Position, StoreState};
use plume::record::RunShared;
use plume::suite::PluginEntry;

const WARM_SAMPLES: usize = 30;

fn entry(name: &str, path: &Path) -> Arc<PluginEntry> {
    Arc::new(PluginEntry::bare(name, path))
}

/// Load (compile or cache), link and instantiate once; returns (load, instantiate) times.
async fn start(
    sandbox: &Sandbox,
    name: &str,
    path: &Path,
    expect: &CacheOutcome,
) -> (Duration, Duration) {
    let begin = Instant::now();
    let (component, outcome) = sandbox.compile(name, path).expect("compile");
    assert_eq!(&outcome, expect, "{name}: unexpected cache outcome");
    let pre = sandbox.link(name, path, &component).expect("link");
    let loaded = begin.elapsed();
    let shared = RunShared::quiet().expect("shared state");
    let position = Position {
        group: String::new(),
        suite_group: String::new(),
        check: String::new(),
        upstream: Arc::default(),
    };
    let state = StoreState::new(shared, entry(name, path), position);
    let mut store = sandbox.store(&pre, state);
    let begin = Instant::now();
    pre.instantiate_async(&mut *store)
        .await
        .expect("instantiate");
    (loaded, begin.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let plugins = [
        ("rust", plume_test_guests::DEMO),
        ("javascript", plume_test_guests::DEMO_JS),
        ("python", plume_test_guests::DEMO_PY),
    ];
    println!(
        "{:<11} {:>9} {:>12} {:>18} {:>18}",
        "plugin", "size", "cold start", "warm load (med)", "warm total (med)"
    );
    for (name, file) in plugins {
        let path = Path::new(file);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let dir = tempfile::tempdir().expect("temp dir");
        let sandbox = Sandbox::new(CompileCache::at(dir.path().to_owned())).expect("sandbox");
        let (load, inst) = start(&sandbox, name, path, &CacheOutcome::Miss).await;
        let cold = load + inst;
        let mut loads = Vec::new();
        let mut totals = Vec::new();
        for _ in 0..WARM_SAMPLES {
            let (load, inst) = start(&sandbox, name, path, &CacheOutcome::Hit).await;
            loads.push(load);
            totals.push(load + inst);
        }
        loads.sort();
        totals.sort();
        println!(
            "{:<11} {:>6.1} MB {:>12} {:>18} {:>18}",
            name,
            size as f64 / 1e6,
            ms(cold),
            ms(loads[WARM_SAMPLES / 2]),
            ms(totals[WARM_SAMPLES / 2]),
        );
    }
    println!(
        "warm = load from the compiled-plugin cache + link + instantiate; median of {WARM_SAMPLES}"
    );
}
