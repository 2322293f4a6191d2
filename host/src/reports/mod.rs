//! Machine-readable reports, one [`Sink`] per format:
//! `--report FORMAT[=PATH]`, repeatable, standard output when no path is given.
//!
//! - `junit`: JUnit XML (one testcase per check and per cleanup), written with `quick-junit`;
//! - `json`: newline-delimited events as they happen ([`json`] documents the schema);
//! - `tap`: TAP version 14 with YAML diagnostics for failures;
//! - `github`: `::error` annotations for red checks, and a Markdown table appended to
//!   `$GITHUB_STEP_SUMMARY` when it is set (as it is in GitHub Actions);
//! - `html`: one self-contained page for people, with a timeline ([`html`]).
//!
//! [`merge`] reads the `json` events of a sharded run's shards back and feeds
//! them to the same sinks (`plume report merge`).
//!
//! Every sink is fed by the ledger, which redacts secrets and makes every text
//! a plugin chose one safe, bounded line first (each sink then only escapes
//! for its format), and finishes
//! its file on the ledger's `Finished` event — which a run always reaches,
//! after the ceiling, a signal or a crashed plugin too.

#[cfg(test)]
mod fixtures;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod tap;
pub mod terminal;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use crate::error::PlumeError;
use crate::events::{Sink, Summary};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Junit,
    Json,
    Tap,
    Github,
    Html,
}

/// One `--report FORMAT[=PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: Format,
    /// `None`: standard output.
    pub path: Option<PathBuf>,
}

impl ReportSpec {
    /// Parses `junit`, `json=out/events.ndjson`, ...
    pub fn parse(text: &str) -> Result<ReportSpec, String> {
        let (name, path) = match text.split_once('=') {
            Some((n, p)) if !p.is_empty() => (n, Some(PathBuf::from(p))),
            Some((n, _)) => return Err(format!("`{n}=` needs a path after the `=`")),
            None => (text, None),
        };
        let format = match name {
            "junit" => Format::Junit,
            "json" => Format::Json,
            "tap" => Format::Tap,
            "github" => Format::Github,
            "html" => Format::Html,
            other => {
                return Err(format!(
                    "unknown report format `{other}`; choose junit, json, tap, github or html"
                ));
            }
        };
        Ok(ReportSpec { format, path })
    }
}

/// When an event happens, as the reports stamp it: the wall clock during a
/// run; for `plume report merge`, when the event being replayed happened.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// What the reports know of a run besides its events.
#[derive(Clone)]
pub struct RunInfo {
    pub suite: String,
    /// `K/N` under `--shard`.
    pub shard: Option<String>,
    /// The environment the suite ran in (`--env`), when it has one.
    pub env: Option<String>,
    pub started_at: SystemTime,
    pub clock: Clock,
}

impl RunInfo {
    /// A run of `suite` that started at `started_at`, stamped with the wall clock.
    pub fn live(suite: &str, shard: Option<String>, started_at: SystemTime) -> RunInfo {
        RunInfo {
            suite: suite.to_owned(),
            shard,
            env: None,
            started_at,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The same run, in environment `env`.
    pub fn with_env(self, env: Option<String>) -> RunInfo {
        RunInfo { env, ..self }
    }
}

/// What `plume run` exits with for a run that ended with `summary`: 0
/// nothing erred, 1 a check or cleanup erred or the run was stopped, 130 /
/// 143 when the stop was SIGINT / SIGTERM (the reason the run gives them).
pub fn exit_code(summary: &Summary) -> u8 {
    match summary.stopped.as_deref() {
        Some(why) if why.starts_with("interrupted by SIGINT") => 130,
        Some(why) if why.starts_with("interrupted by SIGTERM") => 143,
        Some(_) => 1,
        None => u8::from(summary.failed + summary.cleanups_failed > 0),
    }
}

/// Where a report goes.
pub type Out = Box<dyn Write + Send>;

fn open(spec: &ReportSpec) -> Result<Out, PlumeError> {
    match &spec.path {
        None => Ok(Box::new(std::io::stdout())),
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| PlumeError::Report {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            }
            let file = File::create(path).map_err(|e| PlumeError::Report {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            Ok(Box::new(BufWriter::new(file)))
        }
    }
}

/// The sinks for `specs`; at most one may use standard output.
pub fn sinks(specs: &[ReportSpec], run: &RunInfo) -> Result<Vec<Box<dyn Sink>>, PlumeError> {
    let suite = run.suite.as_str();
    if specs.iter().filter(|s| s.path.is_none()).count() > 1 {
        return Err(PlumeError::BadReport {
            message:
                "only one --report may go to standard output; give the others a path (FORMAT=PATH)"
                    .to_owned(),
        });
    }
    specs
        .iter()
        .map(|spec| {
            let out = open(spec)?;
            let sink: Box<dyn Sink> = match spec.format {
                Format::Junit => Box::new(junit::JunitReport::new(out, suite)),
                Format::Json => Box::new(json::JsonEvents::new(out, run.clone())),
                Format::Tap => Box::new(tap::TapReport::new(out)),
                Format::Github => Box::new(github::GithubReport::new(
                    out,
                    suite,
                    std::env::var_os("GITHUB_STEP_SUMMARY"),
                )),
                Format::Html => Box::new(html::HtmlReport::new(out, run.clone())),
            };
            Ok(sink)
        })
        .collect()
}
