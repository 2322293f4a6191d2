//! The terminal: one line per check the moment it lands, then a summary.
//!
//! ```text
//! [ok  ] health.admin.up     200  served in 3 ms
//! [err ] auth.logout.revokes 200  expected status 401, got 200; body: {"id":7}
//! [skip] admin.customer      -    no admin_password
//! [ok  ] cleanup.api-key     204  DELETE http://127.0.0.1:7701/keys/k1 -> 204 in 2 ms
//! 2 passed, 1 failed, 1 skipped in 0.42s
//! ```

use std::io::Write;

use crate::ledger::{Event, Outcome, Sink};

/// Writes a run's lines to a stream (standard output for the CLI).
pub struct Printer<W: Write + Send> {
    out: W,
    verbose: bool,
    width: usize,
}

impl<W: Write + Send> Printer<W> {
    pub fn new(out: W, verbose: bool) -> Self {
        Printer {
            out,
            verbose,
            width: 0,
        }
    }

    fn line(&mut self, outcome: Outcome, name: &str, status: Option<u16>, detail: &str) {
        let status = status.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let width = self.width;
        // A closed pipe (`plume run | head`) must not stop the run: ignore write errors.
        let _ = writeln!(
            self.out,
            "[{}] {name:<width$}  {status:<3}  {detail}",
            outcome.tag()
        );
        let _ = self.out.flush();
    }
}

impl<W: Write + Send> Sink for Printer<W> {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Planned(checks) => {
                self.width = checks
                    .iter()
                    .map(|(g, c)| g.len() + c.len() + 1)
                    .max()
                    .unwrap_or(0);
            }
            Event::CheckStarted { .. } => {}
            Event::CheckFinished(r) => self.line(r.outcome, &r.name(), r.status, &r.detail),
            Event::Log {
                group,
                check,
                level,
                message,
            } => {
                if self.verbose {
                    let at = if check.is_empty() {
                        (*group).to_owned()
                    } else {
                        format!("{group}.{check}")
                    };
                    let _ = writeln!(self.out, "       {at} {level}: {message}");
                }
            }
            Event::CleanupFinished(r) => {
                let name = format!("cleanup.{}", r.label);
                self.line(r.outcome, &name, r.status, &r.detail);
            }
            Event::Finished(s) => {
                if let Some(why) = &s.stopped {
                    let _ = writeln!(self.out, "stopped: {why}");
                }
                let mut line = format!(
                    "{} passed, {} failed, {} skipped in {:.2}s",
                    s.passed,
                    s.failed,
                    s.skipped,
                    s.elapsed.as_secs_f64()
                );
                if s.cleanups_ok + s.cleanups_failed > 0 {
                    line.push_str(&format!(
                        "; cleanups: {} ok, {} failed",
                        s.cleanups_ok, s.cleanups_failed
                    ));
                }
                if !s.red.is_empty() {
                    let _ = writeln!(self.out, "red: {}", s.red.join(", "));
                }
                let _ = writeln!(self.out, "{line}");
                let _ = self.out.flush();
            }
        }
    }
}
