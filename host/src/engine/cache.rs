//! The compiled-plugin cache: compile a component once, reuse the machine
//! code on every later run.
//!
//! An entry is keyed by the component's SHA-256 and wasmtime's precompile
//! compatibility hash (the compiler, its settings, the CPU features it
//! targets, and the version string of [`super::code_version`]: Plume's and
//! wasmtime's), so a changed plugin, another `plume` or another CPU never
//! finds another's entry. An entry that is there under the right name but
//! was not written for this build and CPU (copied, restored from a CI cache,
//! forged) is refused by wasmtime's header check, which compares the version
//! string, the target and every CPU feature the code needs, and is rebuilt. Files are written to a temporary
//! file and renamed into place, so readers never see half an entry and two
//! runs writing the same entry at once are safe. Each entry has a sidecar
//! with its length and CRC-32, checked on every load through a memory map
//! (about 3 ms for a 37 MB entry); an entry that fails that check or
//! wasmtime's own header check is deleted and rebuilt. A small stat index
//! (path, size, mtime, inode → SHA-256) spares re-hashing an unchanged
//! `.wasm` on a warm start; it is only written for files older than two
//! seconds, so a file rewritten within one mtime tick is never trusted.
//!
//! A pack built into the binary is keyed by the SHA-256 `build.rs` computed,
//! so its entry is found without reading or hashing anything.
//!
//! Where: `--cache-dir`, else `PLUME_CACHE_DIR`, else `$XDG_CACHE_HOME/plume`
//! (`~/.cache/plume`); `--no-cache` bypasses it.

use std::borrow::Cow;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled plugins are kept, or nowhere.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

/// What happened when a plugin was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from a valid entry.
    Hit,
    /// No entry: compiled and stored.
    Miss,
    /// An entry existed but was unusable (the reason); compiled and stored again.
    Rebuilt(String),
    /// The cache is off or its folder unusable: compiled, not stored.
    Bypassed,
    /// No entry: compiled by the baseline compiler for this run; the
    /// optimised compile into the cache goes on in the background
    /// (see [`super::tiers`]).
    Baseline,
}

/// What the cache holds for a component.
pub enum Lookup {
    /// A valid entry, loaded.
    Hit(Component),
    /// No entry.
    Miss,
    /// An entry that was unusable (the reason); it is deleted.
    Stale(String),
    /// The cache is off.
    Off,
}

impl CompileCache {
    /// No cache: every run compiles.
    pub fn disabled() -> Self {
        CompileCache { dir: None }
    }

    /// A cache in `dir`.
    pub fn at(dir: PathBuf) -> Self {
        CompileCache { dir: Some(dir) }
    }

    /// The cache the command line and environment ask for.
    pub fn from_settings(cache_dir: Option<PathBuf>, no_cache: bool) -> Self {
        if no_cache {
            return Self::disabled();
        }
        let dir = cache_dir
            .or_else(|| {
                std::env::var_os("PLUME_CACHE_DIR")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| dirs::cache_dir().map(|d| d.join("plume")));
        CompileCache { dir }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The entry file for the component whose SHA-256 is `digest`, under `engine`.
    fn entry_path(&self, engine: &Engine, digest: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut compat = ShaHasher(Sha256::new());
        std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut compat);
        let compat = hex::encode(&compat.0.finalize()[..8]);
        Some(dir.join(format!("{digest}-{compat}.cwasm")))
    }

    /// The SHA-256 of the file at `path` (memoized in the stat index when the cache is on).
    pub fn digest(&self, path: &Path) -> std::io::Result<String> {
        match self.dir.as_deref() {
            Some(dir) => digest_of(dir, path).map(|(digest, _)| digest),
            None => Ok(hex::encode(Sha256::digest(std::fs::read(path)?))),
        }
    }

    /// The compiled component at `path`, from the cache or freshly compiled.
    pub fn load(
        &self,
        engine: &Engine,
        path: &Path,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(dir) = self.dir.as_deref() else {
            return Ok((Component::from_file(engine, path)?, CacheOutcome::Bypassed));
        };
        let (digest, wasm) = digest_of(dir, path)?;
        self.load_keyed(engine, &digest, || match wasm {
            Some(bytes) => Ok(Cow::Owned(bytes)),
            None => std::fs::read(path).map(Cow::Owned),
        })
    }

    /// A component whose bytes are in memory and whose SHA-256 is known (a
    /// pack built into the binary), from the cache or freshly compiled.
    pub fn load_bytes(
        &self,
        engine: &Engine,
        wasm: &[u8],
        digest: &str,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        self.load_keyed(engine, digest, || Ok(Cow::Borrowed(wasm)))
    }

    /// The entry of `digest` if valid, else `wasm()` compiled and stored.
    fn load_keyed<'a>(
        &self,
        engine: &Engine,
        digest: &str,
        wasm: impl FnOnce() -> std::io::Result<Cow<'a, [u8]>>,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let stale = match self.lookup(engine, digest) {
            Lookup::Hit(component) => return Ok((component, CacheOutcome::Hit)),
            Lookup::Off => {
                return Ok((
                    Component::from_binary(engine, &wasm()?)?,
                    CacheOutcome::Bypassed,
                ));
            }
            Lookup::Miss => None,
            Lookup::Stale(why) => Some(why),
        };
        let (component, stored) = self.compile_and_store(engine, digest, &wasm()?)?;
        let outcome = match (stored, stale) {
            (false, _) => CacheOutcome::Bypassed,
            (true, None) => CacheOutcome::Miss,
            (true, Some(why)) => CacheOutcome::Rebuilt(why),
        };
        Ok((component, outcome))
    }

    /// The entry of `digest` under `engine`, checked; an unusable one is deleted.
    pub fn lookup(&self, engine: &Engine, digest: &str) -> Lookup {
        let Some(entry) = self.entry_path(engine, digest) else {
            return Lookup::Off;
        };
        if !entry.exists() {
            return Lookup::Miss;
        }
        match deserialize(engine, &entry) {
            Ok(component) => Lookup::Hit(component),
            Err(why) => {
                let _ = std::fs::remove_file(&entry);
                Lookup::Stale(why)
            }
        }
    }

    /// `wasm` compiled by `engine` and stored as the entry of `digest`;
    /// `false` when it could not be stored (the cache off or unwritable).
    pub fn compile_and_store(
        &self,
        engine: &Engine,
        digest: &str,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, bool)> {
        let compiled = engine.precompile_component(wasm)?;
        // SAFETY: the bytes were produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(engine, &compiled)? };
        let stored = self
            .entry_path(engine, digest)
            .is_some_and(|entry| store(&entry, &compiled).is_ok());
        Ok((component, stored))
    }

    /// The SHA-256 of the file at `path`, and its bytes when they had to be
    /// read for it (not when the stat index knew it or the cache is off).
    pub fn digest_and_bytes(&self, path: &Path) -> std::io::Result<(String, Option<Vec<u8>>)> {
        match self.dir.as_deref() {
            Some(dir) => digest_of(dir, path),
            None => {
                let bytes = std::fs::read(path)?;
                Ok((hex::encode(Sha256::digest(&bytes)), Some(bytes)))
            }
        }
    }
}

/// The SHA-256 of the file at `path`, from the stat index when the file is
/// unchanged; the bytes come back too when they had to be read.
fn digest_of(dir: &Path, path: &Path) -> std::io::Result<(String, Option<Vec<u8>>)> {
    let meta = std::fs::metadata(path)?;
    let stamp = stamp(path, &meta);
    let index = dir
        .join("index")
        .join(hex::encode(&Sha256::digest(stamp.0.as_bytes())[..16]));
    if let Ok(line) = std::fs::read_to_string(&index)
        && let Some((recorded, digest)) = line.trim().rsplit_once(' ')
        && recorded == stamp.1
    {
        return Ok((digest.to_owned(), None));
    }
    let bytes = std::fs::read(path)?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let settled = meta
        .modified()
        .ok()
        .and_then(|m| m.elapsed().ok())
        .is_some_and(|age| age.as_secs() >= 2);
    if settled {
        let _ = write_atomically(&index, format!("{} {digest}\n", stamp.1).as_bytes());
    }
    Ok((digest, Some(bytes)))
}

/// (canonical path, "size mtime inode") of a file.
fn stamp(path: &Path, meta: &std::fs::Metadata) -> (String, String) {
    use std::os::unix::fs::MetadataExt;
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    let facts = format!(
        "{} {}.{} {}",
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino()
    );
    (canonical.display().to_string(), facts)
}

fn sidecar(entry: &Path) -> PathBuf {
    entry.with_extension("check")
}

/// Checks an entry against its sidecar and deserializes it; the error says what is wrong.
fn deserialize(engine: &Engine, entry: &Path) -> Result<Component, String> {
    let check = std::fs::read(sidecar(entry)).map_err(|_| "entry has no check file".to_owned())?;
    let (len, crc) = match check.as_slice() {
        [l @ .., c0, c1, c2, c3] if l.len() == 8 => (
            u64::from_le_bytes(l.try_into().map_err(|_| "bad check file")?),
            u32::from_le_bytes([*c0, *c1, *c2, *c3]),
        ),
        _ => return Err("bad check file".to_owned()),
    };
    let file = std::fs::File::open(entry).map_err(|e| e.to_string())?;
    // SAFETY: a read-only map of a file only this cache writes, by rename;
    // it is dropped before wasmtime maps the file itself. Every page is read
    // once, so they are mapped in one call rather than fault by fault.
    let map =
        unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|e| e.to_string())?;
    if map.len() as u64 != len {
        return Err(format!(
            "entry holds {} bytes, its check file says {len}",
            map.len()
        ));
    }
    if crc32fast::hash(&map) != crc {
        return Err("entry checksum mismatch (corrupt)".to_owned());
    }
    drop(map);
    // SAFETY: the file is an entry this module wrote from `precompile_component`
    // output, intact (length and CRC-32 match); wasmtime rejects entries from
    // another version or configuration before using them.
    unsafe { Component::deserialize_file(engine, entry) }
        .map_err(|e| format!("wasmtime refused the entry: {e:#}"))
}

/// Writes an entry and its check file, each atomically.
fn store(entry: &Path, code: &[u8]) -> std::io::Result<()> {
    let mut check = (code.len() as u64).to_le_bytes().to_vec();
    check.extend_from_slice(&crc32fast::hash(code).to_le_bytes());
    write_atomically(&sidecar(entry), &check)?;
    write_atomically(entry, code)
}

/// A temporary file in the same folder, synced, then renamed into place.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or(std::io::ErrorKind::InvalidInput)?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Feeds `Hash` output into SHA-256, for a key that is stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
