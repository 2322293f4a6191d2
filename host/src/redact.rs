//! Keeps secret values out of everything Plume prints or writes.
//!
//! Each secret is matched in every form the host's own libraries (and the
//! usual client code) produce, and replaced by `***`:
//!
//! - as written, and JSON-string-escaped (`serde_json`);
//! - percent-encoded: `application/x-www-form-urlencoded`, every byte but the
//!   unreserved ones (RFC 3986), `encodeURIComponent`'s set, and the `url`
//!   crate's own sets for a query, a path, a fragment and userinfo (what an
//!   HTTP error shows of a normalised URL);
//! - base64, standard and URL-safe: the whole encoding, and — because a
//!   secret inside `user:secret` in a Basic header starts at any offset —
//!   for each of the three alignments the inner run of characters that depend
//!   only on the secret's bytes.
//!
//! Every form of at least `MIN_SECRET_LEN` bytes is a needle of one
//! Aho-Corasick automaton (leftmost-longest), so redacting a line is one
//! pass over it, however many secrets and forms there are, and overlapping
//! forms are masked whole.

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

/// Shortest secret value (and shortest form of one) worth redacting: shorter
/// ones would mangle ordinary text.
const MIN_SECRET_LEN: usize = 4;

/// What a secret is replaced with.
const MASK: &str = "***";

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first.
    needles: Vec<String>,
    /// All the needles at once; `None` when there is nothing to redact.
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= MIN_SECRET_LEN)
            .flat_map(forms)
            .filter(|n| n.len() >= MIN_SECRET_LEN)
            .collect();
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        let matcher = if needles.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&needles)
                .ok()
        };
        Redactor { needles, matcher }
    }

    /// `text` with every form of every secret replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let Some(matcher) = &self.matcher else {
            return self.redact_slowly(text);
        };
        let Ok(found) = matcher.try_find_iter(text) else {
            return self.redact_slowly(text);
        };
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        // Needles and text are UTF-8, so every match starts and ends on a character boundary.
        for m in found {
            out.push_str(text.get(at..m.start()).unwrap_or_default());
            out.push_str(MASK);
            at = m.end();
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }

    /// The same, one needle at a time: only if the automaton could not be built.
    fn redact_slowly(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), MASK);
            }
        }
        out
    }

    /// The longest prefix of `text` of at most `max` bytes, less any tail
    /// that begins a form of a secret: cutting text before redacting it must
    /// not leave the first half of a secret on show.
    pub fn cut_prefix<'a>(&self, text: &'a str, max: usize) -> &'a str {
        let head = crate::text::prefix(text, max);
        if head.len() == text.len() {
            return head;
        }
        let mut trim = 0;
        for needle in &self.needles {
            let longest = needle.len().min(head.len() + 1);
            if let Some(k) = (trim + 1..longest)
                .rev()
                .find(|&k| needle.is_char_boundary(k) && head.ends_with(&needle[..k]))
            {
                trim = k;
            }
        }
        head.get(..head.len() - trim).unwrap_or_default()
    }
}

/// Every form of `secret` a line might show.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        secret.to_owned(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent(secret, b"-_.~"),
        percent(secret, b"-_.~!'()*"),
    ];
    forms.extend(url_forms(secret));
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json.trim_matches('"').to_owned());
    }
    for engine in [STANDARD, URL_SAFE] {
        forms.push(engine.encode(secret).trim_end_matches('=').to_owned());
        for align in 0..3 {
            forms.extend(base64_inner(&engine, secret.as_bytes(), align));
        }
    }
    forms
}

/// Percent-encodes every byte but ASCII letters, digits and `keep` (uppercase hex).
fn percent(s: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `secret` as the `url` crate writes it in a query, a fragment, a path and userinfo.
fn url_forms(secret: &str) -> Vec<String> {
    let Ok(base) = url::Url::parse("http://plume.invalid/") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut u = base.clone();
    u.set_query(Some(secret));
    out.extend(u.query().map(str::to_owned));
    let mut u = base.clone();
    u.set_fragment(Some(secret));
    out.extend(u.fragment().map(str::to_owned));
    let mut u = base.clone();
    u.set_path(&format!("/{secret}"));
    out.push(u.path().trim_start_matches('/').to_owned());
    let mut u = base.clone();
    if u.set_username(secret).is_ok() {
        out.push(u.username().to_owned());
    }
    let mut u = base;
    if u.set_password(Some(secret)).is_ok() {
        out.extend(u.password().map(str::to_owned));
    }
    out
}

/// The base64 characters that depend only on `secret` when it starts `align`
/// bytes (mod 3) into the encoded data: character k covers bits 6k..6k+6,
/// the secret bits 8·align..8·(align+len).
fn base64_inner(engine: &impl base64::Engine, secret: &[u8], align: usize) -> Option<String> {
    let mut data = vec![0u8; align];
    data.extend_from_slice(secret);
    let encoded = engine.encode(&data);
    let start = (8 * align).div_ceil(6);
    let end = 8 * (align + secret.len()) / 6;
    encoded.get(start..end).map(str::to_owned)
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
        let b64 = STANDARD.encode("s3cr et/pw");
        let shown = r.redact(&format!("Basic {b64}"));
        assert!(
            shown.starts_with("Basic ***") && !shown.contains(b64.trim_end_matches('=')),
            "{shown}"
        );
    }

    #[test]
    fn the_url_crates_own_encodings_are_redacted() {
        let secret = "Zq@8<k>x!pw/9";
        let r = Redactor::new([secret]);
        // What reqwest's connect error shows of `?pw=Zq@8<k>x!pw/9`.
        assert_eq!(r.redact("…?pw=Zq@8%3Ck%3Ex!pw/9 failed"), "…?pw=*** failed");
        let base = url::Url::parse("http://127.0.0.1:1/x").unwrap();
        let mut urls = vec![base.clone(); 5];
        urls[0].set_query(Some(&format!("pw={secret}&n=1")));
        urls[1].set_path(&format!("/p/{secret}/q"));
        urls[2].set_fragment(Some(secret));
        urls[3].set_password(Some(secret)).unwrap();
        urls[4].set_username(secret).unwrap();
        for url in urls {
            let shown = url.to_string();
            let out = r.redact(&shown);
            assert!(
                out.contains(MASK) && !out.contains("k%3Ex"),
                "{shown} -> {out}"
            );
        }
        let json = serde_json::to_string("q\"uo\\te-Tok").unwrap();
        assert_eq!(Redactor::new(["q\"uo\\te-Tok"]).redact(&json), "\"***\"");
        assert_eq!(
            r.redact("x=Zq%408%3Ck%3Ex!pw%2F9"),
            "x=***",
            "encodeURIComponent"
        );
        assert_eq!(r.redact("x=Zq%408%3Ck%3Ex%21pw%2F9"), "x=***", "every byte");
    }

    #[test]
    fn base64_of_user_and_secret_is_redacted_at_every_offset() {
        let secret = "Zq@8<k>x!pw/9";
        let r = Redactor::new([secret]);
        for user in ["", "a", "ab", "abc", "user", "admin"] {
            for engine in [STANDARD, URL_SAFE] {
                let encoded = engine.encode(format!("{user}:{secret}:tail"));
                let shown = r.redact(&format!("Authorization: Basic {encoded}"));
                assert!(shown.contains(MASK), "{user}: {shown}");
                // At most the two characters each side that mix in other bytes survive.
                let visible = shown.trim_start_matches("Authorization: Basic ").len() - MASK.len();
                let neighbours = engine
                    .encode(format!("{user}:"))
                    .trim_end_matches('=')
                    .len()
                    + engine.encode(":tail").len();
                assert!(visible <= neighbours + 2, "{user}: {shown}");
            }
        }
    }

    #[test]
    fn a_cut_never_ends_in_half_a_secret() {
        let r = Redactor::new(["hunter2-long-secret"]);
        let text = "abc hunter2-long-secret";
        assert_eq!(
            r.cut_prefix(text, 12),
            "abc ",
            "the start of the secret is dropped"
        );
        assert_eq!(r.cut_prefix(text, 3), "abc");
        assert_eq!(r.cut_prefix(text, 100), text);
        let out = r.redact(r.cut_prefix("xx hunter2-long-secret yy", 23));
        assert_eq!(out, "xx *** ", "a whole secret inside the cut is masked");
    }

    #[test]
    fn tiny_values_are_left_alone() {
        assert_eq!(Redactor::new(["ab"]).redact("abc"), "abc");
        assert_eq!(Redactor::new(Vec::<&str>::new()).redact("abc"), "abc");
    }

    #[test]
    fn redaction_is_idempotent_and_overlaps_mask_whole() {
        let r = Redactor::new(["abcdef", "defghi"]);
        let once = r.redact("xx abcdefghi yy");
        assert!(
            !once.contains("abcdef") && !once.contains("defghi"),
            "{once}"
        );
        assert_eq!(r.redact(&once), once);
    }
}
