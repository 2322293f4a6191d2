//! What `net` sends and answers, in its own types: a request, a response,
//! why an exchange produced no response, and what a TLS server presents.
//!
//! These mirror the contract's records field for field, but belong to `net`:
//! the generated WIT bindings stop at the capability adapters (`caps/`),
//! which convert at their edge, so the network layer, the cleanup registry
//! and the cleanup walk never depend on the contract's code. An
//! [`HttpError`] is written as one `kind: message` line by
//! [`crate::net::exchange::describe_error`], the same text the contract
//! documents for its `http-error`.

/// Header name and value pairs, in order.
pub type Headers = Vec<(String, String)>;

/// What to do with a 3xx answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectPolicy {
    /// Return the 3xx response as it is.
    None,
    /// Follow at most this many hops; each hop is checked against the allow-list.
    Follow(u8),
}

/// One request a plugin (or its deferred cleanup) asks the host to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: Option<Vec<u8>>,
    /// Deadline for the whole exchange; `None` means the host's default.
    pub timeout_ms: Option<u32>,
    pub redirects: RedirectPolicy,
}

/// A whole (capped) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// From sending the request to the last body byte.
    pub elapsed_ms: u32,
}

/// Why a request produced no response; its case is the line's `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The deadline passed (connecting, waiting for headers or reading the body).
    Timeout(String),
    /// The connection could not be made or broke.
    Connect(String),
    /// The TLS handshake failed.
    Tls(String),
    /// The allow-list or the address policy refused it; nothing was sent.
    Denied(String),
    /// The body passed the host's size cap.
    TooLarge(String),
    /// The request itself is malformed (bad URL, method or header).
    Invalid(String),
}

/// One certificate as a TLS server presented it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    /// DNS names and IP addresses the certificate is valid for (its SANs).
    pub names: Vec<String>,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
}

/// What a TLS server presented in its handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The negotiated protocol: `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// The chain as presented, leaf first.
    pub chain: Vec<Certificate>,
    /// Why the chain does not verify against the trusted roots, ignoring
    /// the host name; `None` when it does.
    pub chain_error: Option<String>,
    /// Whether the leaf is valid for the host name of the URL.
    pub name_matches: bool,
}
