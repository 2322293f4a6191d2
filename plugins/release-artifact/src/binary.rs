//! The binary the manifest names: downloaded once, hashed as it streams
//! (never held whole in memory), and compared with the manifest, the
//! expected digest and the `SHA256SUMS` file. A manifest that gives the
//! binary's size names a short download as truncated.
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

use crate::manifest::expected;
use crate::settings::{max_bytes, timeout};
use crate::short;

/// How much one read may return.
const CHUNK: u32 = 256 * 1024;

/// A download, hashed as it streamed.
pub struct Download {
    pub status: u16,
    pub sha256: String,
    pub bytes: u64,
    pub content_length: Option<String>,
}

/// `of N ` when the manifest gave the size, for "received M of N bytes".
fn of_size(size: Option<u64>) -> String {
    size.map_or_else(String::new, |n| format!("of {n} "))
}

/// Streams `url` through a hasher, stopping with `err` past the size cap;
/// `size` is what the manifest says the binary weighs, for the messages.
pub fn download(ctx: &Ctx, url: &str, size: Option<u64>) -> Result<Download, Halt> {
    let cap = max_bytes(ctx)?;
    let deadline = timeout(ctx)?;
    if let Some(n) = size
        && n <= cap
    {
        return hashed_on_the_host(ctx, url, cap, deadline);
    }
    let mut stream = binary_request(ctx, url, deadline)
        .open()
        .map_err(|e| Halt::err(format!("GET {url}: {}", describe_error(&e))))?;
    stream.expect_status(&[200])?;
    let content_length = stream
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.clone());
    let mut hasher = Hasher::new();
    let mut bytes = 0u64;
    let start = Instant::now();
    let wait = deadline.unwrap_or(Duration::from_secs(30));
    loop {
        let left = wait.saturating_sub(start.elapsed());
        let chunk = stream.read(CHUNK, left).map_err(|e| {
            Halt::err(format!(
                "GET {url} broke off: received {bytes} {}bytes: {}",
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
                            "{url} is larger than max_mib ({} MiB); stopped after {bytes} bytes",
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
                        "{url}: received {bytes} {}bytes in {} ms and not finished",
                        of_size(size),
                        wait.as_millis()
                    ),
                );
            }
            Chunk::Idle => {}
            Chunk::End => break,
        }
    }
    Ok(Download {
        status: stream.status,
        sha256: hasher.finish(),
        bytes,
        content_length,
    })
}

/// The binary's GET, with the configured timeout when there is one.
fn binary_request(ctx: &Ctx, url: &str, deadline: Option<Duration>) -> RequestBuilder {
    let request = crate::settings::get(ctx, url);
    match deadline {
        Some(limit) => request.timeout(limit),
        None => request,
    }
}

/// The body hashed by the host as it arrives; a body past `max_mib` (a
/// server sending more than the manifest says) is refused after the fact,
/// bounded meanwhile by the suite's `max-digest-mib` and the timeout.
fn hashed_on_the_host(
    ctx: &Ctx,
    url: &str,
    cap: u64,
    deadline: Option<Duration>,
) -> Result<Download, Halt> {
    let got = binary_request(ctx, url, deadline).fetch_digest()?;
    got.expect_status(&[200])?;
    if got.bytes > cap {
        return fail(
            got.status,
            format!(
                "{url} is larger than max_mib ({} MiB): received {} bytes",
                cap >> 20,
                got.bytes
            ),
        );
    }
    Ok(Download {
        status: got.status,
        content_length: got.header("content-length").map(str::to_owned),
        sha256: got.sha256,
        bytes: got.bytes,
    })
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
    ctx.publish(
        "content_length",
        got.content_length.as_deref().unwrap_or(""),
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
    ok(
        got.status,
        format!(
            "{} bytes{}, sha256 {} matches the manifest",
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
    let want = expected(ctx, "expected_sha")?.to_ascii_lowercase();
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

/// One line of a checksum file as `(hex digest, file name)`: GNU
/// `sha256sum` (`<hex>  <name>`, `<hex> *<name>` in binary mode) or BSD
/// and `sha256sum --tag` (`SHA256 (<name>) = <hex>`).
fn sums_line(line: &str) -> Option<(String, &str)> {
    let line = line.trim();
    let (hex, name) = match line.strip_prefix("SHA256 (") {
        Some(tagged) => {
            let (name, hex) = tagged.rsplit_once(") = ")?;
            (hex, name)
        }
        None => {
            let (hex, name) = line.split_once(char::is_whitespace)?;
            (hex, name.trim_start().trim_start_matches('*'))
        }
    };
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (hex.to_ascii_lowercase(), name))
}

/// The digest a checksum file gives for `file`; a listed name with a folder
/// (`dist/x`, `./x`) is the file `x`.
pub fn sums_entry(sums: &str, file: &str) -> Option<String> {
    sums.lines()
        .filter_map(sums_line)
        .find_map(|(hex, name)| (name.rsplit('/').next() == Some(file)).then_some(hex))
}

/// The first few names a checksum file lists, for a line saying it does
/// not list the one wanted.
fn sums_names(sums: &str) -> String {
    const SHOWN: usize = 5;
    let names: Vec<&str> = sums.lines().filter_map(sums_line).map(|(_, n)| n).collect();
    match names.len() {
        0 => "no line in sha256sum or BSD format".to_owned(),
        n if n <= SHOWN => format!("it lists {}", names.join(", ")),
        n => format!("it lists {}, … ({n} files)", names[..SHOWN].join(", ")),
    }
}

pub fn sums_match(ctx: &mut Ctx) -> Check {
    let Some(url) = ctx.config_given("sums_url") else {
        return skip("sums_url is not set: no SHA256SUMS file to compare with");
    };
    let served = ctx.recall("served_sha")?;
    let download_url = ctx.recall("download_url")?;
    let file = download_url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .map(percent_decoded)
        .unwrap_or_default();
    let file = file.as_str();
    let resp = crate::settings::get(ctx, &url).send()?;
    resp.expect_status(&[200])?;
    let text = resp.text();
    let Some(listed) = sums_entry(&text, file) else {
        return fail(
            resp.status,
            format!("{url} lists no {file}: {}", sums_names(&text)),
        );
    };
    if listed != served {
        return fail(
            resp.status,
            format!(
                "served sha {} != SHA256SUMS sha {} for {file}",
                short(&served),
                short(&listed)
            ),
        );
    }
    ok(
        resp.status,
        format!("SHA256SUMS lists {file} with sha {}", short(&listed)),
    )
}

/// A URL path segment with its `%XX` escapes decoded (`plume%2B1.bin` is
/// the file `plume+1.bin`).
fn percent_decoded(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::{sums_entry, sums_names};

    const HEX: &str = "AB12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34ab12cd34";

    #[test]
    fn checksum_files_are_read_in_gnu_and_bsd_formats() {
        let want = Some(HEX.to_ascii_lowercase());
        assert_eq!(sums_entry(&format!("{HEX}  x.bin\n"), "x.bin"), want);
        assert_eq!(sums_entry(&format!("{HEX} *x.bin\r\n"), "x.bin"), want);
        assert_eq!(
            sums_entry(&format!("SHA256 (x.bin) = {HEX}\n"), "x.bin"),
            want
        );
        assert_eq!(sums_entry(&format!("{HEX}  ./dist/x.bin\n"), "x.bin"), want);
        assert_eq!(sums_entry(&format!("{HEX}  y.bin\n"), "x.bin"), None);
        assert_eq!(sums_entry(&format!("MD5 (x.bin) = {HEX}\n"), "x.bin"), None);
        assert_eq!(sums_entry("deadbeef  x.bin\n", "x.bin"), None);
    }

    #[test]
    fn a_file_without_the_name_says_what_it_lists() {
        let some: String = (0..7).map(|i| format!("{HEX}  f{i}\n")).collect();
        assert_eq!(
            sums_names(&some),
            "it lists f0, f1, f2, f3, f4, … (7 files)"
        );
        assert_eq!(sums_names("<html>"), "no line in sha256sum or BSD format");
    }
}
