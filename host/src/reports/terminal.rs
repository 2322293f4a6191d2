//! The terminal: one line per check the moment it lands, then a summary.
//!
//! ```text
//! [ok  ] health.admin.up     200  served in 3 ms
//! [err ] auth.logout.revokes 200  expected status 401, got 200; body: {"id":7}
//! [skip] admin.customer      -    no admin_password
//! [ok  ] cleanup.api-key     204  DELETE http://127.0.0.1:7701/keys/k1 -> 204 in 2 ms
//! red: auth.logout.revokes
//! 2 passed, 1 failed, 1 skipped in 0.42s
//! ```
//!
//! On a terminal: colour (unless `NO_COLOR` is set), and a live indicator
//! for a check still running after 2 s (`running auth.signin 3.1s`) that
//! is erased when the next line lands; neither reaches a pipe or a file.
//! `-q` prints only red lines and the summary; `-v` adds plugin log lines
//! and request traces.
//!
//! Every text it prints was made one safe line by the ledger; the name
//! column is at most [`NAME_COLUMN_MAX`] wide (a longer name pushes its
//! line's other columns right), and a log line cannot start with `::` (a
//! GitHub Actions runner reads such a line of a step's output as a workflow
//! command).

use std::io::Write;
use std::time::Duration;

use anstyle::{AnsiColor, Style};

use crate::events::{Event, Outcome, Sink};
use crate::text;

/// How much the terminal shows, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    pub verbose: bool,
    pub quiet: bool,
    pub color: bool,
    /// Show the live indicator (only on a terminal).
    pub live: bool,
}

impl Mode {
    /// Colour and the live indicator when `is_terminal`, colour only without `NO_COLOR`.
    ///
    /// `FORCE_COLOR` or `CLICOLOR_FORCE` (set, not empty, not `0`) turn
    /// colour on in a pipe too, as CI logs that render colour want;
    /// `NO_COLOR` turns it off on a terminal.
    pub fn for_terminal(is_terminal: bool, verbose: bool, quiet: bool) -> Mode {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        let forced = set("FORCE_COLOR") || set("CLICOLOR_FORCE");
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Mode {
            verbose,
            quiet,
            color: forced || (is_terminal && !no_color),
            live: is_terminal,
        }
    }

    /// The mode with colour as `--color` says: `Some` overrides the
    /// terminal and the environment.
    pub fn with_color(self, choice: Option<bool>) -> Mode {
        Mode {
            color: choice.unwrap_or(self.color),
            ..self
        }
    }
}

/// A check running this long gets the live indicator.
const SLOW: Duration = Duration::from_secs(2);

/// Widest the name column is padded to, in characters.
pub const NAME_COLUMN_MAX: usize = 64;

/// Writes a run's lines to a stream (standard output for the CLI).
pub struct Printer<W: Write + Send> {
    out: W,
    mode: Mode,
    width: usize,
    indicator: bool,
}

impl<W: Write + Send> Printer<W> {
    pub fn new(out: W, mode: Mode) -> Self {
        Printer {
            out,
            mode,
            width: 0,
            indicator: false,
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.mode.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    fn clear_indicator(&mut self) {
        if self.indicator {
            let _ = write!(self.out, "\r\x1b[2K");
            self.indicator = false;
        }
    }

    fn line(&mut self, outcome: Outcome, name: &str, status: Option<u16>, detail: &str) {
        if self.mode.quiet && outcome != Outcome::Err {
            return;
        }
        self.clear_indicator();
        let status = status.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let width = self.width;
        let style = match outcome {
            Outcome::Ok => AnsiColor::Green.on_default(),
            Outcome::Err => AnsiColor::Red.on_default().bold(),
            Outcome::Skip => AnsiColor::Yellow.on_default(),
        };
        let tag = self.paint(style, outcome.tag());
        // A closed pipe (`plume run | head`) must not stop the run: ignore write errors.
        let _ = writeln!(self.out, "[{tag}] {name:<width$}  {status:<3}  {detail}");
        let _ = self.out.flush();
    }
}

impl<W: Write + Send> Sink for Printer<W> {
    fn name(&self) -> &'static str {
        "the terminal"
    }

    /// Log lines are shown with `-v` only.
    fn wants_logs(&self) -> bool {
        self.mode.verbose && !self.mode.quiet
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Planned(checks) => {
                self.width = checks
                    .iter()
                    .map(|(g, c)| g.chars().count() + c.chars().count() + 1)
                    .max()
                    .unwrap_or(0)
                    .min(NAME_COLUMN_MAX);
            }
            Event::CheckStarted { .. } => {}
            Event::CheckFinished(r) => {
                self.line(r.outcome, &r.name(), r.status, &with_attempts(r));
            }
            Event::Log {
                group,
                check,
                level,
                message,
            } => {
                if self.mode.verbose && !self.mode.quiet {
                    self.clear_indicator();
                    let at = if check.is_empty() {
                        (*group).to_owned()
                    } else {
                        format!("{group}.{check}")
                    };
                    let line = format!("{at} {level}: {message}");
                    let text = self.paint(Style::new().dimmed(), &text::not_a_command(&line));
                    let _ = writeln!(self.out, "       {text}");
                }
            }
            Event::CleanupFinished(r) => {
                let name = format!("cleanup.{}", r.label);
                self.line(r.outcome, &name, r.status, &r.detail);
            }
            Event::Finished(s) => {
                self.clear_indicator();
                if let Some(why) = &s.stopped {
                    let _ = writeln!(self.out, "stopped: {why}");
                }
                let line = s.headline();
                if !s.red.is_empty() {
                    let red = self.paint(
                        AnsiColor::Red.on_default().bold(),
                        &format!("red: {}", s.red.join(", ")),
                    );
                    let _ = writeln!(self.out, "{red}");
                }
                let _ = writeln!(self.out, "{line}");
                let _ = self.out.flush();
            }
        }
    }

    fn tick(&mut self, running: &[(String, Duration)]) {
        if !self.mode.live {
            return;
        }
        let slow: Vec<&(String, Duration)> = running.iter().filter(|(_, d)| *d >= SLOW).collect();
        let Some((name, took)) = slow.first() else {
            self.clear_indicator();
            return;
        };
        let more = if slow.len() > 1 {
            format!(" (+{} more)", slow.len() - 1)
        } else {
            String::new()
        };
        let text = self.paint(
            Style::new().dimmed(),
            &format!("running {name} {:.1}s{more}", took.as_secs_f64()),
        );
        let _ = write!(self.out, "\r\x1b[2K{text}");
        let _ = self.out.flush();
        self.indicator = true;
    }
}

/// A check's detail, with what its earlier attempts (`--retries`'s and the
/// plugin's own) did: `…  (flaky: passed on attempt 3 of 3; attempt 1:
/// <the first erred one's detail>)` or `…  (after 3 attempts)`.
fn with_attempts(r: &crate::events::CheckRecord) -> String {
    if r.attempts() == 1 {
        return r.detail.to_string();
    }
    if !r.flaky() {
        return format!("{}  (after {} attempts)", r.detail, r.attempts());
    }
    let first_erred = r
        .earlier
        .iter()
        .enumerate()
        .find(|(_, a)| a.kind == crate::events::AttemptKind::Erred);
    let first = match first_erred {
        Some((i, a)) => format!("attempt {}: {}", i + 1, text::shown(&a.detail, 200)),
        None => format!(
            "the erred attempts came after the {} kept",
            crate::limits::EARLIER_ATTEMPTS_MAX
        ),
    };
    format!(
        "{}  (flaky: passed on attempt {} of {}; {first})",
        r.detail,
        r.attempts(),
        r.attempts(),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::events::{CheckRecord, Earlier};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn a_name_of_any_length_prints_and_the_column_stays_bounded() {
        let out = Buffer::default();
        let mode = Mode {
            verbose: true,
            ..Mode::default()
        };
        let mut printer = Printer::new(out.clone(), mode);
        let long = "n".repeat(70_000);
        let planned = [
            ("g".to_owned(), long.clone()),
            ("g".to_owned(), "c".to_owned()),
        ];
        printer.event(&Event::Planned(&planned));
        for check in [long.as_str(), "c"] {
            let safe = |t: &str| crate::redact::Redactor::default().line(t, 100_000);
            printer.event(&Event::CheckFinished(&CheckRecord {
                group: safe("g"),
                check: safe(check),
                outcome: Outcome::Ok,
                status: Some(200),
                detail: safe("fine"),
                elapsed: Duration::ZERO,
                earlier: Earlier::default(),
            }));
        }
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with(&format!("g.{long}  200  fine")));
        assert_eq!(
            lines[1],
            format!("[ok  ] {:<NAME_COLUMN_MAX$}  200  fine", "g.c")
        );
    }

    #[test]
    fn a_log_line_cannot_start_a_workflow_command() {
        let out = Buffer::default();
        let mode = Mode {
            verbose: true,
            ..Mode::default()
        };
        let mut printer = Printer::new(out.clone(), mode);
        printer.event(&Event::Log {
            group: "::error::forged",
            check: "",
            level: "info",
            message: "x",
        });
        assert_eq!(out.text(), "       \\x3a:error::forged info: x\n");
    }
}
