//! An OCI registry on loopback: Debian's `docker-registry` (the CNCF
//! distribution project, 2.8), anonymous or behind htpasswd basic auth,
//! storing into a temporary folder; and `oras` (oras-py, an independent
//! client) driven through `oras_interop.py`. `.ci/run` installs both.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running registry; stopped when dropped.
pub struct Registry {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Registry {
    /// A registry anyone may push to and pull from.
    pub fn anonymous() -> Registry {
        Registry::start(None)
    }

    /// A registry that asks for `user` and `password` (htpasswd, bcrypt).
    pub fn with_basic_auth(user: &str, password: &str) -> Registry {
        Registry::start(Some((user, password)))
    }

    fn start(auth: Option<(&str, &str)>) -> Registry {
        let binary = super::tools::debian("/usr/bin/docker-registry", "docker-registry");
        let dir = tempfile::tempdir().expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let d = dir.path().display();
        let auth_block = match auth {
            Some((user, password)) => {
                let hash = bcrypt::hash(password, 4).expect("bcrypt");
                std::fs::write(dir.path().join("htpasswd"), format!("{user}:{hash}\n"))
                    .expect("write htpasswd");
                format!("auth:\n  htpasswd:\n    realm: plume-test\n    path: {d}/htpasswd\n")
            }
            None => String::new(),
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {d}/data\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: plume-test-secret\n{auth_block}"
        );
        std::fs::write(dir.path().join("config.yml"), config).expect("write config");
        let child = Command::new(binary)
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("registry.log")).expect("log file"))
            .spawn()
            .expect("start docker-registry");
        let mut registry = Registry {
            child: Some(child),
            port,
            dir,
        };
        registry.wait_ready();
        registry
    }

    /// `127.0.0.1:PORT`, as a reference names it.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:PORT/NAME`.
    pub fn reference(&self, name: &str) -> String {
        format!("oci://{}/{name}", self.host())
    }

    /// Stops the registry: its port refuses connections from now on.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                let log = std::fs::read_to_string(self.dir.path().join("registry.log"))
                    .unwrap_or_default();
                panic!("docker-registry exited with {status}: {log}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "docker-registry did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The Python that has oras-py: `$PLUME_TEST_ORAS_PYTHON`, else the tools
/// venv's (oras-py is installed into it on first use).
fn oras_python() -> PathBuf {
    if let Some(python) = std::env::var_os("PLUME_TEST_ORAS_PYTHON") {
        return PathBuf::from(python);
    }
    super::tools::python_tool("python3")
}

/// Runs `oras_interop.py ARGS...` with oras-py; panics with its output on failure.
pub fn oras(args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/support/oras_interop.py");
    let out = Command::new(oras_python())
        .arg(script)
        .args(args)
        .output()
        .expect("run oras_interop.py");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "oras {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
