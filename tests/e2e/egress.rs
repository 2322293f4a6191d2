//! Egress policy: names are resolved once and loopback, private and metadata
//! addresses are dropped unless the plugin allows them; redirect hops are
//! checked like requests; a denial says which rule, and nothing is sent; a
//! proxy in the environment is ignored, so it cannot carry a request past the
//! policy.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::harness::{Run, plume_command, run, suite};
use crate::support::server::TestServer;

fn denied_suite(server: &TestServer, allow_private: bool) -> crate::support::harness::SuiteFile {
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

/// A stand-in for a proxy on 127.0.0.1: it counts the connections it gets
/// and answers each with a 200 of its own, so a request that went through
/// it would look like a success.
struct FakeProxy {
    addr: SocketAddr,
    seen: Arc<AtomicUsize>,
}

impl FakeProxy {
    fn start() -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = stream.read(&mut [0u8; 4096]);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\nfrom proxy",
                );
            }
        });
        FakeProxy { addr, seen }
    }

    fn connections(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

/// Runs the `probe` group of `suite` with every proxy variable pointing at
/// `proxy` (and nothing exempted from it).
fn run_behind(proxy: &FakeProxy, suite: &Path) -> Run {
    let url = format!("http://{}", proxy.addr);
    let mut cmd = plume_command();
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env(var, &url);
    }
    // NO_PROXY would exempt hosts; REQUEST_METHOD makes reqwest skip HTTP_PROXY (CGI).
    for var in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
        cmd.env_remove(var);
    }
    let suite = suite.to_str().expect("utf-8 path");
    let out = cmd
        .args(["run", suite, "--only", "probe"])
        .output()
        .expect("run plume");
    Run::from_output(out)
}

/// The hostile guest fetching `probe_url`, with a preflight on the server.
fn probe_suite(
    server: &TestServer,
    allow_private: bool,
    probe_url: &str,
) -> crate::support::harness::SuiteFile {
    let port = server.addr.port();
    let toml = format!(
        r#"
check-timeout = "5s"
preflight = ["@url@/status/204"]
[plugins.hostile]
path = "@hostile@"
allow-private = {allow_private}
allow-hosts = ["@url@", "http://localhost:{port}"]
config = {{ base_url = "@url@", probe_url = "{probe_url}" }}
"#
    );
    suite(&toml, &server.url())
}

#[test]
fn a_proxy_in_the_environment_cannot_carry_a_denied_name() {
    let server = TestServer::start();
    let proxy = FakeProxy::start();
    let url = format!("http://localhost:{}/ok", server.addr.port());
    let r = run_behind(&proxy, &probe_suite(&server, false, &url).path);
    r.expect(
        "probe.fetch",
        "err",
        "denied: localhost resolves only to blocked addresses (",
    );
    assert!(
        r.line("probe.fetch").contains("127.0.0.1: loopback"),
        "{}",
        r.stdout
    );
    assert_eq!(proxy.connections(), 0, "the proxy was used: {}", r.stdout);
    assert!(server.requests_to("/ok").is_empty(), "{:?}", server.log());
    assert_eq!(
        server.requests_to("/status/204").len(),
        1,
        "the preflight went to the server directly: {:?}",
        server.log()
    );
}

#[test]
fn allowed_requests_go_to_the_server_directly_not_through_a_proxy() {
    let server = TestServer::start();
    let proxy = FakeProxy::start();
    let by_name = format!("http://localhost:{}/ok", server.addr.port());
    let literal = format!("{}/ok", server.url());
    for (allow_private, url) in [(true, by_name), (false, literal)] {
        let before = server.requests_to("/ok").len();
        let r = run_behind(&proxy, &probe_suite(&server, allow_private, &url).path);
        r.expect("probe.fetch", "ok", "15 bytes");
        assert_eq!(
            server.requests_to("/ok").len(),
            before + 1,
            "{url} reached the server: {}",
            r.stdout
        );
        assert_eq!(proxy.connections(), 0, "the proxy was used for {url}");
    }
}
