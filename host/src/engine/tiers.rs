//! Which compiler a plugin gets: the optimised code of the compiled-plugin
//! cache when it is there, else a fast baseline compile now and the
//! optimised compile into the cache for the next run.
//!
//! Guarantees:
//! - A plugin found in the cache runs the code Cranelift made for it, under
//!   either policy.
//! - [`FirstRun::Optimised`] compiles a plugin that misses the cache with
//!   Cranelift and stores it (`plume compile`, `plume monitor`).
//! - [`FirstRun::Baseline`] compiles it with Winch, a single-pass compiler, in
//!   an engine of its own (created on the first miss, ticked by the same epoch
//!   ticker, so timeouts and the ceiling hold as for optimised code), and
//!   starts one detached `plume compile --background` process that compiles it
//!   with Cranelift into the cache. The run never waits for that process and
//!   owes it nothing: it ends at its ceiling, and its exit is not delayed.
//!   Winch code is not cached: a run that comes before the optimised entry is
//!   written compiles with Winch again (measured in `host/benches/README.md`).
//! - A component Winch refuses (a proposal it lacks: tail calls, exceptions,
//!   GC, relaxed SIMD) or a platform it does not support is compiled with
//!   Cranelift at once and stored, as under [`FirstRun::Optimised`].
//! - Background compiles run one at a time per cache folder, at the lowest
//!   CPU priority: each holds an exclusive lock on `locks/background` while it
//!   works, and finds the entry already there when another one made it. The
//!   entry is written by temp file and rename, as every entry is. `plume
//!   compile` takes the same turn, so a warm-up step after a run waits for
//!   the run's background compile rather than repeating it.
//! - With the cache off there is nothing to fill: Cranelift compiles at once.

use std::borrow::Cow;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Strategy};

use crate::engine::cache::{CacheOutcome, CompileCache, Lookup};
use crate::engine::state::StoreState;

/// What to do with a plugin that is not in the cache.
#[derive(Debug, Clone)]
pub enum FirstRun {
    /// Compile it with Cranelift now and store it.
    Optimised,
    /// Compile it with Winch now; `plume` at this path compiles it with
    /// Cranelift into the cache in a detached process.
    Baseline { plume: PathBuf },
}

/// Where a plugin's bytes come from, and how a background compile names it.
pub enum Source<'a> {
    /// A `.wasm` file.
    File(&'a Path),
    /// A pack built into the binary: its bytes, SHA-256 and `plume:NAME` address.
    Builtin {
        wasm: &'static [u8],
        sha256: &'static str,
        address: String,
    },
}

/// The Winch engine and its linker, made on the first miss.
pub struct BaselineEngine {
    pub engine: Engine,
    pub linker: Linker<StoreState>,
}

/// The compile policy of a [`super::Sandbox`] and its baseline engine.
pub struct Tiers {
    first_run: FirstRun,
    baseline: Arc<OnceLock<Option<BaselineEngine>>>,
    make_linker: fn(&Engine) -> wasmtime::Result<Linker<StoreState>>,
}

impl Tiers {
    pub fn new(
        first_run: FirstRun,
        make_linker: fn(&Engine) -> wasmtime::Result<Linker<StoreState>>,
    ) -> Self {
        Tiers {
            first_run,
            baseline: Arc::new(OnceLock::new()),
            make_linker,
        }
    }

    /// The baseline engine slot, for the epoch ticker to advance once it exists.
    pub fn baseline_slot(&self) -> Arc<OnceLock<Option<BaselineEngine>>> {
        self.baseline.clone()
    }

    /// The baseline engine if one was made (a plugin missed the cache).
    pub fn baseline(&self) -> Option<&BaselineEngine> {
        self.baseline.get().and_then(Option::as_ref)
    }

    /// The compiled plugin: from the cache, or compiled as the policy says.
    pub fn load(
        &self,
        cache: &CompileCache,
        optimised: &Engine,
        source: &Source<'_>,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let FirstRun::Baseline { plume } = &self.first_run else {
            return match source {
                Source::File(path) => cache.load(optimised, path),
                Source::Builtin { wasm, sha256, .. } => cache.load_bytes(optimised, wasm, sha256),
            };
        };
        let (digest, bytes) = match source {
            Source::File(path) => {
                let (digest, bytes) = cache.digest_and_bytes(path)?;
                (Cow::Owned(digest), bytes.map(Cow::Owned))
            }
            Source::Builtin { wasm, sha256, .. } => {
                (Cow::Borrowed(*sha256), Some(Cow::Borrowed(*wasm)))
            }
        };
        let stale = match cache.lookup(optimised, &digest) {
            Lookup::Hit(component) => return Ok((component, CacheOutcome::Hit)),
            Lookup::Off => None,
            Lookup::Miss => Some(None),
            Lookup::Stale(why) => Some(Some(why)),
        };
        let wasm = match (bytes, source) {
            (Some(bytes), _) => bytes,
            (None, Source::File(path)) => Cow::Owned(std::fs::read(path)?),
            (None, Source::Builtin { wasm, .. }) => Cow::Borrowed(*wasm),
        };
        let Some(stale) = stale else {
            return Ok((
                Component::from_binary(optimised, &wasm)?,
                CacheOutcome::Bypassed,
            ));
        };
        if let Some(baseline) = self.baseline_engine()
            && let Ok(component) = Component::from_binary(&baseline.engine, &wasm)
            && let Some(dir) = cache.dir()
        {
            compile_later(plume, dir, source);
            return Ok((component, CacheOutcome::Baseline));
        }
        let (component, stored) = cache.compile_and_store(optimised, &digest, &wasm)?;
        let outcome = match (stored, stale) {
            (false, _) => CacheOutcome::Bypassed,
            (true, None) => CacheOutcome::Miss,
            (true, Some(why)) => CacheOutcome::Rebuilt(why),
        };
        Ok((component, outcome))
    }

    /// The Winch engine, made on first use; `None` where Winch cannot run.
    fn baseline_engine(&self) -> Option<&BaselineEngine> {
        self.baseline
            .get_or_init(|| {
                let config = super::engine_config(Strategy::Winch).ok()?;
                let engine = Engine::new(&config).ok()?;
                let linker = (self.make_linker)(&engine).ok()?;
                Some(BaselineEngine { engine, linker })
            })
            .as_ref()
    }
}

/// Starts `plume compile --background` for `source`, detached: its output
/// goes nowhere, it is in a process group of its own and a thread reaps it,
/// so neither the run's pipes, its exit nor a Ctrl-C on it touch it. A process that cannot be started leaves the cache as it
/// was: the next run starts from Winch again.
fn compile_later(plume: &Path, dir: &Path, source: &Source<'_>) {
    let plugin = match source {
        Source::File(path) => path.as_os_str().to_owned(),
        Source::Builtin { address, .. } => address.into(),
    };
    let child = Command::new(plume)
        .arg("compile")
        .arg("--background")
        .arg("--cache-dir")
        .arg(dir)
        .arg("--")
        .arg(plugin)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: Ctrl-C on the run does not stop the compile
        // that makes the next run fast.
        .process_group(0)
        .spawn();
    if let Ok(mut child) = child {
        let _ = std::thread::Builder::new()
            .name("plume-compile-reaper".into())
            .spawn(move || child.wait());
    }
}

/// Waits for this process's turn to compile into the cache at `dir` (one
/// compile at a time per folder: `plume compile` waits for a background
/// compile in progress instead of doing the same work beside it). A
/// `background` compile first lowers its CPU priority to the lowest. The
/// turn lasts until the returned file is dropped.
pub fn compile_turn(dir: &Path, background: bool) -> std::io::Result<std::fs::File> {
    if background {
        let _ = rustix::process::nice(19);
    }
    let locks = dir.join("locks");
    std::fs::create_dir_all(&locks)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(locks.join("background"))?;
    lock.lock()?;
    Ok(lock)
}
