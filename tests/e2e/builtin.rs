//! The packs built into `plume` (`plume:http`, `plume:release-artifact`,
//! `plume:tls`, `plume:oauth`): shown by `plume inspect` and `plume list`
//! with the binary's version and their SHA-256, pinned by `plume lock` like
//! any plugin, a lock from another build refused naming both digests,
//! compiled into the compiled-plugin cache, and an unknown name refused in
//! one line that lists the built-in ones.

use crate::support::harness::{plume, run, suite};
use crate::support::server::TestServer;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The SHA-256 `plume inspect` shows for a built-in pack.
fn digest_of(address: &str) -> String {
    let r = plume(&["inspect", address]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let file = r.stdout.lines().find(|l| l.starts_with("file:")).unwrap();
    let digest = file.rsplit("sha256 ").next().unwrap().trim_end_matches(')');
    assert_eq!(digest.len(), 64, "{file}");
    digest.to_owned()
}

#[test]
fn inspect_shows_each_builtin_pack_with_the_binarys_version_and_digest() {
    let r = plume(&["inspect", "plume:http"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("plugin:  http"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "file:    plume:http (built into plume {VERSION}, sha256 "
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("config:  checks, groups"), "{}", r.stdout);
    let digests: Vec<String> = [
        "plume:http",
        "plume:release-artifact",
        "plume:tls",
        "plume:oauth",
    ]
    .iter()
    .map(|a| digest_of(a))
    .collect();
    for (i, d) in digests.iter().enumerate() {
        assert!(!digests[i + 1..].contains(d), "two packs share {d}");
    }
}

#[test]
fn an_unknown_builtin_name_is_one_line_listing_the_packs() {
    let listed = "plume:http, plume:release-artifact, plume:tls, plume:oauth";
    let inspect = plume(&["inspect", "plume:htp"]);
    let s = suite("[plugins.p]\npath = \"plume:htp\"\n", "");
    let running = run(&s.path, &[]);
    for r in [&inspect, &running] {
        assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.contains(listed), "{}", r.stderr);
    }
}

#[test]
fn lock_pins_builtin_packs_and_a_lock_from_another_build_is_refused() {
    let server = TestServer::start();
    let url = format!("http://{}", server.addr);
    let s = suite(
        "[plugins.site]\npath = \"plume:http\"\nallow-hosts = [\"@url@\"]\n\
         [[plugins.site.config.checks]]\ngroup = \"site\"\nname = \"ok\"\nurl = \"@url@/ok\"\n\
         expect.status = 200\nexpect.json = [{ pointer = \"/status\", equals = \"ok\" }]\n\
         [plugins.tls]\npath = \"plume:tls\"\n",
        &url,
    );
    let path = s.path.to_str().unwrap();
    let lock = plume(&["lock", path]);
    assert_eq!(lock.code, 0, "{}\n{}", lock.stdout, lock.stderr);
    let http = digest_of("plume:http");
    let tls = digest_of("plume:tls");
    assert!(
        lock.stdout
            .contains(&format!("site: sha256 {http} (plume:http)")),
        "{}",
        lock.stdout
    );
    let locked = std::fs::read_to_string(&s.path).unwrap();
    assert!(locked.contains(&format!("sha256 = \"{http}\"")), "{locked}");
    assert!(locked.contains(&format!("sha256 = \"{tls}\"")), "{locked}");

    let list = plume(&["list", path]);
    assert_eq!(list.code, 0, "{}\n{}", list.stdout, list.stderr);
    assert!(
        list.stdout.contains(&format!(
            "(plume:http (built into plume {VERSION}, sha256 {http}))"
        )),
        "{}",
        list.stdout
    );

    // A suite locked against another build's pack: its digest differs.
    let other = "ab".repeat(32);
    std::fs::write(&s.path, locked.replace(&http, &other)).unwrap();
    let refused = run(&s.path, &[]);
    assert_eq!(refused.code, 2, "{}\n{}", refused.stdout, refused.stderr);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    for wanted in [http.as_str(), &other, "plume:http", "another plume build"] {
        assert!(
            refused.stderr.contains(wanted),
            "no {wanted} in {}",
            refused.stderr
        );
    }
    assert!(
        server.requests_to("/ok").is_empty(),
        "a refused suite sent a request"
    );
}

#[test]
fn builtin_packs_compile_into_the_cache_once() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().to_str().unwrap();
    let first = plume(&["compile", "--cache-dir", dir, "plume:http", "plume:tls"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("plume:http: compiled in"),
        "{}",
        first.stdout
    );
    let second = plume(&["compile", "--cache-dir", dir, "plume:http"]);
    assert!(
        second.stdout.contains("plume:http: already cached"),
        "{}",
        second.stdout
    );
}
