//! What a plugin instance's host functions can reach: the data of its Store.
//!
//! Every group gets a fresh Store holding a [`StoreState`]: its WASI context
//! (no files, no environment, no sockets; stdout and stderr captured), its
//! instance limiter, its check's deadline, its plugin's budget, and handles
//! to what the run shares between groups.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::budget::{Budgets, PluginBudget};
use crate::cleanup::CleanupRegistry;
use crate::ledger::Ledger;
use crate::limiter::InstanceLimiter;
use crate::limits::Limits;
use crate::suite::PluginEntry;

/// How much a plugin may print to stdout and stderr per group.
const CAPTURE_BYTES: usize = 1024 * 1024;
/// How many bytes of log lines (its own, its prints, request traces) one check may emit.
pub const LOG_BUDGET: usize = 256 * 1024;

/// Host HTTP settings shared by every plugin of a run.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Used when a request names no timeout.
    pub default_timeout: Duration,
    /// Largest body `send` will read.
    pub max_body: usize,
    /// Largest body `fetch-digest` will hash.
    pub max_digest_body: u64,
    /// Requests (and open streams) one plugin may have in flight at once.
    pub max_connections: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            default_timeout: Duration::from_secs(10),
            max_body: 16 * 1024 * 1024,
            max_digest_body: 4 * 1024 * 1024 * 1024,
            max_connections: 16,
        }
    }
}

/// Values published by groups, keyed by (plugin, group).
#[derive(Debug, Default)]
pub struct Published(Mutex<HashMap<(String, String), BTreeMap<String, String>>>);

impl Published {
    pub fn set(&self, plugin: &str, group: &str, key: &str, value: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((plugin.to_owned(), group.to_owned()))
            .or_default()
            .insert(key.to_owned(), value.to_owned());
    }

    pub fn get(&self, plugin: &str, group: &str, key: &str) -> Option<String> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(plugin.to_owned(), group.to_owned()))
            .and_then(|values| values.get(key).cloned())
    }
}

/// One plugin's way out: its client, resolving names under its policy, and
/// the slots that cap how many of its requests are in flight at once.
#[derive(Clone)]
pub struct PluginNet {
    pub client: reqwest::Client,
    pub slots: Arc<tokio::sync::Semaphore>,
}

/// Every plugin's [`PluginNet`], made on first use.
#[derive(Default)]
pub struct Clients(Mutex<HashMap<String, PluginNet>>);

impl Clients {
    /// The network of `plugin`, made on first use with `max_connections` slots.
    pub fn for_plugin(
        &self,
        plugin: &PluginEntry,
        max_connections: usize,
    ) -> Result<PluginNet, String> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(net) = map.get(&plugin.name) {
            return Ok(net.clone());
        }
        let resolver = crate::egress::PolicyResolver {
            allow_private: plugin.allow_private,
        };
        let mut roots = Vec::new();
        for pem in &plugin.tls_roots {
            roots.extend(reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())?);
        }
        // Never fall back to a default client: it would follow redirects and
        // resolve names outside the egress policy.
        let client = crate::prepare::client_builder()
            .dns_resolver(Arc::new(resolver))
            .tls_certs_merge(roots)
            .build()
            .map_err(|e| format!("cannot build the plugin's HTTP client: {e}"))?;
        let net = PluginNet {
            client,
            slots: Arc::new(tokio::sync::Semaphore::new(max_connections.max(1))),
        };
        map.insert(plugin.name.clone(), net.clone());
        Ok(net)
    }
}

/// What every group of a run shares.
pub struct RunShared {
    /// For the host's own requests (preflight); plugins use [`Clients`].
    pub client: reqwest::Client,
    pub clients: Clients,
    pub http: HttpSettings,
    pub limits: Limits,
    /// What each plugin has taken from the host so far.
    pub budgets: Budgets,
    pub ledger: Arc<Ledger>,
    pub cleanups: CleanupRegistry,
    pub published: Published,
}

/// Where in the run an instance is.
#[derive(Debug, Clone)]
pub struct Position {
    pub group: String,
    /// The check running now; empty during instantiation and `describe`.
    pub check: String,
    /// Groups this one depends on, directly or transitively: the ones it may read values from.
    pub upstream: Arc<HashSet<String>>,
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
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    stdout_seen: usize,
    stderr_seen: usize,
    log_bytes: usize,
}

impl StoreState {
    pub fn new(run: Arc<RunShared>, plugin: Arc<PluginEntry>, position: Position) -> Self {
        let stdout = MemoryOutputPipe::new(CAPTURE_BYTES);
        let stderr = MemoryOutputPipe::new(CAPTURE_BYTES);
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
            stdout,
            stderr,
            stdout_seen: 0,
            stderr_seen: 0,
            log_bytes: 0,
        }
    }

    /// What the guest printed since the last call, stdout then stderr.
    pub fn take_output(&mut self) -> (String, String) {
        let out = take_new(&self.stdout, &mut self.stdout_seen);
        let err = take_new(&self.stderr, &mut self.stderr_seen);
        (out, err)
    }

    /// Moves the instance on to `check`, with a fresh log budget, to end by `deadline`.
    pub fn start_check(&mut self, check: &str, deadline: Instant) {
        self.position.check = check.to_owned();
        self.log_bytes = 0;
        self.deadline = Some(deadline);
    }

    /// Whether the instance is running a check (not `describe` or its start-up).
    pub fn in_check(&self) -> bool {
        !self.position.check.is_empty()
    }

    /// Sends a line to the run's log as the current check's, within the
    /// check's log budget: past it, one line says so and the rest is dropped,
    /// so a plugin flooding its log cannot flood the terminal or a report.
    pub fn log(&mut self, level: &str, message: &str) {
        if message.is_empty() || self.log_bytes > LOG_BUDGET {
            return;
        }
        self.log_bytes += message.len();
        let p = &self.position;
        if self.log_bytes > LOG_BUDGET {
            let note = format!(
                "log output past {} KiB for this check dropped",
                LOG_BUDGET / 1024
            );
            self.run.ledger.log(&p.group, &p.check, "warn", &note);
            return;
        }
        self.run.ledger.log(&p.group, &p.check, level, message);
    }
}

fn take_new(pipe: &MemoryOutputPipe, seen: &mut usize) -> String {
    let all = pipe.contents();
    let new = all.get(*seen..).unwrap_or_default();
    *seen = all.len();
    String::from_utf8_lossy(new).into_owned()
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
