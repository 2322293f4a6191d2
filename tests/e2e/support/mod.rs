//! Fixtures the end-to-end tests share; no tests of their own.
//!
//! - [`harness`]: runs the real `plume` binary on a suite file and reads its
//!   lines; fills each guest's `@placeholder@` from `plume_test_guests::ALL`;
//! - [`server`]: an HTTP server on 127.0.0.1 that records what it received;
//! - [`nginx`]: nginx serving document roots on loopback ports;
//! - [`oidc`]: oidc-provider authorization servers run by node;
//! - [`registry`]: an OCI registry (docker-registry) and oras-py.
//!
//! A guest mentioned only here counts as used by no test: the guests' build
//! script looks for them in the test modules (`tests/e2e/*.rs`) alone.

pub mod harness;
pub mod nginx;
pub mod oidc;
pub mod registry;
pub mod server;
