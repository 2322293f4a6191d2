//! The wasm sandbox: compile each plugin once, instantiate it per group.
//!
//! One [`Sandbox`] per process holds the wasmtime engine, the linker with
//! every capability, the compiled-plugin [`cache`], the compile policy of a
//! plugin the cache lacks ([`tiers`]: Cranelift now, or Winch now and
//! Cranelift in the background) and the epoch ticker.
//! [`Sandbox::load`] reads (or takes from the [built-in packs](crate::packs))
//! and compiles a component and checks it against
//! the contract up front (an `InstancePre`), so a wrong plugin is refused
//! before any check runs; [`Sandbox::store`] makes the fresh Store each group
//! runs in, holding its [`state`], bounded by its [`limiter`] and ended at its
//! deadline. It guarantees that a plugin reaches nothing but the capabilities
//! of the [`bindings`], within its memory and its time.

pub mod bindings;
pub mod cache;
pub mod capture;
pub mod check_log;
pub mod limiter;
pub mod reaper;
pub mod resources;
pub mod shared;
pub mod state;
pub mod tiers;

use std::path::Path;
use std::sync::{Arc, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Engine, ModuleVersionStrategy, OptLevel, RegallocAlgorithm, Store, Strategy, Trap,
    UpdateDeadline,
};

use crate::caps::config::ConfigRejected;
use crate::engine::bindings::PluginPre;
use crate::engine::bindings::types::PluginInfo;
use crate::engine::cache::{CacheOutcome, CompileCache};
use crate::engine::limiter::InstanceLimiter;
use crate::engine::reaper::Retiring;
use crate::engine::state::StoreState;
use crate::engine::tiers::{BaselineEngine, FirstRun, Source, Tiers};
use crate::error::PlumeError;
use crate::limits::{DeadlinePassed, QuotaExceeded};
use crate::suite::PluginEntry;

/// How often the epoch advances: the granularity of timeouts in pure wasm code.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Advances the engines' epoch on its own thread until dropped: the
/// optimised engine's, and the baseline engine's once it exists.
///
/// The thread waits on a channel rather than sleeping, so dropping the
/// ticker wakes it at once: a process that ends does not wait out the rest
/// of a tick (up to 10 ms, a third of a short run).
struct EpochTicker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine, baseline: Arc<OnceLock<Option<BaselineEngine>>>) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("plume-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EPOCH_TICK) {
                    engine.increment_epoch();
                    if let Some(Some(b)) = baseline.get() {
                        b.engine.increment_epoch();
                    }
                }
            })
            .ok();
        EpochTicker {
            stop: Some(stop),
            thread,
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        // Dropping the sender ends the thread's wait with `Disconnected`.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The engine, the linker and the ticker shared by every plugin of a run.
pub struct Sandbox {
    engine: Engine,
    linker: Linker<StoreState>,
    cache: CompileCache,
    /// What [`Sandbox::load_shared`] compiled, by digest.
    shared: shared::SharedPlugins,
    tiers: Tiers,
    _ticker: EpochTicker,
}

impl Sandbox {
    /// A sandbox that compiles a plugin missing from the cache with Cranelift.
    pub fn new(cache: CompileCache) -> Result<Self, PlumeError> {
        Self::with_first_run(cache, FirstRun::Optimised)
    }

    /// A sandbox whose plugins missing from the cache are compiled as `first_run` says.
    pub fn with_first_run(cache: CompileCache, first_run: FirstRun) -> Result<Self, PlumeError> {
        let engine = engine_config(Strategy::Cranelift)
            .and_then(|config| Engine::new(&config))
            .map_err(|e| PlumeError::Engine(e.to_string()))?;
        let linker = new_linker(&engine).map_err(|e| PlumeError::Engine(e.to_string()))?;
        let tiers = Tiers::new(first_run, new_linker);
        let ticker = EpochTicker::start(engine.clone(), tiers.baseline_slot());
        Ok(Sandbox {
            engine,
            linker,
            cache,
            shared: shared::SharedPlugins::default(),
            tiers,
            _ticker: ticker,
        })
    }

    /// Reads, compiles and links one plugin; errors say which part is wrong.
    /// With a pinned digest, a component whose SHA-256 differs is refused
    /// before it is compiled.
    pub fn load(
        &self,
        name: &str,
        path: &Path,
        pin: Option<&str>,
    ) -> Result<PluginPre<StoreState>, PlumeError> {
        if let Some(expected) = pin {
            let actual = self.digest(name, path)?;
            if actual != expected && crate::packs::builtin(path).is_some() {
                return Err(PlumeError::BuiltinPinMismatch {
                    plugin: name.to_owned(),
                    path: path.to_owned(),
                    version: env!("CARGO_PKG_VERSION"),
                    expected: expected.to_owned(),
                    actual,
                });
            }
            if actual != expected {
                return Err(PlumeError::PinMismatch {
                    plugin: name.to_owned(),
                    path: path.to_owned(),
                    expected: expected.to_owned(),
                    actual,
                });
            }
        }
        let (component, _) = self.compile(name, path)?;
        self.link(name, path, &component)
    }

    /// The SHA-256 of a plugin file or built-in pack, for pinning and `plume lock`.
    pub fn digest(&self, name: &str, path: &Path) -> Result<String, PlumeError> {
        if let Some(pack) = crate::packs::builtin(path) {
            return Ok(pack.sha256.to_owned());
        }
        self.cache
            .digest(path)
            .map_err(|e| unreadable(name, path, &e))
    }

    /// Reads and compiles one component, through the compiled-plugin cache.
    pub fn compile(
        &self,
        name: &str,
        path: &Path,
    ) -> Result<(Component, CacheOutcome), PlumeError> {
        if let Some(pack) = crate::packs::builtin(path) {
            let source = Source::Builtin {
                wasm: pack.wasm,
                sha256: pack.sha256,
                address: pack.address(),
            };
            return self
                .tiers
                .load(&self.cache, &self.engine, &source)
                .map_err(|e| {
                    PlumeError::Engine(format!("built-in pack {}: {e:#}", pack.address()))
                });
        }
        // The header tells a component from anything else; the cache reads the rest.
        let bytes = read_header(path).map_err(|e| unreadable(name, path, &e))?;
        let not_component = |reason: String| PlumeError::NotAComponent {
            plugin: name.to_owned(),
            path: path.to_owned(),
            reason,
        };
        match wasm_layer(&bytes) {
            Some(1) => {}
            Some(0) => {
                return Err(not_component(
                    "it is a core wasm module, not a component".to_owned(),
                ));
            }
            _ => {
                return Err(not_component(
                    "it does not start with a wasm header".to_owned(),
                ));
            }
        }
        self.tiers
            .load(&self.cache, &self.engine, &Source::File(path))
            .map_err(|e| not_component(flatten(&format!("{e:#}"))))
    }

    /// Checks a compiled component against the contract, once, before any instance.
    pub fn link(
        &self,
        name: &str,
        path: &Path,
        component: &Component,
    ) -> Result<PluginPre<StoreState>, PlumeError> {
        let wrong_world = |e: wasmtime::Error| PlumeError::WrongWorld {
            plugin: name.to_owned(),
            path: path.to_owned(),
            reason: flatten(&format!("{e:#}")),
        };
        // A component compiled by Winch links against the baseline engine's linker.
        let linker = match self.tiers.baseline() {
            Some(b) if Engine::same(component.engine(), &b.engine) => &b.linker,
            _ => &self.linker,
        };
        let pre = linker.instantiate_pre(component).map_err(wrong_world)?;
        PluginPre::new(pre).map_err(wrong_world)
    }

    /// A fresh Store for one group: memory-limited, yielding every epoch
    /// tick, and ended at the first tick past its deadline.
    ///
    /// The deadline is checked here as well as by the check's async timeout:
    /// the ticker is its own thread, so a guest looping in wasm (or on
    /// synchronous host calls) ends on time even when every runtime worker
    /// is busy and the runtime's timers fire late.
    ///
    /// The Store is [retired](reaper) when it goes out of scope: its
    /// memory is unmapped off the run's path.
    pub fn store(
        &self,
        pre: &PluginPre<StoreState>,
        state: StoreState,
    ) -> Retiring<Store<StoreState>> {
        let mut store = Store::new(pre.engine(), state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|ctx| {
            if ctx.data().deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(DeadlinePassed.into());
            }
            Ok(UpdateDeadline::Yield(1))
        });
        Retiring::new(store)
    }
}

/// The configuration of both engines; `strategy` picks the compiler.
///
/// Compiled code records the version string set here, and wasmtime refuses
/// to load code whose string differs: an entry written by another Plume (or
/// wasmtime) version is rebuilt, never run. Code compiled for CPU features
/// this machine lacks is refused by wasmtime's header check as well.
pub(crate) fn engine_config(strategy: Strategy) -> wasmtime::Result<Config> {
    let mut config = Config::new();
    config.strategy(strategy);
    // Every wasm loop checks the epoch, so a runaway guest yields to the
    // executor each tick and its check's timeout can cancel it.
    config.epoch_interruption(true);
    config.wasm_component_model(true);
    // No `.eh_frame` for compiled plugins: wasmtime walks wasm stacks
    // with its own unwinder and catches host panics at the boundary, so
    // the system unwinder never needs it; and registering it costs, per
    // function, with LLVM's libunwind (the static musl build) a scan of
    // every registered frame on unload: 16 % of `plume list`.
    config.native_unwind_info(false);
    if strategy == Strategy::Winch {
        // Winch leaves the trampolines between the host and wasm to
        // Cranelift: a third of a baseline compile of a JavaScript plugin.
        // They run once per call, so compile them the quick way too.
        config.cranelift_opt_level(OptLevel::None);
        config.cranelift_regalloc_algorithm(RegallocAlgorithm::SinglePass);
    }
    config.module_version(ModuleVersionStrategy::Custom(code_version()))?;
    Ok(config)
}

/// The version compiled code is tagged with: Plume's and wasmtime's.
pub fn code_version() -> String {
    format!(
        "plume {} wasmtime {}",
        env!("CARGO_PKG_VERSION"),
        ModuleVersionStrategy::WasmtimeVersion.as_str()
    )
}

/// A linker for `engine` with WASI and every Plume capability. The
/// capabilities are the `Host` impls in [`crate::caps`], each on its own
/// view of the Store.
fn new_linker(engine: &Engine) -> wasmtime::Result<Linker<StoreState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    bindings::add_capabilities(&mut linker)?;
    Ok(linker)
}

/// A plugin file that could not be read: missing, or why not.
fn unreadable(name: &str, path: &Path, e: &std::io::Error) -> PlumeError {
    match e.kind() {
        std::io::ErrorKind::NotFound => PlumeError::PluginMissing {
            plugin: name.to_owned(),
            path: path.to_owned(),
        },
        _ => PlumeError::PluginUnreadable {
            plugin: name.to_owned(),
            path: path.to_owned(),
            reason: e.to_string(),
        },
    }
}

/// The first 8 bytes of a file (fewer if it is shorter).
fn read_header(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut header = Vec::with_capacity(8);
    std::fs::File::open(path)?
        .take(8)
        .read_to_end(&mut header)?;
    Ok(header)
}

/// The layer field of a wasm header: 0 for a core module, 1 for a component.
fn wasm_layer(bytes: &[u8]) -> Option<u16> {
    match bytes {
        [0, b'a', b's', b'm', _, _, l0, l1, ..] => Some(u16::from_le_bytes([*l0, *l1])),
        _ => None,
    }
}

/// Calls `describe()` on a fresh instance, within `timeout`.
pub async fn describe(
    sandbox: &Sandbox,
    pre: &PluginPre<StoreState>,
    entry: &PluginEntry,
    state: StoreState,
    timeout: Duration,
) -> Result<PluginInfo, PlumeError> {
    let mut store = sandbox.store(pre, state);
    store.data_mut().deadline = Some(Instant::now() + timeout);
    let failed = |reason: String| PlumeError::DescribeFailed {
        plugin: entry.name.clone(),
        reason,
    };
    let work = async {
        let instance = pre.instantiate_async(&mut *store).await?;
        instance.call_describe(&mut *store).await
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => Err(failed(format!(
            "no answer within {} ms",
            timeout.as_millis()
        ))),
        Ok(Err(e)) if e.downcast_ref::<DeadlinePassed>().is_some() => Err(failed(format!(
            "no answer within {} ms",
            timeout.as_millis()
        ))),
        Ok(Err(e)) => match e.downcast_ref::<ConfigRejected>() {
            Some(rejected) => Err(PlumeError::ConfigRejected {
                at: None,
                plugin: entry.name.clone(),
                rejected: rejected.clone(),
            }),
            None => {
                let (_, stderr) = store.data_mut().take_output();
                Err(failed(crash_detail(&e, &store.data().limiter, &stderr)))
            }
        },
        Ok(Ok(info)) => Ok(info),
    }
}

/// Says why an instance died: a quota it passed, out of memory, stack
/// overflow, a panic (with its message from the guest's stderr), another
/// trap, or a host fault.
pub fn crash_detail(e: &wasmtime::Error, limiter: &InstanceLimiter, stderr: &str) -> String {
    if let Some(quota) = e.downcast_ref::<QuotaExceeded>() {
        return quota.to_string();
    }
    if let Some(rejected) = e.downcast_ref::<ConfigRejected>() {
        return rejected.to_string();
    }
    if limiter.was_hit() {
        return limiter.out_of_memory_detail();
    }
    if let Some(panic) = panic_message(stderr) {
        return format!("panicked at {panic}");
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => "stack overflow: the wasm call stack was exhausted".to_owned(),
        Some(trap) => format!("trap: {trap}"),
        None => format!("host error: {}", flatten(&format!("{e:#}"))),
    }
}

/// The location and message of a Rust guest's panic, from what it printed.
fn panic_message(stderr: &str) -> Option<String> {
    let at = stderr.find("panicked at ")?;
    let rest = &stderr[at + "panicked at ".len()..];
    let mut lines = rest.lines();
    let location = lines.next()?.trim_end_matches(':').to_owned();
    let message: Vec<&str> = lines.take_while(|l| !l.starts_with("note:")).collect();
    Some(format!("{location}: {}", message.join(" ").trim()))
}

fn flatten(text: &str) -> String {
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::panic_message;

    #[test]
    fn panic_messages_are_read_from_stderr() {
        let stderr = "\nthread '<unnamed>' panicked at src/lib.rs:9:5:\nboom here\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("src/lib.rs:9:5: boom here")
        );
        assert_eq!(panic_message("nothing"), None);
    }
}
