//! Keeps secret values out of everything Plume prints or writes.
//!
//! Each secret is matched as written, URL-encoded and base64-encoded (a
//! `user:password` pair in a Basic header, a token in a query string), and
//! replaced by `***`.

use base64::Engine as _;

/// Shortest secret value worth redacting: shorter ones would mangle ordinary text.
const MIN_SECRET_LEN: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first so overlapping forms redact whole.
    needles: Vec<String>,
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles = Vec::new();
        for secret in secrets {
            if secret.len() < MIN_SECRET_LEN {
                continue;
            }
            needles.push(secret.to_owned());
            needles.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
            needles.push(percent_all(secret));
            let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
            needles.push(b64.trim_end_matches('=').to_owned());
            let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
            needles.push(b64url);
        }
        needles.retain(|n| n.len() >= MIN_SECRET_LEN);
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor { needles }
    }

    /// `text` with every form of every secret replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "***");
            }
        }
        out
    }
}

/// Percent-encodes everything outside unreserved characters (as `encodeURIComponent` does).
fn percent_all(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_url_encoded_and_base64_forms_are_redacted() {
        let r = Redactor::new(["s3cr et/pw"]);
        assert_eq!(r.redact("pw=s3cr et/pw"), "pw=***");
        assert_eq!(r.redact("?pw=s3cr+et%2Fpw"), "?pw=***");
        assert_eq!(r.redact("?pw=s3cr%20et%2Fpw"), "?pw=***");
        let b64 = base64::engine::general_purpose::STANDARD.encode("s3cr et/pw");
        let shown = r.redact(&format!("Basic {b64}"));
        assert!(
            shown.starts_with("Basic ***") && !shown.contains(b64.trim_end_matches('=')),
            "{shown}"
        );
    }

    #[test]
    fn tiny_values_are_left_alone() {
        assert_eq!(Redactor::new(["ab"]).redact("abc"), "abc");
    }
}
