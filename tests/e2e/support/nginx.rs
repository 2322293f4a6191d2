//! nginx from Debian's package, started by a test on loopback ports with a
//! configuration of its own: one server per document root, so a test can
//! stand up a CDN and an origin that disagree. `.ci/run` installs nginx.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx; stopped when dropped.
pub struct Nginx {
    child: Child,
    pub ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// Serves each of `roots` on its own loopback port.
    pub fn serve(roots: &[&Path]) -> Nginx {
        Nginx::serve_with(roots, &|_, _| String::new())
    }

    /// [`Nginx::serve`], with `extra(i, ports)` added to server `i`'s block
    /// (a `location` that redirects to another server, say).
    pub fn serve_with(roots: &[&Path], extra: &dyn Fn(usize, &[u16]) -> String) -> Nginx {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .unwrap_or_else(|| super::tools::debian("/usr/sbin/nginx", "nginx-light"));
        let dir = tempfile::tempdir().expect("temp dir");
        let ports: Vec<u16> = roots.iter().map(|_| free_port()).collect();
        let servers: String = roots
            .iter()
            .zip(&ports)
            .enumerate()
            .map(|(i, (root, port))| {
                format!(
                    "server {{ listen 127.0.0.1:{port}; root {}; {} }}\n",
                    root.display(),
                    extra(i, &ports)
                )
            })
            .collect();
        let d = dir.path().display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
             http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n\
             types {{ application/json json; application/octet-stream bin; text/plain txt; }}\n\
             default_type text/plain;\n{servers}}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).expect("write nginx.conf");
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            child,
            ports,
            _dir: dir,
        };
        nginx.wait_ready();
        nginx
    }

    pub fn url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[i])
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        for port in self.ports.clone() {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Ok(Some(status)) = self.child.try_wait() {
                    let log = std::fs::read_to_string(self._dir.path().join("error.log"))
                        .unwrap_or_default();
                    panic!("nginx exited with {status}: {log}");
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "nginx did not listen on {port} within 10 s"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
