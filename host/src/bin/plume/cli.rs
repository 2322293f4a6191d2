//! The command line: `plume run`, `plume list`, `plume inspect`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "plume",
    version,
    about = "Post-deploy smoke checks run by WebAssembly component plugins",
    after_help = "Exit codes: 0 nothing erred, 1 a check or cleanup erred or the ceiling was hit, \
                  2 bad input, 130/143 interrupted by SIGINT/SIGTERM."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Where compiled plugins are kept (default: $PLUME_CACHE_DIR, else ~/.cache/plume).
    #[arg(long, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile every plugin afresh and keep nothing.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a suite's checks and stream one line per check.
    #[command(after_help = "Examples:\n  plume run examples/demo/plume.toml\n  \
        plume run plume.toml --env staging --only auth --only sse\n  \
        plume run plume.toml --var admin_url=http://127.0.0.1:7701 --check-timeout 5s -v\n  \
        plume run plume.toml -q --report junit=out/plume.xml --report json=out/events.ndjson")]
    Run(RunArgs),
    /// List the groups and checks of a suite's plugins without running them.
    #[command(
        after_help = "Examples:\n  plume list examples/demo/plume.toml\n  plume list plume.toml --env production"
    )]
    List(ListArgs),
    /// Show what one plugin component checks and reads.
    #[command(
        after_help = "Examples:\n  plume inspect target/wasm32-wasip2/release/demo_plugin.wasm"
    )]
    Inspect(InspectArgs),
    /// Create a plugin project whose example check passes against the demo service.
    #[command(after_help = "Examples:\n  plume new --lang rust shop-checks\n  \
        plume new --lang js storefront\n  plume new --lang python billing-smoke")]
    New(NewArgs),
    /// Pin each plugin of a suite to its current SHA-256 (writes `sha256 = ...` into the suite file).
    #[command(
        after_help = "Examples:\n  plume lock examples/demo/plume.toml\n  plume lock plume.toml --env production"
    )]
    Lock(LockArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  plume completions bash > ~/.local/share/bash-completion/completions/plume\n  \
        plume completions zsh > ~/.zfunc/_plume\n  plume completions fish > ~/.config/fish/completions/plume.fish"
    )]
    Completions(CompletionsArgs),
    /// Compile plugins into the cache, so later runs start at once.
    #[command(
        after_help = "Examples:\n  plume compile target/wasm32-wasip2/release/demo_plugin.wasm\n  \
        plume compile --cache-dir /var/cache/plume plugins/*.wasm"
    )]
    Compile(CompileArgs),
}

#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// The suite file.
    #[arg(default_value = "plume.toml")]
    pub suite: PathBuf,
    /// The environment whose values to use (a table [env.NAME] in the suite).
    #[arg(long, short = 'e')]
    pub env: Option<String>,
    /// Set or override a value for ${KEY} in the suite file.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Run only this group, or this `group.check`, and the groups they depend
    /// on; a glob (`'sse.*'`, `'auth*'`); repeatable.
    #[arg(long, value_name = "GROUP[.CHECK]")]
    pub only: Vec<String>,
    /// Leave this group (its dependents are skipped) or this `group.check`
    /// out; a glob; repeatable.
    #[arg(long, value_name = "GROUP[.CHECK]")]
    pub skip: Vec<String>,
    /// Hard ceiling for the whole run, e.g. 60s (overrides the suite's `ceiling`).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub timeout: Option<Duration>,
    /// Limit for each check, e.g. 10s (overrides the suite's `check-timeout`).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub check_timeout: Option<Duration>,
    /// Also show plugin log lines and request traces.
    #[arg(long, short = 'v', conflicts_with = "quiet")]
    pub verbose: bool,
    /// Show only red lines and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour the lines: auto (on a terminal, unless NO_COLOR; FORCE_COLOR or
    /// CLICOLOR_FORCE force it), always or never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorArg,
    /// Write a report: junit, json, tap or github, to PATH or standard output; repeatable.
    #[arg(long = "report", value_name = "FORMAT[=PATH]", value_parser = report_spec)]
    pub reports: Vec<plume::reports::ReportSpec>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The plugin component (.wasm).
    pub plugin: PathBuf,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The plugin's language.
    #[arg(long, value_enum)]
    pub lang: LangArg,
    /// The project's name, also its folder's.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LangArg {
    Rust,
    Js,
    Python,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Plugin components (.wasm).
    #[arg(required = true)]
    pub plugins: Vec<PathBuf>,
}

fn report_spec(text: &str) -> Result<plume::reports::ReportSpec, String> {
    plume::reports::ReportSpec::parse(text)
}

fn duration(text: &str) -> Result<Duration, String> {
    plume::suite::parse_duration(text).map_err(|e| format!("{e} (write e.g. 30s, 1m or 500ms)"))
}
