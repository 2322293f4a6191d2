//! One compiled plugin per content for a process that holds many suites
//! (`plume monitor`): suites whose plugins have the same SHA-256 share one
//! `Component` and one `InstancePre`, so the machine code is mapped and
//! paged in once, not once per suite.
//!
//! The key is the component's digest (a file's content, a built-in pack's
//! build-time digest), never its path: two paths to the same bytes share,
//! a changed file is a new entry. A pin (`sha256`) is checked on every
//! load, shared or not, exactly as [`Sandbox::load`] checks it. Entries
//! live as long as the [`Sandbox`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::Sandbox;
use super::bindings::PluginPre;
use super::state::StoreState;
use crate::error::PlumeError;

/// The plugins compiled so far, by digest.
#[derive(Default)]
pub struct SharedPlugins {
    by_digest: Mutex<HashMap<String, PluginPre<StoreState>>>,
}

impl SharedPlugins {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, PluginPre<StoreState>>> {
        self.by_digest.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many distinct plugins are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

impl Sandbox {
    /// [`Sandbox::load`], compiling and linking each distinct component
    /// once: a later load of the same bytes (any path) gets the same
    /// `InstancePre`. A pin that differs is refused as by `load`.
    pub fn load_shared(
        &self,
        name: &str,
        path: &Path,
        pin: Option<&str>,
    ) -> Result<PluginPre<StoreState>, PlumeError> {
        let digest = self.digest(name, path)?;
        if pin.is_some_and(|p| p != digest) {
            // `load` refuses it before compiling, with the message naming both digests.
            return self.load(name, path, pin);
        }
        // Held while compiling, so two suites loading at once compile it once.
        let mut held = self.shared.lock();
        if let Some(pre) = held.get(&digest) {
            return Ok(pre.clone());
        }
        let pre = self.load(name, path, pin)?;
        held.insert(digest, pre.clone());
        Ok(pre)
    }

    /// How many distinct compiled plugins [`Sandbox::load_shared`] holds.
    pub fn shared_plugins(&self) -> usize {
        self.shared.len()
    }
}
