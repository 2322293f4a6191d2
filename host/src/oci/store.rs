//! The content-addressed store of pulled artifacts, beside the compiled
//! cache: `<cache-dir>/oci/blobs/sha256/<hex>` holds manifests and
//! components by their digest, `<cache-dir>/oci/tags/<key>` the manifest
//! digest a tag last resolved to (one line: `reference digest unix-time`,
//! the time it was first seen to resolve there).
//!
//! Every file is written atomically (a temporary file renamed into place),
//! a blob only after its bytes hash to its name, and a blob is hashed again
//! whenever it is read, so a corrupt file is never used (it is deleted and
//! counts as absent). With `--no-cache` the store is a temporary folder
//! that goes away when the command ends.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::engine::cache::write_atomically;
use crate::oci::OciError;

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
    pub digest: String,
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

    /// Where the blob with `digest` (`sha256:<hex>`) lives, present or not.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.root.join("blobs").join("sha256").join(hex)
    }

    /// The blob's file when it is present and its bytes hash to `digest`;
    /// a blob that does not is deleted.
    pub fn verified(&self, digest: &str) -> Option<PathBuf> {
        let path = self.blob_path(digest);
        match sha256_of_file(&path) {
            Ok(actual) if actual == digest => Some(path),
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
                None
            }
            Err(_) => None,
        }
    }

    /// The bytes of a verified blob.
    pub fn read(&self, digest: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.blob_path(digest)).ok()?;
        (sha256_digest(&bytes) == digest).then_some(bytes)
    }

    /// Keeps `bytes` as the blob `digest`; refuses bytes that hash otherwise.
    pub fn put(&self, digest: &str, bytes: &[u8]) -> Result<PathBuf, OciError> {
        let actual = sha256_digest(bytes);
        if actual != digest {
            return Err(self.error(format!(
                "refused a blob named {digest} that hashes to {actual}"
            )));
        }
        let path = self.blob_path(digest);
        write_atomically(&path, bytes)
            .map_err(|e| self.error(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Remembers that `tag_key` resolves to `digest`, seen now.
    pub fn record_tag(&self, tag_key: &str, digest: &str) -> Result<(), OciError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = self.tag_path(tag_key);
        write_atomically(&path, format!("{tag_key} {digest} {now}\n").as_bytes())
            .map_err(|e| self.error(format!("cannot write {}: {e}", path.display())))
    }

    /// What `tag_key` last resolved to, if it was ever pulled into this store.
    pub fn tag(&self, tag_key: &str) -> Option<TagRecord> {
        let line = std::fs::read_to_string(self.tag_path(tag_key)).ok()?;
        let mut parts = line.split_whitespace();
        let (key, digest, at) = (parts.next()?, parts.next()?, parts.next()?);
        (key == tag_key).then(|| TagRecord {
            digest: digest.to_owned(),
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

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// `sha256:<hex>` of a file, read in chunks.
fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_kept_by_digest_and_a_corrupt_one_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::beside_cache(Some(dir.path())).unwrap();
        let digest = sha256_digest(b"component");
        assert!(store.put(&sha256_digest(b"other"), b"component").is_err());
        let path = store.put(&digest, b"component").unwrap();
        assert_eq!(store.verified(&digest), Some(path.clone()));
        assert_eq!(store.read(&digest).as_deref(), Some(&b"component"[..]));
        std::fs::write(&path, b"tampered").unwrap();
        assert_eq!(store.verified(&digest), None);
        assert!(!path.exists(), "a corrupt blob is deleted");
    }

    #[test]
    fn a_tag_remembers_its_last_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::beside_cache(Some(dir.path())).unwrap();
        assert_eq!(store.tag("r/x:1"), None);
        store.record_tag("r/x:1", "sha256:aa").unwrap();
        store.record_tag("r/x:1", "sha256:bb").unwrap();
        assert_eq!(store.tag("r/x:1").unwrap().digest, "sha256:bb");
        assert_eq!(store.tag("r/x:2"), None);
    }
}
