//! What needs no body in the pack: HTTP basic authentication (`basic =
//! { user, password }`, RFC 7617) and the body's digest and size
//! (`expect.sha256`, `expect.bytes`), which the host computes as the body
//! streams through its hasher; a status failure in that mode sends the
//! request again to show the body it did not keep.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use plume_sdk::{DigestResponse, Halt, RequestBuilder, describe_error};

use crate::config::Expect;

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

/// The failure for a `status` answer whose body the host hashed, not kept:
/// the same request sent again, its body shown as any status failure shows
/// it (`expected status 200, got 404; body: <Error><Code>NoSuchKey…`).
pub fn error_body(again: RequestBuilder, status: u16, expected: &[u16]) -> Halt {
    let second = again.try_send();
    if let Ok(r) = &second
        && r.status == status
        && let Err(shown) = r.expect_status(expected)
    {
        return shown;
    }
    let why = match second {
        Ok(r) => format!("a second request for its body answered {}", r.status),
        Err(e) => format!(
            "a second request for its body failed: {}",
            describe_error(&e)
        ),
    };
    let expected: Vec<String> = expected.iter().map(u16::to_string).collect();
    Halt::Err {
        status: Some(status),
        detail: format!(
            "expected status {}, got {status} ({why})",
            expected.join(" or ")
        ),
    }
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
