//! Plume: post-deploy smoke checks run by WebAssembly component plugins.
//!
//! The library holds everything the `plume` binary does, so the end-to-end
//! tests and other front ends drive the same code:
//!
//! - [`suite`] reads and validates `plume.toml`, [`interpolate`] resolves its `${...}` values;
//! - [`engine`] compiles each plugin once and instantiates it per group, [`limits`] bounds its memory;
//! - [`caps`] holds one module per host capability of the WIT contract;
//! - [`egress`] decides which hosts a plugin may reach;
//! - [`plan`] turns plugins' descriptions into the groups to run, [`runner`] runs them
//!   concurrently under the per-check timeout and the run ceiling, [`cleanup`] walks the
//!   deferred requests in reverse at the end;
//! - [`ledger`] records every check's outcome exactly once and feeds [`output`], which
//!   prints one line per check as it lands; [`redact`] keeps secrets out of both.

pub mod bindings;
pub mod cache;
pub mod caps;
pub mod cleanup;
pub mod egress;
pub mod engine;
pub mod error;
pub mod interpolate;
pub mod ledger;
pub mod limits;
pub mod output;
pub mod plan;
pub mod preflight;
pub mod prepare;
pub mod redact;
pub mod reports;
pub mod runner;
pub mod scaffold;
pub mod state;
pub mod suite;

pub use error::PlumeError;
