//! Redaction with arbitrary secrets and text: no secret of redactable length
//! survives in the output, in plain form or in the forms the `url` crate
//! writes it in a query, a fragment and userinfo (as an HTTP error shows a
//! normalised URL), and inside a JSON string with its characters escaped
//! as servers write them (`\uXXXX` in either case, surrogate pairs, `\/`);
//! a cut never ends in the first part of a secret, escaped or not.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use plume::redact::Redactor;

#[derive(Debug, Arbitrary)]
struct Input {
    secrets: Vec<String>,
    text: String,
}

fuzz_target!(|i: Input| {
    let redactor = Redactor::new(i.secrets.iter().map(String::as_str));
    let out = redactor.redact(&i.text);
    for secret in &i.secrets {
        // `***` is the mask itself: a secret made of it and its neighbours can
        // reappear from masks, which is not a leak of the secret.
        if secret.len() >= 4 && !secret.contains('*') {
            assert!(
                !out.contains(secret.as_str()),
                "{secret:?} survived in {out:?}"
            );
        }
    }
    if i.secrets.iter().all(|s| !s.contains('*')) {
        assert_eq!(redactor.redact(&out), out, "redaction is not idempotent");
    }
    let base = url::Url::parse("http://plume.invalid/").expect("a valid URL");
    for secret in i.secrets.iter().filter(|s| s.len() >= 4 && !s.contains('*')) {
        let mut u = base.clone();
        u.set_query(Some(secret));
        let mut forms: Vec<String> = u.query().map(str::to_owned).into_iter().collect();
        u.set_fragment(Some(secret));
        forms.extend(u.fragment().map(str::to_owned));
        if u.set_password(Some(secret)).is_ok() {
            forms.extend(u.password().map(str::to_owned));
        }
        for form in forms.iter().filter(|f| f.len() >= 4) {
            let out = redactor.redact(&format!("{}{form}{}", i.text, i.text));
            assert!(!out.contains(form.as_str()), "{form:?} survived in {out:?}");
        }
        // Echoed in a JSON string: Python's ensure_ascii, every character in
        // upper-case hex, PHP's `\/` (text with a backslash could escape the
        // escape, which a JSON reader then reads as no secret at all).
        if !i.text.contains('\\') {
            for form in [
                json_escaped(secret, |c| !c.is_ascii(), false),
                json_escaped(secret, |_| true, true),
                json_escaped(secret, |c| c == '/', false).replace("\\u002f", "\\/"),
            ] {
                let out = redactor.redact(&format!("{}\"{form}\"{}", i.text, i.text));
                assert!(!out.contains(form.as_str()), "{form:?} survived in {out:?}");
                let text = format!("{}\"{form}", i.text);
                let cut = redactor.cut_prefix(&text, i.text.len() + 1 + form.len() / 2);
                assert!(cut.len() <= i.text.len() + 1, "part of {form:?} kept in {cut:?}");
            }
        }
        // Cut before redacting, as the ledger does: a cut through a secret keeps none of it.
        let text = format!("{}{secret}", i.text);
        let cut = redactor.cut_prefix(&text, i.text.len() + secret.len() / 2);
        assert!(
            cut.len() <= i.text.len(),
            "part of {secret:?} kept in {cut:?}"
        );
    }
});

/// `secret` inside a JSON string, each character `escape` picks as `\uXXXX`
/// (surrogate pairs past the BMP), the rest as JSON requires.
fn json_escaped(secret: &str, escape: impl Fn(char) -> bool, upper: bool) -> String {
    let mut out = String::new();
    for c in secret.chars() {
        if escape(c) || c.is_control() || c == '"' || c == '\\' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&if upper {
                    format!("\\u{u:04X}")
                } else {
                    format!("\\u{u:04x}")
                });
            }
        } else {
            out.push(c);
        }
    }
    out
}
