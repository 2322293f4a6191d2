//! Redaction with arbitrary secrets and text: no secret of redactable length
//! survives in the output, in plain form or in the forms the `url` crate
//! writes it in a query, a fragment and userinfo (as an HTTP error shows a
//! normalised URL); a cut never ends in the first part of a secret.
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
        // Cut before redacting, as the ledger does: a cut through a secret keeps none of it.
        let text = format!("{}{secret}", i.text);
        let cut = redactor.cut_prefix(&text, i.text.len() + secret.len() / 2);
        assert!(
            cut.len() <= i.text.len(),
            "part of {secret:?} kept in {cut:?}"
        );
    }
});
