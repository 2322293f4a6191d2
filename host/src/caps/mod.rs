//! The host side of each WIT interface, one module per capability.
//!
//! Each module implements the generated `Host` trait of its interface for
//! [`StoreState`], as a thin adapter from
//! the contract's types to the layers below (converted at this edge, in
//! `convert.rs`, so nothing below imports the generated bindings): [`crate::net`] for HTTP and TLS,
//! [`crate::record`] for published values and cleanups, [`crate::matchers`]
//! for assertions. The engine's linker finds them through the bindings'
//! traits. Every call is counted against the calling plugin's limits.

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

use crate::engine::state::StoreState;
use crate::net::clients::PluginNet;
use crate::net::exchange::describe_error;
use crate::net::message::HttpError;

/// The `types` interface has no functions; the trait is empty.
impl crate::engine::bindings::types::Host for StoreState {}

impl StoreState {
    /// This plugin's client and connection slots.
    pub(crate) fn net(&self) -> Result<PluginNet, HttpError> {
        self.run
            .clients
            .for_plugin(&self.plugin, self.run.http.max_connections)
            .map_err(HttpError::Invalid)
    }

    /// Notes the host call the check now waits on, for its line if the
    /// check times out there; returns when it started.
    pub(crate) fn waiting_on(&mut self, what: String) -> Instant {
        let now = Instant::now();
        self.pending = Some((what, now));
        now
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
        self.pending = None;
        let took = start.elapsed().as_millis();
        if let Err(HttpError::Denied(_)) = result {
            self.run.ledger.denied();
        }
        if !self.run.ledger.wants_logs() {
            return;
        }
        let line = match (result, shown) {
            (Ok(_), Some(s)) => format!("{what} -> {s} in {took} ms"),
            (Ok(_), None) => format!("{what} in {took} ms"),
            (Err(e), _) => format!("{what} -> {} after {took} ms", describe_error(e)),
        };
        self.log("trace", &line);
    }
}
