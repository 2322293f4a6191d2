//! Heavy host work off the async runtime's workers, one core left free.
//!
//! A host call runs on the worker that polls its instance. Hashing 48 MiB or
//! parsing a 16 MB JSON body there keeps the worker from everything else for
//! tens of milliseconds per call; two groups looping on such calls on a
//! 2-core machine would starve every timer, the ceiling, signals and every
//! other group. Work on an input of [`OFFLOAD_BYTES`] or more runs on the
//! blocking pool instead, while the instance waits like it waits for the
//! network, and at most one job per core but one runs at a time: however
//! many guests hammer the host, a core stays free for the workers, the
//! timers and the main thread. Smaller inputs stay inline, where a thread
//! hop would cost more than the work.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

/// Inputs at least this large are worked on off the workers.
pub const OFFLOAD_BYTES: usize = 256 * 1024;

/// Permits for heavy jobs running at once: the cores less one, at least one.
fn heavy_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// Runs `work` inline for a small input, on the blocking pool for a large one.
pub async fn run<T: Send + 'static>(
    input_len: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> wasmtime::Result<T> {
    if input_len < OFFLOAD_BYTES {
        return Ok(work());
    }
    let slot = heavy_slots()
        .acquire()
        .await
        .map_err(|e| wasmtime::Error::msg(format!("host work failed: {e}")))?;
    // The slot goes with the work: a check that times out drops this
    // future, but the thread runs on, and its core stays counted until the
    // work really ends.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| wasmtime::Error::msg(format!("host work failed: {e}")))
}
