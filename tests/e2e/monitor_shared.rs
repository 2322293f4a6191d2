//! `plume monitor` with many suites using the same plugin: each distinct
//! component is compiled and linked once, however many suites use it and
//! by whatever path, and every suite still runs on its own and has its
//! result in `/metrics`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::pinning::assert_pin_refused;
use crate::support::harness::plume;
use crate::support::monitor::Monitor;
use crate::support::raw::raw_get;
use crate::support::server::TestServer;

/// A one-check suite named `name` whose plugin is at `path`.
fn one_check_suite(name: &str, path: &str, url: &str) -> String {
    format!(
        "name = \"{name}\"\n[plugins.site]\npath = \"{path}\"\nallow-hosts = [\"{url}\"]\n\
         [[plugins.site.config.checks]]\ngroup = \"g\"\nname = \"ok\"\nurl = \"{url}/ok\"\n\
         expect.status = 200\nexpect.json = [{{ pointer = \"/status\", equals = \"ok\" }}]\n"
    )
}

/// The value of the series that starts with `prefix` (labels included).
fn value(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn suites_sharing_a_plugin_compile_it_once_and_each_reports_its_own_run() {
    let server = TestServer::start();
    let url = server.url();
    let dir = tempfile::tempdir().expect("temp dir");
    // The http pack as a file, at two paths: the same bytes.
    let copies = ["one.wasm", "two.wasm"].map(|f| dir.path().join(f));
    for copy in &copies {
        std::fs::copy(plume_test_guests::PACK_HTTP, copy).expect("copy the pack");
    }
    let mut plugins: Vec<String> = vec!["plume:http".into(); 3];
    plugins.extend(copies.iter().map(|c| c.display().to_string()));
    let mut args = Vec::new();
    for (i, plugin) in plugins.iter().enumerate() {
        let path = dir.path().join(format!("s{i}.toml"));
        std::fs::write(&path, one_check_suite(&format!("s{i}"), plugin, &url)).expect("suite");
        args.push(path.display().to_string());
    }
    args.extend(["--every", "1s", "--jitter", "0s", "--state-dir", ":memory:"].map(String::from));

    // As many compiled plugins as distinct digests: the built-in pack's and the file's.
    let inspect = plume(&["inspect", "plume:http"]);
    let builtin = inspect
        .stdout
        .rsplit("sha256 ")
        .next()
        .and_then(|d| d.get(..64))
        .expect("the built-in pack's digest")
        .to_owned();
    let file = hex::encode(Sha256::digest(
        std::fs::read(plume_test_guests::PACK_HTTP).expect("the pack"),
    ));
    let distinct = BTreeSet::from([builtin, file]).len();

    let monitor = Monitor::start(&args, &[]);
    let start = Instant::now();
    let metrics = loop {
        let (status, metrics) = raw_get(monitor.addr(), "/metrics", &[]);
        assert_eq!(status, 200, "{metrics}");
        let all_ran = (0..plugins.len())
            .all(|i| value(&metrics, &format!("plume_run_success{{suite=\"s{i}\",")) == Some(1.0));
        if all_ran {
            break metrics;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "not every suite passed a run within 60 s:\n{metrics}\n{}",
            monitor.output()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        value(&metrics, "plume_plugins_compiled "),
        Some(distinct as f64),
        "five suites, {distinct} distinct plugin(s):\n{metrics}"
    );
    let (code, output) = monitor.stop();
    assert_eq!(code, 0, "{output}");
}

#[test]
fn a_suite_whose_pin_differs_is_refused_though_another_suite_loaded_the_plugin() {
    let server = TestServer::start();
    let url = server.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = plume_test_guests::PACK_HTTP;
    let good = hex::encode(Sha256::digest(std::fs::read(pack).expect("the pack")));
    let wrong = "0".repeat(64);
    let unpinned = dir.path().join("a.toml");
    std::fs::write(&unpinned, one_check_suite("a", pack, &url)).expect("suite");
    let pinned = dir.path().join("b.toml");
    let text = one_check_suite("b", pack, &url)
        .replace("allow-hosts", &format!("sha256 = \"{wrong}\"\nallow-hosts"));
    std::fs::write(&pinned, text).expect("suite");
    // `a` loads the pack first; `b` names the same file with a pin it does not match.
    let r = plume(&[
        "monitor",
        unpinned.to_str().expect("utf-8"),
        pinned.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        ":memory:",
    ]);
    assert_pin_refused(&r, &good, &wrong);
}
