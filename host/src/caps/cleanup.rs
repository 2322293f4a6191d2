//! `plume:check/cleanup`: requests recorded now, run in reverse when the run ends.
//!
//! Only a running check registers cleanups. `describe()` (which `plume list`
//! and `plume inspect` call too, and which is never followed by a cleanup
//! walk) and an instance's start-up are not checks: a cleanup registered
//! there is dropped with a warning, so a plugin that builds its checks
//! with a side effect sees it undone once per group that ran it, never
//! twice. Every cleanup counts against the plugin's `max-cleanups` and
//! `max-cleanup-kib`; past them the instance ends with the quota's line.
//! [`CleanupView`] is all it reaches of the Store.

use std::sync::Arc;

use wasmtime::component::HasData;

use crate::engine::bindings::cleanup::Host;
use crate::engine::bindings::http::Request as WitRequest;
use crate::engine::check_log::CheckLog;
use crate::engine::state::StoreState;
use crate::limits::Limits;
use crate::net::message::Request;
use crate::record::budget::PluginBudget;
use crate::record::cleanups::CleanupRegistry;
use crate::suite::PluginEntry;

/// Bytes a deferred request holds on the host until the run ends.
fn size_of(label: &str, req: &Request) -> u64 {
    let headers: usize = req.headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    let body = req.body.as_ref().map_or(0, Vec::len);
    (label.len() + req.method.len() + req.url.len() + headers + body) as u64
}

/// What `plume:check/cleanup` reaches: the run's cleanup registry, the
/// plugin (whose client and allow-list run its cleanups at the end), the
/// run's limits and the plugin's budget a cleanup is charged to, and the
/// check's log (its position says which check registers, if any).
pub struct CleanupView<'a> {
    pub cleanups: &'a CleanupRegistry,
    pub plugin: &'a Arc<PluginEntry>,
    pub limits: &'a Limits,
    pub budget: &'a PluginBudget,
    pub log: CheckLog<'a>,
}

/// Names [`CleanupView`] for the linker.
pub struct Cleanup;

impl HasData for Cleanup {
    type Data<'a> = CleanupView<'a>;
}

/// The cleanup capability's view of `state`.
pub fn view(state: &mut StoreState) -> CleanupView<'_> {
    let StoreState {
        run,
        plugin,
        budget,
        position,
        log_bytes,
        ..
    } = state;
    CleanupView {
        cleanups: &run.cleanups,
        plugin,
        limits: &run.limits,
        budget,
        log: CheckLog::new(&run.ledger, position, log_bytes),
    }
}

impl Host for CleanupView<'_> {
    fn defer(&mut self, label: String, req: WitRequest) -> wasmtime::Result<()> {
        let req = Request::from(req);
        let p = self.log.position;
        if !p.in_check() {
            let note = format!(
                "cleanup {} registered outside a check (in describe() or at start-up) was dropped: register cleanups inside a check",
                crate::text::quoted(&label)
            );
            self.log.write("warn", &note);
            return Ok(());
        }
        self.budget
            .charge_cleanup(self.limits, &label, size_of(&label, &req))?;
        self.cleanups
            .push(self.plugin.clone(), &p.group, &p.check, label, req);
        Ok(())
    }
}
