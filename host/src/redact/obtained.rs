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

/// `text` with every value above replaced by `***`.
pub fn mask(text: &str) -> Cow<'_, str> {
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
