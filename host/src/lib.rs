//! Plume: post-deploy smoke checks run by WebAssembly component plugins.
//!
//! The library holds everything the `plume` binary does, so the end-to-end
//! tests and other front ends drive the same code:
//!
//! - [`suite`] reads and validates `plume.toml`, [`interpolate`] resolves its `${...}` values;
//! - [`limits`] holds every bound of a run in one value; [`engine`] compiles each plugin once and
//!   instantiates it per group under its [`limiter`]; [`budget`] counts what each plugin takes
//!   from the host across its instances;
//! - [`caps`] holds one module per host capability of the WIT contract;
//! - [`egress`] decides which hosts a plugin may reach;
//! - [`plan`] turns plugins' descriptions into the groups to run, [`runner`] runs them
//!   concurrently under the per-check timeout and the run ceiling, [`cleanup`] walks the
//!   deferred requests in reverse at the end;
//! - [`ledger`] records every check's outcome exactly once and feeds [`output`], which
//!   prints one line per check as it lands; [`redact`] keeps secrets out of both, and
//!   [`text`] keeps what a plugin wrote to one safe, bounded line;
//! - [`matchers`] is the assertion vocabulary of `plume:check/assert`.
//!
//! Everything that runs plugins sits behind the default `runtime` feature; without
//! it the library is the pure input-handling part, which `host/fuzz` fuzzes.

#[cfg(feature = "runtime")]
pub mod bindings;
#[cfg(feature = "runtime")]
pub mod budget;
#[cfg(feature = "runtime")]
pub mod cache;
#[cfg(feature = "runtime")]
pub mod caps;
#[cfg(feature = "runtime")]
pub mod cleanup;
pub mod egress;
#[cfg(feature = "runtime")]
pub mod engine;
pub mod error;
pub mod interpolate;
#[cfg(feature = "runtime")]
pub mod ledger;
#[cfg(feature = "runtime")]
pub mod limiter;
pub mod limits;
pub mod matchers;
#[cfg(feature = "runtime")]
pub mod output;
#[cfg(feature = "runtime")]
pub mod plan;
#[cfg(feature = "runtime")]
pub mod preflight;
#[cfg(feature = "runtime")]
pub mod prepare;
pub mod redact;
#[cfg(feature = "runtime")]
pub mod reports;
#[cfg(feature = "runtime")]
pub mod runner;
#[cfg(feature = "runtime")]
pub mod scaffold;
#[cfg(feature = "runtime")]
pub mod state;
pub mod suite;
pub mod text;

pub use error::PlumeError;
