//! `--report github`: for GitHub Actions. An `::error` workflow command per
//! red check or cleanup (shown as annotations on the run), and, when
//! `$GITHUB_STEP_SUMMARY` is set, a Markdown table of every check appended
//! to the job's summary when the run ends.

use std::ffi::OsString;
use std::io::Write;

use super::Out;
use crate::ledger::{Event, Outcome, Sink};

pub struct GithubReport {
    out: Out,
    suite: String,
    summary_file: Option<OsString>,
    rows: Vec<String>,
}

impl GithubReport {
    pub fn new(out: Out, suite: &str, summary_file: Option<OsString>) -> Self {
        GithubReport {
            out,
            suite: suite.to_owned(),
            summary_file,
            rows: Vec::new(),
        }
    }

    fn record(&mut self, outcome: Outcome, name: &str, status: Option<u16>, detail: &str) {
        let status = status.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let icon = match outcome {
            Outcome::Ok => "ok",
            Outcome::Err => "**err**",
            Outcome::Skip => "skip",
        };
        self.rows.push(format!(
            "| {icon} | `{name}` | {status} | {} |",
            cell(detail)
        ));
        if outcome == Outcome::Err {
            let title = property(&format!("plume: {name}"));
            let _ = writeln!(
                self.out,
                "::error title={title}::{}",
                data(&format!("{status}  {detail}"))
            );
            let _ = self.out.flush();
        }
    }

    fn write_summary(&mut self, line: &str) {
        let Some(path) = &self.summary_file else {
            return;
        };
        let mut text = format!("### plume: {}\n\n{line}\n\n", self.suite);
        text.push_str("| outcome | check | status | detail |\n|---|---|---|---|\n");
        for row in &self.rows {
            text.push_str(row);
            text.push('\n');
        }
        text.push('\n');
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path);
        if let Ok(mut file) = file {
            let _ = file.write_all(text.as_bytes());
        }
    }
}

/// Escapes a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl Sink for GithubReport {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::CheckFinished(r) => self.record(r.outcome, &r.name(), r.status, &r.detail),
            Event::CleanupFinished(r) => {
                self.record(
                    r.outcome,
                    &format!("cleanup.{}", r.label),
                    r.status,
                    &r.detail,
                );
            }
            Event::Finished(s) => {
                let mut line = s.headline();
                if let Some(why) = &s.stopped {
                    line.push_str(&format!(" (stopped: {why})"));
                }
                self.write_summary(&line);
            }
            _ => {}
        }
    }
}
