//! The command line: `plume run`, `plume list`, `plume inspect`, `plume monitor`,
//! `plume report merge`, `plume push`, `plume pull`, ...

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
        plume run plume.toml -q --report junit=out/plume.xml --report json=out/events.ndjson\n  \
        plume run plume.toml --shard 2/4 --report json=out/shard-2.ndjson")]
    Run(RunArgs),
    /// List the groups and checks of a suite's plugins without running them.
    #[command(
        after_help = "Examples:\n  plume list examples/demo/plume.toml\n  plume list plume.toml --env production"
    )]
    List(ListArgs),
    /// Show what one plugin component checks and reads.
    #[command(
        after_help = "Examples:\n  plume inspect plume:http\n  plume inspect target/wasm32-wasip2/release/demo_plugin.wasm"
    )]
    Inspect(InspectArgs),
    /// Write a runnable suite for a deployed service from what its URLs answer
    /// (built-in packs only: nothing to build).
    #[command(
        after_help = "Examples:\n  plume init https://service.example/health\n  \
        plume init https://api.example.com/status https://www.example.com/ -o smoke.toml\n  \
        plume init https://internal.example/health --ca certs/internal-ca.pem\n\n\
        Exit codes: 0 written, 2 a URL that does not answer (or answers 5xx), a file that exists (see --force)."
    )]
    Init(InitArgs),
    /// Create a plugin project whose example check passes against the demo service.
    #[command(after_help = "Examples:\n  plume new --lang rust shop-checks\n  \
        plume new --lang js storefront\n  plume new --lang python billing-smoke")]
    New(NewArgs),
    /// Pin each plugin of a suite to its current SHA-256 (writes `sha256 = ...`, and for an
    /// oci:// plugin its manifest's `digest = ...`, into the suite file).
    #[command(
        after_help = "Examples:\n  plume lock examples/demo/plume.toml\n  plume lock plume.toml --env production"
    )]
    Lock(LockArgs),
    /// Work with reports a run wrote: `plume report merge` merges the JSON events of shards,
    /// `plume report html` draws them as one page.
    #[command(
        subcommand,
        after_help = "Examples:\n  plume report merge out/shard-1.ndjson out/shard-2.ndjson --report junit=out/plume.xml\n  \
        plume report html out/shard-*.ndjson -o out/report.html"
    )]
    Report(ReportCommand),
    /// Push a plugin component to an OCI registry (the Wasm artifact layout: one application/wasm layer).
    #[command(
        after_help = "Examples:\n  plume push target/wasm32-wasip2/release/demo_plugin.wasm oci://registry.example.com/team/checks:1.2.0\n  \
        PLUME_REGISTRY_USER=ci PLUME_REGISTRY_PASSWORD=... plume push plugin.wasm oci://localhost:5000/checks:dev\n\n\
        Credentials: PLUME_REGISTRY_USER and PLUME_REGISTRY_PASSWORD, else Docker's config file \
        ($DOCKER_CONFIG/config.json or ~/.docker/config.json). Plain HTTP only for loopback registries \
        and those in PLUME_INSECURE_REGISTRIES (comma-separated host:port)."
    )]
    Push(PushArgs),
    /// Pull a plugin from an OCI registry into the store beside the compiled cache.
    #[command(
        after_help = "Examples:\n  plume pull oci://registry.example.com/team/checks:1.2.0\n  \
        plume pull oci://localhost:5000/checks@sha256:4f1c... --output checks.wasm"
    )]
    Pull(PullArgs),
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
    /// Run suites on a schedule and on demand, and serve their results to Prometheus.
    #[command(
        after_help = "Examples:\n  plume monitor examples/demo/plume.toml --every 1m\n  \
        plume monitor shop.toml billing.toml --env production --every 5m --jitter 30s\n  \
        plume monitor plume.toml --listen 0.0.0.0:9464 --allow-remote=monitor.internal    # /probe only, no schedule\n\n\
        Endpoints: / (the status page), /metrics, /probe?suite=NAME[&env=ENV], /runs?suite=NAME[&env=ENV], \
        /runs/ID, /runs/last?suite=NAME[&env=ENV], /healthz"
    )]
    Monitor(MonitorArgs),
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

/// Which checks a run runs and its time limits (`plume run`, `plume monitor`).
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Run only this group, or this `group.check`, and the groups they depend
    /// on; a glob (`'sse.*'`, `'auth*'`); repeatable.
    #[arg(long, value_name = "GROUP[.CHECK]")]
    pub only: Vec<String>,
    /// Leave this group (its dependents are skipped) or this `group.check`
    /// out; a glob; repeatable.
    #[arg(long, value_name = "GROUP[.CHECK]")]
    pub skip: Vec<String>,
    /// Hard ceiling for the whole run, e.g. 60s (overrides the suite's `ceiling`;
    /// `--timeout` is the same flag under its earlier name).
    #[arg(long, alias = "timeout", value_name = "DURATION", value_parser = duration)]
    pub ceiling: Option<Duration>,
    /// Limit for each check, e.g. 10s (overrides the suite's `check-timeout`).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub check_timeout: Option<Duration>,
    /// Try a check that erred up to N more times on its instance, for flaky
    /// infrastructure; one that then passes is marked flaky (overrides the suite's `retries`).
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
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
    /// Write a report: junit, json, tap, github or html, to PATH or standard output; repeatable.
    #[arg(long = "report", value_name = "FORMAT[=PATH]", value_parser = report_spec)]
    pub reports: Vec<plume::reports::ReportSpec>,
    /// Run only shard K of N (1-based, e.g. 2/4): a deterministic part of the
    /// groups, each with the groups it depends on; merge the shards' JSON
    /// events with `plume report merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Push the run's metrics to this Prometheus Pushgateway (grouped by suite and environment).
    #[arg(long, value_name = "URL", value_parser = gateway_url)]
    pub push_gateway: Option<url::Url>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the JSON events of a sharded run's shards into one summary,
    /// reports and exit code.
    #[command(after_help = "Examples:\n  \
        plume report merge out/shard-1.ndjson out/shard-2.ndjson --report junit=out/plume.xml\n  \
        plume report merge out/shard-*.ndjson --report json=out/events.ndjson --report tap=out/plume.tap\n\n\
        Exit codes: 0 nothing erred, 1 a check or cleanup erred or a shard was stopped, \
        2 a file that is missing, unreadable or not plume events, or a shard missing or given twice.")]
    Merge(MergeArgs),
    /// Write one self-contained HTML page (timeline, failures, cleanups) of
    /// a run from its JSON events, or of a sharded run from its shards'.
    #[command(after_help = "Examples:\n  \
        plume report html out/events.ndjson -o out/report.html\n  \
        plume report html out/shard-*.ndjson -o out/report.html\n\n\
        Exit codes: 0 the page was written, 2 a file that is missing, unreadable or not plume events, \
        a shard missing or given twice, or a page that cannot be written.")]
    Html(HtmlArgs),
}

#[derive(Debug, Args)]
pub struct HtmlArgs {
    /// The files `plume run --report json=FILE` wrote (one run, or one per shard).
    #[arg(required = true, value_name = "EVENTS")]
    pub events: Vec<PathBuf>,
    /// The page to write.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The files `plume run --report json=FILE` wrote, one per shard.
    #[arg(required = true, value_name = "EVENTS")]
    pub events: Vec<PathBuf>,
    /// Write a report of the merged run: junit, json, tap, github or html; repeatable.
    #[arg(long = "report", value_name = "FORMAT[=PATH]", value_parser = report_spec)]
    pub reports: Vec<plume::reports::ReportSpec>,
    /// Colour the lines: auto, always or never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The suite files.
    #[arg(required = true, value_name = "SUITE")]
    pub suites: Vec<PathBuf>,
    /// Run each suite in this environment; repeatable (default: each suite's default).
    #[arg(long, short = 'e', value_name = "NAME")]
    pub env: Vec<String>,
    /// Set or override a value for ${KEY} in the suite files.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
    /// Run every suite this often, e.g. 1m, the suites' first runs spread over it (without it, suites run only on /probe).
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub every: Option<Duration>,
    /// Delay each suite's starts by a random time up to this, drawn once per suite (default: a tenth of --every).
    #[arg(long, value_name = "DURATION", value_parser = duration_or_zero, requires = "every")]
    pub jitter: Option<Duration>,
    /// Address to serve on; a non-loopback one needs --allow-remote.
    #[arg(long, value_name = "ADDR", default_value = plume::monitor::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,
    /// Allow --listen on an address other machines can reach. Requests must
    /// name the monitor in `Host`: loopback names, IP addresses, and each
    /// `--allow-remote=NAME` given (repeatable; note the `=`).
    #[arg(
        long,
        value_name = "NAME",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        value_parser = remote_name
    )]
    pub allow_remote: Vec<Option<String>>,
    /// Client connections to the monitor at once; past it, new ones wait until
    /// one closes (the suite's `max-connections` is a plugin's requests).
    #[arg(long, value_name = "N", default_value_t = plume::limits::MONITOR_MAX_CONNECTIONS,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub max_client_connections: u16,
    /// Runs at once, over all suites, scheduled and probes together.
    #[arg(long, value_name = "N", default_value_t = plume::limits::MONITOR_CONCURRENT_RUNS,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrent_runs: u16,
    /// Checks per run kept as series; the rest are counted in plume_run_check_series_dropped.
    #[arg(long, value_name = "N", default_value_t = plume::limits::MONITOR_CHECK_SERIES)]
    pub max_check_series: usize,
    /// Where the runs' history is kept (SQLite), for the status page at /; `:memory:` keeps
    /// none past the process (default: plume/monitor under the platform's data directory).
    #[arg(long, value_name = "DIR", env = "PLUME_STATE_DIR")]
    pub state_dir: Option<String>,
    /// Prune runs older than this from the history, e.g. 30d or 12h.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = positive_duration)]
    pub keep: Duration,
    /// Prune the oldest runs while the history's data passes this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = plume::limits::MONITOR_STATE_MIB,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_state_mib: u64,
    #[command(flatten)]
    pub scope: ScopeArgs,
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
pub struct PushArgs {
    /// The plugin component (.wasm), or a built-in pack (plume:http, ...).
    pub plugin: PathBuf,
    /// Where to push it: oci://REGISTRY/REPOSITORY:TAG (the oci:// is optional).
    pub reference: String,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// What to pull: oci://REGISTRY/REPOSITORY:TAG[@sha256:...] (the oci:// is optional).
    pub reference: String,
    /// Also write the component to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The plugin component (.wasm), or a built-in pack (plume:http, plume:tls, ...).
    pub plugin: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The service's URLs, each checked by what it answers now.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
    /// The suite file to write.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "plume.toml")]
    pub output: PathBuf,
    /// Replace the suite file if it exists.
    #[arg(long)]
    pub force: bool,
    /// A PEM file of extra root certificates (a private CA), trusted now and by the suite; repeatable.
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,
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
    /// Plugin components (.wasm) or built-in packs (plume:http, ...).
    #[arg(required = true)]
    pub plugins: Vec<PathBuf>,
    /// Compile at the lowest CPU priority (what a run starts after it
    /// compiled a plugin with the baseline compiler).
    #[arg(long, hide = true)]
    pub background: bool,
}

fn report_spec(text: &str) -> Result<plume::reports::ReportSpec, String> {
    plume::reports::ReportSpec::parse(text)
}

fn gateway_url(text: &str) -> Result<url::Url, String> {
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        Ok(_) => Err(
            "give the Pushgateway's http:// or https:// URL, e.g. http://pushgateway:9091"
                .to_owned(),
        ),
        Err(e) => Err(format!(
            "{e}; give the Pushgateway's URL, e.g. http://pushgateway:9091"
        )),
    }
}

/// An `--allow-remote` value: none (bare flag) or a host name.
fn remote_name(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    plume::monitor::admission::host_name(text).map(Some)
}

fn positive_duration(text: &str) -> Result<Duration, String> {
    match duration(text)? {
        d if d.is_zero() => Err("must be more than 0 (write e.g. 30s or 1m)".to_owned()),
        d => Ok(d),
    }
}

/// A duration, where `0` and `0s` mean none.
fn duration_or_zero(text: &str) -> Result<Duration, String> {
    match text.trim() {
        "0" | "0s" => Ok(Duration::ZERO),
        _ => duration(text),
    }
}

fn duration(text: &str) -> Result<Duration, String> {
    plume::suite::parse_duration(text).map_err(|e| format!("{e} (write e.g. 30s, 1m or 500ms)"))
}
