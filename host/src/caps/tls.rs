//! `plume:check/tls` (contract 0.1.1): the WIT's door to [`crate::net::tls`].
//!
//! Like an HTTP call, an inspection takes one of the plugin's connection
//! slots, runs under the plugin's allow-list, address policy and deadline,
//! and leaves a trace line. [`TlsView`] is all it reaches of the Store.

use std::time::Duration;

use wasmtime::component::HasData;

use crate::engine::bindings::http::HttpError;
use crate::engine::bindings::tls::{Host, Peer};
use crate::engine::check_log::CheckLog;
use crate::engine::state::StoreState;
use crate::net::tls::inspect;

use super::{Calls, Egress};

/// What `plume:check/tls` reaches: the plugin's egress, and the call the
/// check waits on with its trace line.
pub struct TlsView<'a> {
    pub egress: Egress<'a>,
    pub calls: Calls<'a>,
}

/// Names [`TlsView`] for the linker.
pub struct Tls;

impl HasData for Tls {
    type Data<'a> = TlsView<'a>;
}

/// The TLS capability's view of `state`.
pub fn view(state: &mut StoreState) -> TlsView<'_> {
    let StoreState {
        run,
        plugin,
        position,
        pending,
        log_bytes,
        ..
    } = state;
    TlsView {
        egress: Egress::of(run, plugin),
        calls: Calls {
            pending,
            log: CheckLog::new(&run.ledger, position, log_bytes),
        },
    }
}

impl Host for TlsView<'_> {
    async fn inspect(
        &mut self,
        url: String,
        timeout_ms: Option<u32>,
    ) -> wasmtime::Result<Result<Peer, HttpError>> {
        let Egress {
            settings,
            allow,
            allow_private,
            tls_roots,
            ..
        } = self.egress;
        let limit = timeout_ms
            .map(|ms| Duration::from_millis(u64::from(ms)))
            .unwrap_or(settings.default_timeout);
        let start = self.calls.waiting_on(format!("TLS {url}"));
        let cap = settings.max_connections;
        let result = match self.egress.net() {
            Err(e) => Err(e),
            Ok(net) => match net.slot(limit, cap).await {
                Err(e) => Err(e),
                Ok(_slot) => inspect(&url, limit, allow, allow_private, tls_roots).await,
            },
        };
        let shown = result
            .as_ref()
            .ok()
            .map(|peer| format!("{}, {} certificates", peer.version, peer.chain.len()));
        self.calls
            .trace(&format!("TLS {url}"), start, &result, shown);
        Ok(result.map(Into::into).map_err(Into::into))
    }
}
