//! The CDN against the origin: the same manifest, and the same bytes behind
//! it. A CDN that serves yesterday's manifest, or an origin that was never
//! updated, is the failure seed 000 describes.

use plume_sdk::prelude::*;

use crate::binary::{download, manifest_size, size_mismatch};
use crate::manifest::fetch;
use crate::settings::manifest_url;
use crate::short;

fn origin_url(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config_given("origin_url").map_or_else(
        || skip("origin_url is not set: no origin to compare the CDN with"),
        Ok,
    )
}

pub fn same_manifest(ctx: &mut Ctx) -> Check {
    let url = origin_url(ctx)?;
    let origin = fetch(ctx, &url)?;
    let (version, sha) = (ctx.recall("version")?, ctx.recall("sha256")?);
    ctx.publish("origin_download_url", &origin.download_url);
    let mut differences = Vec::new();
    if origin.version != version {
        differences.push(format!(
            "cdn version {version} != origin version {}",
            origin.version
        ));
    }
    if origin.sha256 != sha {
        differences.push(format!(
            "cdn sha {} != origin sha {}",
            short(&sha),
            short(&origin.sha256)
        ));
    }
    let cdn = manifest_url(ctx)?;
    if !differences.is_empty() {
        return fail(
            origin.status,
            format!("{} (cdn {cdn}, origin {url})", differences.join("; ")),
        );
    }
    ok(
        origin.status,
        format!(
            "origin and cdn both at {version}, sha {} (cdn {cdn}, origin {url})",
            short(&sha)
        ),
    )
}

pub fn same_binary(ctx: &mut Ctx) -> Check {
    origin_url(ctx)?;
    let served = ctx.recall("served_sha")?;
    let url = ctx.recall("origin_download_url")?;
    let cdn = ctx.recall("download_url")?;
    let size = manifest_size(ctx)?;
    let origin = download(ctx, &url, size)?;
    if origin.sha256 != served {
        let truncated = size_mismatch(origin.bytes, size)
            .map(|m| format!("; the origin's {}", m.trim_start_matches("the ")))
            .unwrap_or_default();
        return fail(
            origin.status,
            format!(
                "cdn sha {} != origin sha {} (cdn {cdn}, origin {url}){truncated}",
                short(&served),
                short(&origin.sha256)
            ),
        );
    }
    ok(
        origin.status,
        format!(
            "origin serves the same {} bytes, sha {} (cdn {cdn}, origin {url})",
            origin.bytes,
            short(&served)
        ),
    )
}
