//! OCI pulls from a hostile registry (`support::hostile_registry`, an axum
//! server on loopback): digests that are paths, sizes past every bound,
//! redirects to other services, credentials asked for by a foreign token
//! service, escape codes in messages and a registry that dribbles. Each is
//! refused with one safe line and exit 2; no file outside the store is
//! touched, no body from elsewhere and no credential is printed, and the
//! `plume` process stays under 256 MiB of peak RSS (read with `wait4`).

use std::path::Path;

use crate::oci::{SUITE, command_in};
use crate::support::harness::{Run, suite};
use crate::support::hostile_registry::{
    BIG_LAYER_BYTES, HostileRegistry, PASSWORD, SECRET_BODY, TOKEN, USER,
};
use crate::support::server::TestServer;

/// Peak RSS the plume process may reach against any attack here.
const RSS_BOUND_MIB: f64 = 256.0;

/// `plume ARGS...` with its own cache folder (so its own OCI store) and
/// `env`; its output and its peak RSS in MiB.
fn measured(cache: &Path, env: &[(&str, &str)], args: &[&str]) -> (Run, f64) {
    let m = crate::support::peak_rss::run(&command_in(cache, env, args));
    let run = Run {
        code: m.code,
        stdout: m.stdout,
        stderr: m.stderr,
    };
    (run, m.peak_rss_mib)
}

fn plume_in(cache: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    measured(cache, env, args).0
}

/// The one line of a refused command: exit 2, one line on stderr, nothing
/// in it a terminal would act on.
fn one_safe_line(run: &Run) -> &str {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {:?}", run.stderr);
    assert!(
        !run.stderr.trim_end().chars().any(char::is_control),
        "no control character: {:?}",
        run.stderr
    );
    eprintln!("{}", run.stderr.trim_end());
    run.stderr.trim_end()
}

#[test]
fn digests_that_are_paths_name_no_file_and_delete_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let absolute = outside.path().join("absolute-canary");
    std::fs::write(&absolute, b"keep me").unwrap();
    let registry = HostileRegistry::start(absolute.to_str().unwrap());
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    // What `sha256:../../../canary` would name from the store's blob folder.
    let relative = cache.path().join("canary");
    std::fs::write(&relative, b"keep me too").unwrap();

    for name in ["digest/relative", "digest/absolute"] {
        let reference = registry.reference(name);
        let s = suite(&SUITE.replace("@ref@", &reference), &server.url());
        let suite_path = s.path.to_str().unwrap();
        for args in [
            vec!["pull", reference.as_str()],
            vec!["run", suite_path],
            vec!["lock", suite_path],
        ] {
            let r = plume_in(cache.path(), &[], &args);
            let line = one_safe_line(&r);
            assert!(
                line.contains(&reference)
                    && line.contains("refused what the registry sent")
                    && line.contains("which is not a digest"),
                "{args:?}: {line}"
            );
        }
        assert!(
            !registry.log().iter().any(|l| l.contains("/blobs/")),
            "no blob was asked for: {:?}",
            registry.log()
        );
    }
    assert_eq!(std::fs::read(&absolute).unwrap(), b"keep me");
    assert_eq!(std::fs::read(&relative).unwrap(), b"keep me too");
    assert!(server.log().is_empty(), "nothing ran");
}

#[test]
fn sizes_past_their_bounds_are_refused_in_bounded_memory() {
    let registry = HostileRegistry::start("/nonexistent");
    let cases = [
        (
            "size/announced",
            "announces a layer of 2048 MiB (2147483648 bytes), over the limit of 128 MiB",
        ),
        ("endless/manifest", "the manifest from http://127.0.0.1:"),
        (
            "endless/layer",
            "the component runs on, more than the 1 MiB",
        ),
    ];
    for (name, expected) in cases {
        let cache = tempfile::tempdir().unwrap();
        let reference = registry.reference(name);
        let (r, rss) = measured(cache.path(), &[], &["pull", &reference]);
        let line = one_safe_line(&r);
        assert!(line.contains(expected), "{name}: {line}");
        assert!(rss < RSS_BOUND_MIB, "{name}: peak RSS {rss:.0} MiB");
        eprintln!("{name}: peak RSS {rss:.1} MiB");
        let blobs = cache.path().join("oci/blobs/sha256");
        let left: Vec<_> = std::fs::read_dir(&blobs)
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{name}: nothing kept: {left:?}");
    }
    assert!(
        !registry
            .log()
            .iter()
            .any(|l| l.contains("/v2/size/announced/blobs/")),
        "an oversized layer is refused before it is asked for"
    );
    let endless = plume_in(
        tempfile::tempdir().unwrap().path(),
        &[],
        &["pull", &registry.reference("endless/manifest")],
    );
    assert!(
        endless.stderr.contains("runs past its limit of 4 MiB"),
        "{}",
        endless.stderr
    );
}

/// Peak RSS `plume pull` may reach while streaming a 120 MiB component:
/// well under the component, so it cannot have been held whole.
const STREAMING_RSS_MIB: f64 = 96.0;

#[test]
fn a_large_component_is_streamed_to_the_store_while_hashed() {
    let registry = HostileRegistry::start("/nonexistent");
    let cache = tempfile::tempdir().unwrap();
    let (r, rss) = measured(
        cache.path(),
        &[],
        &["pull", &registry.reference("big/layer")],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    eprintln!(
        "big/layer ({} MiB): peak RSS {rss:.1} MiB",
        BIG_LAYER_BYTES >> 20
    );
    assert!(rss < STREAMING_RSS_MIB, "peak RSS {rss:.0} MiB");
    let stored = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("stored: "))
        .expect("stored: line");
    assert_eq!(std::fs::metadata(stored).unwrap().len(), BIG_LAYER_BYTES);
}

#[test]
fn redirects_stay_within_the_egress_policy_and_bodies_from_elsewhere_are_not_shown() {
    let registry = HostileRegistry::start("/nonexistent");
    let cache = tempfile::tempdir().unwrap();

    // Loopback to loopback is allowed: a blob served from another port pulls.
    let r = plume_in(
        cache.path(),
        &[],
        &["pull", &registry.reference("redirect/elsewhere")],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        registry
            .log()
            .iter()
            .any(|l| l == "elsewhere GET /component")
    );

    let cold = tempfile::tempdir().unwrap();
    let r = plume_in(
        cold.path(),
        &[],
        &["pull", &registry.reference("redirect/secret")],
    );
    let line = one_safe_line(&r);
    assert!(
        !r.stdout.contains(SECRET_BODY) && !line.contains(SECRET_BODY),
        "{line}"
    );
    assert!(
        line.contains(
            "answered HTTP 500 (the body of an answer from outside the registry's API is not shown)"
        ),
        "{line}"
    );

    for (name, refused) in [
        ("redirect/metadata", "169.254.169.254 (cloud metadata)"),
        ("redirect/private", "10.11.12.13 (private)"),
        ("redirect/loop", "more than 5 redirects"),
    ] {
        let r = plume_in(cold.path(), &[], &["pull", &registry.reference(name)]);
        let line = one_safe_line(&r);
        assert!(
            line.contains("refused what the registry sent") && line.contains(refused),
            "{name}: {line}"
        );
    }
}

#[test]
fn credentials_go_only_to_a_token_service_the_policy_allows_and_are_never_shown() {
    let registry = HostileRegistry::start("/nonexistent");
    let cache = tempfile::tempdir().unwrap();
    let creds = [
        ("PLUME_REGISTRY_USER", USER),
        ("PLUME_REGISTRY_PASSWORD", PASSWORD),
    ];

    // A loopback registry's loopback token service gets them, and its token works.
    let r = plume_in(
        cache.path(),
        &creds,
        &["pull", &registry.reference("auth/token")],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = plume_in(
        cache.path(),
        &[],
        &["pull", &registry.reference("auth/token")],
    );
    assert!(one_safe_line(&r).contains("refused access"), "{}", r.stderr);

    let r = plume_in(
        cache.path(),
        &creds,
        &["pull", &registry.reference("auth/echo")],
    );
    let line = one_safe_line(&r);
    assert!(
        line.contains("refused access") && !line.contains(TOKEN),
        "{line}"
    );

    for (name, refused) in [
        (
            "auth/plain-realm",
            "names the token service http://auth.hostile.example, which is plain HTTP",
        ),
        ("auth/metadata-realm", "169.254.169.254 (cloud metadata)"),
    ] {
        let r = plume_in(cache.path(), &creds, &["pull", &registry.reference(name)]);
        let line = one_safe_line(&r);
        assert!(line.contains(refused), "{name}: {line}");
        assert!(!r.stdout.contains(PASSWORD) && !line.contains(PASSWORD));
    }
}

#[test]
fn a_registry_message_is_one_line_with_its_escape_codes_shown() {
    let registry = HostileRegistry::start("/nonexistent");
    let cache = tempfile::tempdir().unwrap();
    let r = plume_in(
        cache.path(),
        &[],
        &["pull", &registry.reference("escape/message")],
    );
    let line = one_safe_line(&r);
    assert!(
        line.contains(r"\x1b[2K") && line.contains(r"\x1b[32mpulled ok\x1b[0m"),
        "{line}"
    );
    assert!(line.contains(r"forged: second line \u{202e}"), "{line}");
}

#[test]
fn a_dribbling_registry_ends_the_run_at_its_ceiling() {
    let registry = HostileRegistry::start("/nonexistent");
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let reference = registry.reference("dribble/manifest");
    let s = suite(&SUITE.replace("@ref@", &reference), &server.url());
    let r = plume_in(
        cache.path(),
        &[],
        &["run", s.path.to_str().unwrap(), "--timeout", "2s"],
    );
    let line = one_safe_line(&r);
    assert!(
        line.contains(&reference)
            && line.contains(
                "the run's ceiling of 2s passed while pulling from the registry 127.0.0.1:"
            ),
        "{line}"
    );
    assert!(server.log().is_empty(), "nothing ran");
}
