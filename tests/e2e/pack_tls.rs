//! The `tls` pack (`plugins/tls`, contract 0.1.1's `tls` interface) against
//! loopback TLS servers with certificates the test makes: valid, for
//! another name, expired, close to expiry, from an unknown CA, and TLS 1.2
//! only. Each fault turns exactly its check red, with the facts in the line.
//! And a plugin built against contract 0.1.0 still loads and runs.

use crate::support::harness::{Run, run, suite};
use crate::support::server::TestServer;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::tls::{Validity, certificates, https_server, https_server_chain, tls_roots};

/// Runs the pack against one server whose leaf is for `name`.
fn pack(name: &str, validity: Validity, trust_ca: bool, tls12_only: bool, extra: &str) -> Run {
    let (ca_pem, cert, key) = certificates(name, validity);
    let port = https_server(cert, key, tls12_only);
    let (dir, roots) = tls_roots(&ca_pem, trust_ca);
    let toml = format!(
        "[plugins.tls]\npath = \"@tls@\"\nallow-hosts = [\"https://127.0.0.1:{port}\"]\n{roots}\n\
         [plugins.tls.config]\nhosts = [\"https://127.0.0.1:{port}/\"]\n{extra}\n"
    );
    let s = suite(&toml, "");
    let r = run(&s.path, &[]);
    drop(dir);
    r
}

fn red(r: &Run) -> Vec<String> {
    r.names()
        .into_iter()
        .filter(|n| r.outcome(n) == "err")
        .map(|n| n.rsplit('.').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_valid_certificate_passes_all_four_checks() {
    let r = pack(
        "127.0.0.1",
        Validity::Days(90),
        true,
        false,
        "min_version = \"TLSv1.3\"",
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let host = r.names()[0].split(".expiry").next().unwrap().to_owned();
    r.expect(&format!("{host}.expiry"), "ok", "expires in 90 days");
    r.expect(
        &format!("{host}.hostname"),
        "ok",
        "valid for 127.0.0.1 (names: 127.0.0.1)",
    );
    r.expect(&format!("{host}.chain"), "ok", "verify to a trusted root");
    r.expect(
        &format!("{host}.version"),
        "ok",
        "negotiated TLSv1.3 (minimum TLSv1.3)",
    );
}

#[test]
fn each_fault_turns_exactly_its_check_red() {
    let wrong_name = pack("wrong.example", Validity::Long, true, false, "");
    assert_eq!(red(&wrong_name), ["hostname"], "{}", wrong_name.stdout);
    assert!(
        wrong_name
            .stdout
            .contains("the certificate is for [wrong.example], not 127.0.0.1"),
        "{}",
        wrong_name.stdout
    );

    let expired = pack("127.0.0.1", Validity::Expired, true, false, "");
    assert_eq!(red(&expired), ["expiry", "chain"], "{}", expired.stdout);
    assert!(
        expired.stdout.contains("expired on 2021-01-01"),
        "{}",
        expired.stdout
    );

    let soon = pack(
        "127.0.0.1",
        Validity::Days(5),
        true,
        false,
        "warn_days = 14",
    );
    assert_eq!(red(&soon), ["expiry"], "{}", soon.stdout);
    assert!(
        soon.stdout.contains("expires in 5 days") && soon.stdout.contains("under warn_days 14"),
        "{}",
        soon.stdout
    );

    let unknown_ca = pack("127.0.0.1", Validity::Long, false, false, "");
    assert_eq!(red(&unknown_ca), ["chain"], "{}", unknown_ca.stdout);
    assert!(
        unknown_ca
            .stdout
            .contains("the chain does not verify: the server sent only its own certificate"),
        "{}",
        unknown_ca.stdout
    );

    let old = pack(
        "127.0.0.1",
        Validity::Long,
        true,
        true,
        "min_version = \"TLSv1.3\"",
    );
    assert_eq!(red(&old), ["version"], "{}", old.stdout);
    assert!(
        old.stdout
            .contains("negotiated TLSv1.2, below min_version TLSv1.3"),
        "{}",
        old.stdout
    );
}

#[test]
fn hosts_outside_the_egress_policy_are_denied_once_each() {
    let toml = "[plugins.tls]\npath = \"@tls@\"\n\
                allow-hosts = [\"https://127.0.0.1:1\", \"https://localhost:9\"]\n\
                [plugins.tls.config]\nhosts = [\"https://127.0.0.1:9/\", \"https://localhost:9/\"]\n";
    let s = suite(toml, "");
    let r = run(&s.path, &[]);
    r.expect(
        "tls.127.0.0.1:9.expiry",
        "err",
        "denied: https://127.0.0.1:9 is not in allow-hosts",
    );
    r.expect(
        "tls.localhost:9.chain",
        "err",
        "denied: localhost resolves only to blocked addresses (127.0.0.1: loopback)",
    );
    // One attempt per host serves its four checks.
    assert!(
        r.stdout.contains("2 request(s) denied by allow-hosts"),
        "{}",
        r.stdout
    );
}

#[test]
fn javascript_and_python_guests_read_the_same_tls_facts() {
    let (ca_pem, cert, key) = certificates("wrong.example", Validity::Days(30));
    let port = https_server(cert, key, false);
    let (_dir, roots) = tls_roots(&ca_pem, true);
    let mut lines = Vec::new();
    for (name, path) in [
        ("js", plume_test_guests::TLS_JS),
        ("py", plume_test_guests::TLS_PY),
    ] {
        let toml = format!(
            "[plugins.{name}]\npath = \"{path}\"\ngroup-prefix = \"{name}.\"\n\
             allow-hosts = [\"https://127.0.0.1:{port}\"]\n{roots}\n\
             config = {{ url = \"https://127.0.0.1:{port}/\" }}\n"
        );
        let s = suite(&toml, "");
        let r = run(&s.path, &[]);
        let line = r.line(&format!("{name}.tls.peer")).to_owned();
        assert_eq!(
            r.outcome(&format!("{name}.tls.peer")),
            "ok",
            "{}\n{}",
            r.stdout,
            r.stderr
        );
        let detail = line
            .split_once("  -  ")
            .map_or(line.as_str(), |(_, d)| d)
            .trim()
            .to_owned();
        lines.push(detail);
    }
    assert!(
        lines[0]
            .starts_with("TLSv1.3; names wrong.example; chain verifies; name differs; not after "),
        "{}",
        lines[0]
    );
    assert_eq!(lines[0], lines[1], "JavaScript and Python disagree");
    // Each SDK's reject_config/rejectConfig ends the check with the config's path.
    for (name, path) in [
        ("js", plume_test_guests::TLS_JS),
        ("py", plume_test_guests::TLS_PY),
    ] {
        let toml = format!(
            "[plugins.{name}]\npath = \"{path}\"\ngroup-prefix = \"{name}.\"\n\
             config = {{ url = \"http://127.0.0.1:{port}/\" }}\n"
        );
        let r = run(&suite(&toml, "").path, &[]);
        r.expect(
            &format!("{name}.tls.peer"),
            "err",
            &format!("config.url: must be an https:// URL, got http://127.0.0.1:{port}/"),
        );
    }
}

#[test]
fn a_plugin_built_against_contract_0_1_0_still_loads_and_runs() {
    let server = TestServer::start();
    let toml = format!(
        "[plugins.old]\npath = \"{}\"\nallow-hosts = [\"@url@\"]\nconfig = {{ url = \"@url@/ok\" }}\n",
        plume_test_guests::CONTRACT_0_1_0
    );
    let s = suite(&toml, &server.url());
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("old.send", "ok", "a 0.1.0 plugin got 15 bytes");
}

#[test]
fn a_server_that_does_not_speak_tls_is_a_tls_error_on_each_check() {
    let plain = TestServer::start();
    let port = plain.addr.port();
    let toml = format!(
        "[plugins.tls]\npath = \"@tls@\"\nallow-hosts = [\"https://127.0.0.1:{port}\"]\n\
         [plugins.tls.config]\nhosts = \"https://127.0.0.1:{port}/\"\n"
    );
    let s = suite(&toml, "");
    let r = run(&s.path, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    for check in ["expiry", "hostname", "chain", "version"] {
        r.expect(
            &format!("tls.127.0.0.1:{port}.{check}"),
            "err",
            &format!("tls: handshake with 127.0.0.1:{port}: "),
        );
    }
}

/// A root the suite trusts, an intermediate it signed, and a leaf for
/// 127.0.0.1 the intermediate signed (not valid until 2099 when asked); also
/// an impostor intermediate: the same name, another key.
struct Chain {
    root_pem: String,
    leaf: CertificateDer<'static>,
    intermediate: CertificateDer<'static>,
    impostor: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params
}

fn chain(not_yet_valid: bool) -> Chain {
    let root =
        CertifiedIssuer::self_signed(ca_params("Plume Test Root"), KeyPair::generate().unwrap())
            .unwrap();
    let intermediate = CertifiedIssuer::signed_by(
        ca_params("Plume Test Intermediate"),
        KeyPair::generate().unwrap(),
        &root,
    )
    .unwrap();
    let impostor = CertifiedIssuer::signed_by(
        ca_params("Plume Test Intermediate"),
        KeyPair::generate().unwrap(),
        &root,
    )
    .unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    if not_yet_valid {
        params.not_before = rcgen::date_time_ymd(2099, 1, 1);
        params.not_after = rcgen::date_time_ymd(2100, 1, 1);
    }
    let leaf = params.signed_by(&leaf_key, &intermediate).unwrap();
    Chain {
        root_pem: root.pem(),
        leaf: leaf.der().clone(),
        intermediate: intermediate.der().clone(),
        impostor: impostor.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    }
}

/// Runs the pack against a server presenting `sent`, with the root trusted.
fn pack_chain(
    root_pem: &str,
    sent: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Run {
    let port = https_server_chain(sent, key, false);
    let (dir, roots) = tls_roots(root_pem, true);
    let toml = format!(
        "[plugins.tls]\npath = \"@tls@\"\nallow-hosts = [\"https://127.0.0.1:{port}\"]\n{roots}\n\
         [plugins.tls.config]\nhosts = [\"https://127.0.0.1:{port}/\"]\n"
    );
    let r = run(&suite(&toml, "").path, &[]);
    drop(dir);
    r
}

/// Chain faults read as what to fix, never as a bare rustls variant or Unix
/// seconds: no intermediate sent, an intermediate that did not sign the
/// leaf, a leaf not valid yet (red in `expiry` too, with its date).
#[test]
fn chain_faults_are_said_in_words() {
    let c = chain(false);
    let whole = pack_chain(
        &c.root_pem,
        vec![c.leaf.clone(), c.intermediate.clone()],
        c.key.clone_key(),
    );
    assert_eq!(red(&whole), Vec::<String>::new(), "{}", whole.stdout);

    let alone = pack_chain(&c.root_pem, vec![c.leaf.clone()], c.key.clone_key());
    assert_eq!(red(&alone), ["chain"], "{}", alone.stdout);
    assert!(alone.stdout.contains("the chain does not verify: the server sent only its own certificate and its issuer is not a trusted root: no intermediate sent"), "{}", alone.stdout);

    let wrong = pack_chain(
        &c.root_pem,
        vec![c.leaf.clone(), c.impostor.clone()],
        c.key.clone_key(),
    );
    assert_eq!(red(&wrong), ["chain"], "{}", wrong.stdout);
    assert!(
        wrong
            .stdout
            .contains("an intermediate that did not sign the leaf"),
        "{}",
        wrong.stdout
    );
    assert!(!wrong.stdout.contains("BadSignature"), "{}", wrong.stdout);

    let early = chain(true);
    let r = pack_chain(
        &early.root_pem,
        vec![early.leaf.clone(), early.intermediate.clone()],
        early.key.clone_key(),
    );
    assert_eq!(red(&r), ["expiry", "chain"], "{}", r.stdout);
    assert!(
        r.stdout
            .contains("the certificate is not valid yet: valid from 2099-01-01"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "the chain does not verify: not valid yet: valid from 2099-01-01T00:00:00Z (it is now "
        ),
        "{}",
        r.stdout
    );
}

/// A value of the wrong type, an empty host list, an unknown version or a
/// missing `hosts`: one line naming the key, exit 2, before any check.
#[test]
fn config_mistakes_are_one_line_errors_with_exit_2() {
    let host = "hosts = [\"https://127.0.0.1:9/\"]";
    let cases = [
        (
            format!("{host}\nwarn_days = \"soon\""),
            "config.warn_days: \"soon\" is not a whole number up to 4294967295 \
             (see plugins/tls/README.md)",
        ),
        (
            "hosts = [\"https://127.0.0.1:9/\", 443]".to_owned(),
            "config.hosts: expected an array of https:// URLs, or one URL",
        ),
        (
            "hosts = []".to_owned(),
            "config.hosts: no hosts; set hosts = [",
        ),
        (
            format!("{host}\nmin_version = \"TLSv1.1\""),
            "config.min_version: \"TLSv1.1\" is not a version: use TLSv1.2 or TLSv1.3",
        ),
        (
            "warn_days = 3".to_owned(),
            "config: `hosts` is not set: add it to the plugin's config table",
        ),
    ];
    for (config, expected) in cases {
        crate::bad_input::pack_config_refused("@tls@", &config, expected);
    }
    // A key the built-in pack does not declare: a misspelt one it would never read.
    crate::bad_input::pack_config_refused(
        "plume:tls",
        &format!("{host}\nwarn_day = 3"),
        "config.warn_day: unknown key: the plugin reads only `hosts`, `warn_days`, \
         `min_version` (check the key's spelling)",
    );
}
