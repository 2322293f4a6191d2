//! The roots a plugin's TLS connections trust: the system's, read from disk
//! once per process and only when a first handshake needs them, plus the
//! plugin's own `tls-roots`.
//!
//! Reading the system's store means parsing every PEM file of the
//! certificate directory: a quarter of `plume list` when every client read
//! it on creation. A suite that never opens an `https://` connection now
//! never reads it; one that does reads it once, however many clients the
//! run builds.

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The system's roots, read on first use and kept for the process.
pub fn system() -> &'static RootCertStore {
    static SYSTEM: OnceLock<RootCertStore> = OnceLock::new();
    SYSTEM.get_or_init(|| {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        store
    })
}

/// The system's roots plus whatever certificates of `extra` (PEM files) parse.
pub fn with_extra(extra: &[Vec<u8>]) -> RootCertStore {
    let mut store = system().clone();
    for pem in extra {
        let certs = CertificateDer::pem_slice_iter(pem).filter_map(Result::ok);
        store.add_parsable_certificates(certs);
    }
    store
}

/// The certificates of `extra` (PEM files), each one a valid trust anchor,
/// or what is wrong with the first that is not.
fn extra_anchors(extra: &[Vec<u8>]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut anchors = Vec::new();
    let mut check = RootCertStore::empty();
    for pem in extra {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("a tls-roots file is not PEM: {e}"))?;
            check
                .add(cert.clone())
                .map_err(|e| format!("a tls-roots certificate is not a usable root: {e}"))?;
            anchors.push(cert);
        }
    }
    Ok(anchors)
}

/// A WebPKI verifier over the system's roots and the plugin's own, built at
/// the first certificate it has to judge.
#[derive(Debug)]
struct LazyVerifier {
    provider: Arc<CryptoProvider>,
    extra: Vec<CertificateDer<'static>>,
    inner: OnceLock<Result<Arc<WebPkiServerVerifier>, rustls::Error>>,
}

impl LazyVerifier {
    fn inner(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.inner
            .get_or_init(|| {
                let mut roots = system().clone();
                roots.add_parsable_certificates(self.extra.iter().cloned());
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .map_err(|e| rustls::Error::General(format!("no usable TLS roots: {e}")))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The TLS settings of an HTTP client trusting the system's roots and
/// `extra` (PEM files), neither read before its first handshake; offers
/// HTTP/2 and HTTP/1.1. A certificate of `extra` that is no usable root is
/// an error now, not at the first handshake.
pub fn client_config(extra: &[Vec<u8>]) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = LazyVerifier {
        provider: provider.clone(),
        extra: extra_anchors(extra)?,
        inner: OnceLock::new(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS settings: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::client_config;

    #[test]
    fn a_tls_roots_certificate_that_is_no_root_is_refused_up_front() {
        assert!(client_config(&[]).is_ok());
        let bad = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec();
        let err = client_config(&[bad]).unwrap_err();
        assert!(err.contains("tls-roots"), "{err}");
    }
}
