//! Dogfood: Plume's own release (`host/release/release.sh`) served by nginx
//! and checked by Plume's `release-artifact` pack. The script packs the
//! `plume` binary these tests run (CI has no time for the static musl build;
//! the packing, the sums and the manifest are the same code), and the
//! `plume` unpacked from the archive is the one that checks its own release.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::support::harness::{Run, plume_command_of, suite};
use crate::support::nginx::Nginx;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The machine's own target triple, which the script names the binary by.
fn host_target() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}

fn release_script(args: &[&str]) -> Run {
    let out = Command::new("bash")
        .arg(workspace().join("host/release/release.sh"))
        .args(args)
        .output()
        .unwrap();
    Run::from_output(out)
}

/// `plume` runs the release-artifact pack against `url`, reading the
/// manifest's entry for `target` through its JSON pointers.
fn check_release(plume: &Path, url: &str, target: &str, expected_sha: &str) -> Run {
    let toml = format!(
        "name = \"dogfood\"\ncheck-timeout = \"30s\"\n\n[plugins.release]\npath = \"@release@\"\n\
         allow-hosts = [\"{url}\"]\n\n[plugins.release.config]\n\
         manifest_url = \"{url}/version.json\"\nsums_url = \"{url}/SHA256SUMS\"\n\
         expected_version = \"{VERSION}\"\nexpected_sha = \"{expected_sha}\"\n\
         sha_pointer = \"/targets/{target}/sha256\"\nurl_pointer = \"/targets/{target}/download_url\"\n\
         size_pointer = \"/targets/{target}/size\"\n"
    );
    let s = suite(&toml, "");
    let out = plume_command_of(plume)
        .arg("run")
        .arg(&s.path)
        .output()
        .unwrap();
    Run::from_output(out)
}

#[test]
fn the_installed_release_passes_its_own_release_artifact_check() {
    let dir = tempfile::tempdir().unwrap();
    let nginx = Nginx::serve(&[dir.path()]);
    let url = nginx.url(0);
    let binary = env!("CARGO_BIN_EXE_plume");
    let out = dir.path().to_str().unwrap();
    let made = release_script(&["--binary", binary, "--base-url", &url, "--out", out]);
    assert_eq!(made.code, 0, "{}", made.stderr);

    let target = host_target();
    let name = format!("plume-{VERSION}-{target}");
    let tarball = dir.path().join(format!("{name}.tar.gz"));
    let bytes = std::fs::read(&tarball).unwrap();
    let sha = hex::encode(Sha256::digest(&bytes));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("version.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(manifest["targets"][&target]["size"], bytes.len());

    // Installed from the archive: the binary, the license and the README; it runs.
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    let root = unpacked.path().join(&name);
    for file in ["LICENSE", "README.md"] {
        assert!(root.join(file).is_file(), "{file} is missing from {name}");
    }
    let installed = root.join("plume");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("plume {VERSION}")
    );

    // The installed plume checks its own release.
    let r = check_release(&installed, &url, &target, &sha);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let short = &sha[..12];
    r.expect(
        "release.manifest.shape",
        "ok",
        &format!("version {VERSION}, sha256 {short}…"),
    );
    r.expect("release.expected.version", "ok", "as expected");
    r.expect(
        "release.binary.matches_manifest",
        "ok",
        &format!(
            "{} bytes as the manifest says, sha256 {short}… matches the manifest",
            bytes.len()
        ),
    );
    r.expect("release.binary.content_length", "ok", "matches");
    r.expect("release.expected.sha", "ok", "as built");
    r.expect(
        "release.sums.matches",
        "ok",
        &format!("SHA256SUMS lists {name}.tar.gz"),
    );

    // A tarball replaced after the manifest was written is caught.
    std::fs::write(&tarball, [&bytes[..], b"tampered"].concat()).unwrap();
    let r = check_release(&installed, &url, &target, &sha);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.outcome("release.binary.matches_manifest"), "err");
}

#[test]
fn the_release_script_refuses_bad_arguments_in_one_line() {
    for (args, says) in [
        (&[][..], "--base-url is required"),
        (&["--base-url", "ftp://x"][..], "is not an http(s) URL"),
        (
            &["--base-url", "http://x", "--binary", "/nonexistent/plume"][..],
            "is not an executable file",
        ),
        (&["--frobnicate"][..], "unknown argument '--frobnicate'"),
    ] {
        let r = release_script(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
}

fn image_script(binary: &Path, out: &Path) -> Run {
    let run = Command::new("bash")
        .arg(workspace().join("host/release/image.sh"))
        .arg("--binary")
        .arg(binary)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    Run::from_output(run)
}

/// The container image script end to end with buildah, skopeo and umoci
/// (Debian). A FROM-scratch image needs a static binary and CI has no time
/// for the static musl build of `plume` (docs/releases.md: built and measured by
/// hand), so the image packs a static stand-in compiled here with
/// `musl-gcc` that answers `--version` as `plume` does; the script, its
/// layout (entrypoint, user, CA bundle, home) and its checks are the ones
/// the release uses. The dynamically linked binary these tests run is
/// refused in one line.
#[test]
fn the_image_script_builds_the_image_from_a_static_binary_and_refuses_a_dynamic_one() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("plume.c");
    std::fs::write(
        &source,
        format!("#include <stdio.h>\nint main(void) {{ puts(\"plume {VERSION}\"); return 0; }}\n"),
    )
    .unwrap();
    let stand_in = dir.path().join("plume");
    for (binary, package) in [
        ("/usr/bin/musl-gcc", "musl-tools"),
        ("/usr/bin/buildah", "buildah"),
        ("/usr/bin/skopeo", "skopeo"),
        ("/usr/bin/umoci", "umoci"),
    ] {
        crate::support::tools::debian(binary, package);
    }
    let cc = Command::new("musl-gcc")
        .arg("-static")
        .arg("-o")
        .arg(&stand_in)
        .arg(&source)
        .status()
        .expect("musl-gcc (apt-get install musl-tools)");
    assert!(cc.success());

    let out = dir.path().join("out");
    let first = image_script(&stand_in, &out);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let archive = out.join(format!("plume-{VERSION}-oci.tar"));
    assert_eq!(first.stdout.trim(), archive.display().to_string());
    assert!(
        first
            .stderr
            .contains("entrypoint /usr/local/bin/plume, user 10001 (plume), CA bundle")
            && first.stderr.contains(&format!("'plume {VERSION}'")),
        "{}",
        first.stderr
    );
    let dynamic = image_script(Path::new(env!("CARGO_BIN_EXE_plume")), &out);
    assert_eq!(dynamic.code, 2, "{}", dynamic.stderr);
    assert_eq!(dynamic.stderr.lines().count(), 1, "{}", dynamic.stderr);
    assert!(
        dynamic.stderr.contains("is dynamically linked"),
        "{}",
        dynamic.stderr
    );
}
