//! Redirects followed by the pack itself, hop by hop, so it knows the URL
//! that finally answered: a release download is usually an alias that
//! redirects to the named file, or a content-addressed key that redirects
//! to a presigned URL, and the file name `SHA256SUMS` lists is the one the
//! final answer gives (its `Content-Disposition`, else its URL).
//!
//! Each hop is a request of its own with redirects off, so the host still
//! checks every hop against `allow-hosts` (one it does not grant is a
//! `denied:` line naming it), and at most [`MAX_HOPS`] are followed. The
//! deadline, when one is given, holds for all hops together.

use std::time::Instant;

use iri_string::types::{UriAbsoluteStr, UriReferenceStr};
use plume_sdk::prelude::*;
use plume_sdk::{RequestBuilder, Response};

/// Redirect hops the pack follows: GitHub Releases to its asset host, a
/// presigned S3 or CDN link, an alias to the versioned file.
pub const MAX_HOPS: u8 = 5;

/// What one hop answered: its status, headers and redirect target.
pub trait Answer {
    fn status(&self) -> u16;
    fn header(&self, name: &str) -> Option<&str>;
}

impl Answer for Response {
    fn status(&self) -> u16 {
        self.status
    }
    fn header(&self, name: &str) -> Option<&str> {
        Response::header(self, name)
    }
}

impl Answer for plume_sdk::DigestResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn header(&self, name: &str) -> Option<&str> {
        plume_sdk::DigestResponse::header(self, name)
    }
}

impl Answer for Stream {
    fn status(&self) -> u16 {
        self.status
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The final answer and the URL it came from.
pub struct Followed<T> {
    pub answer: T,
    pub url: String,
}

/// Sends `url` with `send`, following 3xx answers that carry a `Location`
/// (resolved against the hop's URL) up to [`MAX_HOPS`].
pub fn follow<T: Answer>(
    ctx: &Ctx,
    url: &str,
    deadline: Option<Duration>,
    mut send: impl FnMut(RequestBuilder) -> Result<T, Halt>,
) -> Result<Followed<T>, Halt> {
    let start = Instant::now();
    let mut url = url.to_owned();
    for _ in 0..=MAX_HOPS {
        let mut request = ctx.get(url.clone());
        if let Some(limit) = deadline {
            request = request.timeout(limit.saturating_sub(start.elapsed()));
        }
        let answer = send(request)?;
        let redirected = (300..400).contains(&answer.status());
        let next = answer
            .header("location")
            .filter(|_| redirected)
            .map(|location| next_hop(&url, location))
            .transpose()?;
        match next {
            Some(next) => url = next,
            None => return Ok(Followed { answer, url }),
        }
    }
    Err(Halt::err(format!(
        "more than {MAX_HOPS} redirects (last hop to {})",
        shown(&url)
    )))
}

/// `location` resolved against the URL that sent it (RFC 3986 §5.2).
fn next_hop(from: &str, location: &str) -> Result<String, Halt> {
    let bad = |why: String| {
        Halt::err(format!(
            "bad Location {:?} from {}: {why}",
            shown(location),
            shown(from)
        ))
    };
    let base = UriAbsoluteStr::new(from.split('#').next().unwrap_or(from))
        .map_err(|e| bad(e.to_string()))?;
    let reference = UriReferenceStr::new(location).map_err(|e| bad(e.to_string()))?;
    let resolved = reference.resolve_against(base);
    resolved
        .ensure_rfc3986_normalizable()
        .map_err(|e| bad(e.to_string()))?;
    Ok(resolved.to_string())
}

/// The last path segment of `url`, percent-decoded (`plume%2B1.bin` is the
/// file `plume+1.bin`); empty when the path ends in `/`.
pub fn file_of(url: &str) -> String {
    let segment = UriReferenceStr::new(url)
        .ok()
        .and_then(|u| u.path_str().rsplit('/').next().map(str::to_owned))
        .unwrap_or_default();
    percent_encoding::percent_decode_str(&segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// `url` as lines show it: without its query (`?…` in its place), which on
/// a presigned URL holds the signature and credential.
pub fn shown(url: &str) -> String {
    match url.split_once('?') {
        Some((bare, _)) => format!("{bare}?…"),
        None => url.to_owned(),
    }
}

/// The scheme, host and port of `url` (lowercase), to tell whether two URLs
/// are served by the same host.
pub fn origin_of(url: &str) -> Option<String> {
    let u = UriAbsoluteStr::new(url).ok()?;
    let authority = u.authority_components()?;
    let port = authority
        .port()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    Some(format!("{}://{}{port}", u.scheme_str(), authority.host()).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::{file_of, next_hop, origin_of, shown};

    #[test]
    fn a_location_is_resolved_against_its_hop() {
        let to = |l| next_hop("http://a.test/x/y?sig=1", l).unwrap();
        assert_eq!(to("z"), "http://a.test/x/z");
        assert_eq!(to("/b/c"), "http://a.test/b/c");
        assert_eq!(to("http://b.test/c"), "http://b.test/c");
        assert_eq!(to("../up?q=1"), "http://a.test/up?q=1");
        assert_eq!(to("?sig=2"), "http://a.test/x/y?sig=2");
        assert!(next_hop("http://a.test/", "http://[x").is_err());
    }

    #[test]
    fn a_file_name_is_the_last_segment_decoded() {
        assert_eq!(
            file_of("http://a.test/d/plume%2B1.bin?X-Amz-Signature=s"),
            "plume+1.bin"
        );
        assert_eq!(file_of("http://a.test/d/"), "");
        assert_eq!(
            shown("http://a.test/k?X-Amz-Signature=s"),
            "http://a.test/k?…"
        );
        assert_eq!(
            origin_of("http://a.test:81/x").as_deref(),
            Some("http://a.test:81")
        );
        assert_eq!(
            origin_of("HTTP://A.test/x").as_deref(),
            Some("http://a.test")
        );
    }
}
