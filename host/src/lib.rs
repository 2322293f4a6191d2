//! Plume: post-deploy smoke checks run by WebAssembly component plugins.
//!
//! The library holds everything the `plume` binary (`bin/plume`) does, so the
//! end-to-end tests and other front ends drive the same code. From the bottom
//! up, each layer using only those below it:
//!
//! - the pure input handling: [`suite`] (the suite file and its `${...}`
//!   values), [`limits`] (every bound of a run in one value), [`matchers`]
//!   (the assertion vocabulary), [`redact`] and [`text`] (secrets out, one
//!   safe bounded line), [`console`] (every line Plume prints itself),
//!   [`error`]; and [`net::policy`] (which hosts and
//!   addresses a plugin may reach);
//! - [`net`]: a plugin's way out — its client, its connection slots, one
//!   exchange with a server;
//! - [`events`]: what a run tells its outputs — the events, the sinks that
//!   take them, the results they carry and their JSON form, written and read
//!   back as one type;
//! - [`record`]: what a run keeps — the ledger of outcomes, the cleanups
//!   registered, published values, what each plugin took from the host;
//! - [`reports`]: where the ledger's events go — the terminal, JSON, JUnit,
//!   TAP, GitHub, HTML;
//! - [`engine`]: the wasm sandbox — compile once, a fresh limited store per
//!   group, the generated bindings and the data of a store;
//! - [`caps`]: one module per WIT interface, thin adapters to the layers below;
//! - [`run`]: loading and planning, scheduling groups under the timeouts and
//!   the ceiling, the cleanup walk, the preflight;
//! - [`monitor`]: `plume monitor` (suites on a schedule and on demand,
//!   served to Prometheus) and the push of a run to a Pushgateway;
//! - [`packs`]: the check packs built into the binary (`plume:http`);
//! - [`scaffold`]: `plume new`, and [`scaffold::init`]: `plume init URL`;
//! - [`oci`]: plugins pulled from OCI registries into a verified store.
//!
//! Everything that runs plugins sits behind the default `runtime` feature;
//! without it the library is the pure input-handling part, which `host/fuzz`
//! fuzzes.
//!
//! Nothing here prints with `println!`/`eprintln!` (denied below): what
//! Plume shows outside the reports goes through [`console`], which masks
//! every secret and makes each line safe.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "runtime")]
pub mod caps;
pub mod console;
#[cfg(feature = "runtime")]
pub mod engine;
pub mod error;
#[cfg(feature = "runtime")]
pub mod events;
pub mod limits;
pub mod matchers;
#[cfg(feature = "runtime")]
pub mod monitor;
pub mod net;
#[cfg(feature = "runtime")]
pub mod oci;
#[cfg(feature = "runtime")]
pub mod packs;
#[cfg(feature = "runtime")]
pub mod record;
pub mod redact;
#[cfg(feature = "runtime")]
pub mod reports;
#[cfg(feature = "runtime")]
pub mod run;
#[cfg(feature = "runtime")]
pub mod scaffold;
pub mod suite;
pub mod text;

pub use error::PlumeError;
