//! `plume:check/cleanup`: requests recorded now, run in reverse when the run ends.

use crate::bindings::cleanup::Host;
use crate::bindings::http::Request;
use crate::state::StoreState;

impl Host for StoreState {
    fn defer(&mut self, label: String, req: Request) -> wasmtime::Result<()> {
        let p = &self.position;
        self.run
            .cleanups
            .push(self.plugin.clone(), &p.group, &p.check, label, req);
        Ok(())
    }
}
