//! The content-addressed store of pulled artifacts, beside the compiled
//! cache: `<cache-dir>/oci/blobs/sha256/<hex>` holds manifests and
//! components by their digest, `<cache-dir>/oci/tags/<key>` the manifest
//! digest a tag last resolved to (one line: `reference digest unix-time`,
//! the time it was first seen to resolve there).
//!
//! Paths are made only from a parsed [`Digest`] (its 64 hex digits), so no digest, however a registry wrote it, names a file
//! outside the store; and the store only ever deletes a regular file in its
//! own blob folders. Every file is written atomically (a temporary file
//! renamed into place), a blob only after its bytes hash to its name — a
//! component is streamed to disk while hashed ([`BlobWriter`]), never held
//! in memory whole — and a blob is hashed again whenever it is read, so a
//! corrupt file is never used (it is deleted and counts as absent). With
//! `--no-cache` the store is a temporary folder that goes away when the
//! command ends.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use crate::engine::cache::write_atomically;
use crate::oci::OciError;
use crate::oci::digest::{Digest, Hasher};

pub use crate::oci::digest::sha256_digest;

/// Where pulled artifacts are kept.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

/// What the store remembers of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    /// The manifest digest it resolved to.
    pub digest: Digest,
    /// When it was first seen to resolve there, in seconds since the Unix epoch.
    pub at: u64,
}

impl Store {
    /// The store under `cache_dir` (`<cache_dir>/oci`), or a temporary one
    /// when there is no cache folder.
    pub fn beside_cache(cache_dir: Option<&Path>) -> Result<Store, OciError> {
        match cache_dir {
            Some(dir) => Ok(Store {
                root: dir.join("oci"),
                _temporary: None,
            }),
            None => {
                let dir = tempfile::tempdir().map_err(|e| OciError::Store {
                    dir: std::env::temp_dir(),
                    reason: format!("cannot make a temporary store: {e}"),
                })?;
                Ok(Store {
                    root: dir.path().to_owned(),
                    _temporary: Some(dir),
                })
            }
        }
    }

    /// The store's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder blobs live in: `<root>/blobs/sha256`.
    fn blob_dir(&self) -> PathBuf {
        self.root.join("blobs").join("sha256")
    }

    /// Where the blob with `digest` lives, present or not: always a file
    /// directly in the blob folder.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.blob_dir().join(digest.hex())
    }

    /// The blob's file when it is present and its bytes hash to `digest`;
    /// a regular file there that does not is deleted.
    pub fn verified(&self, digest: &Digest) -> Option<PathBuf> {
        let path = self.blob_path(digest);
        match hash_of_file(&path) {
            Ok(actual) if actual == *digest => Some(path),
            Ok(_) => {
                let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
                if regular && path.parent() == Some(self.blob_dir().as_path()) {
                    let _ = std::fs::remove_file(&path);
                }
                None
            }
            Err(_) => None,
        }
    }

    /// The bytes of a verified blob of at most `max` bytes (a manifest).
    pub fn read(&self, digest: &Digest, max: u64) -> Option<Vec<u8>> {
        let file = std::fs::File::open(self.blob_path(digest)).ok()?;
        let mut bytes = Vec::new();
        file.take(max + 1).read_to_end(&mut bytes).ok()?;
        let mut hasher = Hasher::new();
        hasher.update(&bytes);
        (bytes.len() as u64 <= max && hasher.finish() == *digest).then_some(bytes)
    }

    /// Keeps `bytes` as the blob `digest`; refuses bytes that hash otherwise.
    pub fn put(&self, digest: &Digest, bytes: &[u8]) -> Result<PathBuf, OciError> {
        let mut hasher = Hasher::new();
        hasher.update(bytes);
        let actual = hasher.finish();
        if actual != *digest {
            return Err(self.error(format!(
                "refused a blob named {digest} that hashes to {actual}"
            )));
        }
        let path = self.blob_path(digest);
        write_atomically(&path, bytes)
            .map_err(|e| self.error(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// A temporary file in the store that becomes the blob `digest` when
    /// what was written to it hashes to `digest`.
    pub fn writer(&self, digest: &Digest) -> Result<BlobWriter, OciError> {
        let dir = self.blob_dir();
        let file = std::fs::create_dir_all(&dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(&dir))
            .map_err(|e| self.error(format!("cannot write in {}: {e}", dir.display())))?;
        Ok(BlobWriter {
            file,
            hasher: Hasher::new(),
            expected: digest.clone(),
            path: self.blob_path(digest),
            written: 0,
        })
    }

    /// Remembers that `tag_key` resolves to `digest`, seen now.
    pub fn record_tag(&self, tag_key: &str, digest: &Digest) -> Result<(), OciError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = self.tag_path(tag_key);
        write_atomically(&path, format!("{tag_key} {digest} {now}\n").as_bytes())
            .map_err(|e| self.error(format!("cannot write {}: {e}", path.display())))
    }

    /// What `tag_key` last resolved to, if it was ever pulled into this
    /// store (a record whose digest does not parse counts as absent).
    pub fn tag(&self, tag_key: &str) -> Option<TagRecord> {
        let line = std::fs::read_to_string(self.tag_path(tag_key)).ok()?;
        let mut parts = line.split_whitespace();
        let (key, digest, at) = (parts.next()?, parts.next()?, parts.next()?);
        if key != tag_key {
            return None;
        }
        Some(TagRecord {
            digest: Digest::parse(digest).ok()?,
            at: at.parse().unwrap_or(0),
        })
    }

    fn tag_path(&self, tag_key: &str) -> PathBuf {
        let name = hex::encode(&Sha256::digest(tag_key.as_bytes())[..16]);
        self.root.join("tags").join(name)
    }

    fn error(&self, reason: String) -> OciError {
        OciError::Store {
            dir: self.root.clone(),
            reason,
        }
    }
}

/// A blob being streamed into the store: hashed as it is written, renamed
/// into place by [`BlobWriter::finish`] only when its hash is its name;
/// dropped unfinished, its temporary file is removed.
pub struct BlobWriter {
    file: tempfile::NamedTempFile,
    hasher: Hasher,
    expected: Digest,
    path: PathBuf,
    written: u64,
}

impl BlobWriter {
    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The blob's file once its bytes hash to its name; else the digest
    /// they do hash to (and nothing is kept).
    pub fn finish(self) -> Result<std::io::Result<PathBuf>, Digest> {
        let actual = self.hasher.finish();
        if actual != self.expected {
            return Err(actual);
        }
        let path = self.path;
        Ok(self
            .file
            .as_file()
            .sync_all()
            .and_then(|()| self.file.persist(&path).map_err(|e| e.error))
            .map(|_| path))
    }
}

/// The digest of a file, read in chunks.
fn hash_of_file(path: &Path) -> std::io::Result<Digest> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::beside_cache(Some(dir.path())).unwrap();
        (dir, store)
    }

    #[test]
    fn blobs_are_kept_by_digest_and_a_corrupt_one_is_dropped() {
        let (_dir, store) = store();
        let digest = Digest::of(b"component");
        assert!(store.put(&Digest::of(b"other"), b"component").is_err());
        let path = store.put(&digest, b"component").unwrap();
        assert_eq!(store.verified(&digest), Some(path.clone()));
        assert_eq!(store.read(&digest, 100).as_deref(), Some(&b"component"[..]));
        assert_eq!(store.read(&digest, 3), None, "over its bound");
        std::fs::write(&path, b"tampered").unwrap();
        assert_eq!(store.verified(&digest), None);
        assert!(!path.exists(), "a corrupt blob is deleted");
    }

    #[test]
    fn a_streamed_blob_is_kept_only_when_it_hashes_to_its_name() {
        let (_dir, store) = store();
        let digest = Digest::of(b"component");
        let mut w = store.writer(&digest).unwrap();
        w.write(b"compo").unwrap();
        w.write(b"nent").unwrap();
        assert_eq!(w.written(), 9);
        let path = w.finish().unwrap().unwrap();
        assert_eq!(path, store.blob_path(&digest));
        assert_eq!(store.verified(&digest), Some(path));

        let other = Digest::of(b"other");
        let mut w = store.writer(&other).unwrap();
        w.write(b"not other").unwrap();
        assert_eq!(w.finish().unwrap_err(), Digest::of(b"not other"));
        let dir = store.blob_path(&other).parent().unwrap().to_owned();
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from(digest.hex())],
            "no leftovers"
        );
    }

    #[test]
    fn blob_paths_stay_in_their_folder_and_only_store_files_are_deleted() {
        let (dir, store) = store();
        let digest = Digest::parse(&format!("sha256:{}", "a".repeat(64))).unwrap();
        let path = store.blob_path(&digest);
        assert_eq!(
            path,
            dir.path().join("oci/blobs/sha256").join("a".repeat(64))
        );
        // A symbolic link planted in the store is not followed to delete its target.
        let outside = dir.path().join("canary");
        std::fs::write(&outside, b"keep").unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        assert_eq!(store.verified(&digest), None);
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
    }

    #[test]
    fn a_tag_remembers_its_last_digest() {
        let (_dir, store) = store();
        let (a, b) = (Digest::of(b"a"), Digest::of(b"b"));
        assert_eq!(store.tag("r/x:1"), None);
        store.record_tag("r/x:1", &a).unwrap();
        store.record_tag("r/x:1", &b).unwrap();
        assert_eq!(store.tag("r/x:1").unwrap().digest, b);
        assert_eq!(store.tag("r/x:2"), None);
        let path = store.tag_path("r/x:1");
        std::fs::write(&path, "r/x:1 sha256:../../etc/passwd 0\n").unwrap();
        assert_eq!(store.tag("r/x:1"), None, "a record that is no digest");
    }
}
