//! TLS: a loopback HTTPS server with certificates the test makes (rcgen):
//! valid for 127.0.0.1, valid for another name, expired, and one from a CA
//! the suite does not trust. Each failure is a precise `tls:` error; the
//! suite's `tls-roots` lets a plugin trust a private CA.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::harness::{run, suite};

/// How long a test certificate is valid.
#[derive(Clone, Copy)]
pub enum Validity {
    /// rcgen's default: from 1975 to 4096.
    Long,
    /// 2020 to 2021.
    Expired,
    /// From yesterday for this many days.
    Days(i64),
}

/// A CA and a leaf certificate for `name` it signed.
pub fn certificates(
    name: &str,
    validity: Validity,
) -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    match validity {
        Validity::Long => {}
        Validity::Expired => {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        Validity::Days(days) => {
            let now = time::OffsetDateTime::now_utc();
            params.not_before = now - time::Duration::days(1);
            params.not_after = now + time::Duration::days(days) + time::Duration::hours(1);
        }
    }
    let leaf = params.signed_by(&leaf_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    (ca.pem(), leaf.der().clone(), key)
}

/// Serves `ok` over TLS with `cert` (TLS 1.2 only if asked); returns the port.
pub fn https_server(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    tls12_only: bool,
) -> u16 {
    https_server_chain(vec![cert], key, tls12_only)
}

/// [`https_server`] presenting `chain` (leaf first) as it is given.
pub fn https_server_chain(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    tls12_only: bool,
) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        rustls::DEFAULT_VERSIONS
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut request = [0u8; 2048];
                if tls.read(&mut request).is_ok() {
                    let _ = tls.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    );
                    let _ = tls.flush();
                }
            });
        }
    });
    port
}

/// The CA written to a temporary file, and the suite line that trusts it
/// (empty when it is not to be trusted); keep the folder while the run lasts.
pub fn tls_roots(ca_pem: &str, trust: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let line = if trust {
        format!("tls-roots = [\"{}\"]", ca_file.display())
    } else {
        String::new()
    };
    (dir, line)
}

/// Runs the probe against an HTTPS server whose leaf is for `name`.
fn probe(name: &str, expired: bool, trust_ca: bool) -> crate::support::harness::Run {
    let validity = if expired {
        Validity::Expired
    } else {
        Validity::Long
    };
    let (ca_pem, cert, key) = certificates(name, validity);
    let port = https_server(cert, key, false);
    let (dir, roots) = tls_roots(&ca_pem, trust_ca);
    let toml = format!(
        r#"
[plugins.hostile]
path = "@hostile@"
allow-hosts = ["https://127.0.0.1:{port}"]
{roots}
config = {{ base_url = "https://127.0.0.1:{port}", probe_url = "https://127.0.0.1:{port}/" }}
"#
    );
    let s = suite(&toml, "");
    let r = run(&s.path, &["--only", "probe"]);
    drop(dir);
    r
}

#[test]
fn a_certificate_from_a_trusted_private_ca_is_accepted() {
    probe("127.0.0.1", false, true).expect("probe.fetch", "ok", "2 bytes");
}

#[test]
fn a_certificate_for_another_name_is_a_tls_error() {
    let r = probe("wrong.example", false, true);
    r.expect("probe.fetch", "err", "tls: ");
    assert!(
        r.line("probe.fetch")
            .to_lowercase()
            .contains("not valid for name"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_expired_certificate_is_a_tls_error() {
    let r = probe("127.0.0.1", true, true);
    r.expect("probe.fetch", "err", "tls: ");
    // A date, never Unix seconds.
    r.expect(
        "probe.fetch",
        "err",
        "tls: expired: valid until 2021-01-01T00:00:00Z (it is now ",
    );
}

#[test]
fn a_certificate_from_an_unknown_ca_is_a_tls_error() {
    let r = probe("127.0.0.1", false, false);
    r.expect(
        "probe.fetch",
        "err",
        "tls: the certificate's issuer is not trusted: the server sent no intermediate",
    );
    assert!(!r.stdout.contains("UnknownIssuer"), "{}", r.stdout);
}
