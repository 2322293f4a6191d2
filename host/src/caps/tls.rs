//! `plume:check/tls` (contract 0.1.1): the WIT's door to [`crate::net::tls`].
//!
//! Like an HTTP call, an inspection takes one of the plugin's connection
//! slots, runs under the plugin's allow-list, address policy and deadline,
//! and leaves a trace line.

use std::time::Duration;

use crate::engine::bindings::http::HttpError;
use crate::engine::bindings::tls::{Host, Peer};
use crate::engine::state::StoreState;
use crate::net::tls::inspect;

impl Host for StoreState {
    async fn inspect(
        &mut self,
        url: String,
        timeout_ms: Option<u32>,
    ) -> wasmtime::Result<Result<Peer, HttpError>> {
        let limit = timeout_ms
            .map(|ms| Duration::from_millis(u64::from(ms)))
            .unwrap_or(self.run.http.default_timeout);
        let plugin = self.plugin.clone();
        let start = self.waiting_on(format!("TLS {url}"));
        let cap = self.run.http.max_connections;
        let result = match self.net() {
            Err(e) => Err(e),
            Ok(net) => match net.slot(limit, cap).await {
                Err(e) => Err(e),
                Ok(_slot) => {
                    let roots = &plugin.tls_roots;
                    inspect(&url, limit, &plugin.allow, plugin.allow_private, roots).await
                }
            },
        };
        let shown = result
            .as_ref()
            .ok()
            .map(|peer| format!("{}, {} certificates", peer.version, peer.chain.len()));
        self.trace(&format!("TLS {url}"), start, &result, shown);
        Ok(result.map(Into::into).map_err(Into::into))
    }
}
