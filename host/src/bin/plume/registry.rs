//! OCI registries at the binary's edge: `plume push`, `plume pull`, and
//! `plume lock`, which pins what a suite runs.
//!
//! Guarantees: a pulled component is verified against its manifest (and
//! any digest in its reference) before it is stored or written; `lock`
//! rewrites the suite file only once every plugin's digest is known, keeping
//! its comments and layout, through a temporary file renamed over it.

use anyhow::{Context, Result};

use plume::engine::Sandbox;
use plume::engine::cache::CompileCache;
use plume::oci::{OciRef, Puller, Store};
use plume::suite::Overrides;

use crate::cli::{LockArgs, PullArgs, PushArgs};
use crate::commands::load_suite;

/// The store of OCI plugins beside `cache`'s folder (a temporary one with `--no-cache`).
pub(crate) fn puller(cache: &CompileCache) -> Result<Puller> {
    Ok(Puller::new(Store::beside_cache(cache.dir())?))
}

/// `plume lock`: writes each plugin's SHA-256 into the suite file, keeping
/// its comments and layout; for an OCI plugin also the manifest digest its
/// reference resolves to now (`digest = ...`), pulled and verified.
pub async fn lock(args: LockArgs, cache: CompileCache) -> Result<u8> {
    let suite = load_suite(&args.suite, Overrides::default())?;
    let puller = puller(&cache)?;
    let path = &args.suite.suite;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let sandbox = Sandbox::new(cache)?;
    for plugin in &suite.plugins {
        let table = &mut doc["plugins"][plugin.name.as_str()];
        if let Some(source) = &plugin.oci {
            let fail = |e: plume::oci::OciError| plume::PlumeError::PluginFetch {
                plugin: plugin.name.clone(),
                message: e.to_string(),
            };
            let reference = OciRef::parse(&source.to_string()).map_err(fail)?;
            let fetched = puller.pull(&reference, None).await.map_err(fail)?;
            let sha = fetched.layer_digest.trim_start_matches("sha256:");
            table["digest"] = toml_edit::value(fetched.manifest_digest.as_str());
            table["sha256"] = toml_edit::value(sha);
            plume::console::out(format_args!(
                "{}: digest {}, sha256 {sha} ({source})",
                plugin.name, fetched.manifest_digest
            ));
            continue;
        }
        let digest = sandbox.digest(&plugin.name, &plugin.path)?;
        table["sha256"] = toml_edit::value(digest.as_str());
        plume::console::out(format_args!(
            "{}: sha256 {digest} ({})",
            plugin.name,
            plugin.path.display()
        ));
    }
    let tmp = path.with_extension("toml.lock-tmp");
    std::fs::write(&tmp, doc.to_string())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    plume::console::out(format_args!(
        "pinned {} plugin(s) in {}",
        suite.plugins.len(),
        path.display()
    ));
    Ok(0)
}

/// `plume push`: uploads a component as a Wasm OCI artifact and prints the
/// reference pinned to the manifest it wrote.
pub async fn push(args: PushArgs, _cache: CompileCache) -> Result<u8> {
    use plume::oci::OciError;
    let reference = OciRef::parse(&args.reference)?;
    let bytes = match plume::packs::lookup(&args.plugin)? {
        Some(pack) => pack.wasm.to_vec(),
        None => std::fs::read(&args.plugin).map_err(|e| OciError::Unreadable {
            path: args.plugin.clone(),
            reason: e.to_string(),
        })?,
    };
    let artifact = plume::oci::artifact::artifact_for(&args.plugin, bytes)?;
    let client = plume::oci::client::RegistryClient::new(&reference)?;
    client.push(&artifact).await?;
    let layer = plume::oci::store::sha256_digest(&artifact.layer.data);
    plume::console::out(format_args!(
        "pushed {} ({} bytes, component {layer})",
        args.plugin.display(),
        artifact.layer.data.len()
    ));
    plume::console::out(format_args!("{reference}@{}", artifact.manifest_digest));
    Ok(0)
}

/// `plume pull`: pulls a component into the store (and to `--output`),
/// verified against its manifest and any digest in the reference.
pub async fn pull(args: PullArgs, cache: CompileCache) -> Result<u8> {
    let reference = OciRef::parse(&args.reference)?;
    let puller = puller(&cache)?;
    let fetched = puller.pull(&reference, reference.digest()).await?;
    if let Some(out) = &args.output {
        std::fs::copy(&fetched.file, out)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    plume::console::out(format_args!(
        "pulled {reference}: manifest {}, component {} ({} bytes)",
        fetched.manifest_digest, fetched.layer_digest, fetched.size
    ));
    plume::console::out(format_args!("stored: {}", fetched.file.display()));
    if let Some(out) = &args.output {
        plume::console::out(format_args!("written: {}", out.display()));
    }
    Ok(0)
}
