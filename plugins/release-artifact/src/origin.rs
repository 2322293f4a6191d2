//! The CDN against the origin: the same manifest, and the same bytes behind
//! it. A CDN that serves yesterday's manifest, or an origin that was never
//! updated, is the failure seed 000 describes.

use plume_sdk::prelude::*;

use crate::binary::{download, manifest_size, size_mismatch};
use crate::hops::{origin_of, shown};
use crate::manifest::fetch;
use crate::settings::{config, manifest_url};
use crate::short;

fn origin_url() -> Result<String, Halt> {
    config()?.origin_url.clone().map_or_else(
        || skip("origin_url is not set: no origin to compare the CDN with"),
        Ok,
    )
}

pub fn same_manifest(ctx: &mut Ctx) -> Check {
    let url = origin_url()?;
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
    let cdn = manifest_url()?;
    if !differences.is_empty() {
        return fail(
            origin.status,
            format!(
                "{} (cdn {}, origin {})",
                differences.join("; "),
                shown(&cdn),
                shown(&url)
            ),
        );
    }
    ok(
        origin.status,
        format!(
            "origin and cdn both at {version}, sha {} (cdn {}, origin {})",
            short(&sha),
            shown(&cdn),
            shown(&url)
        ),
    )
}

pub fn same_binary(ctx: &mut Ctx) -> Check {
    origin_url()?;
    let served = ctx.recall("served_sha")?;
    let url = ctx.recall("origin_download_url")?;
    let cdn = ctx.recall("download_url")?;
    let cdn_served = ctx.recall("served_url")?;
    let itself = |how: &str, to: &str| {
        skip(format!(
            "the origin's manifest {how} the CDN's own binary ({}): there is no origin copy to \
             compare, only the manifests (origin.same_manifest)",
            shown(to)
        ))
    };
    if url == cdn || url == cdn_served {
        return itself("names", &url);
    }
    let size = manifest_size(ctx)?;
    let origin = download(ctx, &url, size)?;
    if origin.url == cdn_served {
        return itself("names a URL that redirects to", &origin.url);
    }
    let urls = format!("cdn {}, origin {}", shown(&cdn), shown(&url));
    if origin.sha256 != served {
        let truncated = size_mismatch(origin.bytes, size)
            .map(|m| format!("; the origin's {}", m.trim_start_matches("the ")))
            .unwrap_or_default();
        return fail(
            origin.status,
            format!(
                "cdn sha {} != origin sha {} ({urls}){truncated}",
                short(&served),
                short(&origin.sha256)
            ),
        );
    }
    let cdn_host = origin_of(&cdn_served);
    if cdn_host.is_some() && origin_of(&origin.url) == cdn_host {
        return ok(
            origin.status,
            format!(
                "the binary the origin's manifest names has the same {} bytes, sha {}, but is \
                 served by the CDN's host {} too: no copy on another host was compared ({urls})",
                origin.bytes,
                short(&served),
                cdn_host.unwrap_or_default()
            ),
        );
    }
    ok(
        origin.status,
        format!(
            "origin serves the same {} bytes, sha {} ({urls})",
            origin.bytes,
            short(&served)
        ),
    )
}
