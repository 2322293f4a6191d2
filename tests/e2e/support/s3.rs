//! An S3-compatible store: moto's server (`moto[server]` from PyPI, pinned
//! in `tests/tools-requirements.txt`) on a loopback port, filled through
//! boto3 by `s3_store.py` as a release pipeline fills a bucket: buckets,
//! public objects with their `Content-Type`, `Content-Disposition` and
//! `Content-Encoding`, and presigned GET URLs. Stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running moto server.
pub struct S3Store {
    child: Child,
    pub port: u16,
}

impl S3Store {
    /// Starts moto's server on a free loopback port and waits until it answers.
    pub fn start() -> S3Store {
        let server = super::tools::python_tool("moto_server");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let mut store = S3Store { child, port };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = store.child.try_wait() {
                panic!("moto_server exited with {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "moto_server did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        store
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `plan` (the steps `s3_store.py` documents) against the store and
    /// returns the URLs it named.
    pub fn apply(&self, plan: &Value) -> Value {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan_file = dir.path().join("plan.json");
        std::fs::write(&plan_file, plan.to_string()).expect("write the plan");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/support/s3_store.py");
        let out = Command::new(super::tools::python_tool("python3"))
            .arg(script)
            .arg(self.url())
            .arg(&plan_file)
            .output()
            .expect("run s3_store.py");
        assert!(
            out.status.success(),
            "s3_store.py failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("s3_store.py prints JSON")
    }
}

impl Drop for S3Store {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
