//! The binary the manifest names: downloaded once (redirects followed by
//! the pack, so the URL that answered is known), hashed as it streams
//! (never held whole in memory), and compared with the manifest and the
//! expected digest. A manifest that gives the binary's size names a short
//! download as truncated; an empty binary and one served with a
//! `Content-Encoding` are red whatever their digest.
//!
//! When the manifest gives a size within `max_mib`, the host hashes the body
//! as it arrives (`fetch-digest`) and no byte of it crosses into the plugin:
//! streamed through the plugin, each byte is copied in and out again, which
//! held the pack to 633 MiB/s where the host alone hashes at 862 MiB/s. With
//! no size to go by, the body streams through the plugin, which stops at
//! `max_mib` as it goes.

use std::time::Instant;

use plume_sdk::prelude::*;
use plume_sdk::{Hasher, RequestBuilder, describe_error};

use crate::encoding::binary_label;
use crate::hops::{Answer, follow, shown};
use crate::manifest::expected;
use crate::settings::{config, timeout};
use crate::short;

/// How much one read may return.
const CHUNK: u32 = 256 * 1024;

/// A download, hashed as it streamed.
pub struct Download {
    pub status: u16,
    pub sha256: String,
    pub bytes: u64,
    pub content_length: Option<String>,
    /// The URL that answered, after redirects.
    pub url: String,
    /// The file name its `Content-Disposition` gives, if it gives one.
    pub disposition_name: Option<String>,
    /// Its `Content-Encoding`, if it carries one.
    pub content_encoding: Option<String>,
}

/// The headers of the answer a download keeps.
struct Head {
    status: u16,
    url: String,
    content_length: Option<String>,
    disposition_name: Option<String>,
    content_encoding: Option<String>,
}

impl Head {
    fn of(answer: &impl Answer, url: String) -> Head {
        Head {
            status: answer.status(),
            content_length: answer.header("content-length").map(str::to_owned),
            disposition_name: answer
                .header("content-disposition")
                .and_then(crate::disposition::file_name),
            content_encoding: answer.header("content-encoding").map(str::to_owned),
            url,
        }
    }

    fn hashed(self, sha256: String, bytes: u64) -> Download {
        Download {
            status: self.status,
            sha256,
            bytes,
            content_length: self.content_length,
            url: self.url,
            disposition_name: self.disposition_name,
            content_encoding: self.content_encoding,
        }
    }
}

/// `of N ` when the manifest gave the size, for "received M of N bytes".
fn of_size(size: Option<u64>) -> String {
    size.map_or_else(String::new, |n| format!("of {n} "))
}

/// Streams `url` through a hasher, stopping with `err` past the size cap;
/// `size` is what the manifest says the binary weighs, for the messages.
pub fn download(ctx: &Ctx, url: &str, size: Option<u64>) -> Result<Download, Halt> {
    let cap = config()?.max_bytes();
    let named = shown(url);
    let deadline = timeout()?;
    if let Some(n) = size
        && n <= cap
    {
        return hashed_on_the_host(ctx, url, cap, deadline);
    }
    let opened = follow(ctx, url, deadline, |request| {
        request
            .open()
            .map_err(|e| Halt::err(format!("GET {named}: {}", describe_error(&e))))
    })?;
    let mut stream = opened.answer;
    if stream.status != 200 {
        // As on the hashed path: the body of a second GET, whole, for the line.
        return Err(error_body(ctx, &opened.url, stream.status));
    }
    let head = Head::of(&stream, opened.url);
    let mut hasher = Hasher::new();
    let mut bytes = 0u64;
    let start = Instant::now();
    let wait = deadline.unwrap_or(Duration::from_secs(30));
    loop {
        let left = wait.saturating_sub(start.elapsed());
        let chunk = stream.read(CHUNK, left).map_err(|e| {
            Halt::err(format!(
                "GET {named} broke off: received {bytes} {}bytes: {}",
                of_size(size),
                describe_error(&e)
            ))
        })?;
        match chunk {
            Chunk::Data(data) => {
                bytes += data.len() as u64;
                if bytes > cap {
                    return fail(
                        stream.status,
                        format!(
                            "{named} is larger than max_mib ({} MiB); stopped after {bytes} bytes",
                            cap >> 20
                        ),
                    );
                }
                hasher.update(&data);
            }
            Chunk::Idle if left.is_zero() => {
                return fail(
                    stream.status,
                    format!(
                        "{named}: received {bytes} {}bytes in {} ms and not finished",
                        of_size(size),
                        wait.as_millis()
                    ),
                );
            }
            Chunk::Idle => {}
            Chunk::End => break,
        }
    }
    Ok(head.hashed(hasher.finish(), bytes))
}

/// The body hashed by the host as it arrives; a body past `max_mib` (a
/// server sending more than the manifest says) is refused after the fact,
/// bounded meanwhile by the suite's `max-digest-mib` and the timeout. An
/// answer other than 200 is hashed too, not kept, so its body (an S3
/// `<Error>` document, a CDN's error page) is fetched again for the line.
fn hashed_on_the_host(
    ctx: &Ctx,
    url: &str,
    cap: u64,
    deadline: Option<Duration>,
) -> Result<Download, Halt> {
    let got = follow(ctx, url, deadline, RequestBuilder::fetch_digest)?;
    let (answer, final_url) = (got.answer, got.url);
    if answer.status != 200 {
        return Err(error_body(ctx, &final_url, answer.status));
    }
    if answer.bytes > cap {
        return fail(
            answer.status,
            format!(
                "{} is larger than max_mib ({} MiB): received {} bytes",
                shown(url),
                cap >> 20,
                answer.bytes
            ),
        );
    }
    Ok(Head::of(&answer, final_url).hashed(answer.sha256, answer.bytes))
}

/// The failure for a `status` answer from `url` whose body was hashed or
/// streamed, not kept: the body of a second GET, as `expected status 200,
/// got 404; body: …`, with a store's error document named whole.
fn error_body(ctx: &Ctx, url: &str, status: u16) -> Halt {
    let second = ctx.get(url).try_send();
    if let Ok(r) = &second
        && r.status == status
        && let Err(shown) = r.expect_status(&[200])
    {
        return crate::store_error::explained(shown, &r.body);
    }
    let why = match second {
        Ok(r) => format!("a second GET for its body answered {}", r.status),
        Err(e) => format!("a second GET for its body failed: {}", describe_error(&e)),
    };
    Halt::Err {
        status: Some(status),
        detail: format!(
            "expected status 200, got {status} from {} ({why})",
            shown(url)
        ),
    }
}

/// The manifest's size, when it gave one.
pub fn manifest_size(ctx: &Ctx) -> Result<Option<u64>, Halt> {
    match ctx.recall("size") {
        Err(_) => Ok(None),
        Ok(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Halt::err(format!("the manifest's size {v:?} is not a number"))),
    }
}

/// How the bytes received differ from the manifest's size, if they do.
pub fn size_mismatch(bytes: u64, size: Option<u64>) -> Option<String> {
    match size {
        Some(n) if bytes < n => Some(format!(
            "the binary is truncated: received {bytes} of {n} bytes"
        )),
        Some(n) if bytes > n => Some(format!(
            "the binary is larger than the manifest says: received {bytes} bytes, expected {n}"
        )),
        _ => None,
    }
}

pub fn matches_manifest(ctx: &mut Ctx) -> Check {
    let manifest = ctx.recall("sha256")?;
    let size = manifest_size(ctx)?;
    let got = download(ctx, &ctx.recall("download_url")?, size)?;
    ctx.publish("served_sha", &got.sha256);
    ctx.publish("served_bytes", &got.bytes.to_string());
    ctx.publish("served_url", &got.url);
    ctx.publish(
        "content_length",
        got.content_length.as_deref().unwrap_or(""),
    );
    ctx.publish(
        "disposition_name",
        got.disposition_name.as_deref().unwrap_or(""),
    );
    if let Some(short_by) = size_mismatch(got.bytes, size) {
        return fail(
            got.status,
            format!(
                "{short_by} (served sha {} != version.json sha {})",
                short(&got.sha256),
                short(&manifest)
            ),
        );
    }
    if got.bytes == 0 {
        return fail(
            got.status,
            format!(
                "the binary is empty: 0 bytes from {}{}",
                shown(&got.url),
                if got.sha256 == manifest {
                    " (the manifest gives the empty file's sha256)"
                } else {
                    ""
                }
            ),
        );
    }
    if got.sha256 != manifest {
        return fail(
            got.status,
            format!(
                "served sha {} != version.json sha {} ({} bytes)",
                short(&got.sha256),
                short(&manifest),
                got.bytes
            ),
        );
    }
    if let Some(label) = binary_label(got.content_encoding.as_deref(), &got.sha256) {
        return fail(got.status, label);
    }
    let redirected = if got.url == ctx.recall("download_url")? {
        String::new()
    } else {
        format!(" (served by {})", shown(&got.url))
    };
    ok(
        got.status,
        format!(
            "{} bytes{}, sha256 {} matches the manifest, no Content-Encoding{redirected}",
            got.bytes,
            if size.is_some() {
                " as the manifest says"
            } else {
                ""
            },
            short(&got.sha256)
        ),
    )
}

pub fn content_length(ctx: &mut Ctx) -> Check {
    let bytes = ctx.recall("served_bytes")?;
    let declared = ctx.recall("content_length")?;
    if declared.is_empty() {
        return fail(
            None,
            format!("no Content-Length on the binary ({bytes} bytes received)"),
        );
    }
    if declared != bytes {
        return fail(
            None,
            format!("Content-Length {declared} != {bytes} bytes received"),
        );
    }
    ok(
        None,
        format!("Content-Length {declared} matches the bytes received"),
    )
}

pub fn expected_sha(ctx: &mut Ctx) -> Check {
    let want = expected("expected_sha", &config()?.expected_sha)?.to_ascii_lowercase();
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
