//! The host-side values behind the contract's resources, which a guest
//! holds by handle: an open response body and an incremental hasher.
//!
//! They live apart from the capabilities that use them (`caps::http`,
//! `caps::digest`) so the generated bindings can name them without
//! depending on the capabilities, which depend on the bindings.

use sha2::Sha256;
use tokio::sync::OwnedSemaphorePermit;

/// A streamed response body held for the guest (`http.body-stream`).
pub struct BodyStream {
    pub response: reqwest::Response,
    /// Bytes received but not yet handed over (a chunk larger than the read asked for).
    pub pending: bytes::Bytes,
    /// The connection slot the stream holds until the guest drops it.
    pub slot: OwnedSemaphorePermit,
    /// Body bytes received so far, and where from: what a broken body's
    /// error names.
    pub received: u64,
    pub url: String,
}

/// An incremental SHA-256 held for the guest (`digest.hasher`).
pub struct Hasher(pub Sha256);
