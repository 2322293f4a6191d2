//! What each subcommand does, at the binary's edge: library errors become
//! one-line messages, run results become exit codes.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::signal::unix::{SignalKind, signal};

use plume::engine::Sandbox;
use plume::engine::cache::{CacheOutcome, CompileCache};
use plume::record::RunShared;
use plume::record::ledger::{Ledger, Sink};
use plume::reports::terminal::{Mode, Printer};
use plume::run::plan::Selection;
use plume::run::prepare::{load_plugin, prepare, redactor_for};
use plume::run::{self, RunEnd};
use plume::suite::{Overrides, PluginEntry, Suite, SuiteFile};

use crate::cli::{
    ColorArg, CompileArgs, InspectArgs, LangArg, ListArgs, LockArgs, NewArgs, RunArgs, SuiteArgs,
};

fn parse_vars(vars: &[String]) -> Result<Vec<(String, String)>, plume::PlumeError> {
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

fn load_suite(args: &SuiteArgs, overrides: Overrides) -> Result<Suite> {
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

    let suite = load_suite(
        &args.suite,
        Overrides {
            ceiling: args.timeout,
            check_timeout: args.check_timeout,
            ..Overrides::default()
        },
    )?;
    // A report on standard output moves the human lines to standard error.
    let report_on_stdout = args.reports.iter().any(|r| r.path.is_none());
    let printer: Box<dyn Sink> = if report_on_stdout {
        let mode = Mode::for_terminal(std::io::stderr().is_terminal(), args.verbose, args.quiet)
            .with_color(color_choice(args.color));
        Box::new(Printer::new(std::io::stderr(), mode))
    } else {
        let mode = Mode::for_terminal(std::io::stdout().is_terminal(), args.verbose, args.quiet)
            .with_color(color_choice(args.color));
        Box::new(Printer::new(std::io::stdout(), mode))
    };
    let ledger = Arc::new(Ledger::new(redactor_for(&suite), vec![printer]));
    let shared = RunShared::new(ledger.clone(), &suite.limits)?;
    plume::run::preflight::check(&shared.client, &suite.preflight, suite.hint.as_deref()).await?;
    let sandbox = Arc::new(Sandbox::new(cache)?);
    let selection = Selection {
        only: args.only,
        skip: args.skip,
    };
    let (plugins, plan) = prepare(&sandbox, &suite, &shared, &selection).await?;
    plume::run::plan::each_checks_something(&plugins)?;
    // Reports open only once the input is known good, so a bad input leaves no half-written file.
    ledger.add_sinks(plume::reports::sinks(&args.reports, &suite.name)?);

    let stop = async move {
        tokio::select! {
            _ = sigint.recv() => 2,
            _ = sigterm.recv() => 15,
        }
    };
    let ticker = {
        let ledger = ledger.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(200));
            loop {
                every.tick().await;
                ledger.tick();
            }
        })
    };
    let end = run::run(sandbox, plugins, &plan, shared, stop).await;
    ticker.abort();
    let summary = ledger.close();
    Ok(match end {
        RunEnd::Signal(sig) => 128 + sig as u8,
        RunEnd::Ceiling => 1,
        RunEnd::Completed if summary.failed + summary.cleanups_failed > 0 => 1,
        RunEnd::Completed => 0,
    })
}

/// `plume list`.
pub async fn list(args: ListArgs, cache: CompileCache) -> Result<u8> {
    let suite = load_suite(&args.suite, Overrides::default())?;
    let sandbox = Sandbox::new(cache)?;
    let shared = RunShared::quiet()?;
    let (plugins, plan) = prepare(&sandbox, &suite, &shared, &Selection::default()).await?;
    // What a plugin describes is its own text: redacted, one safe line each.
    let redactor = redactor_for(&suite);
    let show = |text: &str| shown(&redactor.redact(text));
    for p in &plugins {
        print_line(&format!(
            "{} {} ({})",
            show(&p.info.name),
            show(&p.info.version),
            p.entry.path.display()
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
    println!(
        "{count} {} in {groups} {}",
        if count == 1 { "check" } else { "checks" },
        if groups == 1 { "group" } else { "groups" }
    );
    Ok(0)
}

/// `plume inspect`.
pub async fn inspect(args: InspectArgs, cache: CompileCache) -> Result<u8> {
    let name = args
        .plugin
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plugin".to_owned());
    let entry = Arc::new(PluginEntry::bare(&name, &args.plugin));
    let sandbox = Sandbox::new(cache)?;
    let shared = RunShared::quiet()?;
    let loaded = load_plugin(&sandbox, entry, &shared).await?;
    let info = &loaded.info;
    print_line(&format!(
        "plugin:  {} {}",
        shown(&info.name),
        shown(&info.version)
    ));
    println!("file:    {}", args.plugin.display());
    print_line(&format!("config:  {}", list_or_none(&info.config_keys)));
    print_line(&format!("secrets: {}", list_or_none(&info.secrets)));
    println!("groups:");
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

/// Each of a plugin's texts as one safe, bounded line, comma-separated.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|i| shown(i))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A plugin's text made one safe line of at most [`plume::text::LABEL_MAX`] bytes.
fn shown(text: &str) -> String {
    plume::text::shown(text, plume::text::LABEL_MAX)
}

/// Prints a line that may start with a plugin's text: never a workflow command.
fn print_line(line: &str) {
    println!("{}", plume::text::not_a_command(line));
}

/// `plume compile`.
pub fn compile(args: CompileArgs, cache: CompileCache) -> Result<u8> {
    let Some(dir) = cache.dir().map(|d| d.display().to_string()) else {
        anyhow::bail!("the cache is off (--no-cache): there is nothing to warm");
    };
    let sandbox = Sandbox::new(cache)?;
    for path in &args.plugins {
        let name = path
            .file_stem()
            .map_or_else(|| "plugin".to_owned(), |s| s.to_string_lossy().into_owned());
        let start = std::time::Instant::now();
        let (component, outcome) = sandbox.compile(&name, path)?;
        sandbox.link(&name, path, &component)?;
        let took = start.elapsed().as_millis();
        let what = match outcome {
            CacheOutcome::Hit => "already cached".to_owned(),
            CacheOutcome::Miss => format!("compiled in {took} ms"),
            CacheOutcome::Rebuilt(why) => format!("recompiled in {took} ms ({why})"),
            CacheOutcome::Bypassed => format!("compiled in {took} ms, but {dir} is not writable"),
        };
        println!("{}: {what}", path.display());
    }
    println!("cache: {dir}");
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
    println!(
        "created {} (the SDK vendored in vendor/plume)",
        dir.display()
    );
    println!("build:  cd {} && {}", dir.display(), lang.build_command());
    println!(
        "run:    plume run {} --var base_url=http://HOST:PORT",
        dir.join("plume.toml").display()
    );
    Ok(0)
}

/// `plume lock`: writes each plugin's SHA-256 into the suite file, keeping
/// its comments and layout.
pub fn lock(args: LockArgs, cache: CompileCache) -> Result<u8> {
    let suite = load_suite(&args.suite, Overrides::default())?;
    let path = &args.suite.suite;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let sandbox = Sandbox::new(cache)?;
    for plugin in &suite.plugins {
        let digest = sandbox.digest(&plugin.name, &plugin.path)?;
        doc["plugins"][plugin.name.as_str()]["sha256"] = toml_edit::value(digest.as_str());
        println!(
            "{}: sha256 {digest} ({})",
            plugin.name,
            plugin.path.display()
        );
    }
    let tmp = path.with_extension("toml.lock-tmp");
    std::fs::write(&tmp, doc.to_string())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    println!(
        "pinned {} plugin(s) in {}",
        suite.plugins.len(),
        path.display()
    );
    Ok(0)
}
