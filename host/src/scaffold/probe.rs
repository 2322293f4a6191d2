//! `plume init`'s first look at a deployed service: one GET per URL, through
//! the same HTTP client settings as a run ([`client_builder`]: the system's
//! roots plus `--ca` files, no proxy, redirects not followed), to learn what
//! a check of it should ask.
//!
//! A body is read up to [`MAX_PROBE_BODY`]; a longer one is cut there and
//! marked, and no body check is chosen from it. A URL that does not answer,
//! or answers with a server error, is one error line, which `init` returns as its error.

use std::time::{Duration, Instant};

use url::Url;

use crate::limits::{MAX_PROBE_BODY, PROBE_TIMEOUT};
use crate::net::clients::client_builder;
use crate::net::exchange::{classify, describe_error};

/// What one URL answered.
#[derive(Debug, Clone)]
pub struct Probe {
    pub url: Url,
    pub status: u16,
    /// The `content-type` header, if any.
    pub content_type: Option<String>,
    /// The `location` header of a redirect.
    pub location: Option<String>,
    /// From sending the request to the body's end.
    pub elapsed: Duration,
    /// The body, up to [`MAX_PROBE_BODY`] bytes.
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_PROBE_BODY`].
    pub truncated: bool,
    /// The host is a name whose addresses are all loopback, private or
    /// otherwise blocked: a run needs `allow-private = true` to reach it.
    pub private: bool,
}

/// A client like a run's, trusting `extra_roots` (PEM) as well.
pub fn client(extra_roots: &[Vec<u8>]) -> Result<reqwest::Client, String> {
    client_builder(extra_roots)?
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// GETs `url` and reads what it answered; the error is one line.
pub async fn probe(client: &reqwest::Client, url: &Url) -> Result<Probe, String> {
    let start = Instant::now();
    let unanswered =
        |e: &reqwest::Error| format!("{url} does not answer: {}", describe_error(&classify(e)));
    let mut response = client
        .get(url.clone())
        .timeout(PROBE_TIMEOUT)
        .send()
        .await
        .map_err(|e| unanswered(&e))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, location) = (header("content-type"), header("location"));
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await.map_err(|e| unanswered(&e))? {
        let room = MAX_PROBE_BODY - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            truncated = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    let elapsed = start.elapsed();
    Ok(Probe {
        private: resolves_only_to_blocked(url).await,
        url: url.clone(),
        status,
        content_type,
        location,
        elapsed,
        body,
        truncated,
    })
}

/// Whether `url`'s host is a name whose every address is in a range the
/// egress policy blocks unless `allow-private` (an address literal is
/// allowed as listed, so never).
async fn resolves_only_to_blocked(url: &Url) -> bool {
    let Some(url::Host::Domain(name)) = url.host() else {
        return false;
    };
    let port = url.port_or_known_default().unwrap_or(443);
    match tokio::net::lookup_host((name, port)).await {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty()
                && addrs
                    .iter()
                    .all(|a| crate::net::policy::blocked_range(a.ip()).is_some())
        }
        Err(_) => false,
    }
}
