//! [`Response`] and its assertions. Every assertion runs on the host, so a
//! failure reads the same from every guest language:
//! `at /billing_plan: expected a value, found none; body: {...}`.

use crate::__bindings::plume::check::assert;
use crate::__bindings::plume::check::http;
use crate::outcome::Halt;

pub use crate::__bindings::plume::check::assert::JsonKind;

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names are lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed_ms: u32,
}

impl From<http::Response> for Response {
    fn from(r: http::Response) -> Self {
        Response {
            status: r.status,
            headers: r.headers,
            body: r.body,
            elapsed_ms: r.elapsed_ms,
        }
    }
}

impl Response {
    fn check(&self, result: Result<(), String>) -> Result<&Self, Halt> {
        result.map(|()| self).map_err(|detail| Halt::Err {
            status: Some(self.status),
            detail,
        })
    }

    /// The status is one of `expected`. A status in the set is known here;
    /// only a miss asks the host, for its line with the body's excerpt.
    pub fn expect_status(&self, expected: &[u16]) -> Result<&Self, Halt> {
        if expected.contains(&self.status) {
            return Ok(self);
        }
        self.check(assert::status_in(self.status, expected, &self.body))
    }

    /// The JSON body has a value at `pointer` (RFC 6901, e.g. `/data/0/id`).
    pub fn expect_json(&self, pointer: &str) -> Result<&Self, Halt> {
        self.check(assert::json_exists(&self.body, pointer))
    }

    /// The value at `pointer` equals `expected`.
    pub fn expect_json_eq(
        &self,
        pointer: &str,
        expected: impl Into<serde_json::Value>,
    ) -> Result<&Self, Halt> {
        let expected = expected.into().to_string();
        self.check(assert::json_equals(&self.body, pointer, &expected))
    }

    /// The value at `pointer` (a string as is, else as JSON) matches `regex`.
    pub fn expect_json_match(&self, pointer: &str, regex: &str) -> Result<&Self, Halt> {
        self.check(assert::json_matches(&self.body, pointer, regex))
    }

    /// The value at `pointer` is of JSON type `kind`.
    pub fn expect_json_type(&self, pointer: &str, kind: JsonKind) -> Result<&Self, Halt> {
        self.check(assert::json_type(&self.body, pointer, kind))
    }

    /// The value at `pointer` is not null and not an empty string, array or object.
    pub fn expect_non_empty(&self, pointer: &str) -> Result<&Self, Halt> {
        self.check(assert::json_non_empty(&self.body, pointer))
    }

    /// The header is present.
    pub fn expect_header(&self, name: &str) -> Result<&Self, Halt> {
        self.check(assert::header_present(&self.headers, name))
    }

    /// The header is present and matches `regex`.
    pub fn expect_header_match(&self, name: &str, regex: &str) -> Result<&Self, Halt> {
        self.check(assert::header_matches(&self.headers, name, regex))
    }

    /// The body contains `needle`.
    pub fn expect_contains(&self, needle: &str) -> Result<&Self, Halt> {
        self.check(assert::body_contains(&self.body, needle))
    }

    /// The value at `pointer`: a string as is, anything else as JSON text.
    pub fn json_str(&self, pointer: &str) -> Result<String, Halt> {
        assert::json_get(&self.body, pointer).map_err(|detail| Halt::Err {
            status: Some(self.status),
            detail,
        })
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, Halt> {
        // A leading UTF-8 byte order mark is skipped (RFC 8259 §8.1), as
        // the host's JSON assertions do.
        let body = self
            .body
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.body);
        serde_json::from_slice(body).map_err(|e| Halt::Err {
            status: Some(self.status),
            detail: format!("expected a JSON body: {e}"),
        })
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first value of a header (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A body hashed by the host as it streamed.
#[derive(Debug, Clone)]
pub struct DigestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub bytes: u64,
    pub sha256: String,
    pub elapsed_ms: u32,
}

impl From<http::DigestResponse> for DigestResponse {
    fn from(r: http::DigestResponse) -> Self {
        DigestResponse {
            status: r.status,
            headers: r.headers,
            bytes: r.bytes,
            sha256: r.sha256,
            elapsed_ms: r.elapsed_ms,
        }
    }
}

impl DigestResponse {
    /// The status is one of `expected`.
    pub fn expect_status(&self, expected: &[u16]) -> Result<&Self, Halt> {
        assert::status_in(self.status, expected, &[])
            .map(|()| self)
            .map_err(|detail| Halt::Err {
                status: Some(self.status),
                detail,
            })
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &[u8]) -> Response {
        Response::from(http::Response {
            status: 502,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.to_vec(),
            elapsed_ms: 7,
        })
    }

    #[test]
    fn json_skips_a_byte_order_mark_and_a_bad_body_is_an_err_with_the_status() {
        let json = response(b"\xEF\xBB\xBF{\"a\":1}").json().unwrap();
        assert_eq!(json["a"], 1);
        let bad = response(b"not json").json().unwrap_err();
        assert_eq!(bad.status(), Some(502));
        assert!(
            bad.detail().starts_with("expected a JSON body: "),
            "{}",
            bad.detail()
        );
    }

    #[test]
    fn text_and_headers() {
        let r = response(b"not json \xff");
        assert_eq!(r.text(), "not json \u{fffd}");
        assert_eq!(r.header("Content-Type"), Some("text/plain"));
        assert_eq!(r.header("x"), None);
        let d = DigestResponse::from(http::DigestResponse {
            status: 200,
            headers: vec![("etag".into(), "e".into())],
            bytes: 12,
            sha256: "ab".into(),
            elapsed_ms: 4,
        });
        assert_eq!(
            (d.header("ETag"), d.bytes, d.sha256.as_str()),
            (Some("e"), 12, "ab")
        );
    }
}
