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
//! - A pull for a run ([`Puller::fetch_within`]) ends at the run's ceiling,
//!   however slowly the registry answers.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::limits::OCI_MAX_MANIFEST_BYTES;
use crate::oci::artifact::component_layer;
use crate::oci::client::{ManifestAt, RegistryClient};
use crate::oci::digest::Digest;
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

    /// [`Puller::fetch`] within `left` of a run whose ceiling is `ceiling`:
    /// past it, one line naming the ceiling.
    pub async fn fetch_within(
        &self,
        reference: &OciRef,
        pin: Option<&str>,
        left: Duration,
        ceiling: Duration,
    ) -> Result<Fetched, OciError> {
        tokio::time::timeout(left, self.fetch(reference, pin))
            .await
            .unwrap_or_else(|_| {
                Err(OciError::Ceiling {
                    reference: reference.to_string(),
                    registry: reference.registry().to_owned(),
                    ceiling: humantime::format_duration(ceiling).to_string(),
                })
            })
    }

    /// The component `reference` names, held to `pin` (a manifest digest),
    /// from the registry or, when it cannot be reached, from the store.
    pub async fn fetch(&self, reference: &OciRef, pin: Option<&str>) -> Result<Fetched, OciError> {
        let pin = parse_pin(reference, pin)?;
        if reference.tag().is_none()
            && let Some(digest) = &pin
            && let Some(found) = self.stored(reference, digest)?
        {
            return Ok(found);
        }
        match self.pull_pinned(reference, pin.as_ref()).await {
            Err(OciError::RegistryDown {
                reference: shown,
                registry,
                reason,
            }) => {
                let remembered = self.store.tag(&reference.tag_key());
                let digest = pin
                    .clone()
                    .or_else(|| remembered.as_ref().map(|r| r.digest.clone()));
                if let Some(digest) = digest
                    && let Some(mut found) = self.stored(reference, &digest)?
                {
                    let how = match (&pin, &remembered) {
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
        let pin = parse_pin(reference, pin)?;
        self.pull_pinned(reference, pin.as_ref()).await
    }

    async fn pull_pinned(
        &self,
        reference: &OciRef,
        pin: Option<&Digest>,
    ) -> Result<Fetched, OciError> {
        let shown = reference.to_string();
        let client = RegistryClient::new(reference)?;
        let at = match (reference.tag(), reference.pinned()) {
            (None, Some(digest)) => ManifestAt::Digest(digest),
            (tag, _) => ManifestAt::Tag(tag.unwrap_or("latest")),
        };
        let (raw, digest) = client.manifest(at).await?;
        if let Some(expected) = pin.or(reference.pinned())
            && *expected != digest
        {
            return Err(OciError::PinMismatch {
                reference: format!("oci://{}", reference.tag_key()),
                expected: expected.to_string(),
                actual: digest.to_string(),
            });
        }
        let layer = component_layer(&shown, &raw).map_err(|e| redacted(&client, e))?;
        let file = match self.store.verified(&layer.digest) {
            Some(file) => file,
            None => client.blob_into(&self.store, &layer).await?,
        };
        // Each write is synced to disk: skip what the store already holds.
        if self.store.read(&digest, OCI_MAX_MANIFEST_BYTES).is_none() {
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
            manifest_digest: digest.to_string(),
            layer_digest: layer.digest.to_string(),
            warning: None,
        })
    }

    /// The component of manifest `digest` when the store holds both, verified.
    fn stored(&self, reference: &OciRef, digest: &Digest) -> Result<Option<Fetched>, OciError> {
        let Some(raw) = self.store.read(digest, OCI_MAX_MANIFEST_BYTES) else {
            return Ok(None);
        };
        let layer = component_layer(&reference.to_string(), &raw)?;
        Ok(self.store.verified(&layer.digest).map(|file| Fetched {
            size: file.metadata().map_or(0, |m| m.len()),
            file,
            manifest_digest: digest.to_string(),
            layer_digest: layer.digest.to_string(),
            warning: None,
        }))
    }
}

/// A suite's or the command line's manifest pin, parsed.
fn parse_pin(reference: &OciRef, pin: Option<&str>) -> Result<Option<Digest>, OciError> {
    pin.map(|text| {
        Digest::parse(text).map_err(|e| OciError::BadReference {
            given: reference.to_string(),
            reason: format!("its pinned digest: {e}"),
        })
    })
    .transpose()
}

/// A layout error with the registry's text redacted of every credential.
fn redacted(client: &RegistryClient, e: OciError) -> OciError {
    match e {
        OciError::NotWasm { reference, what } => OciError::NotWasm {
            reference,
            what: client.shown(&what),
        },
        OciError::Refused { reference, what } => OciError::Refused {
            reference,
            what: client.shown(&what),
        },
        other => other,
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
