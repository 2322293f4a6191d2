//! Any text as a suite file: parsing and resolving never panic, and every
//! error is the one line the CLI promises (it prints it and exits 2).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use plume::suite::{Overrides, SuiteFile};

fuzz_target!(|text: &str| {
    let path = Path::new("fuzz/plume.toml");
    let file = match SuiteFile::parse(path, text) {
        Ok(file) => file,
        Err(e) => return one_line(&e.to_string()),
    };
    for env in std::iter::once(None).chain(file.env_names().into_iter().map(Some)) {
        let overrides = Overrides {
            env,
            ..Overrides::default()
        };
        if let Err(e) = file.resolve(&overrides) {
            one_line(&e.to_string());
        }
    }
});

fn one_line(message: &str) {
    assert!(!message.is_empty(), "an empty error message");
    assert!(!message.contains('\n'), "a multi-line error: {message:?}");
}
