//! What a browser does for a sign-in, done by hand: form bodies, query
//! parameters, cookies carried across redirects, relative `Location`s, and
//! the PKCE pair.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use plume_sdk::RequestBuilder;
use plume_sdk::prelude::*;

/// `application/x-www-form-urlencoded` of `pairs`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `name` in a URL's query.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

/// `location` made absolute against the URL it answered.
pub fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let dir = base.rsplit_once('/').map_or(base, |(d, _)| d);
        format!("{dir}/{location}")
    }
}

/// Cookies set during one sign-in, sent back on every later request to the
/// same server (paths and expiry are not modelled: one short flow).
#[derive(Default, Clone)]
pub struct Jar(Vec<(String, String)>);

impl Jar {
    /// The jar a `Cookie` header (as [`Jar::header`] writes it) holds.
    pub fn from_header(header: &str) -> Jar {
        Jar(header
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn take(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                crate::masked::value(value.trim());
                let name = name.trim().to_owned();
                self.0.retain(|(n, _)| *n != name);
                self.0.push((name, value.trim().to_owned()));
            }
        }
    }

    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A request carrying the jar's cookies.
    pub fn on(&self, request: RequestBuilder) -> RequestBuilder {
        if self.0.is_empty() {
            request
        } else {
            request.header("cookie", self.header())
        }
    }
}

/// A PKCE verifier (from a fresh marker, 45 unreserved characters) and its
/// S256 challenge: BASE64URL(SHA-256(verifier)).
pub fn pkce(ctx: &Ctx) -> Result<(String, String), Halt> {
    let verifier = ctx.marker();
    let hex = sha256(verifier.as_bytes());
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|e| Halt::err(format!("the host's sha256 is not hex: {e}")))?;
    Ok((verifier, URL_SAFE_NO_PAD.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_queries_round_trip() {
        let body = form(&[
            ("redirect_uri", "http://a/cb?x=1"),
            ("scope", "openid offline"),
        ]);
        assert_eq!(
            body,
            "redirect_uri=http%3A%2F%2Fa%2Fcb%3Fx%3D1&scope=openid%20offline"
        );
        let url = "http://a/cb?code=abc&state=s%201&iss=http%3A%2F%2Fa";
        assert_eq!(query_param(url, "state").as_deref(), Some("s 1"));
        assert_eq!(query_param(url, "iss").as_deref(), Some("http://a"));
        assert_eq!(query_param(url, "nope"), None);
    }

    #[test]
    fn locations_resolve_against_the_answering_url() {
        assert_eq!(
            resolve("http://h:1/auth?x", "/interaction/u"),
            "http://h:1/interaction/u"
        );
        assert_eq!(resolve("http://h:1/a/b", "c"), "http://h:1/a/c");
        assert_eq!(resolve("http://h:1/a", "https://o/x"), "https://o/x");
    }
}
