//! The host side of each WIT interface, one module per capability.
//!
//! No capability works on the whole of the Store's data
//! ([`StoreState`](crate::engine::state::StoreState)): each module declares a view that borrows only the
//! fields it needs — what the capability can touch is written in its view's
//! fields — and implements the generated `Host` trait of its interface on
//! that view. A `HasData` marker per module names the view for the linker,
//! which [`crate::engine::bindings::add_capabilities`] wires with each
//! module's `view` as the getter, as wasmtime's `wasi-http` does with its
//! `WasiHttpCtxView`.
//!
//! Each module is a thin adapter from the contract's types to the layers
//! below (converted at this edge, in `convert.rs`, so nothing below imports
//! the generated bindings): [`crate::net`] for HTTP and TLS,
//! [`crate::record`] for published values and cleanups, [`crate::matchers`]
//! for assertions. Every call is counted against the calling plugin's limits.

pub mod assert;
pub mod cleanup;
pub mod clock;
pub mod config;
mod convert;
pub mod digest;
pub mod http;
pub mod log;
pub mod offload;
pub mod tls;

use std::time::Instant;

use wasmtime::component::HasData;

use crate::engine::bindings;
use crate::engine::check_log::CheckLog;
use crate::engine::state::Pending;
use crate::net::clients::{Clients, HttpSettings, PluginNet};
use crate::net::exchange::describe_error;
use crate::net::message::HttpError;
use crate::net::policy::AllowList;
use crate::record::RunShared;
use crate::suite::PluginEntry;

/// The `types` interface has no functions: its view reaches nothing.
pub struct NoAccess;

/// The view of the `types` interface.
pub fn no_access(_: &mut crate::engine::state::StoreState) -> NoAccess {
    NoAccess
}

/// Names [`NoAccess`] as the view of the `types` interface.
pub struct Types;

impl HasData for Types {
    type Data<'a> = NoAccess;
}

impl bindings::types::Host for NoAccess {}

/// What a network capability reaches the network through: the run's
/// per-plugin clients, the run's HTTP settings, and of the plugin's entry
/// only what bounds where it may go: its name (which keys its client), its
/// allow-list, its address policy and its trusted roots. Not its config,
/// not its secrets.
pub struct Egress<'a> {
    pub clients: &'a Clients,
    pub settings: &'a HttpSettings,
    pub name: &'a str,
    pub allow: &'a AllowList,
    pub allow_private: bool,
    pub tls_roots: &'a [Vec<u8>],
}

impl<'a> Egress<'a> {
    /// The egress of `plugin` in the run `run`.
    pub fn of(run: &'a RunShared, plugin: &'a PluginEntry) -> Self {
        Egress {
            clients: &run.clients,
            settings: &run.http,
            name: &plugin.name,
            allow: &plugin.allow,
            allow_private: plugin.allow_private,
            tls_roots: &plugin.tls_roots,
        }
    }

    /// This plugin's client and connection slots.
    pub(crate) fn net(&self) -> Result<PluginNet, HttpError> {
        self.clients
            .for_plugin(
                self.name,
                self.allow_private,
                self.tls_roots,
                self.settings.max_connections,
            )
            .map_err(HttpError::Invalid)
    }
}

/// What a capability that waits on the network leaves behind: the call the
/// check waits on (for a timeout's line) and a trace line in the check's log.
pub struct Calls<'a> {
    pub pending: &'a mut Pending,
    pub log: CheckLog<'a>,
}

impl Calls<'_> {
    /// Notes the host call the check now waits on, for its line if the
    /// check times out there; returns when it started.
    pub(crate) fn waiting_on(&mut self, what: String) -> Instant {
        self.pending.start(what)
    }

    /// The trace line of one exchange (`GET http://… -> 200 in 3 ms`,
    /// `TLS https://… -> kind: message after 3 ms`), shown with `-v`; a
    /// denial is counted for the summary.
    pub(crate) fn trace<T>(
        &mut self,
        what: &str,
        start: Instant,
        result: &Result<T, HttpError>,
        shown: Option<String>,
    ) {
        self.pending.end();
        let took = start.elapsed().as_millis();
        if let Err(HttpError::Denied(_)) = result {
            self.log.ledger.denied();
        }
        if !self.log.ledger.wants_logs() {
            return;
        }
        let line = match (result, shown) {
            (Ok(_), Some(s)) => format!("{what} -> {s} in {took} ms"),
            (Ok(_), None) => format!("{what} in {took} ms"),
            (Err(e), _) => format!("{what} -> {} after {took} ms", describe_error(e)),
        };
        self.log.write("trace", &line);
    }
}
