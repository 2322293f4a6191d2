//! A certificate the TLS client refused, in the words an operator fixes it
//! by: "the server sent no intermediate", "an intermediate that did not sign
//! the leaf", "not valid until 2027-01-01T00:00:00Z" — never a bare
//! `UnknownIssuer` or `BadSignature`, never Unix seconds. Errors that are
//! not about the certificate keep rustls's own text.

use std::time::{Duration, SystemTime};

use rustls::CertificateError;
use rustls::pki_types::UnixTime;

/// `e` in words; `sent` is how many certificates the server sent, when
/// known (a handshake that only recorded the chain knows; a refused
/// connection does not).
pub fn in_words(e: &rustls::Error, sent: Option<usize>) -> String {
    let rustls::Error::InvalidCertificate(cert) = e else {
        return e.to_string();
    };
    match cert {
        CertificateError::UnknownIssuer => match sent {
            Some(1) => "the server sent only its own certificate and its issuer is not a \
                        trusted root: no intermediate sent (send the chain with it), or an \
                        untrusted CA issued it"
                .to_owned(),
            Some(n) => format!(
                "the chain does not reach a trusted root: none of the {n} certificates sent is \
                 issued by a trusted root (a missing or wrong intermediate, or an untrusted CA)"
            ),
            None => "the certificate's issuer is not trusted: the server sent no intermediate \
                     that links it to a trusted root, or an untrusted CA issued it"
                .to_owned(),
        },
        CertificateError::BadSignature => "a certificate is not signed by the one sent as its \
                                           issuer: an intermediate that did not sign the leaf \
                                           (same name, another key), or a corrupted signature"
            .to_owned(),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "not valid yet: valid from {} (it is now {})",
            date(*not_before),
            date(*time)
        ),
        CertificateError::NotValidYet => {
            "not valid yet: its validity starts after the current time".to_owned()
        }
        CertificateError::ExpiredContext { time, not_after } => format!(
            "expired: valid until {} (it is now {})",
            date(*not_after),
            date(*time)
        ),
        CertificateError::Expired => "expired: its validity ended before now".to_owned(),
        CertificateError::Revoked => "the certificate has been revoked".to_owned(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "the certificate is not issued for TLS servers (its extended key usage)".to_owned()
        }
        _ => e.to_string(),
    }
}

/// A certificate time as RFC 3339 UTC (`2027-01-01T00:00:00Z`).
fn date(t: UnixTime) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(t.as_secs());
    humantime::format_rfc3339_seconds(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: CertificateError, sent: Option<usize>) -> String {
        in_words(&rustls::Error::InvalidCertificate(c), sent)
    }

    #[test]
    fn chain_errors_read_as_what_to_fix() {
        assert!(words(CertificateError::UnknownIssuer, Some(1)).contains("no intermediate sent"));
        assert!(
            words(CertificateError::UnknownIssuer, Some(2)).contains("none of the 2 certificates")
        );
        assert!(words(CertificateError::UnknownIssuer, None).contains("sent no intermediate"));
        let bad = words(CertificateError::BadSignature, None);
        assert!(
            bad.contains("did not sign the leaf") && !bad.contains("BadSignature"),
            "{bad}"
        );
    }

    #[test]
    fn times_are_dates_not_seconds() {
        let not_yet = words(
            CertificateError::NotValidYetContext {
                time: UnixTime::since_unix_epoch(Duration::from_secs(1_796_428_800)),
                not_before: UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600)),
            },
            None,
        );
        assert_eq!(
            not_yet,
            "not valid yet: valid from 2027-01-01T00:00:00Z (it is now 2026-12-05T00:00:00Z)"
        );
        assert!(words(CertificateError::Expired, None).starts_with("expired"));
    }
}
