//! `--report github`: for GitHub Actions. An `::error` workflow command per
//! red check or cleanup and a `::warning` per flaky check (shown as
//! annotations on the run), and, when
//! `$GITHUB_STEP_SUMMARY` is set, a Markdown table of every check appended
//! to the job's summary when the run ends.
//!
//! Texts arrive as one safe line (see [`crate::record::ledger`]); here they are only
//! escaped for where they go: a command's message (`%`, CR, LF) and its
//! properties (also `:` and `,`) as the runner decodes them, so no text can
//! end a command or start a line (`::stop-commands::`); a table cell with `|`
//! and Markdown's punctuation backslash-escaped and names in a code span, so
//! a cell stays one cell and holds no link, image or HTML.

use std::ffi::OsString;
use std::io::Write;

use super::Out;
use crate::events::{Event, Outcome, Sink};
use crate::text::is_line_break;

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
            "| {icon} | {} | {status} | {} |",
            code(name),
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

/// A Markdown table cell of plain text: on one line, every character that
/// could end the cell (`|`), open a code span, emphasis, a link or an image,
/// or start HTML or an entity, backslash-escaped (CommonMark shows the
/// character itself).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_line_break(c) {
            out.push(' ');
        } else {
            if matches!(
                c,
                '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '!' | '~'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A table cell showing `text` as code: a code span fenced by one more
/// backtick than the longest run inside it, `|` escaped (GitHub splits cells
/// before it reads code spans), on one line. A backslash would escape the
/// escape (and is literal inside a code span), so such text is a plain cell.
fn code(text: &str) -> String {
    if text.contains('\\') {
        return cell(text);
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    let body = text.replace(is_line_break, " ").replace('|', "\\|");
    format!("{fence}{pad}{body}{pad}{fence}")
}

impl Sink for GithubReport {
    fn name(&self) -> &'static str {
        "the github report"
    }

    fn wants_logs(&self) -> bool {
        false
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::CheckFinished(r) => {
                self.record(r.outcome, &r.name(), r.status, &r.detail);
                let first_erred = r
                    .earlier
                    .iter()
                    .find(|a| a.kind == crate::events::AttemptKind::Erred);
                if let (true, Some(first)) = (r.flaky(), first_erred) {
                    let title = property(&format!("plume: {} is flaky", r.name()));
                    let _ = writeln!(
                        self.out,
                        "::warning title={title}::{}",
                        data(&format!(
                            "passed on attempt {} after: {}",
                            r.attempts(),
                            first.detail
                        ))
                    );
                    let _ = self.out.flush();
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_text_cannot_end_the_command_or_start_a_line() {
        let forged = "x\r\n::stop-commands::tok\n::error::y 100%";
        let line = format!("::error title={}::{}", property(forged), data(forged));
        assert_eq!(line.lines().count(), 1);
        assert_eq!(
            line,
            "::error title=x%0D%0A%3A%3Astop-commands%3A%3Atok%0A%3A%3Aerror%3A%3Ay 100%25::\
             x%0D%0A::stop-commands::tok%0A::error::y 100%25"
        );
    }

    #[test]
    fn a_cell_stays_one_cell_with_no_markup() {
        let row = format!(
            "| {} | {} |",
            code("a|b`c``d"),
            cell("| row | injection |\n| x | y |<!-- ![i](http://x) `c` *e* &amp;")
        );
        assert_eq!(row.lines().count(), 1);
        // Every `|` but the row's own is escaped.
        let bare = row.replace("\\|", "");
        assert_eq!(bare.matches('|').count(), 3, "{row}");
        assert!(row.starts_with("| ``` a\\|b`c``d ``` |"), "{row}");
        assert_eq!(
            code("x\\|y"),
            "x\\\\\\|y",
            "a backslash cannot escape the escape"
        );
        assert!(
            row.contains(r"\<\!-- \!\[i\](http://x) \`c\` \*e\* \&amp;"),
            "{row}"
        );
    }
}
