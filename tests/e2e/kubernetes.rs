//! `examples/kubernetes/`: every manifest validates against the Kubernetes
//! 1.33 schemas (`kubernetes-validate --strict`, which ships them: no
//! network), a broken manifest does not, and the Indexed Job's wrapper turns
//! the 0-based JOB_COMPLETION_INDEX into the 1-based `--shard K/N`. The
//! suite in the ConfigMap needs nothing but the packs built into `plume`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cluster version the manifests are written for.
const KUBERNETES: &str = "1.33.0";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/kubernetes")
}

/// `kubernetes-validate` from the tools venv (installed on first use).
fn validator() -> PathBuf {
    crate::support::tools::python_tool("kubernetes-validate")
}

fn validate(files: &[PathBuf]) -> (bool, String) {
    let out = Command::new(validator())
        .args(["-k", KUBERNETES, "--strict"])
        .args(files)
        .output()
        .expect("run kubernetes-validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples())
        .expect("examples/kubernetes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_manifests_validate_against_the_kubernetes_schemas() {
    let files = manifests();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for wanted in [
        "cronjob.yaml",
        "monitor.yaml",
        "indexed-job.yaml",
        "secret.yaml",
        "suite-configmap.yaml",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    let (ok, text) = validate(&files);
    assert!(ok, "{text}");
    for kind in [
        "cronjob/",
        "deployment/",
        "service/",
        "job/",
        "secret/",
        "configmap/",
    ] {
        assert!(
            text.contains(&format!("passed for resource {kind}")),
            "{kind}: {text}"
        );
    }

    // The same check refuses a field the schema does not have.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("cronjob.yaml");
    let text = std::fs::read_to_string(examples().join("cronjob.yaml")).unwrap();
    std::fs::write(
        &broken,
        text.replace("concurrencyPolicy:", "concurrencyPolcy:"),
    )
    .unwrap();
    let (ok, text) = validate(&[broken]);
    assert!(!ok, "a misspelt field passed: {text}");
}

#[test]
fn the_indexed_job_passes_shard_index_plus_one_of_n() {
    let text = std::fs::read_to_string(examples().join("indexed-job.yaml")).unwrap();
    let completions: u32 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("completions: N");
    let shards = text
        .lines()
        .skip_while(|l| !l.contains("name: SHARDS"))
        .find_map(|l| l.trim().strip_prefix("value:"))
        .map(|v| {
            v.split('#')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"')
                .to_owned()
        })
        .expect("SHARDS value");
    assert_eq!(shards, completions.to_string(), "SHARDS = completions");
    let script = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("- exec plume run "))
        .expect("the wrapper's command line");
    // The wrapper as the pod's shell runs it, with `plume` printing its arguments.
    let mut seen = Vec::new();
    for index in 0..completions {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "plume() {{ printf '%s\\n' \"$@\"; }}; plume run {script}"
            ))
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("SHARDS", &shards)
            .output()
            .expect("sh runs");
        let args = String::from_utf8_lossy(&out.stdout).into_owned();
        let shard = args
            .lines()
            .skip_while(|a| *a != "--shard")
            .nth(1)
            .unwrap_or_else(|| panic!("no --shard in {args}"))
            .to_owned();
        seen.push(shard);
    }
    let expected: Vec<String> = (1..=completions)
        .map(|k| format!("{k}/{completions}"))
        .collect();
    assert_eq!(seen, expected);
}

/// The ConfigMap's suite uses only the packs built into the image: `plume
/// list` loads it, with nothing built or mounted beside it.
#[test]
fn the_configmaps_suite_loads_with_the_builtin_packs_alone() {
    let text = std::fs::read_to_string(examples().join("suite-configmap.yaml")).unwrap();
    let suite: String = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("plume.toml: |"))
        .skip(1)
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    assert!(suite.contains("path = \"plume:http\""), "{suite}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plume.toml");
    std::fs::write(&file, suite).unwrap();
    let r = crate::support::harness::plume(&["list", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("public.health") && r.stdout.contains("admin.login"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("(plume:tls (built into plume"),
        "{}",
        r.stdout
    );
}
