//! The test user's way through the server's own pages, as a browser takes
//! it: the sign-in form read from the page (its `action`, its fields,
//! the configured fields and the password, its default button), then every
//! redirect, and a consent page — a form without a password — submitted as
//! a person approving it would (its fields and the approving button's
//! `name=value`), until the server redirects back to the client.

use plume_sdk::prelude::*;

use crate::html::{Form, forms};
use crate::settings::sign_in_form;
use crate::web::{Jar, form, resolve};

/// How many redirects and pages a sign-in may take to come back to the client.
const MAX_HOPS: usize = 12;

/// How many consent pages a sign-in may meet.
const MAX_CONSENTS: usize = 2;

/// Where the sign-in came back to the client, the consent button pressed on
/// the way (if a consent page was met), and the session's cookies.
pub struct SignedIn {
    pub back: String,
    pub consent: Option<String>,
    pub jar: Jar,
}

pub fn location(r: &Response) -> Result<&str, Halt> {
    r.header("location").ok_or_else(|| Halt::Err {
        status: Some(r.status),
        detail: format!(
            "expected a redirect with a Location, got {} without one",
            r.status
        ),
    })
}

/// Submits `form` (found on the page at `page_url`) with `fields`; returns
/// the answer and the URL it came from.
fn submit(
    ctx: &Ctx,
    jar: &Jar,
    page_url: &str,
    form_: &Form,
    fields: &[(String, String)],
) -> Result<(Response, String), Halt> {
    let action = form_
        .action
        .as_deref()
        .filter(|a| !a.is_empty())
        .map_or_else(|| page_url.to_owned(), |a| resolve(page_url, a));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = form(&pairs);
    let resp = if form_.method == "post" {
        jar.on(ctx.post(&action))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()?
    } else {
        let sep = if action.contains('?') { '&' } else { '?' };
        jar.on(ctx.get(format!("{action}{sep}{body}"))).send()?
    };
    Ok((resp, action))
}

/// The form's own entries overridden and completed by `mine`.
fn merged(entries: Vec<(String, String)>, mine: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = entries
        .into_iter()
        .filter(|(k, _)| !mine.iter().any(|(m, _)| m == k))
        .collect();
    out.extend(mine.iter().cloned());
    out
}

/// Signs the test user in at `sign_in` and follows the server back to `redirect`.
pub fn sign_in(ctx: &Ctx, jar: Jar, sign_in: &str, redirect: &str) -> Result<SignedIn, Halt> {
    let page = jar.on(ctx.get(sign_in)).send()?;
    sign_in_on(ctx, jar, sign_in, &page, redirect)
}

/// Whether `page` is a sign-in page: a form with a password field.
pub fn is_sign_in_page(page: &Response) -> bool {
    page.status == 200 && forms(&page.text()).iter().any(Form::has_password)
}

/// [`sign_in`] on a page already fetched from `sign_in`: the authorization
/// endpoint's own answer when it shows the form itself (Keycloak does)
/// instead of redirecting to it.
pub fn sign_in_on(
    ctx: &Ctx,
    mut jar: Jar,
    sign_in: &str,
    page: &Response,
    redirect: &str,
) -> Result<SignedIn, Halt> {
    let fields = sign_in_form(ctx)?;
    jar.take(&page.headers);
    let found = forms(&page.text());
    let login = found
        .iter()
        .find(|f| f.has_password())
        .or_else(|| found.iter().find(|f| f.method == "post"));
    let (mut resp, mut at) = match login {
        Some(f) => submit(
            ctx,
            &jar,
            sign_in,
            f,
            &merged(f.entries(f.default_button()), &fields),
        )?,
        // No form on the page: post the fields to it, as a form without an action would.
        None => submit(
            ctx,
            &jar,
            sign_in,
            &Form {
                method: "post".to_owned(),
                ..Form::default()
            },
            &fields,
        )?,
    };
    let mut consents = 0;
    let mut pressed = None;
    for _ in 0..MAX_HOPS {
        jar.take(&resp.headers);
        if (300..400).contains(&resp.status) {
            let next = resolve(&at, location(&resp)?);
            if next.starts_with(redirect) {
                return Ok(SignedIn {
                    back: next,
                    consent: pressed,
                    jar,
                });
            }
            resp = jar.on(ctx.get(&next)).send()?;
            at = next;
            continue;
        }
        let page_forms = if resp.status == 200 {
            forms(&resp.text())
        } else {
            Vec::new()
        };
        if page_forms.iter().any(Form::has_password) {
            return fail(
                resp.status,
                format!(
                    "signing in at {at} showed the sign-in form again: the server did not accept \
                     the test user's credentials"
                ),
            );
        }
        let Some(consent) = page_forms.iter().find(|f| f.method == "post") else {
            return fail(
                resp.status,
                format!(
                    "signing in at {at} ended with {} instead of a redirect to the client",
                    resp.status
                ),
            );
        };
        consents += 1;
        if consents > MAX_CONSENTS {
            return fail(
                resp.status,
                format!("{at} asked for consent again after {MAX_CONSENTS} consent pages"),
            );
        }
        let page_url = at.clone();
        let button = consent.approve_button();
        pressed = Some(button.map_or_else(
            || "a form without buttons".to_owned(),
            |b| format!("{:?}", b.label),
        ));
        (resp, at) = submit(ctx, &jar, &page_url, consent, &consent.entries(button))?;
    }
    fail(
        None,
        format!("no redirect back to {redirect} after {MAX_HOPS} hops (last {at})"),
    )
}
