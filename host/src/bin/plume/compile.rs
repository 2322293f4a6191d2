//! Compiling plugins into the cache: `plume compile`, and the sandbox a
//! command that runs plugins once starts with.
//!
//! Guarantees: in `run`, `list` or `inspect` a plugin the cache lacks
//! starts from the baseline compiler and this binary compiles it into the
//! cache in the background (when it cannot find its own executable, it
//! compiles with the optimising compiler first, as `plume compile` does);
//! `plume compile` holds the cache folder's compile turn, so at most one
//! compile per folder runs at a time, and says for each plugin whether it
//! was cached, compiled or recompiled (and why).

use anyhow::Result;

use plume::engine::Sandbox;
use plume::engine::cache::{CacheOutcome, CompileCache};
use plume::engine::tiers::FirstRun;

use crate::cli::CompileArgs;

/// The sandbox of a command that runs plugins once (`run`, `list`,
/// `inspect`): a plugin the cache lacks starts from the baseline compiler,
/// and this binary compiles it into the cache in the background.
pub(crate) fn first_run_sandbox(cache: CompileCache) -> Result<Sandbox, plume::PlumeError> {
    let first_run = match std::env::current_exe() {
        Ok(plume) => FirstRun::Baseline { plume },
        Err(_) => FirstRun::Optimised,
    };
    Sandbox::with_first_run(cache, first_run)
}

/// `plume compile`, one compile at a time per cache folder; with
/// `--background` (started by a run that compiled a plugin with the baseline
/// compiler), at the lowest CPU priority.
pub fn compile(args: CompileArgs, cache: CompileCache) -> Result<u8> {
    let Some(dir) = cache.dir().map(|d| d.display().to_string()) else {
        anyhow::bail!("the cache is off (--no-cache): there is nothing to warm");
    };
    // A folder that cannot hold the lock cannot hold entries either; the
    // compile below says so for each plugin.
    let _turn = cache
        .dir()
        .and_then(|d| plume::engine::tiers::compile_turn(d, args.background).ok());
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
            CacheOutcome::Baseline => format!("compiled by the baseline compiler in {took} ms"),
        };
        plume::console::out(format_args!("{}: {what}", path.display()));
    }
    plume::console::out(format_args!("cache: {dir}"));
    Ok(0)
}
