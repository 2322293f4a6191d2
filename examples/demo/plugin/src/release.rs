//! release: what is served is what was shipped. The manifest's shape; the
//! binary it names, hashed by the host as it streams, against the manifest,
//! its Content-Length, and the version and digest the deploy expected.

use plume_sdk::prelude::*;

use crate::{admin_url, short};

const SEMVER: &str = r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$";
const RFC3339: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";

pub fn manifest_shape(ctx: &mut Ctx) -> Check {
    let resp = ctx
        .get(format!("{}/stable/version.json", admin_url(ctx)?))
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_match("/version", SEMVER)?
        .expect_json_match("/sha256", "^[0-9a-f]{64}$")?
        .expect_json_match("/download_url", "^https?://")?
        .expect_json_match("/updated_at", RFC3339)?;
    let (version, sha) = (resp.json_str("/version")?, resp.json_str("/sha256")?);
    ctx.publish("version", &version);
    ctx.publish("sha256", &sha);
    ctx.publish("download_url", &resp.json_str("/download_url")?);
    ok(
        resp.status,
        format!("version {version}, sha256 {}", short(&sha)),
    )
}

/// Downloads the binary once per group, hashing as it streams.
fn served(ctx: &Ctx) -> Result<plume_sdk::DigestResponse, Halt> {
    let url = ctx.recall("download_url")?;
    let got = ctx
        .get(url)
        .timeout(Duration::from_secs(8))
        .fetch_digest()?;
    got.expect_status(&[200])?;
    ctx.publish("served_sha", &got.sha256);
    Ok(got)
}

pub fn binary_matches(ctx: &mut Ctx) -> Check {
    let manifest = ctx.recall("sha256")?;
    let got = served(ctx)?;
    if got.sha256 != manifest {
        return fail(
            got.status,
            format!(
                "served sha {} != version.json sha {}",
                short(&got.sha256),
                short(&manifest)
            ),
        );
    }
    ok(
        got.status,
        format!(
            "{} bytes, sha256 {} matches version.json",
            got.bytes,
            short(&got.sha256)
        ),
    )
}

pub fn content_length(ctx: &mut Ctx) -> Check {
    let got = served(ctx)?;
    let Some(declared) = got.header("content-length") else {
        return fail(got.status, "no Content-Length on the binary");
    };
    if declared != got.bytes.to_string() {
        return fail(
            got.status,
            format!("Content-Length {declared} != {} bytes received", got.bytes),
        );
    }
    ok(
        got.status,
        format!("Content-Length {declared} matches the bytes received"),
    )
}

fn expected(ctx: &Ctx, key: &str, var: &str) -> Result<String, Halt> {
    match ctx.config_opt(key).filter(|v| !v.trim().is_empty()) {
        Some(v) => Ok(v.trim().to_owned()),
        None => skip(format!("{var} not set: no expected value to compare with")),
    }
}

pub fn expected_version(ctx: &mut Ctx) -> Check {
    let want = expected(ctx, "expected_version", "EXPECTED_VERSION")?;
    let served = ctx.recall("version")?;
    if served != want {
        return fail(
            None,
            format!("version.json says {served}, the deploy expected {want}"),
        );
    }
    ok(None, format!("version {served} as expected"))
}

pub fn expected_sha(ctx: &mut Ctx) -> Check {
    let want = expected(ctx, "expected_sha", "EXPECTED_SHA")?.to_lowercase();
    let served = ctx.recall("served_sha")?;
    let manifest = ctx.recall("sha256")?;
    if served != want {
        return fail(
            None,
            format!(
                "served sha {} != expected sha {}",
                short(&served),
                short(&want)
            ),
        );
    }
    if manifest != want {
        return fail(
            None,
            format!(
                "version.json sha {} != expected sha {}",
                short(&manifest),
                short(&want)
            ),
        );
    }
    ok(
        None,
        format!("served and published sha {} as built", short(&want)),
    )
}
