//! End-to-end tests: the real `plume` binary, guest components built from
//! source (`plume-test-guests`), and a real HTTP server on 127.0.0.1.

mod bad_input;
mod cache;
mod demo;
mod egress;
mod faulty;
mod forgery;
mod harness;
mod isolation;
mod limits;
mod nginx;
mod oidc;
mod outcomes;
mod pack_http;
mod pack_http_next;
mod pack_oauth;
mod pack_oauth_next;
mod pack_release;
mod pack_tls;
mod pinning;
mod polyglot;
mod reports;
mod scaffold;
mod server;
mod tls;
