//! Redaction with arbitrary secrets and text: no secret of redactable length
//! survives in the output, in plain or URL-encoded form.
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
});
