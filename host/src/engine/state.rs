//! What a plugin instance's host functions can reach: the data of its Store.
//!
//! Every group gets a fresh Store holding a [`StoreState`]: its WASI context
//! (no files, no environment, no sockets; stdout and stderr captured), its
//! instance limiter, its check's deadline, its plugin's budget, and handles
//! to what the run shares between groups.
//!
//! No capability sees the whole of it: each works on a view that borrows
//! only the fields it needs (`HttpView`, `ConfigView`, … in [`crate::caps`]),
//! made by the getter the linker is given in [`crate::engine`].

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::engine::capture::Capture;
use crate::engine::check_log::CheckLog;
use crate::engine::limiter::InstanceLimiter;
use crate::events::Earlier;
use crate::limits::CAPTURE_MAX_BYTES;
use crate::record::RunShared;
use crate::record::budget::PluginBudget;
use crate::suite::PluginEntry;

/// Where in the run an instance is.
#[derive(Debug, Clone)]
pub struct Position {
    /// The plugin's own name for the group: what it is called with and
    /// reads published values by.
    pub group: String,
    /// The group's name in the suite (with its plugin's `group-prefix`):
    /// what every line the instance emits is reported under.
    pub suite_group: String,
    /// The check running now; empty during instantiation and `describe`.
    pub check: String,
    /// Groups this one depends on, directly or transitively: the ones it may read values from.
    pub upstream: Arc<HashSet<String>>,
}

impl Position {
    /// Whether the instance is running a check (not `describe` or its start-up).
    pub fn in_check(&self) -> bool {
        !self.check.is_empty()
    }
}

/// The data of one Store.
pub struct StoreState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: InstanceLimiter,
    pub run: Arc<RunShared>,
    pub plugin: Arc<PluginEntry>,
    /// The plugin's share of the host, counted across its instances.
    pub budget: Arc<PluginBudget>,
    pub position: Position,
    /// When the running check (or instantiation, or `describe`) must end:
    /// the epoch callback stops the instance there.
    pub deadline: Option<Instant>,
    /// The host call the running check waits on: what a timeout line names.
    pub pending: Pending,
    /// The response body the check last read from and has not finished:
    /// its URL and the bytes received so far, for a timeout that comes
    /// between two reads.
    pub arriving: Option<(String, u64)>,
    /// Incremental hashers the instance holds open (each is host memory).
    pub hashers: usize,
    /// The attempts the plugin reported (`log.attempt-failed`) during the
    /// current call of the check, their details already redacted and cut.
    pub reported: Earlier,
    /// Bytes the current check has logged so far, against its log budget.
    pub log_bytes: usize,
    stdout: Capture,
    stderr: Capture,
}

impl StoreState {
    pub fn new(run: Arc<RunShared>, plugin: Arc<PluginEntry>, position: Position) -> Self {
        let stdout = Capture::new(CAPTURE_MAX_BYTES);
        let stderr = Capture::new(CAPTURE_MAX_BYTES);
        // No preopens, no environment, no arguments, no network: the builder's
        // defaults grant none of them. Only clocks and randomness remain.
        let wasi = wasmtime_wasi::WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        let limits = &run.limits;
        let limiter = InstanceLimiter::new(limits.memory_bytes, limits.table_elements);
        let budget = run.budgets.for_plugin(&plugin.name, limits);
        StoreState {
            wasi,
            table: ResourceTable::new(),
            limiter,
            budget,
            run,
            plugin,
            position,
            deadline: None,
            pending: Pending::default(),
            arriving: None,
            hashers: 0,
            reported: Earlier::default(),
            stdout,
            stderr,
            log_bytes: 0,
        }
    }

    /// What the guest printed since the last call, stdout then stderr
    /// (what was dropped past the group's bound is left out).
    pub fn take_output(&mut self) -> (String, String) {
        (self.stdout.take().0, self.stderr.take().0)
    }

    /// Logs what the guest printed since the last call as the check's
    /// (`stdout`, `stderr`), within its log budget; output dropped past the
    /// group's bound is said apart, whatever the budget. Returns the
    /// stderr text, which a crash's detail quotes.
    pub fn log_output(&mut self) -> String {
        let (out, out_dropped) = self.stdout.take();
        let (err, err_dropped) = self.stderr.take();
        self.log("stdout", &out);
        self.log("stderr", &err);
        let dropped = out_dropped + err_dropped;
        if dropped > 0 {
            let note = format!(
                "{dropped} bytes of output dropped: this group printed past {} KiB",
                CAPTURE_MAX_BYTES / 1024
            );
            let p = &self.position;
            self.run.ledger.log(&p.suite_group, &p.check, "warn", &note);
        }
        err
    }

    /// Moves the instance on to `check`, with a fresh log budget shared by
    /// all of the check's attempts.
    pub fn start_check(&mut self, check: &str) {
        self.position.check = check.to_owned();
        self.log_bytes = 0;
    }

    /// Starts an attempt at the current check, to end by `deadline`.
    pub fn start_attempt(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
        self.pending.end();
        self.arriving = None;
        self.reported = Earlier::default();
    }

    /// What a check that passed its deadline was doing: `while waiting for
    /// GET http://… (for 1000 ms)`; between two reads of a body that has not
    /// ended, `while the body of http://… was still arriving (3145728 bytes
    /// received; the plugin was between two reads)`; else `while running
    /// the plugin's own code`.
    pub fn doing(&self) -> String {
        match (&self.pending.0, &self.arriving) {
            (Some((what, since)), _) => format!(
                "while waiting for {what} (for {} ms)",
                since.elapsed().as_millis()
            ),
            (None, Some((url, received))) => format!(
                "while the body of {url} was still arriving ({received} bytes received; the \
                 plugin was between two reads)"
            ),
            (None, None) => "while running the plugin's own code".to_owned(),
        }
    }

    /// Sends a line to the run's log as the current check's, within the
    /// check's log budget ([`CheckLog::write`]).
    pub fn log(&mut self, level: &str, message: &str) {
        self.check_log().write(level, message);
    }

    /// The current check's log, for a capability's view.
    pub fn check_log(&mut self) -> CheckLog<'_> {
        CheckLog::new(&self.run.ledger, &self.position, &mut self.log_bytes)
    }
}

/// The host call the running check waits on, and since when.
#[derive(Debug, Default)]
pub struct Pending(Option<(String, Instant)>);

impl Pending {
    /// Notes that the check now waits on `what`; returns when it started.
    pub fn start(&mut self, what: String) -> Instant {
        let now = Instant::now();
        self.0 = Some((what, now));
        now
    }

    /// The call returned: the check waits on nothing.
    pub fn end(&mut self) {
        self.0 = None;
    }
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
