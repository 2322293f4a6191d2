//! A real Django OAuth Toolkit server for the oauth pack's tests: the
//! project in `tests/django-oauth` (stock toolkit settings, OpenID Connect
//! on) run by the tools venv's python on a loopback port, Django and the
//! toolkit installed from the pinned `tests/tools-requirements.txt`.

use std::process::{Child, Command, Stdio};

use super::oidc::port_when_listening;
use super::tools::{python_tool, workspace};

/// The test user's password.
pub const PASSWORD: &str = "e2e-dot-password";

/// The secret of the confidential client, `plume-confidential`.
pub const CLIENT_SECRET: &str = "e2e-dot-confidential-secret";

/// A running server; stopped when dropped.
pub struct Dot {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The issuer, `<origin>/o`.
    pub issuer: String,
}

impl Dot {
    /// The server with `options` (see `tests/django-oauth/server.py`).
    pub fn start(options: &[&str]) -> Dot {
        let python = python_tool("python3");
        let mut child = Command::new(python)
            .arg(workspace().join("tests/django-oauth/server.py"))
            .arg("0")
            .env("OAUTH_TEST_PASSWORD", PASSWORD)
            .env("OAUTH_TEST_CLIENT_SECRET", CLIENT_SECRET)
            .env("OAUTH_TEST_OPTIONS", options.join(","))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run the tools venv's python3");
        let port = port_when_listening(&mut child, "the Django OAuth Toolkit server");
        let origin = format!("http://127.0.0.1:{port}");
        Dot {
            child,
            issuer: format!("{origin}/o"),
            origin,
        }
    }
}

impl Drop for Dot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
