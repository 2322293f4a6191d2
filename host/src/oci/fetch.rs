//! Getting an OCI plugin's component into the store, and the rules for
//! pins and for a registry that does not answer.
//!
//! - A tag is resolved at the registry on every run; when the suite pins a
//!   manifest digest (`digest = ...` or `@sha256:` in the reference), a tag
//!   that now resolves to another manifest is refused, naming both digests.
//! - The manifest must be the Wasm artifact layout; the component must hash
//!   to the manifest's layer digest. Both are kept in the store by digest,
//!   and the tag's digest is remembered.
//! - A reference by digest alone that the store holds needs no registry.
//! - When the registry cannot be reached (refused, unresolvable, timed out),
//!   the store's copy is used: the pinned digest, else the digest the tag
//!   last resolved to, with a warning line saying so. With no copy, the run
//!   stops with one line. A registry that answers with an error (no such
//!   tag, refused credentials) is never overridden by the store.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::oci::artifact::component_layer;
use crate::oci::client::RegistryClient;
use crate::oci::store::sha256_digest;
use crate::oci::{OciError, OciRef, Store};

/// Pulls OCI plugins through a [`Store`].
pub struct Puller {
    store: Store,
}

/// A component in the store.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its file in the store.
    pub file: PathBuf,
    /// The manifest it came from.
    pub manifest_digest: String,
    /// The component's own digest (the manifest's layer digest).
    pub layer_digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// Set when the registry could not be reached and the store's copy was used.
    pub warning: Option<String>,
}

impl Puller {
    pub fn new(store: Store) -> Self {
        Puller { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The component `reference` names, held to `pin` (a manifest digest),
    /// from the registry or, when it cannot be reached, from the store.
    pub async fn fetch(&self, reference: &OciRef, pin: Option<&str>) -> Result<Fetched, OciError> {
        if reference.tag().is_none()
            && let Some(digest) = pin
            && let Some(found) = self.stored(reference, digest)?
        {
            return Ok(found);
        }
        match self.pull(reference, pin).await {
            Err(OciError::RegistryDown {
                reference: shown,
                registry,
                reason,
            }) => {
                let remembered = self.store.tag(&reference.tag_key());
                let digest = pin
                    .map(str::to_owned)
                    .or_else(|| remembered.as_ref().map(|r| r.digest.clone()));
                if let Some(digest) = digest
                    && let Some(mut found) = self.stored(reference, &digest)?
                {
                    let how = match (pin, &remembered) {
                        (Some(_), _) => "the pinned".to_owned(),
                        (None, Some(r)) => {
                            format!("the tag's last known (first seen {})", ago(r.at))
                        }
                        (None, None) => "the stored".to_owned(),
                    };
                    found.warning = Some(format!(
                        "{shown}: the registry {registry} is unreachable ({reason}); using {how} {digest} from the store"
                    ));
                    return Ok(found);
                }
                Err(OciError::Unreachable {
                    reference: shown,
                    registry,
                    reason,
                    store: self.store.root().to_owned(),
                })
            }
            other => other,
        }
    }

    /// Resolves `reference` at its registry (by tag when it has one) and
    /// pulls what the store lacks; refuses a manifest other than `pin`.
    pub async fn pull(&self, reference: &OciRef, pin: Option<&str>) -> Result<Fetched, OciError> {
        let shown = reference.to_string();
        let client = RegistryClient::new(reference)?;
        let at = match reference.tag() {
            Some(_) => reference.by_tag(),
            None => reference.as_reference().clone(),
        };
        let (raw, _) = client.manifest(&at).await?;
        let digest = sha256_digest(&raw);
        if let Some(expected) = pin.or(reference.digest())
            && expected != digest
        {
            return Err(OciError::PinMismatch {
                reference: format!("oci://{}", at.whole()),
                expected: expected.to_owned(),
                actual: digest,
            });
        }
        let layer = component_layer(&shown, &raw)?;
        let file = match self.store.verified(&layer.digest) {
            Some(file) => file,
            None => {
                let bytes = client.blob(&layer).await?;
                let actual = sha256_digest(&bytes);
                if actual != layer.digest {
                    return Err(OciError::LayerMismatch {
                        reference: shown,
                        expected: layer.digest,
                        actual,
                    });
                }
                self.store.put(&layer.digest, &bytes)?
            }
        };
        // Each write is synced to disk: skip what the store already holds.
        if self.store.read(&digest).is_none() {
            self.store.put(&digest, &raw)?;
        }
        let tag_key = reference.tag_key();
        if reference.tag().is_some()
            && self
                .store
                .tag(&tag_key)
                .is_none_or(|known| known.digest != digest)
        {
            self.store.record_tag(&tag_key, &digest)?;
        }
        Ok(Fetched {
            size: file.metadata().map_or(0, |m| m.len()),
            file,
            manifest_digest: digest,
            layer_digest: layer.digest,
            warning: None,
        })
    }

    /// The component of manifest `digest` when the store holds both, verified.
    fn stored(&self, reference: &OciRef, digest: &str) -> Result<Option<Fetched>, OciError> {
        let Some(raw) = self.store.read(digest) else {
            return Ok(None);
        };
        let layer = component_layer(&reference.to_string(), &raw)?;
        Ok(self.store.verified(&layer.digest).map(|file| Fetched {
            size: file.metadata().map_or(0, |m| m.len()),
            file,
            manifest_digest: digest.to_owned(),
            layer_digest: layer.digest,
            warning: None,
        }))
    }
}

/// "3 minutes ago" for a Unix time.
fn ago(at: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(at, |d| d.as_secs());
    let secs = now.saturating_sub(at);
    format!(
        "{} ago",
        humantime::format_duration(Duration::from_secs(if secs >= 60 {
            secs / 60 * 60
        } else {
            secs
        }))
    )
}
