//! Real authorization servers for the oauth pack's tests: `oidc-provider`
//! from npm, run by node on a loopback port — the release pinned in
//! `tests/oidc` (with its own sign-in page) and the newest major in
//! `tests/oidc-next` (with its stock login and consent pages), each pinned by
//! its lock file. Their packages are installed with `npm ci` on first use.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The test user's password.
pub const PASSWORD: &str = "e2e-smoke-password";

/// The secret of the servers' confidential client, `plume-confidential`.
pub const CLIENT_SECRET: &str = "e2e-confidential-secret";

/// A running server; stopped when dropped.
pub struct Oidc {
    child: Child,
    pub issuer: String,
    /// The credentials it printed having handed out (fault `leaky-resource`),
    /// as (kind, value): `code`, `cookie` or a JSON field's name.
    credentials: Printed,
}

fn dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests")
        .join(folder)
}

impl Oidc {
    /// The pinned release with `faults` (see `tests/oidc/server.mjs`).
    pub fn start(faults: &[&str]) -> Oidc {
        Oidc::start_in("oidc", faults)
    }

    /// The newest major, stock, with `faults` (see `tests/oidc-next/server.mjs`).
    pub fn start_next(faults: &[&str]) -> Oidc {
        Oidc::start_in("oidc-next", faults)
    }

    fn start_in(folder: &str, faults: &[&str]) -> Oidc {
        super::tools::npm_ci(&format!("tests/{folder}"), "oidc-provider");
        let mut child = Command::new("node")
            .arg(dir(folder).join("server.mjs"))
            .arg("0")
            .env("OIDC_TEST_PASSWORD", PASSWORD)
            .env("OIDC_TEST_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_TEST_FAULTS", faults.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node is not installed: install node and npm (as .ci/run does)");
        let (port, credentials) =
            port_and_credentials(&mut child, &format!("the oidc server in tests/{folder}"));
        Oidc {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
            credentials,
        }
    }

    /// Every credential the server has handed out so far, as it printed them
    /// (only with the `leaky-resource` fault).
    pub fn credentials(&self) -> Vec<(String, String)> {
        self.credentials.lock().unwrap().clone()
    }
}

/// The port a test server (`child`, its stdout piped) prints as
/// `listening PORT` when ready; its output is drained after that.
pub fn port_when_listening(child: &mut Child, what: &str) -> String {
    port_and_credentials(child, what).0
}

/// Credentials a server printed as `credential KIND VALUE`, as (kind, value).
type Printed = Arc<Mutex<Vec<(String, String)>>>;

/// As [`port_when_listening`], also keeping each `credential KIND VALUE`
/// line the server prints after that.
fn port_and_credentials(child: &mut Child, what: &str) -> (String, Printed) {
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(port) = line.strip_prefix("listening ") {
                    break port.trim().to_owned();
                }
            }
            _ => panic!("{what} exited before listening"),
        }
    };
    // Keep draining its output: a closed pipe would kill it at its next line.
    let credentials = Printed::default();
    let seen = credentials.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Some((kind, value)) = line
                .strip_prefix("credential ")
                .and_then(|rest| rest.split_once(' '))
            {
                seen.lock()
                    .unwrap()
                    .push((kind.to_owned(), value.to_owned()));
            }
        }
    });
    (port, credentials)
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
