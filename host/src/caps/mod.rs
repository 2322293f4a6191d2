//! The host side of each WIT interface, one module per capability.
//!
//! Each module implements the generated `Host` trait of its interface for
//! [`StoreState`](crate::state::StoreState); [`add_to_linker`] wires them all,
//! with WASI, into one linker.

pub mod assert;
pub mod cleanup;
pub mod clock;
pub mod config;
pub mod digest;
pub mod http;
pub mod log;
pub mod offload;
pub mod tls;

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::Plugin;
use crate::state::StoreState;

/// The `types` interface has no functions; the trait is empty.
impl crate::bindings::types::Host for StoreState {}

/// Adds WASI and every Plume capability to `linker`.
pub fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    Plugin::add_to_linker::<StoreState, HasSelf<StoreState>>(linker, |s| s)?;
    Ok(())
}
