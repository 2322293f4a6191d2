//! [`RequestBuilder`]: `ctx.get(url).bearer(token).send()?`.

use std::time::Duration;

use crate::__bindings::plume::check::http::{self, HttpError, RedirectPolicy, Request};
use crate::outcome::Halt;
use crate::response::{DigestResponse, Response};
use crate::stream::Stream;

/// A request being built; `send`, `open` or `fetch_digest` it.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    request: Request,
}

impl RequestBuilder {
    pub(crate) fn new(method: &str, url: String) -> Self {
        RequestBuilder {
            request: Request {
                method: method.to_owned(),
                url,
                headers: Vec::new(),
                body: None,
                timeout_ms: None,
                redirects: RedirectPolicy::None,
            },
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.request.headers.push((name.to_owned(), value.into()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// A JSON body, with its content type.
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.request.body = Some(body.to_string().into_bytes());
        self.header("content-type", "application/json")
    }

    /// A raw body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.request.body = Some(body.into());
        self
    }

    /// The deadline for the whole exchange (the host's default otherwise).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.request.timeout_ms = Some(u32::try_from(limit.as_millis()).unwrap_or(u32::MAX));
        self
    }

    /// Follow up to `hops` redirects (each checked against the allow-list).
    pub fn follow_redirects(mut self, hops: u8) -> Self {
        self.request.redirects = RedirectPolicy::Follow(hops);
        self
    }

    /// Sends and reads the whole body; an HTTP error ends the check as `err`.
    pub fn send(self) -> Result<Response, Halt> {
        Ok(self.try_send()?)
    }

    /// Sends and reads the whole body, handing back the error for inspection.
    pub fn try_send(self) -> Result<Response, HttpError> {
        http::send(&self.request).map(Response::from)
    }

    /// Sends and returns once the headers arrive; read the body from the stream.
    pub fn open(self) -> Result<Stream, HttpError> {
        http::open(&self.request).map(|(head, body)| Stream::new(head, body))
    }

    /// Streams the body through SHA-256 on the host.
    pub fn fetch_digest(self) -> Result<DigestResponse, Halt> {
        Ok(http::fetch_digest(&self.request).map(DigestResponse::from)?)
    }

    pub(crate) fn into_request(self) -> Request {
        self.request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_built_as_the_contracts_record() {
        let plain = RequestBuilder::new("GET", "http://h/".into()).into_request();
        assert_eq!(
            (plain.method.as_str(), plain.url.as_str()),
            ("GET", "http://h/")
        );
        assert!(plain.headers.is_empty() && plain.body.is_none() && plain.timeout_ms.is_none());
        assert!(matches!(plain.redirects, RedirectPolicy::None));
        let r = RequestBuilder::new("POST", "http://h/x".into())
            .bearer("t")
            .json(&serde_json::json!({"a": [1]}))
            .timeout(Duration::from_millis(500))
            .follow_redirects(2)
            .into_request();
        let headers: Vec<_> = r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            headers,
            ["authorization: Bearer t", "content-type: application/json"]
        );
        assert_eq!(r.body.as_deref(), Some(&b"{\"a\":[1]}"[..]));
        assert_eq!(r.timeout_ms, Some(500));
        assert!(matches!(r.redirects, RedirectPolicy::Follow(2)));
        let long = RequestBuilder::new("GET", "u".into())
            .timeout(Duration::from_secs(u64::MAX))
            .body("raw")
            .into_request();
        assert_eq!(
            (long.timeout_ms, long.body.as_deref()),
            (Some(u32::MAX), Some(&b"raw"[..]))
        );
    }
}
