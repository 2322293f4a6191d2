//! The host's side of `plume:check/assert` with arbitrary guest input: no
//! matcher panics, the matchers agree with each other, and a failure quotes
//! a bounded excerpt of the body, never the whole of a large one.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use plume::matchers::{self, JsonKind};

#[derive(Debug, Arbitrary)]
struct Input {
    status: u16,
    expected: Vec<u16>,
    body: Vec<u8>,
    pointer: String,
    value: String,
    pattern: String,
    headers: Vec<(String, String)>,
    name: String,
    kind: u8,
}

const KINDS: [JsonKind; 6] = [
    JsonKind::Null,
    JsonKind::Boolean,
    JsonKind::Number,
    JsonKind::String,
    JsonKind::Array,
    JsonKind::Object,
];

fuzz_target!(|i: Input| {
    let bound = 4096 + i.pointer.len() * 2 + i.value.len() * 2 + i.pattern.len() * 2;
    let bounded = |r: Result<(), String>| {
        if let Err(m) = r {
            assert!(m.len() <= bound, "a {}-byte failure message", m.len());
        }
    };
    bounded(matchers::status_in(i.status, &i.expected, &i.body));
    assert_eq!(
        matchers::status_in(i.status, &i.expected, &i.body).is_ok(),
        i.expected.contains(&i.status)
    );

    let exists = matchers::json_exists(&i.body, &i.pointer);
    let got = matchers::json_get(&i.body, &i.pointer);
    assert_eq!(
        exists.is_ok(),
        got.is_ok(),
        "json-exists and json-get disagree"
    );
    bounded(exists);
    bounded(matchers::json_equals(&i.body, &i.pointer, &i.value));
    bounded(matchers::json_matches(&i.body, &i.pointer, &i.pattern));
    bounded(matchers::json_non_empty(&i.body, &i.pointer));
    let kind = KINDS[usize::from(i.kind) % KINDS.len()];
    bounded(matchers::json_type(&i.body, &i.pointer, kind));
    if matchers::json_exists(&i.body, &i.pointer).is_ok() {
        let matches = KINDS
            .iter()
            .filter(|k| matchers::json_type(&i.body, &i.pointer, **k).is_ok())
            .count();
        assert_eq!(matches, 1, "a JSON value is exactly one kind");
    }

    let present = matchers::header_present(&i.headers, &i.name);
    assert_eq!(
        present.is_ok(),
        i.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(&i.name))
    );
    let _ = matchers::header_matches(&i.headers, &i.name, &i.pattern);

    let contains = matchers::body_contains(&i.body, &i.value);
    let expected = i.value.is_empty()
        || i.body
            .windows(i.value.len())
            .any(|w| w == i.value.as_bytes());
    assert_eq!(contains.is_ok(), expected);
    bounded(contains);
});
