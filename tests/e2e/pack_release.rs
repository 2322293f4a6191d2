//! The `release-artifact` pack (`plugins/release-artifact`) against nginx
//! serving a release as a CDN and an origin would: healthy, a stale CDN
//! manifest, a malformed manifest, and a binary over the size cap. (Its run
//! against the demo service's release channel is in `demo.rs`.)

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::harness::{Run, run, suite};
use crate::support::nginx::Nginx;

const VERSION: &str = "2.3.4";

/// A release folder: the binary, its SHA256SUMS and a manifest.
struct Release {
    dir: tempfile::TempDir,
    sha: String,
}

fn binary() -> Vec<u8> {
    (0..2 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2246822519) >> 23) as u8)
        .collect()
}

fn sha_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Release {
    fn new() -> Release {
        let dir = tempfile::tempdir().expect("temp dir");
        let bytes = binary();
        let sha = sha_of(&bytes);
        std::fs::write(dir.path().join("plume-agent.bin"), &bytes).unwrap();
        std::fs::write(
            dir.path().join("SHA256SUMS"),
            format!("{sha}  plume-agent.bin\n{}  other.bin\n", sha_of(b"other")),
        )
        .unwrap();
        Release { dir, sha }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes the manifest; `download` is the base URL the binary is under.
    fn manifest(&self, version: &str, sha: &str, download: &str) {
        self.manifest_with(version, sha, download, serde_json::json!({}));
    }

    /// The manifest with `extra` keys merged in (e.g. the binary's size).
    fn manifest_with(&self, version: &str, sha: &str, download: &str, extra: serde_json::Value) {
        let mut doc = serde_json::json!({
            "version": version,
            "sha256": sha,
            "download_url": format!("{download}/plume-agent.bin"),
            "updated_at": "2026-11-25T09:30:00Z",
        });
        if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
            doc.extend(extra.clone());
        }
        std::fs::write(self.path().join("version.json"), doc.to_string()).unwrap();
    }
}

fn run_pack(nginx: &Nginx, config: &str) -> Run {
    let toml = format!(
        "name = \"release\"\ncheck-timeout = \"10s\"\n\n[plugins.release]\npath = \"@release@\"\n\
         allow-hosts = [\"{cdn}\", \"{origin}\"]\n\n[plugins.release.config]\n\
         manifest_url = \"{cdn}/version.json\"\n{config}\n",
        cdn = nginx.url(0),
        origin = nginx.url(1),
    );
    let s = suite(&toml, "");
    run(&s.path, &[])
}

fn full_config(nginx: &Nginx, sha: &str) -> String {
    format!(
        "expected_version = \"{VERSION}\"\nexpected_sha = \"{sha}\"\n\
         sums_url = \"{}/SHA256SUMS\"\norigin_url = \"{}/version.json\"\n",
        nginx.url(0),
        nginx.url(1)
    )
}

#[test]
fn a_healthy_release_passes_every_check_with_both_values_shown() {
    let (cdn, origin) = (Release::new(), Release::new());
    let nginx = Nginx::serve(&[cdn.path(), origin.path()]);
    cdn.manifest(VERSION, &cdn.sha, &nginx.url(0));
    origin.manifest(VERSION, &origin.sha, &nginx.url(1));
    let r = run_pack(&nginx, &full_config(&nginx, &cdn.sha));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let short = &cdn.sha[..12];
    r.expect(
        "release.manifest.shape",
        "ok",
        &format!("version {VERSION}, sha256 {short}…"),
    );
    r.expect(
        "release.expected.version",
        "ok",
        "version 2.3.4 as expected",
    );
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        &format!("2097152 bytes, sha256 {short}… matches the manifest"),
    );
    r.expect(
        "release.binary.content_length",
        "ok",
        "Content-Length 2097152 matches",
    );
    r.expect("release.expected.sha", "ok", "as built");
    r.expect(
        "release.sums.matches",
        "ok",
        "SHA256SUMS lists plume-agent.bin",
    );
    r.expect(
        "release.origin.same_manifest",
        "ok",
        "origin and cdn both at 2.3.4",
    );
    r.expect(
        "release.origin.same_binary",
        "ok",
        "origin serves the same 2097152 bytes",
    );
}

#[test]
fn a_stale_cdn_manifest_is_caught_with_both_digests() {
    let (cdn, origin) = (Release::new(), Release::new());
    let nginx = Nginx::serve(&[cdn.path(), origin.path()]);
    // The CDN still serves the previous release's manifest over the new binary.
    let old_sha = sha_of(b"the previous build");
    cdn.manifest("2.3.3", &old_sha, &nginx.url(0));
    origin.manifest(VERSION, &origin.sha, &nginx.url(1));
    let r = run_pack(&nginx, &full_config(&nginx, &cdn.sha));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let (new, old) = (&cdn.sha[..12], &old_sha[..12]);
    r.expect(
        "release.expected.version",
        "err",
        "manifest version 2.3.3 != expected version 2.3.4",
    );
    r.expect(
        "release.binary.matches_manifest",
        "err",
        &format!("served sha {new}… != version.json sha {old}…"),
    );
    r.expect(
        "release.expected.sha",
        "err",
        &format!("version.json sha {old}… != expected sha {new}…"),
    );
    r.expect("release.sums.matches", "ok", new);
    r.expect(
        "release.origin.same_manifest",
        "err",
        &format!("cdn version 2.3.3 != origin version 2.3.4; cdn sha {old}… != origin sha {new}…"),
    );
    r.expect("release.origin.same_binary", "ok", "the same 2097152 bytes");
}

#[test]
fn a_malformed_manifest_and_an_oversized_binary_are_named() {
    let release = Release::new();
    let nginx = Nginx::serve(&[release.path(), release.path()]);
    std::fs::write(
        release.path().join("version.json"),
        r#"{"version":"2.3.4","sha256":"not-a-digest","download_url":"x","updated_at":"today"}"#,
    )
    .unwrap();
    let r = run_pack(&nginx, "");
    assert_eq!(r.code, 1, "{}", r.stdout);
    r.expect(
        "release.manifest.shape",
        "err",
        "at /sha256: expected a match for /^[0-9a-fA-F]{64}$/, got \"not-a-digest\"",
    );
    r.expect("release.binary.matches_manifest", "skip", "no `sha256`");

    release.manifest(VERSION, &release.sha, &nginx.url(0));
    let r = run_pack(&nginx, "max_mib = 1");
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "is larger than max_mib (1 MiB); stopped after",
    );
    r.expect("release.sums.matches", "skip", "sums_url is not set");

    // The manifest says 1 MiB, within max_mib, so the host hashes the body;
    // the server sends 2 MiB, which is still refused past max_mib.
    let one_mib = serde_json::json!({ "size": 1 << 20 });
    release.manifest_with(VERSION, &release.sha, &nginx.url(0), one_mib);
    let r = run_pack(&nginx, "max_mib = 1");
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "is larger than max_mib (1 MiB): received 2097152 bytes",
    );
}

/// A binary cut short is named as truncated, with the bytes received against
/// the manifest's size (before, only as a digest mismatch), and the CDN and
/// origin lines name the URL each compared.
#[test]
fn a_truncated_binary_is_named_as_truncated_and_cdn_lines_name_their_urls() {
    let (cdn, origin) = (Release::new(), Release::new());
    let nginx = Nginx::serve(&[cdn.path(), origin.path()]);
    let full = binary();
    let size = serde_json::json!({ "artifact": { "bytes": full.len() } });
    cdn.manifest_with(VERSION, &cdn.sha, &nginx.url(0), size.clone());
    origin.manifest_with(VERSION, &origin.sha, &nginx.url(1), size);
    let config = format!(
        "{}size_pointer = \"/artifact/bytes\"\n",
        full_config(&nginx, &cdn.sha)
    );

    let r = run_pack(&nginx, &config);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("release.manifest.shape", "ok", ", 2097152 bytes");
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        "2097152 bytes as the manifest says",
    );
    let (cdn_url, origin_url) = (nginx.url(0), nginx.url(1));
    r.expect(
        "release.origin.same_manifest",
        "ok",
        &format!("(cdn {cdn_url}/version.json, origin {origin_url}/version.json)"),
    );
    r.expect(
        "release.origin.same_binary",
        "ok",
        &format!("(cdn {cdn_url}/plume-agent.bin, origin {origin_url}/plume-agent.bin)"),
    );

    // The CDN's copy was cut off at 1 MiB; the origin's is whole.
    std::fs::write(cdn.path().join("plume-agent.bin"), &full[..1 << 20]).unwrap();
    let r = run_pack(&nginx, &config);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "the binary is truncated: received 1048576 of 2097152 bytes (served sha ",
    );
    r.expect(
        "release.origin.same_binary",
        "err",
        &format!("(cdn {cdn_url}/plume-agent.bin, origin {origin_url}/plume-agent.bin)"),
    );

    // A configured pointer the manifest lacks is a shape error, naming it.
    let r = run_pack(&nginx, "size_pointer = \"/artifact/size\"\n");
    r.expect(
        "release.manifest.shape",
        "err",
        "at /artifact/size: expected a value, found none",
    );
}

/// As GitHub Releases serve one: the manifest's download URL answers with a
/// redirect to another host (both in `allow-hosts`), and `SHA256SUMS` is in
/// BSD format (`sha256sum --tag`) with the digest in upper case. Streamed
/// (no size in the manifest) and hashed by the host (a size): both follow.
#[test]
fn a_release_behind_a_redirect_with_bsd_checksums_passes() {
    let (cdn, origin) = (Release::new(), Release::new());
    let nginx = Nginx::serve_with(&[cdn.path(), origin.path()], &|i, ports| match i {
        0 => format!(
            "location /releases/download/ {{ return 302 http://127.0.0.1:{}/plume-agent.bin; }}\
             location = /loop {{ return 302 /loop; }}",
            ports[1]
        ),
        _ => String::new(),
    });
    std::fs::write(
        cdn.path().join("SHA256SUMS"),
        format!(
            "SHA256 (plume-agent.bin) = {}\n",
            cdn.sha.to_ascii_uppercase()
        ),
    )
    .unwrap();
    let download = format!("{}/releases/download/v{VERSION}", nginx.url(0));
    for extra in [
        serde_json::json!({}),
        serde_json::json!({ "size": binary().len() }),
    ] {
        cdn.manifest_with(VERSION, &cdn.sha.to_ascii_uppercase(), &download, extra);
        let config = format!(
            "expected_version = \"{VERSION}\"\nsums_url = \"{}/SHA256SUMS\"\n",
            nginx.url(0)
        );
        let r = run_pack(&nginx, &config);
        r.expect("release.binary.matches_manifest", "ok", &cdn.sha[..12]);
        r.expect(
            "release.sums.matches",
            "ok",
            "SHA256SUMS lists plume-agent.bin",
        );
    }
    // A checksum file that does not list the binary says what it does list.
    std::fs::write(
        cdn.path().join("SHA256SUMS"),
        format!("{}  other.bin\n", cdn.sha),
    )
    .unwrap();
    let config = format!("sums_url = \"{}/SHA256SUMS\"\n", nginx.url(0));
    let r = run_pack(&nginx, &config);
    r.expect(
        "release.sums.matches",
        "err",
        "lists no plume-agent.bin (name from the URL that answered): it lists other.bin",
    );
    // The pack follows at most 5 redirects.
    let looping = format!("{}/loop", nginx.url(0));
    cdn.manifest_with(VERSION, &cdn.sha, &looping, serde_json::json!({}));
    std::fs::write(
        cdn.path().join("version.json"),
        std::fs::read_to_string(cdn.path().join("version.json"))
            .unwrap()
            .replace(&format!("{looping}/plume-agent.bin"), &looping),
    )
    .unwrap();
    let r = run_pack(&nginx, "");
    r.expect(
        "release.binary.matches_manifest",
        "err",
        &format!("more than 5 redirects (last hop to {looping})"),
    );
}

/// A value of the wrong type, a JSON pointer without its `/`, a missing
/// `manifest_url`: one line naming the key, exit 2, before any check.
#[test]
fn config_mistakes_are_one_line_errors_with_exit_2() {
    let manifest = "manifest_url = \"https://127.0.0.1:9/version.json\"";
    let cases = [
        (
            format!("{manifest}\nmax_mib = \"lots\""),
            "config.max_mib: \"lots\" is not a whole number (see plugins/release-artifact/README.md)",
        ),
        (
            format!("{manifest}\ntimeout_ms = 2.5"),
            "config.timeout_ms: \"2.5\" is not a whole number",
        ),
        (
            format!("{manifest}\nsha_pointer = \"sha256\""),
            "config.sha_pointer: \"sha256\" is not a JSON pointer: it starts with `/`, e.g. \"/sha256\"",
        ),
        (
            "expected_version = \"1.2.3\"".to_owned(),
            "config: `manifest_url` is not set: add it to the plugin's config table",
        ),
    ];
    for (config, expected) in cases {
        crate::bad_input::pack_config_refused("@release@", &config, expected);
    }
}
