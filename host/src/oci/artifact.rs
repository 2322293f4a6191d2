//! The Wasm OCI artifact layout, as the ecosystem's tools (`oci-wasm`,
//! `wkg`, `wasm-pkg-tools`) write and read it: an OCI image manifest whose
//! config has media type `application/vnd.wasm.config.v0+json` and whose
//! one layer is the component, `application/wasm`. The config records the
//! architecture (`wasm`), the OS (`wasip2` for a component), the layer
//! digests and the component's top-level imports and exports.
//!
//! A pulled manifest is the registry's word: its descriptors' digests are
//! parsed ([`Digest`]) and their sizes bounded ([`OCI_MAX_PLUGIN_BYTES`],
//! [`OCI_MAX_CONFIG_BYTES`]) before anything is fetched, and whatever of it
//! reaches an error line is quoted safe ([`text::quoted`]).

use std::path::Path;

use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor, OciImageManifest};
use serde::{Deserialize, Serialize};

use crate::limits::{OCI_MAX_CONFIG_BYTES, OCI_MAX_PLUGIN_BYTES, bytes as shown_bytes};
use crate::oci::OciError;
use crate::oci::digest::{Digest, sha256_digest};
use crate::text;

/// The config blob's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The component layer's media type.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";

/// The config blob (`oci-wasm`'s `WasmConfig`, field for field).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    pub created: String,
    pub author: Option<String>,
    pub architecture: String,
    pub os: String,
    pub layer_digests: Vec<String>,
    pub component: Option<ComponentNames>,
}

/// A component's top-level import and export names.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ComponentNames {
    pub exports: Vec<String>,
    pub imports: Vec<String>,
    pub target: Option<String>,
}

/// What `plume push` uploads for one component: the manifest (as bytes, so
/// its digest is known before the registry sees it), the config and the layer.
pub struct Artifact {
    pub manifest: Vec<u8>,
    pub manifest_digest: String,
    pub config: Config,
    pub layer: ImageLayer,
}

/// Builds the artifact for the component `bytes` read from `path`; refuses
/// anything that is not a component.
pub fn artifact_for(path: &Path, bytes: Vec<u8>) -> Result<Artifact, OciError> {
    let names = component_names(&bytes).map_err(|reason| OciError::NotAComponent {
        path: path.to_owned(),
        reason,
    })?;
    let config = WasmConfig {
        created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        author: None,
        architecture: "wasm".to_owned(),
        os: "wasip2".to_owned(),
        layer_digests: vec![sha256_digest(&bytes)],
        component: Some(names),
    };
    let config = Config {
        data: serde_json::to_vec(&config).unwrap_or_default().into(),
        media_type: CONFIG_MEDIA_TYPE.to_owned(),
        annotations: None,
    };
    let layer = ImageLayer {
        data: bytes.into(),
        media_type: LAYER_MEDIA_TYPE.to_owned(),
        annotations: None,
    };
    let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
    manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.to_owned());
    let manifest = serde_json::to_vec(&manifest).unwrap_or_default();
    Ok(Artifact {
        manifest_digest: sha256_digest(&manifest),
        manifest,
        config,
        layer,
    })
}

/// The component layer a manifest names, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub digest: Digest,
    /// The size the manifest announces, within [`OCI_MAX_PLUGIN_BYTES`].
    pub size: u64,
}

/// The component layer of a pulled manifest, after checking the layout,
/// the digests and the sizes.
pub fn component_layer(reference: &str, raw: &[u8]) -> Result<Layer, OciError> {
    let not_wasm = |what: String| OciError::NotWasm {
        reference: reference.to_owned(),
        what,
    };
    // serde's message would quote the registry's text: only where it failed.
    let manifest: OciImageManifest = serde_json::from_slice(raw).map_err(|e| {
        not_wasm(format!(
            "its manifest is not an OCI image manifest (unreadable at line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(not_wasm(format!(
            "its config media type is {}",
            text::quoted(&manifest.config.media_type)
        )));
    }
    let refused = |what: String| OciError::Refused {
        reference: reference.to_owned(),
        what,
    };
    checked(&manifest.config, "config", OCI_MAX_CONFIG_BYTES).map_err(refused)?;
    match manifest.layers.as_slice() {
        [layer] if layer.media_type == LAYER_MEDIA_TYPE => {
            checked(layer, "layer", OCI_MAX_PLUGIN_BYTES).map_err(refused)
        }
        [layer] => Err(not_wasm(format!(
            "its layer's media type is {}",
            text::quoted(&layer.media_type)
        ))),
        layers => Err(not_wasm(format!("it has {} layers", layers.len()))),
    }
}

/// A descriptor's digest parsed and its size within `max`.
fn checked(descriptor: &OciDescriptor, what: &str, max: u64) -> Result<Layer, String> {
    let digest = Digest::parse(&descriptor.digest).map_err(|e| {
        format!(
            "the manifest names its {what} by {}, which is not a digest: {e}",
            text::quoted(&descriptor.digest)
        )
    })?;
    let size = u64::try_from(descriptor.size).map_err(|_| {
        format!(
            "the manifest gives its {what} a negative size ({})",
            descriptor.size
        )
    })?;
    if size > max {
        return Err(format!(
            "the manifest announces a {what} of {} ({size} bytes), over the limit of {} for a plugin's {what}",
            shown_bytes(size),
            shown_bytes(max)
        ));
    }
    Ok(Layer { digest, size })
}

/// The top-level import and export names of a component; the reason when
/// `bytes` is not one.
pub fn component_names(bytes: &[u8]) -> Result<ComponentNames, String> {
    use wasmparser::{ComponentExternalKind, ComponentTypeRef, Encoding, Parser, Payload};
    let mut names = ComponentNames {
        exports: Vec::new(),
        imports: Vec::new(),
        target: None,
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| e.message().to_owned())?;
        match payload {
            Payload::Version { encoding, .. } if depth == 0 && encoding != Encoding::Component => {
                return Err("it is a core module, not a component".to_owned());
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    let import = import.map_err(|e| e.message().to_owned())?;
                    // Types the world names (records, variants) are not imports of the world.
                    if !matches!(import.ty, ComponentTypeRef::Type(_)) {
                        names.imports.push(import.name.name.to_owned());
                    }
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    let export = export.map_err(|e| e.message().to_owned())?;
                    if export.kind != ComponentExternalKind::Type {
                        names.exports.push(export.name.name.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_module_or_garbage_is_not_a_component() {
        let module = b"\0asm\x01\0\0\0";
        assert!(component_names(module).unwrap_err().contains("core module"));
        assert!(component_names(b"not wasm").is_err());
    }

    #[test]
    fn a_manifest_must_have_the_wasm_config_and_one_wasm_layer() {
        let manifest = |config: &str, layers: &[&str]| {
            let layers: Vec<_> = layers
                .iter()
                .map(|t| serde_json::json!({"mediaType": t, "digest": format!("sha256:{}", "a".repeat(64)), "size": 1}))
                .collect();
            serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "config": {"mediaType": config, "digest": format!("sha256:{}", "b".repeat(64)), "size": 2},
                "layers": layers,
            }))
            .unwrap()
        };
        assert!(component_layer("r", &manifest(CONFIG_MEDIA_TYPE, &[LAYER_MEDIA_TYPE])).is_ok());
        let err = |raw: Vec<u8>| {
            component_layer("oci://r/x:1", &raw)
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(manifest(
                "application/vnd.oci.image.config.v1+json",
                &[LAYER_MEDIA_TYPE]
            ))
            .contains("config media type is `application/vnd.oci.image.config.v1+json`")
        );
        assert!(
            err(manifest(
                CONFIG_MEDIA_TYPE,
                &[LAYER_MEDIA_TYPE, LAYER_MEDIA_TYPE]
            ))
            .contains("2 layers")
        );
        assert!(
            err(manifest(CONFIG_MEDIA_TYPE, &["application/octet-stream"]))
                .contains("layer's media type")
        );
    }

    #[test]
    fn descriptors_are_parsed_and_bounded_and_registry_text_is_quoted_safe() {
        let manifest = |config: (&str, i64), layer: (&str, i64), layer_type: &str| {
            serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": config.0, "size": config.1},
                "layers": [{"mediaType": layer_type, "digest": layer.0, "size": layer.1}],
            }))
            .unwrap()
        };
        let good = format!("sha256:{}", "a".repeat(64));
        let err = |raw: Vec<u8>| {
            component_layer("oci://r/x:1", &raw)
                .unwrap_err()
                .to_string()
        };
        let layer =
            component_layer("r", &manifest((&good, 2), (&good, 7), LAYER_MEDIA_TYPE)).unwrap();
        assert_eq!((layer.digest.as_str(), layer.size), (good.as_str(), 7));
        let line = err(manifest(
            (&good, 2),
            ("sha256:../../x", 7),
            LAYER_MEDIA_TYPE,
        ));
        assert!(
            line.contains("names its layer by `sha256:../../x`, which is not a digest"),
            "{line}"
        );
        assert!(
            err(manifest(
                ("sha256:/etc/passwd", 2),
                (&good, 7),
                LAYER_MEDIA_TYPE
            ))
            .contains("names its config by `sha256:/etc/passwd`")
        );
        let max = i64::try_from(OCI_MAX_PLUGIN_BYTES).unwrap();
        assert!(
            component_layer("r", &manifest((&good, 2), (&good, max), LAYER_MEDIA_TYPE)).is_ok()
        );
        assert!(
            err(manifest((&good, 2), (&good, max + 1), LAYER_MEDIA_TYPE))
                .contains("over the limit of 128 MiB for a plugin's layer")
        );
        let config_max = i64::try_from(OCI_MAX_CONFIG_BYTES).unwrap();
        assert!(
            err(manifest(
                (&good, config_max + 1),
                (&good, 7),
                LAYER_MEDIA_TYPE
            ))
            .contains("over the limit of 1 MiB for a plugin's config")
        );
        assert!(err(manifest((&good, 2), (&good, -1), LAYER_MEDIA_TYPE)).contains("negative size"));
        let line = err(manifest((&good, 2), (&good, 7), "x\u{1b}[31m\nforged"));
        assert!(
            line.contains(r"`x\x1b[31m | forged`") && !line.contains('\u{1b}'),
            "{line}"
        );
        let line = err(b"{\"schemaVersion\": \"\x1b]0;title\"}".to_vec());
        assert!(
            line.contains("unreadable at line 1") && !line.contains("title"),
            "{line}"
        );
    }
}
