//! `plume monitor` run as a real process by a test: it listens on a free
//! loopback port (`--listen 127.0.0.1:0`, the address read from its first
//! line); its output is kept for assertions and failure messages. Dropped
//! (or stopped), it gets SIGTERM, then SIGKILL if it has not stopped within 20 s.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::harness::plume_command;

pub struct Monitor {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Monitor {
    /// Starts `plume monitor ARGS... --listen 127.0.0.1:0`, with `envs` set.
    pub fn start(args: &[String], envs: &[(&str, &str)]) -> Monitor {
        let mut cmd: Command = plume_command();
        cmd.arg("monitor")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start plume monitor");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let lines = lines.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(addr) = line
                        .strip_prefix("plume monitor: listening on ")
                        .and_then(|r| r.split_whitespace().next())
                    {
                        let _ = tx.send(addr.to_owned());
                    }
                    lines.lock().unwrap().push(line);
                }
            });
        }
        // Only the readers hold senders now: a monitor that exits ends the wait.
        drop(tx);
        let url = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "plume monitor did not start listening:\n{}",
                    lines.lock().unwrap().join("\n")
                );
            }
        };
        Monitor {
            child: Some(child),
            url,
            lines,
        }
    }

    /// `127.0.0.1:PORT`, for raw connections.
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Sends SIGTERM and waits for it to exit: its exit code and output.
    pub fn stop(self) -> (i32, String) {
        self.signal_stop().wait()
    }

    /// Sends SIGTERM; [`Stopping::wait`] waits for the exit.
    pub fn signal_stop(mut self) -> Stopping {
        let child = self.child.take().expect("running");
        sigterm(&child);
        Stopping {
            child,
            lines: self.lines.clone(),
        }
    }
}

/// A monitor sent SIGTERM, not yet waited for.
pub struct Stopping {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Stopping {
    /// Waits for the exit (SIGKILL past 20 s): its exit code and output.
    pub fn wait(self) -> (i32, String) {
        let code = wait_or_kill(self.child);
        // The reader threads end with the process's pipes.
        std::thread::sleep(Duration::from_millis(100));
        (code, self.lines.lock().unwrap().join("\n"))
    }
}

fn sigterm(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

fn terminate(child: Child) -> i32 {
    sigterm(&child);
    wait_or_kill(child)
}

fn wait_or_kill(mut child: Child) -> i32 {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    -1
}

impl Drop for Monitor {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            terminate(child);
        }
    }
}
