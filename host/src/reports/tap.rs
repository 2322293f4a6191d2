//! `--report tap`: TAP version 14. One test point per check and cleanup as it
//! lands, `# SKIP reason` for skips, a YAML block for failures, and the plan
//! (`1..N`) at the end, as TAP allows when the count is not known up front.
//!
//! Texts arrive as one safe line (see [`crate::record::ledger`]), so none can start a
//! line of its own (`ok 999`, `Bail out!`); in a description `\` and `#` are
//! escaped as TAP 14 says, and YAML values are double-quoted scalars with
//! every line-breaking character escaped.

use std::io::Write;

use super::Out;
use crate::events::{Event, Outcome, Sink};
use crate::text::{is_line_break, json_line_safe};

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
        let name = description(name);
        let _ = match outcome {
            Outcome::Ok => writeln!(self.out, "ok {n} - {name}"),
            Outcome::Skip => writeln!(
                self.out,
                "ok {n} - {name} # SKIP {}",
                detail.replace(is_line_break, " ")
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

/// A test point's description: `\` and `#` escaped (TAP 14), on one line.
fn description(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('#', "\\#")
        .replace(is_line_break, " ")
}

/// A double-quoted YAML scalar: a JSON string (valid YAML) with the
/// characters YAML 1.1 reads as line breaks escaped too.
fn yaml_string(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    json_line_safe(&json).into_owned()
}

impl Sink for TapReport {
    fn name(&self) -> &'static str {
        "the tap report"
    }

    fn wants_logs(&self) -> bool {
        false
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_and_yaml_values_stay_in_their_place() {
        assert_eq!(description("a#b\\c\nok 9"), "a\\#b\\\\c ok 9");
        let yaml = yaml_string("x\n  ...\nBail out!\u{2028}\u{85}");
        assert!(!yaml.contains(['\n', '\u{2028}', '\u{85}']), "{yaml}");
        assert!(yaml.starts_with('"') && yaml.ends_with('"'));
    }
}
