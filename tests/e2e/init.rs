//! `plume init URL` from a user's seat: the built binary in a clean
//! environment (`env -i`, `PATH=/usr/bin:/bin` with no cargo or rustc on it,
//! an empty `HOME` and so an empty cache) writes a suite for a loopback
//! service written here with axum, the suite runs green against it, and each
//! fault of the service (a 500, another content type, a value gone from its
//! body) turns it red with a line naming the symptom. The same through the
//! built-in `tls` pack on a loopback TLS server whose certificate the test
//! makes with rcgen, trusted with `--ca`. And the bad inputs: a URL that does
//! not answer, a file that exists, a body over the probe's limit.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::support::harness::Run;
use crate::tls::{Validity, certificates};

/// What the service does wrong, switched while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    ServerError,
    WrongContentType,
    ValueGone,
}

type Shared = Arc<Mutex<Fault>>;

fn fault(state: &Shared) -> Fault {
    *state.lock().unwrap()
}

fn app(state: Shared) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/", get(home))
        .route("/big", get(|| async { "big body line\n".repeat(100_000) }))
        .with_state(state)
}

async fn health(State(state): State<Shared>) -> Response {
    let body = |status: &str| format!(r#"{{"status":"{status}","checks":["db","queue"]}}"#);
    match fault(&state) {
        Fault::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Fault::WrongContentType => {
            ([(header::CONTENT_TYPE, "text/plain")], body("ok")).into_response()
        }
        Fault::ValueGone => (
            [(header::CONTENT_TYPE, "application/json")],
            body("degraded"),
        )
            .into_response(),
        Fault::None => ([(header::CONTENT_TYPE, "application/json")], body("ok")).into_response(),
    }
}

async fn home(State(state): State<Shared>) -> Html<&'static str> {
    match fault(&state) {
        Fault::ValueGone => Html("<html><head><title>Down for maintenance</title></head></html>"),
        _ => Html("<html><head><title>Demo Shop</title></head><body>Welcome</body></html>"),
    }
}

/// A running service: its address and its fault switch.
struct Service {
    addr: SocketAddr,
    state: Shared,
}

impl Service {
    /// Plain HTTP on 127.0.0.1.
    fn http() -> Service {
        let state = Shared::new(Mutex::new(Fault::None));
        let router = app(state.clone());
        let addr = serve(move |rt| {
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                tokio::spawn(async move { axum::serve(listener, router).await });
                addr
            })
        });
        Service { addr, state }
    }

    /// HTTPS on 127.0.0.1 with a certificate from a CA the test made; the CA's PEM.
    fn https() -> (Service, String) {
        let (ca_pem, cert, key) = certificates("127.0.0.1", Validity::Days(90));
        let state = Shared::new(Mutex::new(Fault::None));
        let router = app(state.clone());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let addr = serve(move |rt| {
            rt.block_on(async move {
                let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = tcp.local_addr().unwrap();
                let listener = TlsListener { tcp, acceptor };
                tokio::spawn(async move { axum::serve(listener, router).await });
                addr
            })
        });
        (Service { addr, state }, ca_pem)
    }

    fn set(&self, f: Fault) {
        *self.state.lock().unwrap() = f;
    }
}

/// Runs `start` on a runtime of its own thread, which lives as long as the test process.
fn serve(
    start: impl FnOnce(&tokio::runtime::Runtime) -> SocketAddr + Send + 'static,
) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        tx.send(start(&rt)).unwrap();
        rt.block_on(std::future::pending::<()>());
    });
    rx.recv().unwrap()
}

/// TLS over a TCP listener, for `axum::serve`: a failed handshake is dropped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// A clean seat: a working folder and an empty home (so an empty cache).
struct Seat {
    _dir: tempfile::TempDir,
    home: PathBuf,
    work: PathBuf,
}

const CLEAN_PATH: &str = "/usr/bin:/bin";

impl Seat {
    fn new() -> Seat {
        let dir = tempfile::tempdir().unwrap();
        let (home, work) = (dir.path().join("home"), dir.path().join("work"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        Seat {
            _dir: dir,
            home,
            work,
        }
    }

    /// `plume ARGS` with nothing of the test's environment: `env -i` with
    /// `PATH=/usr/bin:/bin` and `HOME` the empty home.
    fn plume(&self, args: &[&str]) -> Run {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_plume"))
            .env_clear()
            .env("PATH", CLEAN_PATH)
            .env("HOME", &self.home)
            .current_dir(&self.work)
            .args(args)
            .output()
            .unwrap();
        Run::from_output(out)
    }

    fn suite(&self) -> String {
        std::fs::read_to_string(self.work.join("plume.toml")).unwrap()
    }
}

/// No Rust toolchain is reachable on the clean PATH.
fn assert_no_toolchain() {
    for tool in ["cargo", "rustc", "rustup"] {
        let found = CLEAN_PATH
            .split(':')
            .any(|dir| Path::new(dir).join(tool).exists());
        assert!(
            !found,
            "{tool} is on {CLEAN_PATH}: the clean seat would not be clean"
        );
    }
}

fn assert_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

#[test]
fn init_writes_a_suite_that_passes_and_turns_red_when_the_service_breaks() {
    assert_no_toolchain();
    let service = Service::http();
    let seat = Seat::new();
    let base = format!("http://{}", service.addr);
    let init = seat.plume(&["init", &format!("{base}/health"), &format!("{base}/")]);
    assert_code(&init, 0);
    assert!(
        init.stdout.contains("wrote:  plume.toml"),
        "{}",
        init.stdout
    );
    let suite = seat.suite();
    for wanted in [
        "#:schema ./plume.schema.json",
        "path = \"plume:http\"",
        "allow-hosts = [\"${base_url}\"]",
        &format!("base_url = \"{base}\""),
        "preflight = [\"${base_url}/health\", \"${base_url}/\"]",
        "plugins/http/README.md",
        "{ pointer = \"/status\", equals = \"ok\" }",
        "expect.body-contains = \"Demo Shop\"",
        "matches = \"^application/json\"",
        "expect.within-ms = ",
    ] {
        assert!(suite.contains(wanted), "no {wanted:?} in:\n{suite}");
    }
    assert!(
        !suite.contains("plume:tls"),
        "an http service needs no tls pack:\n{suite}"
    );
    assert!(seat.work.join("plume.schema.json").exists());

    let green = seat.plume(&["run", "plume.toml"]);
    assert_code(&green, 0);
    green.expect("service.health", "ok", "");
    green.expect("service.home", "ok", "");
    // The first run started from the baseline compiler; the optimised code
    // for the next run lands in the same cache from the background compile.
    let cache = seat.home.join(".cache/plume");
    let entry_written = || {
        std::fs::read_dir(&cache).is_ok_and(|dir| {
            dir.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        })
    };
    let waited = std::time::Instant::now();
    while !entry_written() && waited.elapsed() < std::time::Duration::from_secs(180) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        entry_written(),
        "the built-in pack was not compiled into {}",
        cache.display()
    );

    let symptoms = [
        (Fault::ServerError, "service.health", "got 500"),
        (Fault::WrongContentType, "service.health", "text/plain"),
        (Fault::ValueGone, "service.health", "degraded"),
        (Fault::ValueGone, "service.home", "Demo Shop"),
    ];
    for (f, check, symptom) in symptoms {
        service.set(f);
        let red = seat.plume(&["run", "plume.toml"]);
        assert_code(&red, 1);
        red.expect(check, "err", symptom);
    }
}

#[test]
fn init_through_tls_trusts_the_given_ca_and_adds_the_tls_pack() {
    let (service, ca_pem) = Service::https();
    let seat = Seat::new();
    std::fs::write(seat.work.join("ca.pem"), ca_pem).unwrap();
    let url = format!("https://{}/health", service.addr);

    let untrusted = seat.plume(&["init", &url]);
    assert_code(&untrusted, 2);
    assert_eq!(untrusted.stderr.lines().count(), 1, "{}", untrusted.stderr);
    assert!(
        untrusted.stderr.contains("pass --ca FILE"),
        "{}",
        untrusted.stderr
    );

    let init = seat.plume(&["init", &url, "--ca", "ca.pem"]);
    assert_code(&init, 0);
    let suite = seat.suite();
    for wanted in [
        "path = \"plume:tls\"",
        "tls-roots = [\"ca.pem\"]",
        "hosts = [\"${base_url}/\"]",
    ] {
        assert!(suite.contains(wanted), "no {wanted:?} in:\n{suite}");
    }
    let green = seat.plume(&["run", "plume.toml"]);
    assert_code(&green, 0);
    green.expect("service.health", "ok", "");
    let host = format!("tls.{}", service.addr);
    green.expect(&format!("{host}.expiry"), "ok", "expires in 90 days");
    green.expect(&format!("{host}.chain"), "ok", "verify to a trusted root");

    service.set(Fault::ValueGone);
    let red = seat.plume(&["run", "plume.toml"]);
    assert_code(&red, 1);
    red.expect("service.health", "err", "degraded");
    red.expect(&format!("{host}.hostname"), "ok", "127.0.0.1");
}

#[test]
fn init_refuses_what_it_cannot_write_from_in_one_line() {
    let service = Service::http();
    let seat = Seat::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = seat.plume(&["init", &format!("http://127.0.0.1:{port}/health")]);
    let bad_url = seat.plume(&["init", "service.example/health"]);
    for (r, text) in [
        (&down, "does not answer"),
        (&bad_url, "is not an http(s) URL"),
    ] {
        assert_code(r, 2);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(text), "{}", r.stderr);
    }
    assert!(!seat.work.join("plume.toml").exists());

    service.set(Fault::ServerError);
    let failing = seat.plume(&["init", &format!("http://{}/health", service.addr)]);
    assert_code(&failing, 2);
    assert!(
        failing.stderr.contains("answered 500"),
        "{}",
        failing.stderr
    );
    service.set(Fault::None);

    let url = format!("http://{}/health", service.addr);
    assert_code(&seat.plume(&["init", &url]), 0);
    let again = seat.plume(&["init", &url]);
    assert_code(&again, 2);
    assert!(
        again.stderr.contains("already exists") && again.stderr.contains("--force"),
        "{}",
        again.stderr
    );
    assert_code(&seat.plume(&["init", &url, "--force"]), 0);
}

#[test]
fn a_body_over_the_probe_limit_is_cut_and_checked_by_status_and_type_only() {
    let service = Service::http();
    let seat = Seat::new();
    let init = seat.plume(&[
        "init",
        &format!("http://{}/big", service.addr),
        "-o",
        "big.toml",
    ]);
    assert_code(&init, 0);
    let suite = std::fs::read_to_string(seat.work.join("big.toml")).unwrap();
    assert!(
        suite.contains("body was over 1024 KiB: no body check"),
        "{suite}"
    );
    assert!(!suite.contains("body-contains"), "{suite}");
    let run = seat.plume(&["run", "big.toml"]);
    assert_code(&run, 0);
    run.expect("service.big", "ok", "");
}
