//! Credentials nobody configured: values a server hands out at run time
//! that are credentials by their name, masked in every line whatever their
//! length, even when no plugin asked:
//!
//! - the values of well-known credential fields in JSON text
//!   (`"access_token": "…"`, and `refresh_token`, `id_token`,
//!   `client_secret`, `password`, `registration_access_token`), as a token
//!   endpoint or a registration answer sends them;
//! - the same names as form or query parameters (`access_token=…`);
//! - the signature and credential parameters of presigned URLs
//!   (`X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`,
//!   `X-Goog-Signature`, `X-Goog-Credential`, Azure SAS `sig`).
//!
//! A value cut off by the end of the text (an excerpt cut through it) is
//! masked to the end, so no prefix of it survives.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

/// JSON fields whose string values are credentials.
const JSON_FIELDS: &str =
    "access_token|refresh_token|id_token|client_secret|password|registration_access_token";

/// `"FIELD" : "VALUE"` (VALUE may run to the end of the text unclosed).
static JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)("(?:{JSON_FIELDS})"\s*:\s*")((?:[^"\\]|\\.)+)"#
    ))
    .expect("a valid pattern")
});

/// `NAME=VALUE` after the start, `?`, `&` or white space.
static PARAMETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)((?:^|[?&\s])(?:{JSON_FIELDS}|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|sig)=)([^&\s"'<>#]+)"#
    ))
    .expect("a valid pattern")
});

/// What every match of either pattern holds, in ASCII: a field or parameter
/// name (`registration_access_token` holds `access_token`), or `sig=`.
const NAMES: [&str; 11] = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "sig=",
];

/// The names, in any ASCII case.
static ANY_NAME: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NAMES)
        .ok()
});

/// Whether neither pattern can match `text`: it is ASCII (the patterns'
/// Unicode case folding can only match ASCII names there) and holds none
/// of the names in any case.
fn holds_no_name(text: &str) -> bool {
    text.is_ascii() && ANY_NAME.as_ref().is_some_and(|names| !names.is_match(text))
}

/// `text` with every value above replaced by `***`.
pub fn mask(text: &str) -> Cow<'_, str> {
    if holds_no_name(text) {
        return Cow::Borrowed(text);
    }
    let once = JSON_FIELD.replace_all(text, "${1}***");
    match PARAMETER.replace_all(&once, "${1}***") {
        Cow::Borrowed(_) => once,
        Cow::Owned(twice) => Cow::Owned(twice),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn token_fields_in_json_are_masked_and_the_rest_is_kept() {
        let body = r#"{"access_token":"eyJhbGciOi.x.y","token_type":"Bearer","Refresh_Token" : "r-1\"2","expires_in":300}"#;
        assert_eq!(
            mask(body),
            r#"{"access_token":"***","token_type":"Bearer","Refresh_Token" : "***","expires_in":300}"#
        );
    }

    #[test]
    fn a_value_cut_by_the_end_of_an_excerpt_is_masked_to_the_end() {
        assert_eq!(
            mask(r#"body: {"id_token":"eyJhbGciOiJSUzI1NiJ9.eyJz"#),
            r#"body: {"id_token":"***"#
        );
    }

    #[test]
    fn presigned_url_signatures_and_token_parameters_are_masked() {
        let url = "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abcd1234 -> 403";
        assert_eq!(
            mask(url),
            "GET https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=*** -> 403"
        );
        assert_eq!(
            mask("https://a.blob.core.windows.net/c/f?sv=2022&sig=Zm9v%3D&se=2026"),
            "https://a.blob.core.windows.net/c/f?sv=2022&sig=***&se=2026"
        );
        assert_eq!(
            mask("access_token=abc&token_type=bearer"),
            "access_token=***&token_type=bearer"
        );
    }

    #[test]
    fn the_quick_path_masks_what_the_patterns_mask() {
        // The same texts through the patterns alone, and through `mask`
        // (which skips them for ASCII text holding no name): equal.
        let through_patterns = |text: &str| {
            let once = super::JSON_FIELD.replace_all(text, "${1}***");
            super::PARAMETER.replace_all(&once, "${1}***").into_owned()
        };
        for text in [
            r#"status 200, /status = "ok""#,
            r#"{"ACCESS_TOKEN":"a1b2c3"}"#,
            "GET /cb?Sig=abc&x=1",
            "?X-GOOG-CREDENTIAL=abc",
            // Unicode case folding: `ſ` (long s) matches `s` in the patterns.
            r#"{"paſſword":"hunter2"}"#,
            "nothing to see here",
        ] {
            assert_eq!(mask(text), through_patterns(text), "{text}");
        }
        assert_eq!(mask(r#"{"paſſword":"hunter2"}"#), r#"{"paſſword":"***"}"#);
    }

    #[test]
    fn names_that_only_contain_the_words_are_left_alone() {
        for text in [
            "flow.revoke.access_token ok",
            "?signature=x&design=y",
            r#"{"password_policy":"long"}"#,
        ] {
            assert_eq!(mask(text), text);
        }
    }
}
