//! The edge between the contract's generated types and `net`'s own
//! ([`crate::net::message`]): every conversion between them, in one place.
//!
//! They are the same records field for field, so each conversion is total
//! and loses nothing; an `http-error` keeps its case and its text.

use crate::engine::bindings::{http as wit, tls as wit_tls};
use crate::net::message as net;

impl From<wit::RedirectPolicy> for net::RedirectPolicy {
    fn from(policy: wit::RedirectPolicy) -> Self {
        match policy {
            wit::RedirectPolicy::None => net::RedirectPolicy::None,
            wit::RedirectPolicy::Follow(hops) => net::RedirectPolicy::Follow(hops),
        }
    }
}

impl From<wit::Request> for net::Request {
    fn from(req: wit::Request) -> Self {
        net::Request {
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: req.body,
            timeout_ms: req.timeout_ms,
            redirects: req.redirects.into(),
        }
    }
}

impl From<net::Response> for wit::Response {
    fn from(response: net::Response) -> Self {
        wit::Response {
            status: response.status,
            headers: response.headers,
            body: response.body,
            elapsed_ms: response.elapsed_ms,
        }
    }
}

impl From<net::HttpError> for wit::HttpError {
    fn from(error: net::HttpError) -> Self {
        match error {
            net::HttpError::Timeout(m) => wit::HttpError::Timeout(m),
            net::HttpError::Connect(m) => wit::HttpError::Connect(m),
            net::HttpError::Tls(m) => wit::HttpError::Tls(m),
            net::HttpError::Denied(m) => wit::HttpError::Denied(m),
            net::HttpError::TooLarge(m) => wit::HttpError::TooLarge(m),
            net::HttpError::Invalid(m) => wit::HttpError::Invalid(m),
        }
    }
}

impl From<net::Certificate> for wit_tls::Certificate {
    fn from(c: net::Certificate) -> Self {
        wit_tls::Certificate {
            subject: c.subject,
            issuer: c.issuer,
            names: c.names,
            not_before: c.not_before,
            not_after: c.not_after,
        }
    }
}

impl From<net::Peer> for wit_tls::Peer {
    fn from(peer: net::Peer) -> Self {
        wit_tls::Peer {
            version: peer.version,
            chain: peer.chain.into_iter().map(Into::into).collect(),
            chain_error: peer.chain_error,
            name_matches: peer.name_matches,
        }
    }
}
