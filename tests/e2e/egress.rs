//! Egress policy: names are resolved once and loopback, private and metadata
//! addresses are dropped unless the plugin allows them; redirect hops are
//! checked like requests; a denial says which rule, and nothing is sent.

use crate::harness::{run, suite};
use crate::server::TestServer;

fn denied_suite(server: &TestServer, allow_private: bool) -> crate::harness::SuiteFile {
    let port = server.addr.port();
    let toml = format!(
        r#"
[plugins.basic]
path = "@basic@"
allow-private = {allow_private}
allow-hosts = ["@url@", "http://localhost:{port}"]
config = {{ base_url = "@url@", denied_url = "http://localhost:{port}/forbidden" }}
"#
    );
    suite(&toml, &server.url())
}

#[test]
fn a_name_that_resolves_to_loopback_is_denied_unless_private_is_allowed() {
    let server = TestServer::start();
    let r = run(&denied_suite(&server, false).path, &["--only", "denied"]);
    r.expect(
        "denied.outside",
        "ok",
        "denied: localhost resolves only to blocked addresses (",
    );
    assert!(
        r.line("denied.outside").contains("127.0.0.1: loopback"),
        "{}",
        r.stdout
    );
    assert!(
        server.requests_to("/forbidden").is_empty(),
        "{:?}",
        server.log()
    );

    let r = run(&denied_suite(&server, true).path, &["--only", "denied"]);
    r.expect("denied.outside", "err", "the request went through");
    assert_eq!(
        server.requests_to("/forbidden").len(),
        1,
        "allow-private lets it through"
    );
}

#[test]
fn every_redirect_hop_is_checked_against_the_policy() {
    let server = TestServer::start();
    let r = run(&denied_suite(&server, false).path, &["--only", "redirect"]);
    r.expect(
        "redirect.out",
        "ok",
        "redirect hop denied: localhost resolves only to blocked addresses",
    );
    assert_eq!(
        server.requests_to("/redirect").len(),
        1,
        "the first hop was allowed"
    );
    assert!(
        server.requests_to("/forbidden").is_empty(),
        "the denied hop was never sent"
    );
}

#[test]
fn the_metadata_address_is_denied_and_denials_are_counted() {
    let server = TestServer::start();
    let toml = r#"
[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = { base_url = "@url@", denied_url = "http://169.254.169.254/latest/meta-data/" }
"#;
    let r = run(&suite(toml, &server.url()).path, &["--only", "denied"]);
    r.expect(
        "denied.outside",
        "ok",
        "denied: http://169.254.169.254:80 is not in allow-hosts",
    );
    assert!(
        r.stdout.contains("; 1 request(s) denied by allow-hosts"),
        "{}",
        r.stdout
    );
}

#[test]
fn body_caps_come_from_the_suite() {
    let server = TestServer::start();
    let toml = r#"
max-body-mib = 1
max-digest-mib = 1
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;
    let r = run(&suite(toml, &server.url()).path, &["--only", "caps"]);
    r.expect(
        "caps.big_send",
        "ok",
        "too-large: body over the 1048576-byte cap (Content-Length 3145728)",
    );
    r.expect(
        "caps.big_digest",
        "err",
        "too-large: body over the 1048576-byte cap",
    );
}

#[test]
fn a_plugin_cannot_hold_more_connections_than_its_cap() {
    let server = TestServer::start();
    let toml = r#"
max-connections = 4
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;
    let r = run(&suite(toml, &server.url()).path, &["--only", "streams"]);
    r.expect(
        "streams.hold",
        "err",
        "opened 4 streams; the next: timeout: all 4 connections of this plugin stayed busy for 500 ms (max-connections)",
    );
    assert_eq!(
        server.requests_to("/sse").len(),
        4,
        "the fifth request was never sent"
    );
}
