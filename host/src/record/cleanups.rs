//! The cleanups registered in a run, in registration order, until the walk
//! at the end takes them ([`crate::run::cleanup`]).

use std::sync::{Arc, Mutex};

use crate::net::message::Request;
use crate::suite::PluginEntry;

/// One recorded request.
pub struct Deferred {
    pub plugin: Arc<PluginEntry>,
    pub group: String,
    pub check: String,
    pub label: String,
    pub request: Request,
}

/// Every cleanup registered in a run, in registration order.
#[derive(Default)]
pub struct CleanupRegistry(Mutex<Vec<Deferred>>);

impl CleanupRegistry {
    pub fn push(
        &self,
        plugin: Arc<PluginEntry>,
        group: &str,
        check: &str,
        label: String,
        request: Request,
    ) {
        let mut list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        list.push(Deferred {
            plugin,
            group: group.to_owned(),
            check: check.to_owned(),
            label,
            request,
        });
    }

    /// Every cleanup registered so far, leaving none behind.
    pub fn take(&self) -> Vec<Deferred> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
