//! The compiled-plugin cache: compile a component once, reuse the machine
//! code on every later run.
//!
//! An entry is keyed by the component's SHA-256 and wasmtime's precompile
//! compatibility hash (engine version and settings), so a changed plugin or
//! a new `plume` never reuses stale code. Entries are written to a temporary
//! file and renamed into place, so readers never see half an entry and two
//! runs writing the same entry at once are safe. Each entry ends with its
//! length and CRC-32; one that fails that check or wasmtime's own header
//! check is deleted and rebuilt.
//!
//! Where: `--cache-dir`, else `PLUME_CACHE_DIR`, else `$XDG_CACHE_HOME/plume`
//! (`~/.cache/plume`); `--no-cache` bypasses it.

use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Marks the end of an entry written by this module.
const MAGIC: &[u8; 8] = b"PLUMEC01";
/// Length (8 bytes), CRC-32 (4 bytes), magic (8 bytes).
const TRAILER: usize = 20;

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

    /// The entry file for `wasm` under `engine`.
    pub fn entry_path(&self, engine: &Engine, wasm: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut compat = ShaHasher(Sha256::new());
        std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut compat);
        let compat = hex::encode(&compat.0.finalize()[..8]);
        let digest = hex::encode(Sha256::digest(wasm));
        Some(dir.join(format!("{digest}-{compat}.cwasm")))
    }

    /// The compiled component for `wasm`, from the cache or freshly compiled.
    pub fn load(
        &self,
        engine: &Engine,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(path) = self.entry_path(engine, wasm) else {
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Bypassed));
        };
        let mut outcome = CacheOutcome::Miss;
        if let Ok(entry) = std::fs::read(&path) {
            match deserialize(engine, &entry) {
                Ok(component) => return Ok((component, CacheOutcome::Hit)),
                Err(why) => {
                    let _ = std::fs::remove_file(&path);
                    outcome = CacheOutcome::Rebuilt(why);
                }
            }
        }
        let compiled = engine.precompile_component(wasm)?;
        // SAFETY: the bytes were produced just now by this engine's `precompile_component`.
        let component = unsafe { Component::deserialize(engine, &compiled)? };
        if store(&path, &compiled).is_err() {
            outcome = CacheOutcome::Bypassed;
        }
        Ok((component, outcome))
    }
}

/// Checks an entry's trailer and deserializes it; the error says what is wrong.
fn deserialize(engine: &Engine, entry: &[u8]) -> Result<Component, String> {
    let split = entry
        .len()
        .checked_sub(TRAILER)
        .ok_or("entry shorter than its trailer")?;
    let (code, trailer) = entry.split_at(split);
    if &trailer[12..] != MAGIC {
        return Err("entry has no Plume trailer".to_owned());
    }
    let len = u64::from_le_bytes(trailer[..8].try_into().map_err(|_| "bad length")?);
    let crc = u32::from_le_bytes(trailer[8..12].try_into().map_err(|_| "bad checksum")?);
    if len != code.len() as u64 {
        return Err(format!(
            "entry holds {} bytes, its trailer says {len}",
            code.len()
        ));
    }
    if crc32fast::hash(code) != crc {
        return Err("entry checksum mismatch (corrupt)".to_owned());
    }
    // SAFETY: the bytes are an entry this module wrote from `precompile_component`
    // output, intact (length and CRC-32 match); wasmtime rejects entries from
    // another version or configuration before using them.
    unsafe { Component::deserialize(engine, code) }
        .map_err(|e| format!("wasmtime refused the entry: {e}"))
}

/// Writes an entry atomically: a temporary file in the same folder, renamed into place.
fn store(path: &Path, code: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or(std::io::ErrorKind::InvalidInput)?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(code)?;
    tmp.write_all(&(code.len() as u64).to_le_bytes())?;
    tmp.write_all(&crc32fast::hash(code).to_le_bytes())?;
    tmp.write_all(MAGIC)?;
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
