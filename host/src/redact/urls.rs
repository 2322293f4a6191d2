//! Credentials a URL carries — user name, password, credential query
//! values — found for a redactor and masked in the URL shown, whatever their
//! length: a URL from the command line (`--push-gateway`) or a registry is
//! shown only through [`url_shown`].

/// Query parameters whose values are credentials, by a word in their name
/// (`access_token`, `X-Amz-Signature`, `api_key`, `password`, `sig`…).
const CREDENTIAL_WORDS: [&str; 9] = [
    "token",
    "key",
    "secret",
    "pass",
    "pwd",
    "sig",
    "auth",
    "credential",
    "session",
];

fn is_credential_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| name.contains(w))
}

/// The credentials a URL carries: its user name, its password, and the
/// values of its credential query parameters.
pub fn url_credentials(url: &url::Url) -> Vec<String> {
    let mut found: Vec<String> = [url.username(), url.password().unwrap_or_default()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    found.extend(
        url.query_pairs()
            .filter(|(k, v)| is_credential_param(k) && !v.is_empty())
            .map(|(_, v)| v.into_owned()),
    );
    found
}

/// A URL as it may be shown: user name, password and the values of
/// credential query parameters replaced by `***`, whatever their length.
pub fn url_shown(url: &url::Url) -> String {
    let mut shown = url.clone();
    if !shown.username().is_empty() {
        let _ = shown.set_username(super::MASK);
    }
    if shown.password().is_some() {
        let _ = shown.set_password(Some(super::MASK));
    }
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_credential_param(&k) {
                    super::MASK.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

/// `text` with its `%XX` escapes undone (invalid UTF-8 replaced).
fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}
