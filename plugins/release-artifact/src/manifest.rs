//! The manifest: fetched and its shape checked, its values kept for the
//! checks that follow (`version`, `sha256`, `download_url`, and `size` when
//! the manifest gives one).

use plume_sdk::RequestBuilder;
use plume_sdk::prelude::*;

use crate::hops::{follow, shown};

use crate::settings::{config, manifest_url};
use crate::short;

const SEMVER: &str = r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$";
const SHA256: &str = "^[0-9a-fA-F]{64}$";
const RFC3339: &str = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$";

/// The fields of a manifest, read through the configured pointers.
pub struct Manifest {
    pub status: u16,
    pub version: String,
    pub sha256: String,
    pub download_url: String,
    /// The binary's size in bytes, at `size_pointer` (`/size`), if given.
    pub size: Option<u64>,
    /// `" (gzip-decoded as clients do)"` when it came encoded, else empty.
    pub decoded: String,
}

/// The size at `size_pointer`: optional at the default `/size`, required
/// when the pointer is configured; a whole number of bytes either way.
fn size_of(resp: &Response) -> Result<Option<u64>, Halt> {
    let configured = config()?.size_pointer.clone();
    let p = configured.clone().unwrap_or_else(|| "/size".to_owned());
    let doc = resp.json()?;
    let Some(value) = doc.pointer(&p) else {
        if configured.is_some() {
            resp.expect_json(&p)?;
        }
        return Ok(None);
    };
    match value.as_u64() {
        Some(n) => Ok(Some(n)),
        None => fail(
            resp.status,
            format!("at {p}: expected the binary's size as a whole number of bytes, got {value}"),
        ),
    }
}

/// Fetches a manifest and checks its shape; `err` says which field is off.
pub fn fetch(ctx: &Ctx, url: &str) -> Result<Manifest, Halt> {
    let [v, s, u, t] = config()?.pointers().map(str::to_owned);
    let resp = follow(ctx, url, None, RequestBuilder::send)?.answer;
    // Masked before any expectation can quote the body, and again once a
    // compressed body is decoded.
    crate::signed::mask_download(&resp, &u);
    resp.expect_status(&[200])
        .map_err(|halt| crate::store_error::explained(halt, &resp.body))?;
    let (resp, decoded) = crate::encoding::decoded(resp, url)?;
    crate::signed::mask_download(&resp, &u);
    resp.expect_status(&[200])?
        .expect_json_match(&v, SEMVER)?
        .expect_json_match(&s, SHA256)?
        .expect_json_match(&u, "^https?://")?
        .expect_json_match(&t, RFC3339)?;
    let size = size_of(&resp)?;
    Ok(Manifest {
        size,
        decoded,
        status: resp.status,
        version: resp.json_str(&v)?,
        sha256: resp.json_str(&s)?.to_ascii_lowercase(),
        download_url: resp.json_str(&u)?,
    })
}

pub fn shape(ctx: &mut Ctx) -> Check {
    let m = fetch(ctx, &manifest_url()?)?;
    ctx.publish("version", &m.version);
    ctx.publish("sha256", &m.sha256);
    ctx.publish("download_url", &m.download_url);
    let size = match m.size {
        Some(n) => {
            ctx.publish("size", &n.to_string());
            format!(", {n} bytes")
        }
        None => String::new(),
    };
    ok(
        m.status,
        format!(
            "version {}, sha256 {}, {}{size}{}",
            m.version,
            short(&m.sha256),
            shown(&m.download_url),
            m.decoded
        ),
    )
}

/// An expected value from the config (`key`'s); `skip` naming the key when unset.
pub fn expected(key: &str, value: &Option<String>) -> Result<String, Halt> {
    match value {
        Some(v) => Ok(v.clone()),
        None => skip(format!(
            "{key} is not set: no expected value to compare with"
        )),
    }
}

pub fn expected_version(ctx: &mut Ctx) -> Check {
    let want = expected("expected_version", &config()?.expected_version)?;
    let served = ctx.recall("version")?;
    let want_bare = want.trim_start_matches('v');
    if served.trim_start_matches('v') != want_bare {
        return fail(
            None,
            format!("manifest version {served} != expected version {want}"),
        );
    }
    ok(None, format!("version {served} as expected"))
}
