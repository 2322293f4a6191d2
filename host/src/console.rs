//! Everything Plume prints on its own standard output and error, outside the
//! reports: errors, warnings, `plume list`'s lines, the monitor's log.
//!
//! Such text is often made of what came from outside — a plugin's `describe()`
//! panic or `config.reject` message, a server's error, a file's field, a URL
//! from the command line — so every line goes through one [`SafeLine`]: the
//! secrets of every suite this process loaded are masked
//! ([`remember_secrets`] is called where a secret is read from the
//! environment), then it is one line with nothing that drives a terminal
//! and cannot start a GitHub workflow command. The crate and the binary deny
//! `println!` and `eprintln!` (clippy's `print_stdout`, `print_stderr`), so
//! this module is the only way to the console.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Display;
use std::sync::{Arc, PoisonError, RwLock};

use crate::limits::CONSOLE_LINE_MAX;
use crate::redact::{Redactor, SafeLine};
use crate::text;

/// The secrets of every suite this process loaded.
static SECRETS: RwLock<Option<Arc<Redactor>>> = RwLock::new(None);

/// Adds `secrets` to those masked in everything printed from now on.
pub fn remember_secrets<'a>(secrets: impl IntoIterator<Item = &'a str>) {
    let new = Redactor::new(secrets);
    if new.is_empty() {
        return;
    }
    let mut known = SECRETS.write().unwrap_or_else(PoisonError::into_inner);
    let joined = match known.as_ref() {
        Some(old) => old.joined(&new),
        None => new,
    };
    *known = Some(Arc::new(joined));
}

/// A redactor for every secret this process has read: for text the host
/// builds from what it received and cuts before any sink sees it (a body's
/// excerpt), and for what it prints.
pub fn redactor() -> Arc<Redactor> {
    SECRETS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_default()
}

/// `text` as the console shows it: the process's secrets masked, one safe
/// line of at most `CONSOLE_LINE_MAX` bytes.
pub fn line(text: &str) -> SafeLine {
    redactor().line(text, CONSOLE_LINE_MAX)
}

/// `text` made safe, its leading indentation kept, unable to start a workflow command.
fn shown(text: &str) -> String {
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    format!("{indent}{}", text::not_a_command(&line(body)))
}

/// Prints one line on standard output.
pub fn out(text: impl Display) {
    println!("{}", shown(&text.to_string()));
}

/// Prints one line on standard error.
pub fn err(text: impl Display) {
    eprintln!("{}", shown(&text.to_string()));
}

/// `error: …` on standard error.
pub fn error(what: impl Display) {
    err(format_args!("error: {what}"));
}

/// `warning: …` on standard error.
pub fn warning(what: impl Display) {
    err(format_args!("warning: {what}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_lines_mask_remembered_secrets_and_escape_controls() {
        remember_secrets(["console-s3cret"]);
        remember_secrets(["other-s3cret"]);
        let shown = shown("  boom console-s3cret\x1b[2J\nother-s3cret ::error::x");
        assert_eq!(shown, "  boom ***\\x1b[2J | *** ::error::x");
        assert_eq!(text::not_a_command(&line("::error::x")), "\\x3a:error::x");
    }
}
