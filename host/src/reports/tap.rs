//! `--report tap`: TAP version 14. One test point per check and cleanup as it
//! lands, `# SKIP reason` for skips, a YAML block for failures, and the plan
//! (`1..N`) at the end, as TAP allows when the count is not known up front.

use std::io::Write;

use super::Out;
use crate::ledger::{Event, Outcome, Sink};

pub struct TapReport {
    out: Out,
    count: usize,
}

impl TapReport {
    pub fn new(mut out: Out) -> Self {
        let _ = writeln!(out, "TAP version 14");
        TapReport { out, count: 0 }
    }

    fn point(&mut self, outcome: Outcome, name: &str, status: Option<u16>, detail: &str, ms: u128) {
        self.count += 1;
        let n = self.count;
        // `#` starts a directive in a description; keep names plain.
        let name = name.replace('#', "\\#");
        let _ = match outcome {
            Outcome::Ok => writeln!(self.out, "ok {n} - {name}"),
            Outcome::Skip => writeln!(
                self.out,
                "ok {n} - {name} # SKIP {}",
                detail.replace('\n', " ")
            ),
            Outcome::Err => {
                let status = status.map_or_else(|| "~".to_owned(), |s| s.to_string());
                writeln!(
                    self.out,
                    "not ok {n} - {name}\n  ---\n  message: {}\n  status: {status}\n  duration_ms: {ms}\n  ...",
                    yaml_string(detail)
                )
            }
        };
        let _ = self.out.flush();
    }
}

/// A double-quoted YAML scalar.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

impl Sink for TapReport {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::CheckFinished(r) => {
                self.point(
                    r.outcome,
                    &r.name(),
                    r.status,
                    &r.detail,
                    r.elapsed.as_millis(),
                );
            }
            Event::CleanupFinished(r) => {
                let name = format!("cleanup.{}", r.label);
                self.point(r.outcome, &name, r.status, &r.detail, r.elapsed.as_millis());
            }
            Event::Finished(s) => {
                if let Some(why) = &s.stopped {
                    let _ = writeln!(self.out, "# stopped: {why}");
                }
                let _ = writeln!(self.out, "1..{}", self.count);
                let _ = self.out.flush();
            }
            _ => {}
        }
    }
}
