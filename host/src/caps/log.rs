//! `plume:check/log`: a plugin's own lines, and unique markers.

use rand::RngCore;

use crate::engine::bindings::log::{Host, Level};
use crate::engine::state::StoreState;

/// A fresh `PLUME-MARKER-<32 hex digits>`.
pub fn new_marker() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("PLUME-MARKER-{}", hex::encode(bytes))
}

impl Host for StoreState {
    fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
        };
        self.log(level, &message);
        Ok(())
    }

    fn marker(&mut self) -> wasmtime::Result<String> {
        Ok(new_marker())
    }
}
