//! Errors that stop a run before any check starts: bad input.
//!
//! Each renders as one line that says what is wrong and how to fix it; the
//! binary prints it and exits with code 2.

use std::path::PathBuf;

/// A problem with the suite file, the command line or a plugin.
#[derive(Debug, thiserror::Error)]
pub enum PlumeError {
    #[error(
        "cannot read suite file {path}: {reason} (pass the path to a plume.toml, e.g. `plume run examples/demo/plume.toml`)"
    )]
    SuiteUnreadable { path: PathBuf, reason: String },

    #[error("{path}:{line}:{column}: invalid suite file: {message}")]
    SuiteSyntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{path}: {message}")]
    SuiteInvalid { path: PathBuf, message: String },

    #[error("unknown environment `{name}`; the suite defines: {valid}")]
    UnknownEnv { name: String, valid: String },

    #[error("unknown group `{name}` in {flag}; the suite's groups are: {valid}")]
    UnknownGroup {
        name: String,
        flag: &'static str,
        valid: String,
    },

    #[error("{place}: {message}")]
    Interpolation { place: String, message: String },

    #[error(
        "invalid --var `{given}`: expected KEY=VALUE, e.g. --var admin_url=http://127.0.0.1:7701"
    )]
    BadVar { given: String },

    #[error("invalid --shard `{given}`: {reason}")]
    BadShard { given: String, reason: String },

    #[error(
        "plugin `{plugin}`: {path} does not exist (build it first, or fix `path` in the suite file)"
    )]
    PluginMissing { plugin: String, path: PathBuf },

    #[error("plugin `{plugin}`: cannot read {path}: {reason}")]
    PluginUnreadable {
        plugin: String,
        path: PathBuf,
        reason: String,
    },

    #[error(
        "plugin `{plugin}`: {path} is not a WebAssembly component: {reason} (build it for wasm32-wasip2, e.g. `cargo build --target wasm32-wasip2 --release`)"
    )]
    NotAComponent {
        plugin: String,
        path: PathBuf,
        reason: String,
    },

    #[error(
        "plugin `{plugin}`: {path} has sha256 {actual}, but the suite pins {expected}: use the pinned build, or run `plume lock` to accept this one"
    )]
    PinMismatch {
        plugin: String,
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error(
        "plugin `{plugin}`: {path} built into this plume ({version}) has sha256 {actual}, but the suite pins {expected} (locked against another plume build): run that build, or `plume lock` to accept this one"
    )]
    BuiltinPinMismatch {
        plugin: String,
        path: PathBuf,
        version: &'static str,
        expected: String,
        actual: String,
    },

    #[error("plugin `{plugin}`: {message}")]
    PluginFetch { plugin: String, message: String },

    #[error(
        "plugin `{plugin}`: {path} was built for another contract: {reason} (rebuild it against plume:check@0.1.x)"
    )]
    WrongWorld {
        plugin: String,
        path: PathBuf,
        reason: String,
    },

    #[error("plugin `{plugin}`: describe() failed: {reason}")]
    DescribeFailed { plugin: String, reason: String },

    /// The plugin refused its config (`config.reject`); `at` is the suite
    /// file's `path:line:column` of the offending value, when found.
    #[error("{}plugin `{plugin}`: {rejected}", at.as_ref().map(|a| format!("{a}: ")).unwrap_or_default())]
    ConfigRejected {
        at: Option<String>,
        plugin: String,
        rejected: ConfigRejected,
    },

    #[error("plugin `{plugin}`: {message}")]
    BadDescription { plugin: String, message: String },

    #[error("plume new: {message}")]
    Scaffold { message: String },

    #[error("plume init: {message}")]
    Init { message: String },

    #[error("cannot write report {path}: {reason}")]
    Report { path: PathBuf, reason: String },

    #[error("{message}")]
    BadReport { message: String },

    #[error("{path}: {message}")]
    BadEvents { path: PathBuf, message: String },

    #[error("report merge: {message}")]
    BadMerge { message: String },

    #[error("preflight: {url} did not answer ({reason}){hint}")]
    Preflight {
        url: String,
        reason: String,
        hint: String,
    },

    #[error("cannot start the wasm engine: {0}")]
    Engine(String),
}

/// A plugin refused its config (`config.reject`): the instance ends with this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config{}: {message}", if key.is_empty() { String::new() } else { format!(".{key}") })]
pub struct ConfigRejected {
    /// Where in the plugin's config table (`checks[3].expect`), as the plugin said.
    pub key: String,
    pub message: String,
}
