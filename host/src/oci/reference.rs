//! An OCI reference as a suite or the command line writes it:
//! `oci://registry/repository[:tag][@sha256:…]` (the `oci://` is optional on
//! the command line), parsed by `oci-client` (the distribution project's
//! grammar), and which registries are spoken to over plain HTTP.
//!
//! Plain HTTP is used for a loopback registry (`localhost`, `127.0.0.0/8`,
//! as Docker does; the reference grammar has no IPv6 literals) and for a registry listed in
//! `PLUME_INSECURE_REGISTRIES` (comma-separated `host[:port]`); every other
//! registry is HTTPS.

use std::net::IpAddr;

use oci_client::Reference;

use crate::oci::OciError;
use crate::oci::digest::Digest;
use crate::suite::OCI_SCHEME;

/// Registries (`host[:port]`, comma-separated) reached over plain HTTP besides loopback ones.
pub const INSECURE_REGISTRIES_VAR: &str = "PLUME_INSECURE_REGISTRIES";

/// A parsed OCI reference.
#[derive(Debug, Clone)]
pub struct OciRef {
    inner: Reference,
    digest: Option<Digest>,
}

impl OciRef {
    /// Parses `oci://registry/repository:tag`, with or without `oci://`.
    pub fn parse(text: &str) -> Result<Self, OciError> {
        let bare = text.trim().strip_prefix(OCI_SCHEME).unwrap_or(text.trim());
        let bad = |reason: String| OciError::BadReference {
            given: text.to_owned(),
            reason,
        };
        let inner: Reference = bare.parse().map_err(|e| bad(format!("{e}")))?;
        let digest = match inner.digest() {
            Some(text) => Some(Digest::parse(text).map_err(|e| bad(format!("its digest: {e}")))?),
            None => None,
        };
        Ok(OciRef { inner, digest })
    }

    /// The registry to speak to (`host[:port]`).
    pub fn registry(&self) -> &str {
        self.inner.resolve_registry()
    }

    /// The tag, when the reference has one.
    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The manifest digest written in the reference, if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_ref().map(Digest::as_str)
    }

    /// The manifest digest written in the reference, parsed.
    pub fn pinned(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// The repository (`team/checks`).
    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// The reference oci-client resolves: by digest when one is written, else by tag.
    pub fn as_reference(&self) -> &Reference {
        &self.inner
    }

    /// The same artifact by its tag alone (`latest` when none is written):
    /// what the tag points at now.
    pub fn by_tag(&self) -> Reference {
        Reference::with_tag(
            self.inner.registry().to_owned(),
            self.inner.repository().to_owned(),
            self.inner.tag().unwrap_or("latest").to_owned(),
        )
    }

    /// The reference without its digest: the key the store remembers a tag by.
    pub fn tag_key(&self) -> String {
        self.by_tag().whole()
    }

    /// Whether to speak plain HTTP to this registry: loopback, or listed in
    /// `insecure` (the value of `PLUME_INSECURE_REGISTRIES`).
    pub fn plain_http(&self, insecure: Option<&str>) -> bool {
        is_listed(insecure, self.registry()) || is_loopback(self.registry())
    }
}

impl std::fmt::Display for OciRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{OCI_SCHEME}{}", self.inner.whole())
    }
}

/// Whether `authority` (`host[:port]`) is listed in `insecure` (the value
/// of `PLUME_INSECURE_REGISTRIES`).
pub(crate) fn is_listed(insecure: Option<&str>, authority: &str) -> bool {
    insecure
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .any(|entry| !entry.is_empty() && entry.eq_ignore_ascii_case(authority))
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
pub(crate) fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => registry.rsplit_once(':').map_or(registry, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_keep_registry_tag_and_digest() {
        let d = format!("sha256:{}", "c".repeat(64));
        let r = OciRef::parse(&format!("oci://127.0.0.1:5000/team/checks:1.2.0@{d}")).unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.tag(), Some("1.2.0"));
        assert_eq!(r.digest(), Some(d.as_str()));
        assert_eq!(r.pinned().map(Digest::hex), Some("c".repeat(64).as_str()));
        assert_eq!(r.tag_key(), "127.0.0.1:5000/team/checks:1.2.0");
        assert_eq!(
            r.to_string(),
            format!("oci://127.0.0.1:5000/team/checks:1.2.0@{d}")
        );
    }

    #[test]
    fn bad_references_are_one_line_naming_the_input() {
        let upper = format!("oci://r.io/x@sha256:{}", "A".repeat(64));
        for text in [
            "oci://",
            "oci://Registry/UPPER:1",
            "oci://r.io/x@sha256:00",
            &upper,
        ] {
            let err = OciRef::parse(text).unwrap_err().to_string();
            assert!(err.contains(&format!("`{text}`")), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn plain_http_only_for_loopback_or_listed_registries() {
        let plain =
            |text: &str, listed: Option<&str>| OciRef::parse(text).unwrap().plain_http(listed);
        assert!(plain("localhost:5000/a:1", None));
        assert!(plain("127.0.0.2:5000/a:1", None));
        assert!(!plain("registry.example.com/a:1", None));
        assert!(!plain("10.0.0.1:5000/a:1", None));
        assert!(plain("10.0.0.1:5000/a:1", Some("r.io, 10.0.0.1:5000")));
        assert!(!plain("10.0.0.1:5001/a:1", Some("10.0.0.1:5000")));
    }
}
