//! End-to-end tests: the real `plume` binary, guest components built from
//! source (`plume-test-guests`), and a real HTTP server on 127.0.0.1.
//!
//! Each module below but `support` is a set of tests; `support` holds the
//! fixtures they share (the harness that runs `plume`, the loopback server,
//! nginx, oidc-provider). Every guest in `plume_test_guests::ALL` must be used
//! by a test here or by a benchmark: the guests' build script refuses one
//! that is not.

mod bad_input;
mod cache;
mod demo;
mod egress;
mod faulty;
mod forgery;
mod html_report;
mod isolation;
mod kubernetes;
mod limits;
mod monitor;
mod oci;
mod outcomes;
mod pack_http;
mod pack_http_next;
mod pack_oauth;
mod pack_oauth_next;
mod pack_release;
mod pack_tls;
mod pinning;
mod polyglot;
mod push_gateway;
mod release;
mod reports;
mod retries;
mod scaffold;
mod schema;
mod shard;
mod status_page;
mod support;
mod tls;
