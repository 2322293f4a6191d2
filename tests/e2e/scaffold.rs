//! `plume new`: for each language, the scaffolded project, made in a
//! temporary folder outside this checkout, names no file of the checkout,
//! builds with the one command it documents (installing its toolchain on
//! first use, as on a user's machine) and its example check passes against
//! the demo service.

use std::path::Path;
use std::process::Command;

use plume_demo_service::faults::Faults;
use plume_demo_service::{Options, start_in_background};

use crate::support::harness::{Run, plume, plume_command};

fn scaffold_build_and_run(lang: &str, build: &str) {
    let parent = tempfile::tempdir().unwrap();
    let name = format!("new-{lang}");
    let out = plume_command()
        .args(["new", "--lang", lang, &name])
        .current_dir(parent.path())
        .output()
        .unwrap();
    let created = Run::from_output(out);
    assert_eq!(created.code, 0, "{}", created.stderr);
    for line in [
        format!("build:  cd ./{name} && {build}"),
        format!("run:    plume run ./{name}/plume.toml --var base_url=http://HOST:PORT"),
    ] {
        assert!(created.stdout.contains(&line), "{}", created.stdout);
    }
    let project = parent.path().join(&name);
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap();
    assert!(!project.canonicalize().unwrap().starts_with(&checkout));
    assert!(project.join(".gitignore").is_file());
    assert!(project.join("vendor/plume/wit/plume.wit").is_file());
    for file in files_under(&project) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            !text.contains(checkout.to_str().unwrap()),
            "{} names the checkout {}",
            file.display(),
            checkout.display()
        );
    }

    // Rust projects share one target folder across test runs, so the SDK builds once.
    let target = Path::new(plume_test_guests::BASIC)
        .ancestors()
        .nth(4)
        .unwrap()
        .join("scaffold");
    let status = Command::new("sh")
        .args(["-c", build])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("PLUME_PYTHON_VENV")
        .status()
        .unwrap();
    assert!(status.success(), "`{build}` failed for {lang}");

    let service = start_in_background(Options {
        admin_port: 0,
        mcp_port: 0,
        faults: Faults::default(),
        admin_password: "unused".to_owned(),
    })
    .unwrap();
    let suite = project.join("plume.toml");
    let base = format!("base_url={}", service.admin_url());
    let plugin_dir = format!(
        "plugin_dir={}",
        target.join("wasm32-wasip2/release").display()
    );
    let mut args = vec!["run", suite.to_str().unwrap(), "--var", &base];
    if lang == "rust" {
        args.extend(["--var", &plugin_dir]);
    }
    let r = plume(&args);
    r.expect("health.admin.up", "ok", "healthy, served in");
    assert_eq!(r.code, 0, "{}", r.stdout);

    // Pointed at a port where nothing listens, the preflight says so in one line.
    let closed = "base_url=http://127.0.0.1:9".to_owned();
    let mut args = vec!["run", suite.to_str().unwrap(), "--var", &closed];
    if lang == "rust" {
        args.extend(["--var", &plugin_dir]);
    }
    let r = plume(&args);
    assert_eq!(r.code, 2, "{lang}: {}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{lang}: {}", r.stderr);
    assert!(
        r.stderr
            .contains("preflight: http://127.0.0.1:9/health did not answer")
            && r.stderr.contains("--var base_url=http://HOST:PORT"),
        "{lang}: {}",
        r.stderr
    );
}

/// Every file under `dir`, before anything is built there.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn each_language_scaffolds_builds_and_passes() {
    std::thread::scope(|scope| {
        scope.spawn(|| {
            scaffold_build_and_run("rust", "cargo build --target wasm32-wasip2 --release")
        });
        scope.spawn(|| scaffold_build_and_run("js", "npm run build"));
        scope.spawn(|| scaffold_build_and_run("python", "./build.sh"));
    });
}

#[test]
fn bad_names_and_existing_folders_are_refused() {
    let parent = tempfile::tempdir().unwrap();
    let new = |name: &str| {
        let out = plume_command()
            .args(["new", "--lang", "rust", name])
            .current_dir(parent.path())
            .output()
            .unwrap();
        Run::from_output(out)
    };
    let r = new("Bad Name");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a plugin name"), "{}", r.stderr);
    assert_eq!(new("twice").code, 0);
    let r = new("twice");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
}
