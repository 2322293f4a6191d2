//! The forms of a sign-in or consent page, read the way a browser submits
//! them: the form's `action` (the page itself when it has none), its
//! `method`, and its inputs with their types and values, hidden ones
//! included. Enough HTML for a server's own interaction pages, not more.

/// One `<form>` of a page.
#[derive(Debug, Default, PartialEq)]
pub struct Form {
    /// The `action` attribute as written (entities decoded), if any.
    pub action: Option<String>,
    /// `get` or `post` (lower case; `get` when unset, as in HTML).
    pub method: String,
    /// `(name, type, value)` of each named `<input>`.
    pub inputs: Vec<(String, String, String)>,
}

impl Form {
    /// Whether the form asks for a password (a sign-in form).
    pub fn has_password(&self) -> bool {
        self.inputs.iter().any(|(_, t, _)| t == "password")
    }

    /// The hidden inputs, as a browser would send them.
    pub fn hidden(&self) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .filter(|(_, t, _)| t == "hidden")
            .map(|(n, _, v)| (n.clone(), v.clone()))
            .collect()
    }
}

/// Every form of `html`, in document order.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<form").map(|i| i + from) {
        let end = lower[start..]
            .find("</form")
            .map_or(html.len(), |i| i + start);
        let open_end = lower[start..end].find('>').map_or(end, |i| i + start);
        let attrs = attributes(&html[start + 5..open_end]);
        let mut form = Form {
            action: attr(&attrs, "action"),
            method: attr(&attrs, "method")
                .map_or_else(|| "get".to_owned(), |m| m.to_ascii_lowercase()),
            inputs: Vec::new(),
        };
        let body = &html[open_end.min(end)..end];
        let body_lower = &lower[open_end.min(end)..end];
        let mut at = 0;
        while let Some(i) = body_lower[at..].find("<input").map(|i| i + at) {
            let close = body_lower[i..].find('>').map_or(body.len(), |j| j + i);
            let a = attributes(&body[i + 6..close]);
            if let Some(name) = attr(&a, "name") {
                let kind =
                    attr(&a, "type").map_or_else(|| "text".to_owned(), |t| t.to_ascii_lowercase());
                form.inputs
                    .push((name, kind, attr(&a, "value").unwrap_or_default()));
            }
            at = close;
        }
        out.push(form);
        from = end.max(start + 5);
    }
    out
}

fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The attributes of a tag's inside (`action="/x" method=post required`).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.trim_end_matches('/').char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() || c == '/' {
            chars.next();
            continue;
        }
        let mut name_end = i;
        while let Some(&(j, c)) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                break;
            }
            name_end = j + c.len_utf8();
            chars.next();
        }
        let name = tag[i..name_end].to_ascii_lowercase();
        while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek().is_some_and(|&(_, c)| c == '=') {
            chars.next();
            while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().map(|&(_, c)| c) {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for (_, c) in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        if name.is_empty() {
            chars.next();
            continue;
        }
        out.push((name, decode_entities(&value)));
    }
    out
}

/// `&amp;`, `&quot;`, `&#39;`, `&#x2F;` and the like, as a browser reads them.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let decoded = after.find(';').filter(|&e| e <= 8).and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
        assert_eq!(f[0].hidden(), [("prompt".to_owned(), "consent".to_owned())]);
        assert!(!f[0].has_password());
    }

    #[test]
    fn a_sign_in_form_without_action_has_its_password_input() {
        let page = "<form method=post><input name=login><input name='password' type=password required>\
                    <input type=hidden name=csrf value=t0k></form><form><input name=q></form>";
        let f = forms(page);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].action, None);
        assert!(f[0].has_password());
        assert_eq!(f[0].hidden(), [("csrf".to_owned(), "t0k".to_owned())]);
        assert_eq!(f[1].method, "get");
        assert_eq!(
            f[1].inputs,
            [("q".to_owned(), "text".to_owned(), String::new())]
        );
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
        assert_eq!(decode_entities("a &bogus b &#65;"), "a &bogus b A");
    }
}
