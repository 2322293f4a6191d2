//! The compiled-plugin cache: a miss compiles and stores, a hit loads, a
//! corrupt or stale entry is rebuilt, concurrent writers are safe, and
//! `--no-cache` writes nothing.

use std::path::{Path, PathBuf};

use crate::support::harness::{Run, plume_command};

fn compile(dir: &Path, extra: &[&str]) -> Run {
    let out = plume_command()
        .arg("compile")
        .arg(plume_test_guests::BASIC)
        .arg("--cache-dir")
        .arg(dir)
        .args(extra)
        .output()
        .expect("run plume compile");
    Run::from_output(out)
}

/// The entries of a cache folder: everything but check files, the stat index
/// and the background compiles' lock.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    list.retain(|p| {
        p.extension().is_none_or(|e| e != "check") && !p.ends_with("index") && !p.ends_with("locks")
    });
    list.sort();
    list
}

fn only_entry(dir: &Path) -> PathBuf {
    let list = entries(dir);
    assert_eq!(list.len(), 1, "one entry and no temporary files: {list:?}");
    assert!(
        list[0].extension().is_some_and(|e| e == "cwasm"),
        "{list:?}"
    );
    list[0].clone()
}

#[test]
fn a_miss_compiles_and_stores_then_a_hit_loads() {
    let dir = tempfile::tempdir().unwrap();
    let first = compile(dir.path(), &[]);
    assert!(
        first.stdout.contains("guest_basic.wasm: compiled in "),
        "{}{}",
        first.stdout,
        first.stderr
    );
    let entry = only_entry(dir.path());
    let name = entry.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.len() > 64 + 1 + 16,
        "keyed by the component's sha256 and the engine: {name}"
    );
    let second = compile(dir.path(), &[]);
    assert!(
        second.stdout.contains("guest_basic.wasm: already cached"),
        "{}",
        second.stdout
    );
    assert_eq!(first.code, 0);
}

#[test]
fn a_corrupt_entry_is_rejected_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    compile(dir.path(), &[]);
    let entry = only_entry(dir.path());
    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&entry, &bytes).unwrap();
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("recompiled in ") && r.stdout.contains("checksum mismatch"),
        "{}",
        r.stdout
    );
    assert!(compile(dir.path(), &[]).stdout.contains("already cached"));

    std::fs::write(&entry, &bytes[..100]).unwrap();
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("recompiled in "),
        "a truncated entry is rebuilt: {}",
        r.stdout
    );
}

#[test]
fn a_stale_entry_that_wasmtime_refuses_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    compile(dir.path(), &[]);
    let entry = only_entry(dir.path());
    // Intact by its own check file, but not code this engine produced.
    let code = b"\x7fELF not code from this engine".to_vec();
    let mut check = (code.len() as u64).to_le_bytes().to_vec();
    check.extend_from_slice(&crc32(&code).to_le_bytes());
    std::fs::write(&entry, &code).unwrap();
    std::fs::write(entry.with_extension("check"), check).unwrap();
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("recompiled in ") && r.stdout.contains("wasmtime refused the entry"),
        "{}",
        r.stdout
    );
}

#[test]
fn concurrent_writers_leave_one_valid_entry() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| compile(dir.path(), &[])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &runs {
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    }
    only_entry(dir.path());
    assert!(compile(dir.path(), &[]).stdout.contains("already cached"));
}

#[test]
fn no_cache_writes_nothing_and_the_environment_moves_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let r = compile(dir.path(), &["--no-cache"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("the cache is off"), "{}", r.stderr);
    assert!(entries(dir.path()).is_empty());

    let env_dir = tempfile::tempdir().unwrap();
    let out = plume_command()
        .args(["compile", plume_test_guests::BASIC])
        .env("PLUME_CACHE_DIR", env_dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    only_entry(env_dir.path());
}

#[test]
fn an_entry_of_another_plume_version_or_cpu_is_refused_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    compile(dir.path(), &[]);
    let entry = only_entry(dir.path());
    let genuine = std::fs::read(&entry).unwrap();
    // The version string compiled code carries: Plume's and wasmtime's.
    let version = format!("plume {} wasmtime ", env!("CARGO_PKG_VERSION"));
    let at = find(&genuine, version.as_bytes()).expect("the entry names its Plume version");

    // Another Plume version: the same length, another number.
    let mut other_version = genuine.clone();
    other_version[at + "plume ".len()] ^= 0x01;
    forge(&entry, &other_version);
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("recompiled in ")
            && r.stdout.contains("wasmtime refused the entry")
            && r.stdout.contains("incompatible version"),
        "{}",
        r.stdout
    );
    assert!(compile(dir.path(), &[]).stdout.contains("already cached"));

    // Another CPU architecture: the target after the version, renamed.
    let arch = std::env::consts::ARCH;
    let other_arch = match arch {
        "x86_64" => "mips64",
        "aarch64" => "riscv64",
        other => panic!("no architecture of the same length as {other} to forge"),
    };
    let target = at + find(&genuine[at..], format!("{arch}-").as_bytes()).expect("the target");
    let mut other_cpu = genuine.clone();
    other_cpu[target..target + arch.len()].copy_from_slice(other_arch.as_bytes());
    forge(&entry, &other_cpu);
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("wasmtime refused the entry")
            && r.stdout
                .contains(&format!("compiled for architecture '{other_arch}'")),
        "{}",
        r.stdout
    );

    // Code for a CPU with a feature this one lacks: the first CPU feature the
    // entry records (`has_...`, a length-prefixed name and a flag) becomes
    // `has_zzz...`, a feature no CPU here has, turned on.
    let flags = &genuine[target..];
    let i = find(flags, b"has_").expect("the entry records the CPU's features");
    let name_len = usize::from(flags[i - 1]);
    let mut other_features = genuine.clone();
    let name = target + i + "has_".len()..target + i + name_len;
    other_features[name].fill(b'z');
    other_features[target + i + name_len + 1] = 1;
    forge(&entry, &other_features);
    let r = compile(dir.path(), &[]);
    assert!(
        r.stdout.contains("wasmtime refused the entry")
            && r.stdout.contains("incompatible with native host"),
        "{}",
        r.stdout
    );
    assert!(compile(dir.path(), &[]).stdout.contains("already cached"));
}

/// Writes `bytes` as `entry` with a matching check file: intact by the
/// cache's own check, so only wasmtime's header check stands in the way.
fn forge(entry: &Path, bytes: &[u8]) {
    let mut check = (bytes.len() as u64).to_le_bytes().to_vec();
    check.extend_from_slice(&crc32(bytes).to_le_bytes());
    std::fs::write(entry, bytes).unwrap();
    std::fs::write(entry.with_extension("check"), check).unwrap();
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CRC-32 (IEEE), as the cache's trailer uses; written out so the test does
/// not share the code it checks.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
