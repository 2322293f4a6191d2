//! What needs no body in the pack: HTTP basic authentication (`basic =
//! { user, password }`, RFC 7617) and the body's digest and size
//! (`expect.sha256`, `expect.bytes`), which the host computes as the body
//! streams through its hasher.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use plume_sdk::{DigestResponse, Halt};

use crate::spec::Expect;

/// `Basic base64(user:password)`.
pub fn header(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// `expect.sha256` and `expect.bytes` against what the host hashed and counted.
pub fn expect_digest(r: &DigestResponse, e: &Expect) -> Result<Vec<String>, Halt> {
    let mut facts = Vec::new();
    if let Some(want) = e.bytes {
        if r.bytes != want {
            return Err(Halt::Err {
                status: Some(r.status),
                detail: format!("received {} bytes, expected {want}", r.bytes),
            });
        }
        facts.push(format!("{want} bytes"));
    }
    if let Some(want) = &e.sha256 {
        let want = want.to_ascii_lowercase();
        if r.sha256 != want {
            return Err(Halt::Err {
                status: Some(r.status),
                detail: format!(
                    "the body's sha256 is {}, expected {want} ({} bytes received)",
                    r.sha256, r.bytes
                ),
            });
        }
        facts.push(format!("sha256 {}…", want.get(..12).unwrap_or(&want)));
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64_of_user_colon_password() {
        assert_eq!(header("smoke", "s3cret"), "Basic c21va2U6czNjcmV0");
        assert_eq!(header("", ""), "Basic Og==");
    }
}
