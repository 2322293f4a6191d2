//! A content digest, parsed before it names anything.
//!
//! Every digest that comes from outside — a manifest's layer and config
//! descriptors, a reference's `@sha256:…`, a suite's pin, a tag record read
//! back from the store — becomes a [`Digest`] through [`Digest::parse`]
//! before it is compared, shown or used to name a file. A `Digest` is
//! `sha256:` and exactly 64 lowercase hex digits, so its text holds nothing
//! but `[a-z0-9:]`: `sha256:../../x` or `sha256:/etc/passwd` is refused
//! here, and whatever names a store path from a `Digest` cannot leave the
//! store. sha256 is the one algorithm: a component's `sha256` pin in a suite
//! is its layer digest, so a layer named by another algorithm could not be
//! pinned.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// `sha256:<64 lowercase hex digits>`, checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(String);

/// Why a text is not a digest (the text itself is not kept: it may be hostile).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} (write sha256: and 64 lowercase hex digits)")]
pub struct BadDigest(&'static str);

const PREFIX: &str = "sha256:";
const HEX_LEN: usize = 64;

impl Digest {
    /// Parses `sha256:<hex>`; nothing else is a digest.
    pub fn parse(text: &str) -> Result<Digest, BadDigest> {
        let hex = text
            .strip_prefix(PREFIX)
            .ok_or(BadDigest("it does not start with sha256:"))?;
        if hex.len() != HEX_LEN {
            return Err(BadDigest("its hex part has the wrong length"));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(BadDigest("its hex part is not lowercase hex digits"));
        }
        Ok(Digest(text.to_owned()))
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new();
        hasher.update(bytes);
        hasher.finish()
    }

    /// The hex digits alone: only `[0-9a-f]`, 64 of them.
    pub fn hex(&self) -> &str {
        &self.0[PREFIX.len()..]
    }

    /// `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hashes bytes fed in pieces into a [`Digest`].
#[derive(Default)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn new() -> Hasher {
        Hasher::default()
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> Digest {
        Digest(format!("{PREFIX}{}", hex::encode(self.0.finalize())))
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    Digest::of(bytes).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sha256_and_64_lowercase_hex_digits_parse() {
        let good = format!("sha256:{}", "0a".repeat(32));
        let d = Digest::parse(&good).unwrap();
        assert_eq!((d.as_str(), d.hex()), (good.as_str(), &good[7..]));
        for bad in [
            "sha256:../../x".to_owned(),
            "sha256:/etc/passwd".to_owned(),
            format!("sha256:{}/", "a".repeat(63)),
            format!("sha256:..{}", "a".repeat(62)),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}", "a".repeat(65)),
            format!("sha512:{}", "a".repeat(128)),
            format!("SHA256:{}", "a".repeat(64)),
            format!("sha256:{}\n", "a".repeat(63)),
            format!(" sha256:{}", "a".repeat(64)),
            "a".repeat(64),
            String::new(),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hashing_in_pieces_is_hashing_at_once() {
        let mut h = Hasher::new();
        h.update(b"comp");
        h.update(b"onent");
        assert_eq!(h.finish(), Digest::of(b"component"));
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
