//! `SHA256SUMS`: the checksum file lists the binary, under the name the
//! server gives it, with the served digest, and lists it once (or only with
//! one digest: `sha256sum -c` fails on a second, different line). The name
//! is the config's `file_name`, else the answer's `Content-Disposition`,
//! else the last segment of the URL that answered after redirects; the line
//! says which.

use plume_sdk::RequestBuilder;
use plume_sdk::prelude::*;

use crate::hops::{file_of, follow, shown};
use crate::settings::config;
use crate::short;

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

/// The digests a checksum file gives for `file`, in its order; a listed
/// name with a folder (`dist/x`, `./x`) is the file `x`.
pub fn sums_entries(sums: &str, file: &str) -> Vec<String> {
    sums.lines()
        .filter_map(sums_line)
        .filter(|(_, name)| name.rsplit('/').next() == Some(file))
        .map(|(hex, _)| hex)
        .collect()
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

/// The file name `SHA256SUMS` must list, and where it came from: the
/// config's `file_name`, else the `Content-Disposition` of the answer, else
/// the last segment of the URL that answered (after redirects).
fn listed_name(ctx: &Ctx) -> Result<(String, &'static str), Halt> {
    if let Some(name) = &config()?.file_name {
        return Ok((name.clone(), "file_name"));
    }
    let disposition = ctx.recall("disposition_name")?;
    if !disposition.is_empty() {
        return Ok((disposition, "Content-Disposition"));
    }
    let url = ctx.recall("served_url")?;
    let file = file_of(&url);
    if file.is_empty() {
        return fail(
            None,
            format!(
                "{} names no file (its path ends in /) and gives no Content-Disposition: set \
                 file_name to the name SHA256SUMS lists",
                shown(&url)
            ),
        );
    }
    Ok((file, "the URL that answered"))
}

pub fn sums_match(ctx: &mut Ctx) -> Check {
    let Some(url) = config()?.sums_url.clone() else {
        return skip("sums_url is not set: no SHA256SUMS file to compare with");
    };
    let served = ctx.recall("served_sha")?;
    let (file, from) = listed_name(ctx)?;
    let resp = follow(ctx, &url, None, RequestBuilder::send)?.answer;
    resp.expect_status(&[200])
        .map_err(|halt| crate::store_error::explained(halt, &resp.body))?;
    let (resp, decoded) = crate::encoding::decoded(resp, &url)?;
    let text = resp.text();
    let listed = sums_entries(&text, &file);
    let Some(first) = listed.first() else {
        return fail(
            resp.status,
            format!(
                "{url} lists no {file} (name from {from}): {}",
                sums_names(&text)
            ),
        );
    };
    if let Some(other) = listed.iter().find(|d| *d != first) {
        return fail(
            resp.status,
            format!(
                "SHA256SUMS lists {file} {} times with different digests ({} and {}): \
                 `sha256sum -c` fails on one of them",
                listed.len(),
                short(first),
                short(other)
            ),
        );
    }
    if *first != served {
        return fail(
            resp.status,
            format!(
                "served sha {} != SHA256SUMS sha {} for {file} (name from {from})",
                short(&served),
                short(first)
            ),
        );
    }
    ok(
        resp.status,
        format!(
            "SHA256SUMS lists {file} (name from {from}) with sha {}{decoded}",
            short(first)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::{sums_entries, sums_names};

    fn sums_entry(sums: &str, file: &str) -> Option<String> {
        sums_entries(sums, file).into_iter().next()
    }

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
        let twice = format!("{HEX}  x.bin\n{}  x.bin\n", "0".repeat(64));
        assert_eq!(sums_entries(&twice, "x.bin").len(), 2);
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
