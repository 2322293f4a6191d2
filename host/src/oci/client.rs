//! Speaking to one registry with `oci-client`: HTTPS unless the registry is
//! loopback or listed in `PLUME_INSECURE_REGISTRIES`, the credentials of
//! [`credentials`], bounded connect and read
//! times, and every failure mapped to one [`OciError`] line with the
//! credentials redacted out of it.

use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciEnvelope, OciErrorCode};
use oci_client::manifest::{IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciDescriptor};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::oci::artifact::Artifact;
use crate::oci::reference::INSECURE_REGISTRIES_VAR;
use crate::oci::{OciError, OciRef, credentials};
use crate::redact::Redactor;

/// How long to wait for a registry to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a registry may stay silent in the middle of an answer.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for the registry of one reference.
pub struct RegistryClient {
    inner: Client,
    auth: RegistryAuth,
    redactor: Redactor,
    reference: OciRef,
}

impl RegistryClient {
    /// A client for `reference`'s registry, with its credentials.
    pub fn new(reference: &OciRef) -> Result<Self, OciError> {
        // reqwest is built without a default crypto provider; the host uses ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let insecure = std::env::var(INSECURE_REGISTRIES_VAR).ok();
        let protocol = if reference.plain_http(insecure.as_deref()) {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        };
        let config = ClientConfig {
            protocol,
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(READ_TIMEOUT),
            platform_resolver: None,
            ..ClientConfig::default()
        };
        let credentials = credentials::for_registry(reference.registry())?;
        Ok(RegistryClient {
            inner: Client::new(config),
            auth: credentials.auth,
            redactor: credentials.redactor,
            reference: reference.clone(),
        })
    }

    /// The manifest at `at` (a tag or a digest of this reference's
    /// repository): its bytes and their digest, checked against a digest in `at`.
    pub async fn manifest(&self, at: &Reference) -> Result<(Vec<u8>, String), OciError> {
        let accepted = [OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE];
        let (body, digest) = self
            .inner
            .pull_manifest_raw(at, &self.auth, &accepted)
            .await
            .map_err(|e| self.error(e))?;
        Ok((body.to_vec(), digest))
    }

    /// The bytes of the blob `layer` describes, checked against its digest.
    pub async fn blob(&self, layer: &OciDescriptor) -> Result<Vec<u8>, OciError> {
        let image = self.reference.as_reference();
        self.inner
            .store_auth_if_needed(image.resolve_registry(), &self.auth)
            .await;
        let mut out = Vec::new();
        self.inner
            .pull_blob(image, layer, &mut out)
            .await
            .map_err(|e| self.error(e))?;
        Ok(out)
    }

    /// Uploads the component layer, the config and the manifest, tagged as the reference says.
    pub async fn push(&self, artifact: &Artifact) -> Result<(), OciError> {
        let image = self.reference.as_reference();
        self.inner
            .store_auth_if_needed(image.resolve_registry(), &self.auth)
            .await;
        let layer_digest = crate::oci::store::sha256_digest(&artifact.layer.data);
        let config_digest = crate::oci::store::sha256_digest(&artifact.config.data);
        self.inner
            .push_blob(image, artifact.layer.data.clone(), &layer_digest)
            .await
            .map_err(|e| self.error(e))?;
        self.inner
            .push_blob(image, artifact.config.data.clone(), &config_digest)
            .await
            .map_err(|e| self.error(e))?;
        let content_type = http_header(OCI_IMAGE_MEDIA_TYPE);
        self.inner
            .push_manifest_raw(image, artifact.manifest.clone(), content_type)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// One line for a failure, naming the reference, with no credential in it.
    fn error(&self, e: OciDistributionError) -> OciError {
        let reference = self.reference.to_string();
        let registry = self.reference.registry().to_owned();
        let clean = |text: String| self.redactor.redact(&text.replace(['\n', '\r'], " "));
        match e {
            OciDistributionError::RequestError(e) if e.is_connect() || e.is_timeout() => {
                OciError::RegistryDown {
                    reference,
                    registry,
                    reason: clean(innermost(&e)),
                }
            }
            OciDistributionError::UnauthorizedError { .. } => OciError::Unauthorized {
                reference,
                registry,
                reason: "401 Unauthorized".to_owned(),
            },
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
                let reason = clean(envelope.to_string());
                if codes
                    .iter()
                    .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
                {
                    OciError::Unauthorized {
                        reference,
                        registry,
                        reason,
                    }
                } else if codes.iter().any(|c| {
                    matches!(
                        c,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::NotFound
                            | OciErrorCode::BlobUnknown
                    )
                }) {
                    OciError::NotFound { reference, reason }
                } else {
                    OciError::Registry { reference, reason }
                }
            }
            OciDistributionError::ServerError { code, message, .. } => {
                // A registry's error body is a JSON envelope: its messages, not the JSON.
                let message = serde_json::from_str::<OciEnvelope>(message.trim())
                    .map_or_else(|_| message.trim().to_owned(), |e| e.to_string());
                let reason = clean(format!("HTTP {code}: {message}"));
                match code {
                    401 | 403 => OciError::Unauthorized {
                        reference,
                        registry,
                        reason,
                    },
                    404 => OciError::NotFound { reference, reason },
                    _ => OciError::Registry { reference, reason },
                }
            }
            OciDistributionError::ImageManifestNotFoundError(reason) => OciError::NotFound {
                reference,
                reason: clean(reason),
            },
            OciDistributionError::DigestError(
                oci_client::errors::DigestError::VerificationError { expected, actual },
            ) => OciError::LayerMismatch {
                reference,
                expected,
                actual,
            },
            other => OciError::Registry {
                reference,
                reason: clean(other.to_string()),
            },
        }
    }
}

/// The deepest cause of an error: "Connection refused (os error 111)".
fn innermost(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn http_header(value: &'static str) -> reqwest::header::HeaderValue {
    reqwest::header::HeaderValue::from_static(value)
}
