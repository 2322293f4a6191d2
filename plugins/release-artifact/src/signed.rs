//! A download URL that is itself a credential (an S3 or GCS presigned URL,
//! an Azure SAS, a CloudFront signed URL): the values of its signing
//! parameters are masked the moment the manifest naming it arrives
//! (contract 0.1.3's `log.mask`), as written in the URL and decoded (and a
//! credential's access key id alone, which S3 error bodies quote), so no
//! line, log or report of the run shows them in any encoding. The rest of
//! the URL (host, path, expiry) stays readable.

use percent_encoding::percent_decode_str;

/// Query parameters whose value signs or grants access, lower-case.
const SIGNING_PARAMETERS: [&str; 9] = [
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "sig",
    "signature",
    "policy",
    "token",
];

/// Masks the signing parameters of the download URL a manifest answer
/// names at `pointer`, if it names one.
pub fn mask_download(resp: &plume_sdk::Response, pointer: &str) {
    if let Ok(download) = resp.json_str(pointer) {
        mask_signing_parameters(&download);
    }
}

/// Masks the signing parameters' values in `url`'s query.
pub fn mask_signing_parameters(url: &str) {
    let Some((_, query)) = url.split_once('?') else {
        return;
    };
    let query = query.split('#').next().unwrap_or_default();
    for (name, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
        let name = name.to_ascii_lowercase();
        if !SIGNING_PARAMETERS.contains(&name.as_str()) {
            continue;
        }
        let decoded = decoded(value);
        let mut forms = vec![value.to_owned(), decoded.clone()];
        // A credential's access key id (`AKIA…/20261205/…`) is quoted
        // alone in an S3 error body.
        if name.ends_with("credential") {
            forms.extend(decoded.split('/').next().map(str::to_owned));
        }
        for form in forms {
            if form.chars().count() >= 4 {
                plume_sdk::mask_secret(&form);
            }
        }
    }
}

/// A query value percent-decoded (`+` as a space, as forms write it).
fn decoded(value: &str) -> String {
    percent_decode_str(&value.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}
