//! `plume:check/cleanup`: requests recorded now, run in reverse when the run ends.
//!
//! Only a running check registers cleanups. `describe()` (which `plume list`
//! and `plume inspect` call too, and which is never followed by a cleanup
//! walk) and an instance's start-up are not checks: a cleanup registered
//! there is dropped with a warning, so a plugin that builds its checks
//! with a side effect sees it undone once per group that ran it, never
//! twice. Every cleanup counts against the plugin's `max-cleanups` and
//! `max-cleanup-kib`; past them the instance ends with the quota's line.

use crate::engine::bindings::cleanup::Host;
use crate::engine::bindings::http::Request as WitRequest;
use crate::engine::state::StoreState;
use crate::net::message::Request;

/// Bytes a deferred request holds on the host until the run ends.
fn size_of(label: &str, req: &Request) -> u64 {
    let headers: usize = req.headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    let body = req.body.as_ref().map_or(0, Vec::len);
    (label.len() + req.method.len() + req.url.len() + headers + body) as u64
}

impl Host for StoreState {
    fn defer(&mut self, label: String, req: WitRequest) -> wasmtime::Result<()> {
        let req = Request::from(req);
        if !self.in_check() {
            let note = format!(
                "cleanup {} registered outside a check (in describe() or at start-up) was dropped: register cleanups inside a check",
                crate::text::quoted(&label)
            );
            self.log("warn", &note);
            return Ok(());
        }
        self.budget
            .charge_cleanup(&self.run.limits, &label, size_of(&label, &req))?;
        let p = &self.position;
        self.run
            .cleanups
            .push(self.plugin.clone(), &p.group, &p.check, label, req);
        Ok(())
    }
}
