//! The forms of a sign-in or consent page, parsed by an HTML5 parser
//! (`scraper`, on html5ever) and submitted the way a browser submits them
//! (HTML's "constructing the entry list"): hidden and text fields with their
//! values, checked boxes, selected options, text areas, and the activated
//! submit button's `name=value` — Django OAuth Toolkit's "Authorize" button is
//! `name="allow"`, and a submission without it is a refusal. Disabled
//! controls are left out, as a browser leaves them out.

use scraper::{ElementRef, Html, Selector};

/// One control of a form that can contribute to its entry list.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    pub name: String,
    /// The `type` of an `<input>` (lower case, `text` when unset), or the
    /// element's name: `textarea`, `select`.
    pub kind: String,
    pub value: String,
    /// For checkboxes and radios: whether it is checked.
    pub checked: bool,
}

/// A submit button: `<button>` (type submit by default) or `<input type=submit|image>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub name: Option<String>,
    pub value: String,
    /// What the user reads on it (its text, or its `value` for an input).
    pub label: String,
}

/// One `<form>` of a page.
#[derive(Debug, Default, PartialEq)]
pub struct Form {
    /// The `action` attribute as written (entities decoded), if any.
    pub action: Option<String>,
    /// `get` or `post` (lower case; `get` when unset, as in HTML).
    pub method: String,
    pub controls: Vec<Control>,
    /// The submit buttons, in document order (the first is the default one).
    pub buttons: Vec<Button>,
}

/// Words on a consent page's approving and refusing buttons (Django OAuth
/// Toolkit "Authorize"/`allow`, Keycloak `accept`/"Yes", oidc-provider
/// "Continue", Okta and Auth0 "Allow"/"Accept").
const APPROVE: [&str; 8] = [
    "allow",
    "accept",
    "approve",
    "authorize",
    "authorise",
    "consent",
    "yes",
    "continue",
];
const REFUSE: [&str; 7] = [
    "cancel", "deny", "decline", "reject", "refuse", "no", "abort",
];

fn says(button: &Button, words: &[&str]) -> bool {
    let text = format!(
        "{} {} {}",
        button.name.as_deref().unwrap_or_default(),
        button.value,
        button.label
    )
    .to_lowercase();
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| words.contains(&w))
}

impl Form {
    /// Whether the form asks for a password (a sign-in form).
    pub fn has_password(&self) -> bool {
        self.controls.iter().any(|c| c.kind == "password")
    }

    /// The button a person signing in presses: the default (first) one.
    pub fn default_button(&self) -> Option<&Button> {
        self.buttons.first()
    }

    /// The button a person consenting presses: one that says it approves,
    /// else the first that does not say it refuses.
    pub fn approve_button(&self) -> Option<&Button> {
        self.buttons
            .iter()
            .find(|b| says(b, &APPROVE) && !says(b, &REFUSE))
            .or_else(|| self.buttons.iter().find(|b| !says(b, &REFUSE)))
    }

    /// The entry list a browser submits with `submitter` activated.
    pub fn entries(&self, submitter: Option<&Button>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .controls
            .iter()
            .filter(|c| !matches!(c.kind.as_str(), "checkbox" | "radio") || c.checked)
            .filter(|c| !matches!(c.kind.as_str(), "file" | "reset" | "button"))
            .map(|c| {
                let value = if matches!(c.kind.as_str(), "checkbox" | "radio") && c.value.is_empty()
                {
                    "on".to_owned()
                } else {
                    c.value.clone()
                };
                (c.name.clone(), value)
            })
            .collect();
        if let Some(Button {
            name: Some(name),
            value,
            ..
        }) = submitter
        {
            out.push((name.clone(), value.clone()));
        }
        out
    }
}

fn selector(css: &str) -> Selector {
    // The selectors are constants of this file, checked by its tests.
    Selector::parse(css).unwrap_or_else(|_| unreachable!("a valid selector: {css}"))
}

fn text_of(el: ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every form of `html`, in document order.
pub fn forms(html: &str) -> Vec<Form> {
    let doc = Html::parse_document(html);
    let controls = selector("input, button, select, textarea");
    let selected = selector("option");
    doc.select(&selector("form"))
        .map(|f| {
            let attr = |n: &str| f.value().attr(n).map(str::to_owned);
            let mut form = Form {
                action: attr("action"),
                method: attr("method").map_or_else(|| "get".to_owned(), |m| m.to_ascii_lowercase()),
                ..Form::default()
            };
            for el in f.select(&controls) {
                let v = el.value();
                if v.attr("disabled").is_some() {
                    continue;
                }
                let name = v.attr("name").map(str::to_owned);
                let value = v.attr("value").unwrap_or_default().to_owned();
                match v.name() {
                    "button" => {
                        if v.attr("type")
                            .is_none_or(|t| t.eq_ignore_ascii_case("submit"))
                        {
                            form.buttons.push(Button {
                                name,
                                value,
                                label: text_of(el),
                            });
                        }
                    }
                    "input" => {
                        let kind = v
                            .attr("type")
                            .map_or_else(|| "text".to_owned(), str::to_ascii_lowercase);
                        if kind == "submit" || kind == "image" {
                            form.buttons.push(Button {
                                name,
                                label: value.clone(),
                                value,
                            });
                        } else if let Some(name) = name {
                            form.controls.push(Control {
                                name,
                                kind,
                                value,
                                checked: v.attr("checked").is_some(),
                            });
                        }
                    }
                    "textarea" => {
                        if let Some(name) = name {
                            form.controls.push(Control {
                                name,
                                kind: "textarea".to_owned(),
                                value: el.text().collect(),
                                checked: false,
                            });
                        }
                    }
                    _ => {
                        let Some(name) = name else { continue };
                        let options: Vec<ElementRef<'_>> = el.select(&selected).collect();
                        let chosen = options
                            .iter()
                            .find(|o| o.value().attr("selected").is_some())
                            .or_else(|| options.first());
                        if let Some(o) = chosen {
                            let value = o
                                .value()
                                .attr("value")
                                .map_or_else(|| text_of(*o), str::to_owned);
                            form.controls.push(Control {
                                name,
                                kind: "select".to_owned(),
                                value,
                                checked: false,
                            });
                        }
                    }
                }
            }
            form
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_form_gives_its_action_and_hidden_fields() {
        let page = r#"<h1>Authorize</h1><FORM autocomplete="off" action="http://h:1/interaction/u&#x2F;x?a=1&amp;b=2" method="post">
  <input type="hidden" name="prompt" value="consent"/>
  <button autofocus type="submit">Continue</button></form>
  <a href="/abort">Cancel</a>"#;
        let f = forms(page);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].action.as_deref(),
            Some("http://h:1/interaction/u/x?a=1&b=2")
        );
        assert_eq!(f[0].method, "post");
        let button = f[0].approve_button();
        assert_eq!(button.map(|b| b.label.as_str()), Some("Continue"));
        assert_eq!(
            f[0].entries(button),
            [("prompt".to_owned(), "consent".to_owned())]
        );
        assert!(!f[0].has_password());
    }

    #[test]
    fn the_activated_button_is_submitted_as_a_browser_does() {
        // Django OAuth Toolkit's consent page: "Cancel" has no name, "Authorize" is `allow`.
        let page = r#"<form id="authorizationForm" method="post">
            <input type="hidden" name="csrfmiddlewaretoken" value="c">
            <input type="hidden" name="resource" id="id_resource">
            <input type="submit" class="btn" value="Cancel"/>
            <input type="submit" class="btn btn-primary" name="allow" value="Authorize"/>
            </form>"#;
        let f = &forms(page)[0];
        let button = f.approve_button();
        assert_eq!(
            f.entries(button),
            [
                ("csrfmiddlewaretoken".to_owned(), "c".to_owned()),
                ("resource".to_owned(), String::new()),
                ("allow".to_owned(), "Authorize".to_owned()),
            ]
        );
        // Keycloak's: `accept` and `cancel`, both named.
        let page = r#"<form method="post"><input type="hidden" name="code" value="x">
            <input name="cancel" type="submit" value="No"><input name="accept" type="submit" value="Yes"></form>"#;
        let f = &forms(page)[0];
        assert_eq!(
            f.approve_button().and_then(|b| b.name.as_deref()),
            Some("accept")
        );
    }

    #[test]
    fn a_sign_in_form_without_action_has_its_password_input() {
        let page = "<form method=post><input name=login><input name='password' type=password required>\
                    <input type=hidden name=csrf value=t0k><input type=checkbox name=remember>\
                    <input type=checkbox name=terms checked><input name=off disabled value=x>\
                    <select name=realm><option value=a>A<option value=b selected>B</select>\
                    <input type=submit name=login-button value='Sign In'></form><form><input name=q></form>";
        let f = forms(page);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].action, None);
        assert!(f[0].has_password());
        assert_eq!(
            f[0].entries(f[0].default_button()),
            [
                ("login", ""),
                ("password", ""),
                ("csrf", "t0k"),
                ("terms", "on"),
                ("realm", "b"),
                ("login-button", "Sign In"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(f[1].method, "get");
        assert_eq!(f[1].entries(None), [("q".to_owned(), String::new())]);
    }

    #[test]
    fn broken_html_gives_what_it_can_without_panicking() {
        for page in [
            "<form",
            "<form action=",
            "<form action=\"x",
            "<form><input name=",
            "&#xZZ;<form a='&'>",
        ] {
            let _ = forms(page);
        }
        let f = forms("<form action='a &bogus b &#65;'>");
        assert_eq!(f[0].action.as_deref(), Some("a &bogus b A"));
    }
}
