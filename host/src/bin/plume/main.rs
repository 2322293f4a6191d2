//! The `plume` binary: parses the command line, runs the library, maps the
//! outcome to an exit code. Bad input is one line on stderr and exit 2.
//! Every line it prints goes through [`plume::console`] (secrets masked, one
//! safe line); `println!` and `eprintln!` are denied here.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod compile;
mod monitor;
mod musl;
mod registry;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Bad input: a missing file, invalid TOML, an unknown name, a broken plugin.
pub const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    // A fault in Plume itself is one line, never a backtrace; the code that
    // caught it (a report sink, a group's task) goes on, and the run still
    // ends with its cleanups and reports.
    std::panic::set_hook(Box::new(|info| {
        plume::console::err(format_args!(
            "plume: internal error (please report it): {info}"
        ));
    }));
    let cli = Cli::parse();
    // Timers, signals and sockets are polled every other task poll instead
    // of every 61st: a task polls for at most one epoch tick (10 ms) before it
    // yields, so with every worker busy running guests the ceiling, a
    // check's timeout and Ctrl-C still fire within a few ticks.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .event_interval(2)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            plume::console::error(format_args!("cannot start the async runtime: {e}"));
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let cache = plume::engine::cache::CompileCache::from_settings(cli.cache_dir, cli.no_cache);
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => commands::run(args, cache).await,
            Command::List(args) => commands::list(args, cache).await,
            Command::Inspect(args) => commands::inspect(args, cache).await,
            Command::Compile(args) => compile::compile(args, cache),
            Command::Monitor(args) => monitor::monitor(args, cache).await,
            Command::Init(args) => commands::init(args).await,
            Command::New(args) => commands::new(args),
            Command::Report(cli::ReportCommand::Merge(args)) => commands::merge(args),
            Command::Report(cli::ReportCommand::Html(args)) => commands::html(args),
            Command::Lock(args) => registry::lock(args, cache).await,
            Command::Push(args) => registry::push(args, cache).await,
            Command::Pull(args) => registry::pull(args, cache).await,
            Command::Completions(args) => {
                let mut command = <Cli as clap::CommandFactory>::command();
                clap_complete::generate(args.shell, &mut command, "plume", &mut std::io::stdout());
                Ok(0)
            }
        }
    });
    // Group tasks aborted by the ceiling may still hold instances; do not wait for them.
    runtime.shutdown_background();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            plume::console::error(format_args!("{e:#}"));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
