//! End-to-end tests: the real `plume` binary, guest components built from
//! source (`plume-test-guests`), and a real HTTP server on 127.0.0.1.
//!
//! Each module below but `support` is a set of tests; `support` holds the
//! fixtures they share (the harness that runs `plume`, the loopback server,
//! nginx, oidc-provider). Every guest in `plume_test_guests::ALL` must be used
//! by a test here or by a benchmark: the guests' build script refuses one
//! that is not.

mod attempts;
mod bad_input;
mod builtin;
mod cache;
mod demo;
mod docs;
mod egress;
mod faulty;
mod first_run;
mod forgery;
mod html_report;
mod init;
mod isolation;
mod kubernetes;
mod limits;
mod masking;
mod masking_packs;
mod monitor;
mod monitor_browser;
mod monitor_listener;
mod monitor_shared;
mod monitor_shutdown;
mod obtained;
mod oci;
mod oci_hostile;
mod outcomes;
mod pack_http;
mod pack_http_next;
mod pack_oauth;
mod pack_oauth_dot;
mod pack_oauth_next;
mod pack_release;
mod pack_release_s3;
mod pack_tls;
mod pinning;
mod plugin_attempts;
mod polyglot;
mod push_gateway;
mod redaction;
mod release;
mod reports;
mod retries;
mod safe_text;
mod scaffold;
mod schema;
mod shard;
mod status_page;
mod support;
mod tls;
