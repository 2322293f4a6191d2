//! The distribution protocol Plume speaks to one registry, over the
//! [`Transport`]: pull a manifest (bounded by [`OCI_MAX_MANIFEST_BYTES`]),
//! stream a component layer into the store while hashing it (bounded by
//! what its manifest announced, itself within [`OCI_MAX_PLUGIN_BYTES`](crate::limits::OCI_MAX_PLUGIN_BYTES)),
//! and push an artifact (monolithic blob uploads, then the manifest).
//!
//! HTTPS unless the registry is loopback or listed in
//! `PLUME_INSECURE_REGISTRIES`; the credentials of
//! [`credentials`](super::credentials); every failure one
//! [`OciError`] line.

use std::path::PathBuf;

use oci_client::manifest::{IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE};
use reqwest::{Method, StatusCode};

use crate::limits::{OCI_MAX_MANIFEST_BYTES, bytes as shown_bytes};
use crate::oci::artifact::{Artifact, Layer};
use crate::oci::digest::Digest;
use crate::oci::store::Store;
use crate::oci::transport::{Body, BodyError, Transport, read_bounded};
use crate::oci::{OciError, OciRef};

/// A client for the registry of one reference.
pub struct RegistryClient {
    transport: Transport,
    reference: OciRef,
}

/// Where a manifest is read from: a tag or a digest of the reference's repository.
pub enum ManifestAt<'a> {
    Tag(&'a str),
    Digest(&'a Digest),
}

impl RegistryClient {
    /// A client for `reference`'s registry, with its credentials.
    pub fn new(reference: &OciRef) -> Result<Self, OciError> {
        Ok(RegistryClient {
            transport: Transport::new(reference, false)?,
            reference: reference.clone(),
        })
    }

    /// Registry text as one safe line, credentials redacted.
    pub fn shown(&self, raw: &str) -> String {
        self.transport.shown(raw)
    }

    /// The manifest at `at`: its bytes and their digest.
    pub async fn manifest(&self, at: ManifestAt<'_>) -> Result<(Vec<u8>, Digest), OciError> {
        let name = match at {
            ManifestAt::Tag(tag) => tag.to_owned(),
            ManifestAt::Digest(digest) => digest.to_string(),
        };
        let url = self.transport.url(&format!("manifests/{name}"));
        let accept = format!("{OCI_IMAGE_MEDIA_TYPE}, {IMAGE_MANIFEST_MEDIA_TYPE}");
        let mut response = self
            .transport
            .send(Method::GET, url.clone(), Some(&accept), None)
            .await?;
        if !response.status().is_success() {
            return Err(self.transport.status_error(response).await);
        }
        let raw = read_bounded(&mut response, OCI_MAX_MANIFEST_BYTES)
            .await
            .map_err(|e| self.transport.body_error(&url, "the manifest", e))?;
        let digest = Digest::of(&raw);
        Ok((raw, digest))
    }

    /// Streams the component `layer` into `store`, hashing it on the way:
    /// its file there once it hashes to the layer's digest. A body that
    /// announces or sends more than the manifest said is cut and refused.
    pub async fn blob_into(&self, store: &Store, layer: &Layer) -> Result<PathBuf, OciError> {
        let url = self.transport.url(&format!("blobs/{}", layer.digest));
        let mut response = self
            .transport
            .send(Method::GET, url.clone(), None, None)
            .await?;
        if !response.status().is_success() {
            return Err(self.transport.status_error(response).await);
        }
        let over = |sent: String| {
            self.transport.refused(format!(
                "the component {sent}, more than the {} ({} bytes) its manifest announces",
                shown_bytes(layer.size),
                layer.size
            ))
        };
        if let Some(announced) = response.content_length()
            && announced > layer.size
        {
            return Err(over(format!("announces {announced} bytes")));
        }
        let mut writer = store.writer(&layer.digest)?;
        let store_error = |e: std::io::Error| OciError::Store {
            dir: store.root().to_owned(),
            reason: format!("cannot write a blob: {e}"),
        };
        loop {
            let chunk = response.chunk().await.map_err(|e| {
                self.transport
                    .body_error(&url, "the component", BodyError::Read(e))
            })?;
            let Some(chunk) = chunk else { break };
            if writer.written() + chunk.len() as u64 > layer.size {
                return Err(over("runs on".to_owned()));
            }
            writer.write(&chunk).map_err(store_error)?;
        }
        if writer.written() < layer.size {
            return Err(self.transport.refused(format!(
                "the component ended after {} of the {} bytes its manifest announces",
                writer.written(),
                layer.size
            )));
        }
        match writer.finish() {
            Ok(kept) => kept.map_err(store_error),
            Err(actual) => Err(OciError::LayerMismatch {
                reference: self.transport.reference(),
                expected: layer.digest.to_string(),
                actual: actual.to_string(),
            }),
        }
    }

    /// Uploads the component layer, the config and the manifest, tagged as
    /// the reference says (`latest` when it names no tag).
    pub async fn push(&self, artifact: &Artifact) -> Result<(), OciError> {
        let transport = Transport::new(&self.reference, true)?;
        push_blob(&transport, artifact.layer.data.clone()).await?;
        push_blob(&transport, artifact.config.data.clone()).await?;
        let tag = self.reference.tag().unwrap_or("latest");
        let url = transport.url(&format!("manifests/{tag}"));
        let body = Body {
            bytes: artifact.manifest.clone().into(),
            content_type: OCI_IMAGE_MEDIA_TYPE,
        };
        let response = transport.send(Method::PUT, url, None, Some(body)).await?;
        if !response.status().is_success() {
            return Err(transport.status_error(response).await);
        }
        Ok(())
    }
}

/// One monolithic blob upload: POST for an upload URL, PUT the bytes there.
async fn push_blob(transport: &Transport, data: bytes::Bytes) -> Result<(), OciError> {
    let digest = Digest::of(&data);
    let start = transport.url("blobs/uploads/");
    let empty = Body {
        bytes: bytes::Bytes::new(),
        content_type: "application/octet-stream",
    };
    let response = transport
        .send(Method::POST, start, None, Some(empty))
        .await?;
    if response.status() != StatusCode::ACCEPTED {
        return Err(transport.status_error(response).await);
    }
    let mut upload = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| response.url().join(l).ok())
        .ok_or_else(|| transport.refused("an upload answer with no usable Location".to_owned()))?;
    upload
        .query_pairs_mut()
        .append_pair("digest", digest.as_str());
    let body = Body {
        bytes: data,
        content_type: "application/octet-stream",
    };
    let response = transport
        .send(Method::PUT, upload, None, Some(body))
        .await?;
    if !response.status().is_success() {
        return Err(transport.status_error(response).await);
    }
    Ok(())
}
