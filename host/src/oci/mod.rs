//! Plugins from OCI registries: a plugin's `path` may be
//! `oci://registry/repository:tag[@sha256:…]`.
//!
//! Artifacts use the Wasm OCI artifact layout the ecosystem's tools share
//! ([`artifact`]: config media type `application/vnd.wasm.config.v0+json`,
//! one `application/wasm` layer), so a component pushed by another client
//! pulls here and the other way round. The protocol is `oci-client`'s
//! ([`client`]), with credentials from the environment or Docker's config
//! file ([`credentials`]) that no message ever shows. What is pulled is
//! verified (the manifest against the suite's pin and the tag it came from,
//! the component against the manifest's layer digest) and kept in a
//! content-addressed [`store`] beside the compiled-plugin cache, so a later
//! run works with the registry down ([`fetch`] holds that policy).
//!
//! Everything a registry sends is hostile until checked, each kind at one
//! place: digests are parsed ([`digest`]) before they name anything, sizes
//! bounded before a byte is read and bodies cut at their bound
//! ([`transport`], [`artifact`]), every host the registry names held to the
//! egress address policy ([`egress`]), credentials sent to a token service
//! only as [`auth`] allows, and the registry's text made one safe line with
//! the credentials redacted ([`transport`]). A pull for `plume run` counts
//! against the run's ceiling.
//!
//! Every failure is one [`OciError`] line naming the reference and what to do.

pub mod artifact;
pub mod auth;
pub mod client;
pub mod credentials;
pub mod digest;
pub mod egress;
pub mod fetch;
pub mod reference;
pub mod store;
pub mod transport;

pub use digest::Digest;
pub use fetch::{Fetched, Puller};
pub use reference::OciRef;
pub use store::Store;

use std::path::PathBuf;

/// What went wrong with an OCI reference, a registry or the store.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error(
        "`{given}` is not an OCI reference: {reason} (write oci://REGISTRY/REPOSITORY:TAG, e.g. oci://registry.example.com/team/checks:1.2.0)"
    )]
    BadReference { given: String, reason: String },

    #[error(
        "{reference}: cannot reach the registry {registry} ({reason}) and the store {store} holds no copy of it: start the registry or fix the network, or pull it once where the registry answers (`plume pull {reference}`)"
    )]
    Unreachable {
        reference: String,
        registry: String,
        reason: String,
        store: PathBuf,
    },

    #[error(
        "{reference}: cannot reach the registry {registry} ({reason}): start the registry or fix the network, then try again"
    )]
    RegistryDown {
        reference: String,
        registry: String,
        reason: String,
    },

    #[error(
        "{reference}: the registry {registry} refused access ({reason}): set PLUME_REGISTRY_USER and PLUME_REGISTRY_PASSWORD, or log in with `docker login {registry}`"
    )]
    Unauthorized {
        reference: String,
        registry: String,
        reason: String,
    },

    #[error(
        "{reference}: the registry has no such artifact ({reason}): check the repository and tag, or push it with `plume push PLUGIN.wasm {reference}`"
    )]
    NotFound { reference: String, reason: String },

    #[error("{reference}: the registry failed: {reason}")]
    Registry { reference: String, reason: String },

    #[error(
        "{reference}: refused what the registry sent: {what} (check the reference; a registry that does this is broken or hostile)"
    )]
    Refused { reference: String, what: String },

    #[error(
        "{reference}: the run's ceiling of {ceiling} passed while pulling from the registry {registry}: raise `ceiling` (or --ceiling), or pull it ahead of the run with `plume pull {reference}`"
    )]
    Ceiling {
        reference: String,
        registry: String,
        ceiling: String,
    },

    #[error(
        "{reference} resolves to manifest {actual}, but the suite pins {expected} (the tag moved since `plume lock`, or the pin is wrong): run `plume lock` to pin what it resolves to now, if you trust it"
    )]
    PinMismatch {
        reference: String,
        expected: String,
        actual: String,
    },

    #[error(
        "{reference}: not a Wasm component artifact: {what} (the layout is config media type application/vnd.wasm.config.v0+json and one application/wasm layer, as `plume push` writes)"
    )]
    NotWasm { reference: String, what: String },

    #[error(
        "{reference}: the component has {actual}, but its manifest names {expected}: the registry or the store is corrupt; push it again"
    )]
    LayerMismatch {
        reference: String,
        expected: String,
        actual: String,
    },

    #[error(
        "cannot read Docker's credentials for {registry}: {reason} (fix $DOCKER_CONFIG/config.json or ~/.docker/config.json, or set PLUME_REGISTRY_USER and PLUME_REGISTRY_PASSWORD)"
    )]
    Credentials { registry: String, reason: String },

    #[error(
        "the OCI store {dir}: {reason} (pick another folder with --cache-dir or PLUME_CACHE_DIR)"
    )]
    Store { dir: PathBuf, reason: String },

    #[error("cannot read {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },

    #[error(
        "{path} is not a WebAssembly component: {reason} (build it for wasm32-wasip2, e.g. `cargo build --target wasm32-wasip2 --release`)"
    )]
    NotAComponent { path: PathBuf, reason: String },
}
