//! The `release-artifact` pack against a release in an S3-compatible store:
//! moto's server from PyPI, filled through boto3 as a release pipeline fills
//! a bucket. Two stores stand for the CDN and the origin. A correct release
//! is green whichever way it is served: public objects, a presigned URL to a
//! content-addressed key (`blobs/<sha>`) whose `Content-Disposition` names
//! the file, an alias that redirects to the named file, a gzip-encoded
//! manifest. Each fault is red (or, where nothing could be compared, a
//! skip) with its cause named: a checksum file listing the binary twice with
//! different digests, an empty binary, an origin manifest that points at the
//! CDN, a binary labelled `gzip` that is not, a manifest labelled `gzip`
//! that is not, and a missing object's or a refused presigned URL's S3 error
//! document (with a manifest `size`, streamed, and the manifest's own URL).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::harness::{Run, run, suite};
use crate::support::nginx::Nginx;
use crate::support::s3::S3Store;

const VERSION: &str = "2.3.4";
const FILE: &str = "plume-agent.bin";

fn binary() -> Vec<u8> {
    (0..300 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 21) as u8)
        .collect()
}

fn sha_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Files to upload, written to a temp dir.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().expect("temp dir"))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

fn manifest(sha: &str, download_url: &str, size: Option<usize>) -> Vec<u8> {
    let mut doc = json!({
        "version": VERSION,
        "sha256": sha,
        "download_url": download_url,
        "updated_at": "2026-11-25T09:30:00Z",
    });
    if let Some(n) = size {
        doc["size"] = json!(n);
    }
    doc.to_string().into_bytes()
}

fn put(bucket: &str, key: &str, file: &str) -> Value {
    json!({ "put": bucket, "key": key, "file": file, "public": true })
}

fn run_pack(hosts: &[String], manifest_url: &str, config: &str) -> Run {
    let allow: Vec<String> = hosts.iter().map(|h| format!("\"{h}\"")).collect();
    let toml = format!(
        "name = \"release\"\ncheck-timeout = \"20s\"\n\n[plugins.release]\npath = \"@release@\"\n\
         allow-hosts = [{}]\n\n[plugins.release.config]\nmanifest_url = \"{manifest_url}\"\n{config}\n",
        allow.join(", ")
    );
    let s = suite(&toml, "");
    run(&s.path, &[])
}

/// No line shows a presigned URL's signature or credential.
fn no_signature(r: &Run) {
    for secret in ["X-Amz-Signature", "X-Amz-Credential", "plume-test-key"] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "{secret} printed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
}

/// A content-addressed key served through a presigned URL, its file name
/// given only by `Content-Disposition`; the origin store holds the same
/// release under the plain name. The manifest gives the size (the host
/// hashes the body), and the CDN's manifest is gzip-encoded.
#[test]
fn a_content_addressed_release_behind_presigned_urls_is_green() {
    let (cdn, origin) = (S3Store::start(), S3Store::start());
    let files = Files::new();
    let bytes = binary();
    let sha = sha_of(&bytes);
    let bin = files.write("bin", &bytes);
    let sums = files.write("sums", format!("{sha}  {FILE}\n").as_bytes());
    let mut plan = vec![
        json!({ "bucket": "releases", "public": true }),
        json!({ "put": "releases", "key": format!("blobs/{sha}"), "file": bin, "public": true,
                "content_disposition": format!("attachment; filename=\"{FILE}\"") }),
        put("releases", "stable/SHA256SUMS", &sums),
        json!({ "presign": "releases", "key": format!("blobs/{sha}"), "name": "blob" }),
    ];
    let urls = cdn.apply(&Value::Array(plan.clone()));
    let blob = urls["blob"].as_str().unwrap();
    let cdn_manifest = files.write("cdn.json", &manifest(&sha, blob, Some(bytes.len())));
    cdn.apply(
        &json!([{ "put": "releases", "key": "stable/version.json", "file": cdn_manifest,
                        "public": true, "content_type": "application/json",
                        "content_encoding": "gzip", "gzip": true }]),
    );

    let origin_blob = format!("{}/releases/{VERSION}/{FILE}", origin.url());
    let origin_manifest = files.write(
        "origin.json",
        &manifest(&sha, &origin_blob, Some(bytes.len())),
    );
    plan.truncate(1);
    plan.push(put("releases", &format!("{VERSION}/{FILE}"), &bin));
    plan.push(put("releases", "stable/version.json", &origin_manifest));
    origin.apply(&Value::Array(plan));

    let config = format!(
        "expected_version = \"{VERSION}\"\nexpected_sha = \"{sha}\"\n\
         sums_url = \"{0}/releases/stable/SHA256SUMS\"\norigin_url = \"{1}/releases/stable/version.json\"\n",
        cdn.url(),
        origin.url()
    );
    let r = run_pack(
        &[cdn.url(), origin.url()],
        &format!("{}/releases/stable/version.json", cdn.url()),
        &config,
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let short = &sha[..12];
    r.expect(
        "release.manifest.shape",
        "ok",
        &format!(
            "/releases/blobs/{sha}?…, {} bytes (gzip-decoded as clients do)",
            bytes.len()
        ),
    );
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        &format!("{} bytes as the manifest says, sha256 {short}… matches the manifest, no Content-Encoding", bytes.len()),
    );
    r.expect(
        "release.sums.matches",
        "ok",
        &format!("SHA256SUMS lists {FILE} (name from Content-Disposition) with sha {short}…"),
    );
    r.expect(
        "release.binary.content_length",
        "ok",
        "matches the bytes received",
    );
    r.expect(
        "release.origin.same_manifest",
        "ok",
        "origin and cdn both at 2.3.4",
    );
    r.expect(
        "release.origin.same_binary",
        "ok",
        &format!("origin serves the same {} bytes, sha {short}…", bytes.len()),
    );
    no_signature(&r);

    // Without the header, the key names no file SHA256SUMS lists; the config
    // can name it.
    let plain = files.write(
        "plain.json",
        &manifest(&sha, &format!("{}/releases/raw/{sha}", cdn.url()), None),
    );
    cdn.apply(&json!([
        put("releases", &format!("raw/{sha}"), &bin),
        put("releases", "stable/plain.json", &plain)
    ]));
    let sums_only = format!("sums_url = \"{}/releases/stable/SHA256SUMS\"\n", cdn.url());
    let manifest_url = format!("{}/releases/stable/plain.json", cdn.url());
    let r = run_pack(&[cdn.url()], &manifest_url, &sums_only);
    r.expect(
        "release.sums.matches",
        "err",
        &format!("lists no {sha} (name from the URL that answered): it lists {FILE}"),
    );
    let r = run_pack(
        &[cdn.url()],
        &manifest_url,
        &format!("{sums_only}file_name = \"{FILE}\"\n"),
    );
    r.expect(
        "release.sums.matches",
        "ok",
        &format!("SHA256SUMS lists {FILE} (name from file_name)"),
    );
}

/// An alias (`/download/latest`, at a front server) that redirects to the
/// named file in the store: the name is the final URL's, and the binary
/// streams through the pack (no size in the manifest).
#[test]
fn an_alias_that_redirects_to_the_named_file_is_green() {
    let store = S3Store::start();
    let files = Files::new();
    let bytes = binary();
    let sha = sha_of(&bytes);
    let bin = files.write("bin", &bytes);
    let sums = files.write(
        "sums",
        format!("{sha}  ./dist/{FILE}\n{}  other.bin\n", sha_of(b"x")).as_bytes(),
    );
    let target = format!("{}/releases/{VERSION}/{FILE}", store.url());
    let empty = tempfile::tempdir().unwrap();
    let front = Nginx::serve_with(&[empty.path()], &|_, _| {
        format!("location = /download/latest {{ return 302 {target}; }}")
    });
    let alias = format!("{}/download/latest", front.url(0));
    let doc = files.write("m.json", &manifest(&sha, &alias, None));
    store.apply(&json!([
        { "bucket": "releases", "public": true },
        put("releases", &format!("{VERSION}/{FILE}"), &bin),
        put("releases", "SHA256SUMS", &sums),
        put("releases", "version.json", &doc),
    ]));
    let r = run_pack(
        &[store.url(), front.url(0)],
        &format!("{}/releases/version.json", store.url()),
        &format!("sums_url = \"{}/releases/SHA256SUMS\"\n", store.url()),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        &format!("(served by {target})"),
    );
    r.expect(
        "release.sums.matches",
        "ok",
        &format!("SHA256SUMS lists {FILE} (name from the URL that answered)"),
    );
}

/// One store, one fault at a time, each named.
struct Faults {
    store: S3Store,
    files: Files,
    bytes: Vec<u8>,
    sha: String,
}

impl Faults {
    fn new() -> Faults {
        let store = S3Store::start();
        store.apply(&json!([{ "bucket": "releases", "public": true }]));
        let bytes = binary();
        let sha = sha_of(&bytes);
        Faults {
            store,
            files: Files::new(),
            bytes,
            sha,
        }
    }

    /// Uploads `objects` (key → bytes, with extra fields) and runs the pack
    /// on `version.json`.
    fn run(&self, objects: &[(&str, &[u8], Value)], config: &str) -> Run {
        let plan: Vec<Value> = objects
            .iter()
            .enumerate()
            .map(|(i, (key, bytes, extra))| {
                let mut step = put("releases", key, &self.files.write(&format!("f{i}"), bytes));
                if let (Some(step), Some(extra)) = (step.as_object_mut(), extra.as_object()) {
                    step.extend(extra.clone());
                }
                step
            })
            .collect();
        self.store.apply(&Value::Array(plan));
        run_pack(
            &[self.store.url()],
            &format!("{}/releases/version.json", self.store.url()),
            config,
        )
    }

    fn key_url(&self, key: &str) -> String {
        format!("{}/releases/{key}", self.store.url())
    }
}

#[test]
fn each_fault_of_a_stored_release_is_named() {
    let f = Faults::new();
    let none = json!({});
    let (sha, bytes) = (f.sha.clone(), f.bytes.clone());
    let bin_url = f.key_url(FILE);
    let healthy = manifest(&sha, &bin_url, Some(bytes.len()));
    let sums_cfg = format!("sums_url = \"{}\"\n", f.key_url("SHA256SUMS"));

    // SHA256SUMS lists the binary twice with different digests.
    let twice = format!("{sha}  {FILE}\n{}  {FILE}\n", sha_of(b"an older build"));
    let r = f.run(
        &[
            (FILE, &bytes, none.clone()),
            ("SHA256SUMS", twice.as_bytes(), none.clone()),
            ("version.json", &healthy, none.clone()),
        ],
        &sums_cfg,
    );
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        "matches the manifest",
    );
    r.expect(
        "release.sums.matches",
        "err",
        &format!("SHA256SUMS lists {FILE} 2 times with different digests ({}… and {}…): `sha256sum -c` fails on one of them", &sha[..12], &sha_of(b"an older build")[..12]),
    );

    // An empty binary, with the manifest giving the empty file's digest and size.
    let empty_sha = sha_of(b"");
    let r = f.run(
        &[
            ("empty.bin", b"", none.clone()),
            (
                "version.json",
                &manifest(&empty_sha, &f.key_url("empty.bin"), Some(0)),
                none.clone(),
            ),
        ],
        "",
    );
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "the binary is empty: 0 bytes from",
    );

    // An uncompressed binary labelled gzip: its digest matches, the label is red.
    let r = f.run(
        &[
            (FILE, &bytes, json!({ "content_encoding": "gzip" })),
            ("version.json", &healthy, none.clone()),
        ],
        "",
    );
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "the binary is served with Content-Encoding: gzip, judged as sent",
    );

    // A manifest labelled gzip that is not gzip data.
    let r = f.run(
        &[(
            "version.json",
            &healthy,
            json!({ "content_encoding": "gzip" }),
        )],
        "",
    );
    r.expect(
        "release.manifest.shape",
        "err",
        "version.json is served with Content-Encoding: gzip but the body is not gzip data",
    );

    // The binary is missing: the store's error document is shown, with and
    // without a size in the manifest.
    for size in [Some(bytes.len()), None] {
        let gone = manifest(&sha, &f.key_url("missing.bin"), size);
        let r = f.run(&[("version.json", &gone, none.clone())], "");
        r.expect("release.binary.matches_manifest", "err", "got 404");
        r.expect(
            "release.binary.matches_manifest",
            "err",
            "<Code>NoSuchKey</Code>",
        );
    }

    // A presigned URL to a missing key: the error shows, the signature does not.
    let urls = f
        .store
        .apply(&json!([{ "presign": "releases", "key": "gone.bin", "name": "gone" }]));
    let presigned = manifest(&sha, urls["gone"].as_str().unwrap(), Some(bytes.len()));
    let r = f.run(&[("version.json", &presigned, none.clone())], "");
    r.expect(
        "release.binary.matches_manifest",
        "err",
        "<Code>NoSuchKey</Code>",
    );
    no_signature(&r);

    // The origin's manifest points at the CDN's own binary: nothing is
    // compared, and no line says the origin serves the same bytes.
    let origin_doc = f.files.write("origin.json", &healthy);
    f.store.apply(&json!([put(
        "releases",
        "origin/version.json",
        &origin_doc
    )]));
    let r = f.run(
        &[
            (FILE, &bytes, none.clone()),
            ("version.json", &healthy, none.clone()),
        ],
        &format!("origin_url = \"{}\"\n", f.key_url("origin/version.json")),
    );
    r.expect(
        "release.origin.same_manifest",
        "ok",
        "origin and cdn both at 2.3.4",
    );
    r.expect(
        "release.origin.same_binary",
        "skip",
        "the origin's manifest names the CDN's own binary",
    );
    assert!(!r.stdout.contains("origin serves the same"), "{}", r.stdout);
}

/// A presigned URL the store refuses with 403 and an S3 error document: the
/// line shows its `Code` and `Message` whichever way the body is fetched
/// (hashed on the host when the manifest gives the size, streamed when it
/// does not, the manifest's own URL), and never the signature. moto 5.2.1
/// checks neither a presigned URL's expiry nor its signature (an expired or
/// tampered URL is served 200); the 403 with an S3 error document it gives a
/// GET is `SignatureDoesNotMatch`, for a presigned URL that carries
/// `response-content-disposition` to a key it does not hold.
#[test]
fn a_refused_presigned_url_shows_the_stores_error_and_not_the_signature() {
    let f = Faults::new();
    let refused = |key: &str, name: &str| {
        json!({ "presign": "releases", "key": key, "name": name,
                "disposition": format!("attachment; filename={name}") })
    };
    let urls = f.store.apply(&json!([
        refused("refused/plume-agent.bin", FILE),
        refused("refused/version.json", "version.json"),
    ]));
    let message = "the store's error: SignatureDoesNotMatch: The request signature we calculated \
                   does not match the signature you provided.";
    for size in [Some(f.bytes.len()), None] {
        let doc = manifest(&f.sha, urls[FILE].as_str().unwrap(), size);
        let r = f.run(&[("version.json", &doc, json!({}))], "");
        let check = "release.binary.matches_manifest";
        r.expect(check, "err", "got 403");
        r.expect(check, "err", "<Code>SignatureDoesNotMatch</Code>");
        r.expect(check, "err", message);
        no_signature(&r);
    }
    let manifest_url = urls["version.json"].as_str().unwrap();
    let r = run_pack(&[f.store.url()], manifest_url, "");
    r.expect("release.manifest.shape", "err", "got 403");
    r.expect("release.manifest.shape", "err", message);
    no_signature(&r);
}
