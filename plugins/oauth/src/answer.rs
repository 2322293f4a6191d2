//! What an authorization endpoint did with a request, judged as a browser
//! sees it (with the signed-in session when there is one): sent it back to
//! the client (with a code or an error), accepted it and asked the user (a
//! consent form, or a sign-in form at the authorization endpoint itself, as
//! Keycloak shows after validating the request), sent it to a sign-in page
//! elsewhere first (the request is then not judged yet: Django OAuth Toolkit
//! redirects every signed-out request to its login page before validating
//! it), or answered with a page of its own and no redirect.

use plume_sdk::prelude::*;

use crate::html::{Form, forms};
use crate::signin::location;
use crate::web::{Jar, query_param, resolve};

/// How many redirects inside the server are followed to judge an answer.
const MAX_HOPS: usize = 6;

/// How much of an error page a line quotes.
const EXCERPT: usize = 120;

pub enum Verdict {
    /// Redirected to one of the client's URIs (`to`, with `error` or a code).
    Back {
        status: u16,
        to: String,
        error: Option<String>,
    },
    /// Accepted: the server asked the user (`what` says how, and where).
    Accepted { status: u16, what: String },
    /// Sent to sign in at `at` first: not judged yet.
    SignInFirst { at: String },
    /// A page of its own and no redirect: `status` and the page's text.
    Page { status: u16, text: String },
}

/// The words of an HTML page, tags left out, cut to a line's length.
pub fn excerpt(html: &str) -> String {
    let mut words = String::new();
    let mut in_tag = false;
    let mut in_head = false;
    let lower = html.to_ascii_lowercase();
    for (i, c) in html.char_indices() {
        match c {
            '<' => {
                in_tag = true;
                let rest = &lower[i..];
                if rest.starts_with("<head")
                    || rest.starts_with("<style")
                    || rest.starts_with("<script")
                {
                    in_head = true;
                } else if rest.starts_with("</head")
                    || rest.starts_with("</style")
                    || rest.starts_with("</script")
                {
                    in_head = false;
                }
            }
            '>' => {
                in_tag = false;
                words.push(' ');
            }
            _ if !in_tag && !in_head => words.push(c),
            _ => {}
        }
    }
    let text = words.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Sends the authorization request `url` with `jar`'s cookies and judges the
/// answer; a redirect to any of `client_uris` is the answer to the client.
pub fn judge(ctx: &Ctx, jar: &Jar, url: &str, client_uris: &[&str]) -> Result<Verdict, Halt> {
    let mut jar = jar.clone();
    let mut resp = jar.on(ctx.get(url)).send()?;
    let status = resp.status;
    let mut at = url.to_owned();
    for hop in 0..=MAX_HOPS {
        jar.take(&resp.headers);
        if (300..400).contains(&resp.status) {
            let to = resolve(&at, location(&resp)?);
            if client_uris.iter().any(|c| to.starts_with(c)) {
                return Ok(Verdict::Back {
                    status,
                    error: query_param(&to, "error"),
                    to,
                });
            }
            if hop == MAX_HOPS {
                break;
            }
            resp = jar.on(ctx.get(&to)).send()?;
            at = to;
            continue;
        }
        let text = resp.text();
        let page_forms = if resp.status == 200 {
            forms(&text)
        } else {
            Vec::new()
        };
        let here = if hop == 0 {
            "at the authorization endpoint".to_owned()
        } else {
            format!("at {at}")
        };
        if page_forms.iter().any(Form::has_password) {
            if hop == 0 {
                return Ok(Verdict::Accepted {
                    status,
                    what: format!("showed its sign-in form {here}"),
                });
            }
            return Ok(Verdict::SignInFirst { at });
        }
        if page_forms.iter().any(|f| f.method == "post") {
            return Ok(Verdict::Accepted {
                status,
                what: format!("showed a consent form {here}"),
            });
        }
        return Ok(Verdict::Page {
            status: resp.status,
            text: excerpt(&text),
        });
    }
    fail(
        status,
        format!("no answer after {MAX_HOPS} redirects inside the server (last {at})"),
    )
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_is_the_pages_words() {
        let page = "<html><head><title>x</title><style>p{}</style></head><body>\n\
                    <h2>Error: invalid_request</h2>\n <p>Invalid client_id parameter value.</p></body>";
        assert_eq!(
            excerpt(page),
            "Error: invalid_request Invalid client_id parameter value."
        );
        assert!(excerpt(&"word ".repeat(100)).ends_with('…'));
    }
}
