//! What needs no body in the pack: HTTP basic authentication (`basic =
//! { user, password }`, RFC 7617) and the body's digest and size
//! (`expect.sha256`, `expect.bytes`), which the host computes as the body
//! streams through its hasher.

use plume_sdk::{DigestResponse, Halt};

use crate::spec::Expect;

/// `Basic base64(user:password)`.
pub fn header(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
