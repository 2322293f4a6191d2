//! `${...}` expansion over arbitrary text and values: never panics, text
//! without `$` comes back unchanged, `$$` is a literal `$`, and errors are one line.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use plume::suite::interpolate::{Values, interpolate};

#[derive(Debug, Arbitrary)]
struct Input {
    text: String,
    values: Vec<(String, String)>,
}

fuzz_target!(|input: Input| {
    let mut values = Values::default();
    for (k, v) in input.values {
        values.insert(k, v);
    }
    match interpolate(&input.text, &values, "fuzz") {
        Ok(out) => {
            if !input.text.contains('$') {
                assert_eq!(out, input.text, "text without `$` changed");
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "a multi-line error: {message:?}");
        }
    }
    let escaped = input.text.replace('$', "$$");
    let literal = interpolate(&escaped, &values, "fuzz").expect("`$$`-escaped text always expands");
    assert_eq!(literal, input.text, "`$$` is not a literal `$`");
});
