//! Prometheus and the Pushgateway from Debian's packages (`prometheus`,
//! `prometheus-pushgateway`), started by a test on free loopback ports with
//! their storage in a temporary folder; stopped when dropped. `.ci/run`
//! installs both; a missing binary fails the test with the install line.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::{get, url_encode};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const PUSHGATEWAY: &str = "/usr/bin/prometheus-pushgateway";

/// A running server process and its folder.
struct Process {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(path: &'static str, package: &str) -> PathBuf {
    super::tools::debian(path, package)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `cmd` (given `--web.listen-address` on a free port) and waits for `/-/ready`.
fn start(mut cmd: Command, dir: tempfile::TempDir, what: &str) -> Process {
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("log")).expect("log file");
    let child = cmd
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut process = Process {
        child,
        dir,
        url: format!("http://127.0.0.1:{port}"),
    };
    let start = Instant::now();
    loop {
        if let Ok((200, _)) = get(&format!("{}/-/ready", process.url), &[]) {
            return process;
        }
        if let Ok(Some(status)) = process.child.try_wait() {
            let log = std::fs::read_to_string(process.dir.path().join("log")).unwrap_or_default();
            panic!("{what} exited with {status}: {log}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} was not ready within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A Prometheus server scraping the jobs it was given.
pub struct Prometheus {
    process: Process,
}

/// One series of an instant query: its labels and value.
pub type Sample = (BTreeMap<String, String>, f64);

impl Prometheus {
    /// Starts Prometheus with `scrape_configs` (YAML, the list's items).
    pub fn start(scrape_configs: &str) -> Prometheus {
        let bin = binary(PROMETHEUS, "prometheus");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!("global:\n  evaluation_interval: 1s\nscrape_configs:\n{scrape_configs}"),
        )
        .expect("write prometheus.yml");
        let mut cmd = Command::new(bin);
        cmd.arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ));
        Prometheus {
            process: start(cmd, dir, "prometheus"),
        }
    }

    /// An instant query through the HTTP API (`/api/v1/query`).
    pub fn query(&self, promql: &str) -> Vec<Sample> {
        let url = format!(
            "{}/api/v1/query?query={}",
            self.process.url,
            url_encode(promql)
        );
        let (status, body) = get(&url, &[]).expect("query prometheus");
        assert_eq!(status, 200, "query {promql}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("query answer is JSON");
        v["data"]["result"]
            .as_array()
            .expect("a vector result")
            .iter()
            .map(|s| {
                let labels = s["metric"]
                    .as_object()
                    .expect("labels")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect();
                let value = s["value"][1]
                    .as_str()
                    .and_then(|v| v.parse().ok())
                    .expect("a value");
                (labels, value)
            })
            .collect()
    }
}

/// A Pushgateway (no persistence).
pub struct Pushgateway {
    process: Process,
}

impl Pushgateway {
    pub fn start() -> Pushgateway {
        let bin = binary(PUSHGATEWAY, "prometheus-pushgateway");
        let dir = tempfile::tempdir().expect("temp dir");
        Pushgateway {
            process: start(Command::new(bin), dir, "prometheus-pushgateway"),
        }
    }

    pub fn url(&self) -> &str {
        &self.process.url
    }

    /// What it serves on `/metrics` (the Prometheus text format).
    pub fn metrics(&self) -> String {
        let (status, body) = get(&format!("{}/metrics", self.process.url), &[]).expect("scrape");
        assert_eq!(status, 200);
        body
    }
}
