//! What a server presents in its TLS handshake, for certificate checks
//! (`plume:check/tls`, contract 0.1.1).
//!
//! The URL passes the same allow-list and address policy as an HTTP
//! exchange; the host connects to the resolved address, completes a handshake with a
//! verifier that records the chain instead of refusing it, and then judges
//! the chain against the trusted roots (the system's plus the suite's
//! `tls-roots`) on its own. So an expired or misnamed certificate is
//! reported with its facts and the reason, not as a bare handshake error.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use url::Url;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::net::message::{Certificate, HttpError, Peer};
use crate::net::policy::{ResolveError, resolve};
use crate::net::roots::with_extra;

/// Accepts any chain and keeps it, so the host can judge it after the handshake.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.chain.lock().unwrap_or_else(|p| p.into_inner()) = chain;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

fn facts(der: &CertificateDer<'_>) -> Certificate {
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => {
            let names = cert
                .subject_alternative_name()
                .ok()
                .flatten()
                .map(|san| {
                    san.value
                        .general_names
                        .iter()
                        .filter_map(|n| match n {
                            GeneralName::DNSName(d) => Some((*d).to_owned()),
                            GeneralName::IPAddress(ip) => ip_text(ip),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            Certificate {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                names,
                not_before: cert.validity().not_before.timestamp(),
                not_after: cert.validity().not_after.timestamp(),
            }
        }
        Err(e) => Certificate {
            subject: format!("(unparsable certificate: {e})"),
            issuer: String::new(),
            names: Vec::new(),
            not_before: 0,
            not_after: 0,
        },
    }
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_string()),
        _ => None,
    }
}

/// Whether `leaf` is valid for `server` as TLS clients judge it (webpki's
/// rules, the ones the `http` capability's own handshakes use): a DNS name
/// against the DNS names, `*.` covering one label, an IP address against
/// the IP addresses only (a DNS name spelled `10.0.0.5` does not count).
fn valid_for(leaf: Option<&CertificateDer<'_>>, server: &ServerName<'_>) -> bool {
    leaf.and_then(|der| rustls::server::ParsedCertificate::try_from(der).ok())
        .is_some_and(|cert| rustls::client::verify_server_name(&cert, server).is_ok())
}

/// The chain judged against `roots` for no particular name.
fn chain_error(
    provider: Arc<CryptoProvider>,
    roots: RootCertStore,
    chain: &[CertificateDer<'static>],
    server: &ServerName<'static>,
) -> Option<String> {
    let verifier =
        match WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build() {
            Ok(v) => v,
            Err(e) => return Some(format!("no trusted roots: {e}")),
        };
    let (leaf, rest) = chain.split_first()?;
    match verifier.verify_server_cert(leaf, rest, server, &[], UnixTime::now()) {
        Ok(_) => None,
        Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => None,
        Err(e) => Some(crate::net::tls_words::in_words(&e, Some(chain.len()))),
    }
}

pub async fn inspect(
    url: &str,
    limit: Duration,
    allow: &crate::net::policy::AllowList,
    allow_private: bool,
    extra_roots: &[Vec<u8>],
) -> Result<Peer, HttpError> {
    let parsed =
        Url::parse(url).map_err(|e| HttpError::Invalid(format!("bad url {url:?}: {e}")))?;
    if parsed.scheme() != "https" {
        return Err(HttpError::Invalid(format!(
            "{url}: tls.inspect needs an https:// URL"
        )));
    }
    allow.check(&parsed).map_err(HttpError::Denied)?;
    let host = parsed
        .host_str()
        .ok_or_else(|| HttpError::Invalid(format!("{url} has no host")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let work = async {
        let addrs = resolve(&host, port, allow_private)
            .await
            .map_err(|e| match e {
                ResolveError::Blocked(b) => HttpError::Denied(b.to_string()),
                lookup => HttpError::Connect(lookup.to_string()),
            })?;
        let mut last = format!("{host} resolved to no address");
        let mut tcp = None;
        for addr in addrs {
            match tokio::net::TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        let tcp = tcp.ok_or(HttpError::Connect(last))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let recorder = Arc::new(Recorder {
            chain: Mutex::new(Vec::new()),
            schemes: provider
                .signature_verification_algorithms
                .supported_schemes(),
        });
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| HttpError::Tls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        let server = ServerName::try_from(host.clone())
            .map_err(|e| HttpError::Invalid(format!("{host}: {e}")))?;
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(server.clone(), tcp)
            .await
            .map_err(|e| HttpError::Tls(format!("handshake with {host}:{port}: {e}")))?;
        let version = match stream.get_ref().1.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
            Some(other) => format!("{other:?}"),
            None => "unknown".to_owned(),
        };
        let chain = recorder
            .chain
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let certificates: Vec<Certificate> = chain.iter().map(facts).collect();
        let name_ok = valid_for(chain.first(), &server);
        Ok(Peer {
            version,
            chain_error: chain_error(provider, with_extra(extra_roots), &chain, &server),
            name_matches: name_ok,
            chain: certificates,
        })
    };
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result,
        Err(_) => Err(HttpError::Timeout(format!(
            "no TLS handshake with {host}:{port} within {} ms",
            limit.as_millis()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, KeyPair, SanType};
    use rustls::pki_types::{CertificateDer, ServerName};

    use super::valid_for;

    fn leaf(names: Vec<SanType>) -> CertificateDer<'static> {
        let mut params = CertificateParams::default();
        params.subject_alt_names = names;
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    fn dns(name: &str) -> SanType {
        SanType::DnsName(name.try_into().unwrap())
    }

    fn valid(cert: &CertificateDer<'static>, host: &str) -> bool {
        valid_for(Some(cert), &ServerName::try_from(host.to_owned()).unwrap())
    }

    #[test]
    fn names_match_as_tls_clients_match_them() {
        let cert = leaf(vec![
            dns("example.com"),
            dns("*.api.example.com"),
            SanType::IpAddress("127.0.0.1".parse().unwrap()),
        ]);
        assert!(valid(&cert, "example.com"));
        assert!(valid(&cert, "EU.api.example.com"));
        assert!(valid(&cert, "127.0.0.1"));
        assert!(!valid(&cert, "api.example.com"));
        assert!(!valid(&cert, "a.b.api.example.com"));
        assert!(!valid(&cert, "www.example.com"));
        // An address written as a DNS name is not an IP address SAN.
        assert!(!valid(&leaf(vec![dns("10.0.0.5")]), "10.0.0.5"));
        assert!(!valid_for(
            None,
            &ServerName::try_from("example.com").unwrap()
        ));
    }
}
