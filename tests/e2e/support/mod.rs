//! Fixtures the end-to-end tests share; no tests of their own.
//!
//! - [`browser`]: Plume's pages in headless chromium (puppeteer-core, axe-core);
//! - [`harness`]: runs the real `plume` binary on a suite file and reads its
//!   lines; fills each guest's `@placeholder@` from `plume_test_guests::ALL`;
//! - [`server`]: an HTTP server on 127.0.0.1 that records what it received;
//! - [`nginx`]: nginx serving document roots on loopback ports;
//! - [`oidc`]: oidc-provider authorization servers run by node;
//! - [`django_oauth`]: a Django OAuth Toolkit server run by the tools venv's python;
//! - [`prometheus`]: Prometheus and the Pushgateway from Debian's packages;
//! - [`monitor`]: `plume monitor` as a process on a free loopback port;
//! - [`http`]: a blocking GET for talking to those servers.
//! - [`outputs`]: every output of a run (each report format, `-v`, the
//!   monitor's endpoints) and the encodings of a value none may show;
//! - [`raw`]: raw HTTP/1.1 on a socket: stalled heads, held connections.
//! - [`registry`]: an OCI registry (docker-registry) and oras-py.
//! - [`s3`]: an S3-compatible store (moto's server) filled through boto3.
//! - [`peak_rss`]: a process's own peak RSS, measured from a small parent;
//! - [`tools`]: the Debian, PyPI and npm programs the tests run, installed on
//!   first use.
//! - [`hostile_registry`]: an OCI registry written to attack the puller.
//!
//! A guest mentioned only here counts as used by no test: the guests' build
//! script looks for them in the test modules (`tests/e2e/*.rs`) alone.

pub mod browser;
pub mod django_oauth;
pub mod harness;
pub mod hostile_registry;
pub mod http;
pub mod monitor;
pub mod nginx;
pub mod oidc;
pub mod outputs;
pub mod peak_rss;
pub mod prometheus;
pub mod raw;
pub mod registry;
pub mod s3;
pub mod server;
pub mod tools;
