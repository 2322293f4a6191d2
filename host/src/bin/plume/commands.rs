//! What each subcommand does, at the binary's edge: library errors become
//! one-line messages, run results become exit codes.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::signal::unix::{SignalKind, signal};

use plume::engine::cache::{CacheOutcome, CompileCache};
use plume::events::Sink;
use plume::record::RunShared;
use plume::reports::merge::Merged;
use plume::reports::terminal::{Mode, Printer};
use plume::reports::{ReportSpec, RunInfo};
use plume::run::RunEnd;
use plume::run::plan::{Plan, Selection};
use plume::run::prepare::{describe_compiled, prepare, pull_plugins, redactor_for};
use plume::run::session::{NotStarted, Plugins, Session, Stop};
use plume::run::shard::Shard;
use plume::suite::{Overrides, PluginEntry, Suite, SuiteFile};

use crate::cli::{
    ColorArg, HtmlArgs, InitArgs, InspectArgs, LangArg, ListArgs, MergeArgs, NewArgs, RunArgs,
    SuiteArgs,
};
use crate::compile::first_run_sandbox;
use crate::registry::puller;

pub(crate) fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, plume::PlumeError> {
    vars.iter()
        .map(|v| match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), val.to_owned())),
            _ => Err(plume::PlumeError::BadVar { given: v.clone() }),
        })
        .collect()
}

/// `--color`: `None` leaves it to the terminal and the environment.
fn color_choice(arg: ColorArg) -> Option<bool> {
    match arg {
        ColorArg::Auto => None,
        ColorArg::Always => Some(true),
        ColorArg::Never => Some(false),
    }
}

/// Pulls `suite`'s OCI plugins into the store, printing each warning on
/// stderr; the time pulling took comes out of the run's ceiling.
async fn pull_suite_plugins(suite: &mut Suite, cache: &CompileCache) -> Result<()> {
    if suite.plugins.iter().all(|p| p.oci.is_none()) {
        return Ok(());
    }
    let started = std::time::Instant::now();
    for warning in pull_plugins(suite, &puller(cache)?).await? {
        plume::console::warning(warning);
    }
    suite.limits.ceiling = suite.limits.ceiling.saturating_sub(started.elapsed());
    Ok(())
}

pub(crate) fn load_suite(args: &SuiteArgs, overrides: Overrides) -> Result<Suite> {
    let file = SuiteFile::load(&args.suite)?;
    let overrides = Overrides {
        env: args.env.clone(),
        vars: parse_vars(&args.vars)?,
        ..overrides
    };
    Ok(file.resolve(&overrides)?)
}

/// `plume run`.
pub async fn run(args: RunArgs, cache: CompileCache) -> Result<u8> {
    // Take over SIGINT and SIGTERM first, so an interrupt always reaches the
    // cleanup walk instead of killing the process.
    let mut sigint = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut stop: Stop = Box::pin(async move {
        tokio::select! {
            _ = sigint.recv() => 2,
            _ = sigterm.recv() => 15,
        }
    });
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    // The engine and its linker do not depend on the suite: they are built
    // on a thread of their own while the suite is read and resolved.
    let sandbox = {
        let cache = cache.clone();
        std::thread::Builder::new()
            .name("plume-engine".into())
            .spawn(move || first_run_sandbox(cache))
    };
    let mut suite = load_suite(
        &args.suite,
        Overrides {
            ceiling: args.scope.ceiling,
            check_timeout: args.scope.check_timeout,
            retries: args.scope.retries,
            ..Overrides::default()
        },
    )?;
    pull_suite_plugins(&mut suite, &cache).await?;
    // A thread that could not be started leaves the engine to be built here.
    let sandbox = match sandbox {
        Ok(building) => building
            .join()
            .map_err(|_| anyhow::anyhow!("building the wasm engine failed unexpectedly"))??,
        Err(_) => first_run_sandbox(cache)?,
    };
    let sandbox = Arc::new(sandbox);
    let report_on_stdout = args.reports.iter().any(|r| r.path.is_none());
    let printer = printer_for(&args.reports, args.verbose, args.quiet, args.color);
    let mut sinks = vec![printer];
    let pushed = args
        .push_gateway
        .as_ref()
        .map(|url| crate::monitor::push_sink(url, &suite, &mut sinks));
    let mut session = Session::open(&suite, suite.limits.clone(), sinks);
    let selection = Selection {
        only: args.scope.only,
        skip: args.scope.skip,
    };
    let ready = session
        .ready(
            &sandbox,
            &suite,
            Plugins::CompileNow,
            &selection,
            shard,
            &mut stop,
        )
        .await;
    // Reports open only once the input is known good, so a bad input leaves no half-written file.
    let info = RunInfo::live(
        &suite.name,
        shard.map(|s| s.to_string()),
        session.ledger().started_at(),
    )
    .with_env(suite.env_name.clone());
    let (end, code) = match ready {
        Err(NotStarted::Input(e) | NotStarted::Preflight(e)) => return Err(e.into()),
        Err(not_started) => {
            session
                .ledger()
                .add_sinks(plume::reports::sinks(&args.reports, &info)?);
            let (end, code) = match not_started {
                NotStarted::Signal(sig) => (RunEnd::Signal(sig), 128 + sig as u8),
                _ => (RunEnd::Ceiling, 1),
            };
            session.stop(&not_started.reason());
            (end, code)
        }
        Ok(ready) => {
            if let Some(shard) = shard
                && (!args.quiet || ready.plan.groups.is_empty())
            {
                let line = shard_line(shard, &ready.plan, ready.selected_groups);
                if report_on_stdout {
                    plume::console::err(line);
                } else {
                    plume::console::out(line);
                }
            }
            session
                .ledger()
                .add_sinks(plume::reports::sinks(&args.reports, &info)?);
            let ended = session.run(sandbox, ready, stop).await;
            let Some(end) = ended.end else {
                // A fault in Plume itself (the panic hook has printed its
                // line): the reports are closed, and the run is not green.
                return Ok(1);
            };
            (end, ended.exit_code())
        }
    };
    Ok(match pushed {
        Some(push) => push.send(end, code).await,
        None => code,
    })
}

/// The terminal's printer; a report on standard output moves the human
/// lines to standard error.
fn printer_for(
    reports: &[ReportSpec],
    verbose: bool,
    quiet: bool,
    color: ColorArg,
) -> Box<dyn Sink> {
    if reports.iter().any(|r| r.path.is_none()) {
        let mode = Mode::for_terminal(std::io::stderr().is_terminal(), verbose, quiet)
            .with_color(color_choice(color));
        Box::new(Printer::new(std::io::stderr(), mode))
    } else {
        let mode = Mode::for_terminal(std::io::stdout().is_terminal(), verbose, quiet)
            .with_color(color_choice(color));
        Box::new(Printer::new(std::io::stdout(), mode))
    }
}

/// `shard 2/4: 3 of 10 groups, 12 checks`, or what an empty shard is.
fn shard_line(shard: Shard, plan: &Plan, all: usize) -> String {
    let checks: usize = plan.groups.iter().map(|g| g.checks.len()).sum();
    if plan.groups.is_empty() {
        format!(
            "shard {shard}: no group to run (the {all} selected group(s) went to other shards); an empty, green run"
        )
    } else {
        format!(
            "shard {shard}: {} of {all} group(s), {checks} check(s)",
            plan.groups.len()
        )
    }
}

/// `plume report merge`.
pub fn merge(args: MergeArgs) -> Result<u8> {
    let merged = Merged::read(&args.events)?;
    let printer = printer_for(&args.reports, false, true, args.color);
    let summary = merged.replay(printer, &args.reports)?;
    Ok(u8::from(!summary.is_green()))
}

/// `plume report html`: the events drawn as one page; exit 0 once it is written.
pub fn html(args: HtmlArgs) -> Result<u8> {
    let merged = Merged::read(&args.events)?;
    let spec = ReportSpec {
        format: plume::reports::Format::Html,
        path: Some(args.output.clone()),
    };
    let summary = merged.replay(Box::new(Silent), &[spec])?;
    plume::console::out(format_args!(
        "wrote {}: {}",
        args.output.display(),
        summary.headline()
    ));
    Ok(0)
}

/// A sink that shows nothing (a command whose output is a file).
struct Silent;

impl Sink for Silent {
    fn event(&mut self, _event: &plume::events::Event<'_>) {}

    fn wants_logs(&self) -> bool {
        false
    }
}

/// `plume list`.
pub async fn list(args: ListArgs, cache: CompileCache) -> Result<u8> {
    let mut suite = load_suite(&args.suite, Overrides::default())?;
    pull_suite_plugins(&mut suite, &cache).await?;
    let sandbox = first_run_sandbox(cache)?;
    let shared = RunShared::quiet()?;
    let (plugins, plan) = prepare(&sandbox, &suite, &shared, &Selection::default()).await?;
    // What a plugin describes is its own text: redacted (with the values
    // it masked while describing), one safe line each.
    let redactor = redactor_for(&suite).joined(&shared.ledger.redactor());
    let show = |text: &str| redactor.line(text, plume::limits::LABEL_MAX);
    for p in &plugins {
        let source = match (&p.entry.oci, plume::packs::builtin(&p.entry.path)) {
            (Some(oci), _) => oci.to_string(),
            (None, Some(pack)) => builtin_source(pack),
            (None, None) => p.entry.path.display().to_string(),
        };
        print_line(&format!(
            "{} {} ({source})",
            show(&p.info.name),
            show(&p.info.version),
        ));
        for g in plan
            .groups
            .iter()
            .filter(|g| suite.plugins[g.plugin].name == p.entry.name)
        {
            let deps = if g.depends_on.is_empty() {
                String::new()
            } else {
                format!("  (after {})", show(&g.depends_on.join(", ")))
            };
            print_line(&format!("  {}{deps}", show(&g.name)));
            for c in &g.checks {
                print_line(&format!("    {}.{}", show(&g.name), show(c)));
            }
        }
    }
    let count: usize = plan.groups.iter().map(|g| g.checks.len()).sum();
    let groups = plan.groups.len();
    plume::console::out(format_args!(
        "{count} {} in {groups} {}",
        if count == 1 { "check" } else { "checks" },
        if groups == 1 { "group" } else { "groups" }
    ));
    Ok(0)
}

/// `plume inspect`.
pub async fn inspect(args: InspectArgs, cache: CompileCache) -> Result<u8> {
    let builtin = plume::packs::lookup(&args.plugin)?;
    let name = match builtin {
        Some(pack) => pack.name.to_owned(),
        None => args
            .plugin
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plugin".to_owned()),
    };
    let entry = Arc::new(PluginEntry::bare(&name, &args.plugin));
    let sandbox = first_run_sandbox(cache)?;
    let shared = RunShared::quiet()?;
    let start = std::time::Instant::now();
    let (component, outcome) = sandbox.compile(&name, &args.plugin)?;
    let took = start.elapsed().as_millis();
    let pre = sandbox.link(&name, &args.plugin, &component)?;
    let loaded = describe_compiled(&sandbox, entry, pre, &shared).await?;
    let info = &loaded.info;
    print_line(&format!(
        "plugin:  {} {}",
        shown(&info.name),
        shown(&info.version)
    ));
    match builtin {
        Some(pack) => plume::console::out(format_args!("file:    {}", builtin_source(pack))),
        None => plume::console::out(format_args!("file:    {}", args.plugin.display())),
    }
    let compiled = match outcome {
        CacheOutcome::Hit => "optimised, from the cache".to_owned(),
        CacheOutcome::Miss | CacheOutcome::Rebuilt(_) => {
            format!("optimised in {took} ms, now in the cache")
        }
        CacheOutcome::Bypassed => format!("optimised in {took} ms, not cached"),
        CacheOutcome::Baseline => format!(
            "by the baseline compiler in {took} ms; the optimised compile into the cache runs in the background"
        ),
    };
    plume::console::out(format_args!("compiled: {compiled}"));
    print_line(&format!("config:  {}", list_or_none(&info.config_keys)));
    print_line(&format!("secrets: {}", list_or_none(&info.secrets)));
    plume::console::out(format_args!("groups:"));
    for g in &info.groups {
        let deps = if g.depends_on.is_empty() {
            String::new()
        } else {
            format!(" (after {})", list_or_none(&g.depends_on))
        };
        print_line(&format!(
            "  {}{deps}: {}",
            shown(&g.name),
            list_or_none(&g.checks)
        ));
    }
    Ok(0)
}

/// `plume:http (built into plume 0.1.0, sha256 …)`.
fn builtin_source(pack: &plume::packs::Pack) -> String {
    format!(
        "{} (built into plume {}, sha256 {})",
        pack.address(),
        env!("CARGO_PKG_VERSION"),
        pack.sha256
    )
}

/// Each of a plugin's texts as one safe, bounded line, comma-separated.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|i| shown(i).into_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A plugin's text made one safe line of at most [`plume::limits::LABEL_MAX`] bytes.
fn shown(text: &str) -> plume::redact::SafeLine {
    plume::console::redactor().line(text, plume::limits::LABEL_MAX)
}

/// Prints a line that may hold a plugin's text (see [`plume::console`]).
fn print_line(line: &str) {
    plume::console::out(line);
}

/// `plume init`.
pub async fn init(args: InitArgs) -> Result<u8> {
    let request = plume::scaffold::init::InitRequest {
        urls: args.urls,
        ca: args.ca,
        output: args.output,
        force: args.force,
    };
    let written = plume::scaffold::init::init(&request).await?;
    for line in &written.checks {
        plume::console::out(format_args!("checked {line}"));
    }
    for host in &written.tls_hosts {
        plume::console::out(format_args!("tls     {host}"));
    }
    if let Some(schema) = &written.schema {
        plume::console::out(format_args!("schema: {}", schema.display()));
    }
    plume::console::out(format_args!("wrote:  {}", written.suite.display()));
    plume::console::out(format_args!(
        "run:    plume run {}",
        written.suite.display()
    ));
    Ok(0)
}

/// `plume new`.
pub fn new(args: NewArgs) -> Result<u8> {
    use plume::scaffold::{Lang, scaffold};
    let lang = match args.lang {
        LangArg::Rust => Lang::Rust,
        LangArg::Js => Lang::Js,
        LangArg::Python => Lang::Python,
    };
    let dir = scaffold(lang, &args.name, Path::new("."))?;
    plume::console::out(format_args!(
        "created {} (the SDK vendored in vendor/plume)",
        dir.display()
    ));
    plume::console::out(format_args!(
        "build:  cd {} && {}",
        dir.display(),
        lang.build_command()
    ));
    plume::console::out(format_args!(
        "run:    plume run {} --var base_url=http://HOST:PORT",
        dir.join("plume.toml").display()
    ));
    Ok(0)
}
