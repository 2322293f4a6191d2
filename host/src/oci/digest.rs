//! A content digest, parsed before it names anything.
//!
//! Every digest that comes from outside — a manifest's layer and config
//! descriptors, a reference's `@sha256:…`, a suite's pin, a tag record read
//! back from the store — becomes a [`Digest`] through [`Digest::parse`]
//! before it is compared, shown or used to name a file. A `Digest` is
//! `algorithm:hex` with exactly the hex length of its algorithm (sha256: 64,
//! sha512: 128) in lowercase, so its text holds nothing but `[a-z0-9:]`:
//! `sha256:../../x` or `sha256:/etc/passwd` is refused here, and whatever
//! names a store path from a `Digest` cannot leave the store.

use std::fmt;

use sha2::{Digest as _, Sha256, Sha512};

/// A digest algorithm Plume verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    /// Its name in a digest (`sha256`), also the store folder its blobs live in.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Hex digits of its digests.
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// `algorithm:hex`, checked: see the module's rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    /// The whole text, `sha256:<64 lowercase hex digits>`.
    text: String,
}

/// Why a text is not a digest (the text itself is not kept: it may be hostile).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} (write sha256: and 64 lowercase hex digits, or sha512: and 128)")]
pub struct BadDigest(&'static str);

impl Digest {
    /// Parses `algorithm:hex`; nothing else is a digest.
    pub fn parse(text: &str) -> Result<Digest, BadDigest> {
        let (name, hex) = text
            .split_once(':')
            .ok_or(BadDigest("it has no algorithm"))?;
        let algorithm = match name {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => return Err(BadDigest("its algorithm is not sha256 or sha512")),
        };
        if hex.len() != algorithm.hex_len() {
            return Err(BadDigest("its hex part has the wrong length"));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(BadDigest("its hex part is not lowercase hex digits"));
        }
        Ok(Digest {
            algorithm,
            text: text.to_owned(),
        })
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new(Algorithm::Sha256);
        hasher.update(bytes);
        hasher.finish()
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex digits alone: only `[0-9a-f]`, of the algorithm's length.
    pub fn hex(&self) -> &str {
        &self.text[self.algorithm.name().len() + 1..]
    }

    /// `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Hashes bytes fed in pieces into a [`Digest`] of one algorithm.
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> Digest {
        let (algorithm, hex) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, hex::encode(h.finalize())),
            Hasher::Sha512(h) => (Algorithm::Sha512, hex::encode(h.finalize())),
        };
        Digest {
            algorithm,
            text: format!("{}:{hex}", algorithm.name()),
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    Digest::sha256_of(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_algorithm_and_hex_of_the_right_length_parse() {
        let good = format!("sha256:{}", "0a".repeat(32));
        let d = Digest::parse(&good).unwrap();
        assert_eq!((d.as_str(), d.hex().len()), (good.as_str(), 64));
        assert!(Digest::parse(&format!("sha512:{}", "f".repeat(128))).is_ok());
        for bad in [
            "sha256:../../x".to_owned(),
            "sha256:/etc/passwd".to_owned(),
            format!("sha256:{}/", "a".repeat(63)),
            format!("sha256:..{}", "a".repeat(62)),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}", "a".repeat(65)),
            format!("sha256:{}", "a".repeat(128)),
            format!("sha512:{}", "a".repeat(64)),
            format!("md5:{}", "a".repeat(32)),
            format!("SHA256:{}", "a".repeat(64)),
            format!("sha256:{}\n", "a".repeat(63)),
            "a".repeat(64),
            String::new(),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hashing_in_pieces_is_hashing_at_once() {
        let mut h = Hasher::new(Algorithm::Sha256);
        h.update(b"comp");
        h.update(b"onent");
        assert_eq!(h.finish(), Digest::sha256_of(b"component"));
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut h = Hasher::new(Algorithm::Sha512);
        h.update(b"");
        assert!(h.finish().as_str().starts_with("sha512:cf83e135"));
    }
}
