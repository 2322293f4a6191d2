//! Plugin pinning: a suite may pin a component's SHA-256; a component that
//! differs is refused before compilation with both digests, and `plume
//! lock` writes the digests into the suite file, keeping its comments.

use sha2::{Digest, Sha256};

use crate::support::harness::{Run, plume, run, suite};
use crate::support::server::TestServer;

/// Asserts `r` is the one line and exit 2 of a component whose SHA-256 is
/// `good` refused for its pin `wrong`.
pub fn assert_pin_refused(r: &Run, good: &str, wrong: &str) {
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("has sha256 {good}, but the suite pins {wrong}")),
        "{}",
        r.stderr
    );
}

fn sha256_of(path: &str) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

const SUITE: &str = r#"
# the pinned plugins
[plugins.basic]
path = "@basic@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;

#[test]
fn a_component_that_differs_from_its_pin_is_refused_with_both_digests() {
    let server = TestServer::start();
    let good = sha256_of(plume_test_guests::BASIC);
    let pinned = suite(
        &SUITE.replace("allow-hosts", &format!("sha256 = \"{good}\"\nallow-hosts")),
        &server.url(),
    );
    let r = run(&pinned.path, &["--only", "producer"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let seen = server.log().len();
    let wrong = "0".repeat(64);
    let mispinned = suite(
        &SUITE.replace("allow-hosts", &format!("sha256 = \"{wrong}\"\nallow-hosts")),
        &server.url(),
    );
    let r = run(&mispinned.path, &[]);
    assert_pin_refused(&r, &good, &wrong);
    assert_eq!(server.log().len(), seen, "nothing ran");
}

#[test]
fn lock_writes_the_digests_and_keeps_the_file_readable() {
    let server = TestServer::start();
    let s = suite(SUITE, &server.url());
    let r = plume(&["lock", s.path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&s.path).unwrap();
    assert!(
        text.contains("# the pinned plugins"),
        "comments survive:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "sha256 = \"{}\"",
            sha256_of(plume_test_guests::BASIC)
        )),
        "{text}"
    );
    let r = run(&s.path, &["--only", "producer"]);
    assert_eq!(r.code, 0, "the locked suite runs: {}", r.stderr);
    let again = plume(&["lock", s.path.to_str().unwrap()]);
    assert_eq!(again.code, 0);
    assert_eq!(
        std::fs::read_to_string(&s.path).unwrap(),
        text,
        "locking twice changes nothing"
    );
}
