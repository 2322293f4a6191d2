//! `Content-Encoding`, as clients meet it. The pack asks for no encoding
//! (it sends no `Accept-Encoding`), yet servers and stores label bodies
//! anyway: an S3 object uploaded with `ContentEncoding: gzip` is served with
//! that header to every client.
//!
//! - The manifest and `SHA256SUMS` are documents clients read decoded: a
//!   body labelled `gzip` (or `x-gzip`, `deflate`) is decoded here as they
//!   would, the line says so, and a label the body does not bear out (not
//!   gzip data at all) is red, as clients that honour the header fail on it.
//! - The binary is judged, never decoded: its digest is over the bytes as
//!   sent, and any encoding on it is red, since clients that honour the
//!   header save other bytes than those (or fail when they are not gzip).

use std::io::Read;

use plume_sdk::prelude::*;

/// The largest decoded document: a manifest or checksum file far past this
/// is not one (and a small gzip body can expand without bound).
const MAX_DECODED: u64 = 16 << 20;

/// The encodings a response carries, in the order applied; `identity`
/// dropped.
pub fn codings(r: &Response) -> Vec<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect()
}

/// `r` with its body decoded as clients decode it, and `" (gzip-decoded as
/// clients do)"` for the line when it was encoded (empty otherwise).
pub fn decoded(mut r: Response, url: &str) -> Result<(Response, String), Halt> {
    let codings = codings(&r);
    if codings.is_empty() {
        return Ok((r, String::new()));
    }
    let mut body = std::mem::take(&mut r.body);
    for coding in codings.iter().rev() {
        body = decode(coding, &body).map_err(|why| Halt::Err {
            status: Some(r.status),
            detail: format!(
                "{} is served with Content-Encoding: {coding} but {why}: every client that \
                 honours the header fails on it",
                crate::hops::shown(url)
            ),
        })?;
    }
    r.body = body;
    Ok((r, format!(" ({}-decoded as clients do)", codings.join("+"))))
}

/// One coding undone, or why it cannot be.
fn decode(coding: &str, body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let read = match coding {
        "gzip" | "x-gzip" => flate2::read::GzDecoder::new(body)
            .take(MAX_DECODED + 1)
            .read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(body)
            .take(MAX_DECODED + 1)
            .read_to_end(&mut out),
        other => return Err(format!("the pack decodes gzip and deflate, not {other}")),
    };
    match read {
        Err(e) => Err(format!("the body is not {coding} data ({e})")),
        Ok(_) if out.len() as u64 > MAX_DECODED => {
            Err(format!("it decodes to more than {} MiB", MAX_DECODED >> 20))
        }
        Ok(_) => Ok(out),
    }
}

/// Why the binary's encoding label is red, if it carries one.
pub fn binary_label(coding: Option<&str>, sha: &str) -> Option<String> {
    let coding = coding
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"))?;
    Some(format!(
        "the binary is served with Content-Encoding: {coding}, judged as sent: its sha256 {} is \
         over the bytes as sent, but clients that honour the header decode them first and save \
         other bytes (or fail when they are not {coding} data); serve it without the header",
        crate::short(sha)
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn response(headers: &[(&str, &str)], body: Vec<u8>) -> Response {
        Response {
            status: 200,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body,
            elapsed_ms: 0,
        }
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn a_gzip_document_is_decoded_and_said_so() {
        let r = response(&[("content-encoding", "gzip")], gzip(b"{\"v\":1}"));
        let (r, note) = decoded(r, "u").unwrap();
        assert_eq!(
            (r.body.as_slice(), note.as_str()),
            (&b"{\"v\":1}"[..], " (gzip-decoded as clients do)")
        );
        let plain = response(&[("content-encoding", "identity")], b"x".to_vec());
        assert_eq!(decoded(plain, "u").unwrap().1, "");
    }

    #[test]
    fn a_label_the_body_does_not_bear_out_is_red() {
        let r = response(&[("content-encoding", "gzip")], b"{\"v\":1}".to_vec());
        let err = decoded(r, "http://cdn/v.json").err().unwrap();
        assert!(
            err.detail()
                .contains("Content-Encoding: gzip but the body is not gzip data"),
            "{}",
            err.detail()
        );
        let r = response(&[("content-encoding", "br")], b"x".to_vec());
        assert!(decoded(r, "u").err().unwrap().detail().contains("not br"));
    }

    #[test]
    fn a_document_decoding_past_the_cap_is_refused() {
        let bomb = gzip(&vec![b' '; (MAX_DECODED + 1) as usize]);
        let r = response(&[("content-encoding", "gzip")], bomb);
        let err = decoded(r, "u").err().unwrap();
        assert!(
            err.detail().contains("it decodes to more than 16 MiB"),
            "{}",
            err.detail()
        );
    }

    #[test]
    fn any_encoding_on_the_binary_is_named() {
        assert!(
            binary_label(Some("gzip"), "ab")
                .unwrap()
                .contains("Content-Encoding: gzip, judged as sent")
        );
        assert_eq!(binary_label(Some("identity"), "ab"), None);
        assert_eq!(binary_label(None, "ab"), None);
    }
}
