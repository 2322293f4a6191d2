//! Dogfood: Plume's own release (`host/release/release.sh`) served by nginx
//! and checked by Plume's `release-artifact` pack. The script packs the
//! `plume` binary these tests run (CI has no time for the static musl build;
//! the packing, the sums and the manifest are the same code), and the
//! `plume` unpacked from the archive is the one that checks its own release.
//! The packs built into the binary travel with it: the unpacked `plume`
//! inspects them, `version.json` lists their digests, and the script pushes
//! them to a loopback `docker-registry` as `plume/packs/NAME:VERSION`, from
//! where one is pulled back and run. The image script refuses a binary
//! without the packs and lists those of one that has them.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::support::harness::{Run, plume_command_of, suite};
use crate::support::nginx::Nginx;
use crate::support::registry::Registry;
use crate::support::server::TestServer;

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

/// The SHA-256 `plume inspect plume:NAME` shows, from `plume`.
fn pack_digest(plume: &Path, pack: &str) -> String {
    let out = plume_command_of(plume)
        .args(["inspect", &format!("plume:{pack}")])
        .output()
        .unwrap();
    let r = Run::from_output(out);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let file = r.stdout.lines().find(|l| l.starts_with("file:")).unwrap();
    file.rsplit("sha256 ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned()
}

#[test]
fn the_release_carries_the_packs_and_pushes_them_for_older_binaries() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::anonymous();
    let binary = env!("CARGO_BIN_EXE_plume");
    let out = dir.path().to_str().unwrap();
    let made = release_script(&[
        "--binary",
        binary,
        "--base-url",
        "http://127.0.0.1:1",
        "--out",
        out,
        "--push-packs",
        &registry.host(),
    ]);
    assert_eq!(made.code, 0, "{}", made.stderr);

    // The binary in the tarball carries each pack version.json lists.
    let name = format!("plume-{VERSION}-{}", host_target());
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(dir.path().join(format!("{name}.tar.gz")))
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    let installed = unpacked.path().join(&name).join("plume");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("version.json")).unwrap())
            .unwrap();
    for pack in ["http", "release-artifact", "tls", "oauth"] {
        let entry = &manifest["packs"][pack];
        assert_eq!(entry["sha256"], pack_digest(&installed, pack), "{manifest}");
        assert_eq!(
            entry["reference"],
            format!("{}/plume/packs/{pack}:{VERSION}", registry.host())
        );
        assert!(
            made.stderr.contains(&format!("pushed plume:{pack} as ")),
            "{}",
            made.stderr
        );
    }

    // A pack pulled back from the registry, pinned to the manifest the release lists, runs.
    let server = TestServer::start();
    let url = format!("http://{}", server.addr);
    let http = &manifest["packs"]["http"];
    let toml = format!(
        "[plugins.site]\npath = \"oci://{}\"\ndigest = \"{}\"\nsha256 = \"{}\"\n\
         allow-hosts = [\"{url}\"]\n[[plugins.site.config.checks]]\ngroup = \"site\"\n\
         name = \"ok\"\nurl = \"{url}/ok\"\nexpect.status = 200\n\
         expect.json = [{{ pointer = \"/status\", equals = \"ok\" }}]\n",
        http["reference"].as_str().unwrap(),
        http["digest"].as_str().unwrap(),
        http["sha256"].as_str().unwrap(),
    );
    let s = suite(&toml, "");
    let cache = tempfile::tempdir().unwrap();
    let out = plume_command_of(&installed)
        .arg("--cache-dir")
        .arg(cache.path())
        .arg("run")
        .arg(&s.path)
        .output()
        .unwrap();
    let r = Run::from_output(out);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r.expect("site.ok", "ok", "");
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
/// hand), so the image packs static stand-ins compiled here with
/// `musl-gcc`: one that only answers `--version` as `plume` does (refused:
/// it carries no pack), then a launcher that executes the `plume` under
/// test, whose four built-in packs the script lists from the unpacked
/// image's entrypoint; the script, its layout (entrypoint, user, CA bundle,
/// home) and its checks are the ones the release uses. The dynamically
/// linked binary these tests run is refused in one line.
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
    // A binary without the packs is refused, once its --version passed.
    let packless = image_script(&stand_in, &out);
    assert_eq!(packless.code, 2, "{}", packless.stderr);
    assert!(
        packless
            .stderr
            .contains("does not carry the built-in pack plume:http"),
        "{}",
        packless.stderr
    );

    // A static launcher of the plume under test: the image's entrypoint
    // then answers as that plume does, packs included.
    let launcher = dir.path().join("launcher.c");
    std::fs::write(
        &launcher,
        format!(
            "#include <unistd.h>\nint main(int argc, char **argv) {{ (void)argc; \
             execv({:?}, argv); return 127; }}\n",
            env!("CARGO_BIN_EXE_plume")
        ),
    )
    .unwrap();
    let stand_in = dir.path().join("bin/plume");
    std::fs::create_dir_all(stand_in.parent().unwrap()).unwrap();
    let cc = Command::new("musl-gcc")
        .arg("-static")
        .arg("-o")
        .arg(&stand_in)
        .arg(&launcher)
        .status()
        .expect("musl-gcc");
    assert!(cc.success());
    let first = image_script(&stand_in, &out);
    assert_eq!(first.code, 0, "{}", first.stderr);
    for pack in ["http", "release-artifact", "tls", "oauth"] {
        let digest = pack_digest(Path::new(env!("CARGO_BIN_EXE_plume")), pack);
        let line = format!("plume:{pack} (built into plume {VERSION}, sha256 {digest})");
        assert!(first.stderr.contains(&line), "{line} in {}", first.stderr);
    }
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
