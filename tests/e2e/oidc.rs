//! A real authorization server for the oauth pack's tests: `oidc-provider`
//! from npm (`tests/oidc`, pinned by its lock file), run by node on a
//! loopback port. Its packages are installed with `npm ci` on first use.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;

/// The test user's password.
pub const PASSWORD: &str = "e2e-smoke-password";

/// A running server; stopped when dropped.
pub struct Oidc {
    child: Child,
    pub issuer: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/oidc")
}

fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if dir().join("node_modules/oidc-provider").exists() {
            return;
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir())
            .status()
            .expect("npm is not installed: install node and npm (as .ci/run does)");
        assert!(status.success(), "npm ci in tests/oidc failed");
    });
}

impl Oidc {
    /// Starts the server with `faults` (see `tests/oidc/server.mjs`).
    pub fn start(faults: &[&str]) -> Oidc {
        install();
        let mut child = Command::new("node")
            .arg(dir().join("server.mjs"))
            .arg("0")
            .env("OIDC_TEST_PASSWORD", PASSWORD)
            .env("OIDC_TEST_FAULTS", faults.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node is not installed: install node and npm (as .ci/run does)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(port) = line.strip_prefix("listening ") {
                        break port.trim().to_owned();
                    }
                }
                _ => panic!("the oidc server exited before listening"),
            }
        };
        // Keep draining its output: a closed pipe would kill it at its next line.
        std::thread::spawn(move || for _ in lines {});
        Oidc {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
