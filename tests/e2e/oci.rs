//! Plugins from OCI registries, against a real registry on loopback (CNCF
//! distribution as Debian packages it) and an independent client (oras-py):
//! push and pull both ways, basic auth from the environment and from
//! Docker's config file, `plume lock` pinning the manifest, a wrong pin and
//! a moved tag refused with both digests, and the registry down with a warm
//! store (still runs) and a cold one (one line, exit 2).

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::support::harness::{Run, plume_command, suite};
use crate::support::registry::{Registry, oras};
use crate::support::server::TestServer;

/// A suite of one plugin, the basic guest at `@ref@`.
pub(crate) const SUITE: &str = r#"
[plugins.basic]
path = "@ref@"
allow-hosts = ["@url@"]
config = { base_url = "@url@" }
"#;

fn sha256_of(path: &str) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// `plume ARGS...` with its own cache folder (so its own OCI store), no
/// registry settings but `env`.
pub(crate) fn command_in(cache: &Path, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = plume_command();
    cmd.env_remove("PLUME_REGISTRY_USER")
        .env_remove("PLUME_REGISTRY_PASSWORD")
        .env_remove("PLUME_INSECURE_REGISTRIES")
        .env("DOCKER_CONFIG", cache.join("no-docker-config"))
        .arg("--cache-dir")
        .arg(cache)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs [`command_in`].
fn plume_in(cache: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    Run::from_output(command_in(cache, env, args).output().expect("run plume"))
}

/// The manifest digest `plume push` printed (its last line ends `@sha256:...`).
fn pushed_digest(run: &Run) -> String {
    assert_eq!(run.code, 0, "push failed: {}{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap_or_default();
    let (_, digest) = last.rsplit_once('@').expect("ref@digest");
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{last}"
    );
    digest.to_owned()
}

fn one_line(run: &Run) -> &str {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    run.stderr.trim_end()
}

#[test]
fn pushed_plugin_runs_from_its_reference_and_lock_pins_its_manifest() {
    let registry = Registry::anonymous();
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let reference = registry.reference("plume/basic:1.0");
    let digest = pushed_digest(&plume_in(
        cache.path(),
        &[],
        &["push", plume_test_guests::BASIC, &reference],
    ));

    let s = suite(&SUITE.replace("@ref@", &reference), &server.url());
    let run_it = || {
        plume_in(
            cache.path(),
            &[],
            &["run", s.path.to_str().unwrap(), "--only", "producer"],
        )
    };
    let r = run_it();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("passed"), "{}", r.stdout);
    let stored = cache
        .path()
        .join("oci/blobs/sha256")
        .join(sha256_of(plume_test_guests::BASIC));
    assert!(stored.exists(), "the component is kept by its digest");

    let locked = plume_in(cache.path(), &[], &["lock", s.path.to_str().unwrap()]);
    assert_eq!(locked.code, 0, "{}", locked.stderr);
    let text = std::fs::read_to_string(&s.path).unwrap();
    assert!(text.contains(&format!("digest = \"{digest}\"")), "{text}");
    assert!(
        text.contains(&format!(
            "sha256 = \"{}\"",
            sha256_of(plume_test_guests::BASIC)
        )),
        "{text}"
    );
    let r = run_it();
    assert_eq!(r.code, 0, "the locked suite runs: {}", r.stderr);
    assert_eq!(r.stderr, "", "no warning while the registry answers");
}

#[test]
fn a_component_pushed_by_oras_pulls_and_runs_with_plume() {
    let registry = Registry::anonymous();
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let target = format!("{}/interop/from-oras:1", registry.host());
    oras(&["push", &target, plume_test_guests::BASIC]);

    let out = cache.path().join("pulled.wasm");
    let r = plume_in(
        cache.path(),
        &[],
        &[
            "pull",
            &format!("oci://{target}"),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(plume_test_guests::BASIC).unwrap(),
        "the same bytes"
    );
    assert!(
        r.stdout.contains(&format!(
            "component sha256:{}",
            sha256_of(plume_test_guests::BASIC)
        )),
        "{}",
        r.stdout
    );

    let s = suite(
        &SUITE.replace("@ref@", &format!("oci://{target}")),
        &server.url(),
    );
    let r = plume_in(
        cache.path(),
        &[],
        &["run", s.path.to_str().unwrap(), "--only", "producer"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_component_pushed_by_plume_pulls_with_oras_in_the_wasm_layout() {
    let registry = Registry::anonymous();
    let cache = tempfile::tempdir().unwrap();
    let target = format!("{}/interop/from-plume:2", registry.host());
    pushed_digest(&plume_in(
        cache.path(),
        &[],
        &["push", plume_test_guests::BASIC, &format!("oci://{target}")],
    ));
    let out = cache.path().join("by-oras.wasm");
    let manifest = oras(&["pull", &target, out.to_str().unwrap()]);
    let manifest: serde_json::Value = serde_json::from_str(manifest.trim()).expect("manifest JSON");
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"].as_array().map(Vec::len), Some(1));
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(plume_test_guests::BASIC).unwrap()
    );
}

#[test]
fn basic_auth_from_the_environment_or_docker_config_and_never_printed() {
    let password = "pl-registry-s3cret-77";
    let registry = Registry::with_basic_auth("ci-bot", password);
    let cache = tempfile::tempdir().unwrap();
    let reference = registry.reference("private/basic:1");
    let push = ["push", plume_test_guests::BASIC, reference.as_str()];

    let anonymous = plume_in(cache.path(), &[], &push);
    let line = one_line(&anonymous);
    assert!(
        line.contains("refused access") && line.contains(&reference),
        "{line}"
    );

    let wrong = plume_in(
        cache.path(),
        &[
            ("PLUME_REGISTRY_USER", "ci-bot"),
            ("PLUME_REGISTRY_PASSWORD", "not-the-password-1"),
        ],
        &push,
    );
    let line = one_line(&wrong);
    assert!(
        line.contains("refused access") && !line.contains("not-the-password-1"),
        "{line}"
    );

    let env = [
        ("PLUME_REGISTRY_USER", "ci-bot"),
        ("PLUME_REGISTRY_PASSWORD", password),
    ];
    let pushed = plume_in(cache.path(), &env, &push);
    pushed_digest(&pushed);
    assert!(!pushed.stdout.contains(password) && !pushed.stderr.contains(password));

    // Docker's config file, as `docker login` writes it.
    let docker = tempfile::tempdir().unwrap();
    let auth = base64_of(&format!("ci-bot:{password}"));
    std::fs::write(
        docker.path().join("config.json"),
        format!(
            "{{\"auths\": {{\"{}\": {{\"auth\": \"{auth}\"}}}}}}",
            registry.host()
        ),
    )
    .unwrap();
    let docker_dir = docker.path().to_str().unwrap();
    let pulled = plume_in(
        cache.path(),
        &[("DOCKER_CONFIG", docker_dir)],
        &["pull", &reference],
    );
    assert_eq!(pulled.code, 0, "{}{}", pulled.stdout, pulled.stderr);
    assert!(!pulled.stdout.contains(password) && !pulled.stdout.contains(&auth));
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn a_wrong_pin_and_a_tag_moved_after_lock_are_refused_with_both_digests() {
    let registry = Registry::anonymous();
    let server = TestServer::start();
    let cache = tempfile::tempdir().unwrap();
    let reference = registry.reference("plume/moving:stable");
    let first = pushed_digest(&plume_in(
        cache.path(),
        &[],
        &["push", plume_test_guests::BASIC, &reference],
    ));

    let wrong = format!("sha256:{}", "0".repeat(64));
    let pinned = suite(
        &SUITE
            .replace("@ref@", &reference)
            .replace("allow-hosts", &format!("digest = \"{wrong}\"\nallow-hosts")),
        &server.url(),
    );
    let r = plume_in(cache.path(), &[], &["run", pinned.path.to_str().unwrap()]);
    let line = one_line(&r);
    assert!(line.contains(&first) && line.contains(&wrong), "{line}");
    assert!(server.log().is_empty(), "nothing ran");

    let s = suite(&SUITE.replace("@ref@", &reference), &server.url());
    assert_eq!(
        plume_in(cache.path(), &[], &["lock", s.path.to_str().unwrap()]).code,
        0
    );
    // Someone moves the tag to another build.
    let moved = pushed_digest(&plume_in(
        cache.path(),
        &[],
        &["push", plume_test_guests::FORGER, &reference],
    ));
    assert_ne!(moved, first);
    let r = plume_in(cache.path(), &[], &["run", s.path.to_str().unwrap()]);
    let line = one_line(&r);
    assert!(line.contains("the tag moved"), "{line}");
    assert!(line.contains(&first) && line.contains(&moved), "{line}");
    assert!(server.log().is_empty(), "nothing ran");
}

#[test]
fn with_the_registry_down_a_warm_store_runs_and_a_cold_one_is_one_line() {
    let mut registry = Registry::anonymous();
    let server = TestServer::start();
    let warm = tempfile::tempdir().unwrap();
    let cold = tempfile::tempdir().unwrap();
    let reference = registry.reference("plume/offline:1");
    let digest = pushed_digest(&plume_in(
        warm.path(),
        &[],
        &["push", plume_test_guests::BASIC, &reference],
    ));
    let tag_only = suite(&SUITE.replace("@ref@", &reference), &server.url());
    let by_digest = suite(
        &SUITE.replace(
            "@ref@",
            &format!("{}@{digest}", registry.reference("plume/offline")),
        ),
        &server.url(),
    );
    let run = |cache: &Path, s: &Path| {
        plume_in(
            cache,
            &[],
            &["run", s.to_str().unwrap(), "--only", "producer"],
        )
    };
    assert_eq!(run(warm.path(), &tag_only.path).code, 0, "warms the store");
    registry.stop();

    let r = run(warm.path(), &tag_only.path);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.starts_with("warning: plugin `basic`: ")
            && r.stderr.contains("is unreachable")
            && r.stderr.contains("using the tag's last known (first seen ")
            && r.stderr.contains(&digest),
        "{}",
        r.stderr
    );
    let r = run(warm.path(), &by_digest.path);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "", "a digest the store holds needs no registry");

    let r = run(cold.path(), &tag_only.path);
    let line = one_line(&r);
    assert!(
        line.contains(&reference)
            && line.contains("cannot reach the registry")
            && line.contains("holds no copy"),
        "{line}"
    );
}
