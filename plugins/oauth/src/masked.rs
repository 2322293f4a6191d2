//! Values the pack obtains from the server, masked the moment they arrive
//! (contract 0.1.3's `log.mask`): tokens and client credentials in a token
//! or registration answer, the authorization code, and every cookie the
//! sign-in sets. From then on no line, log or report of the run shows them,
//! in any encoding. Values under 4 characters (a consent flag's `1`) cannot
//! be masked and are no credentials: they are left alone, without the
//! host's warning.

use plume_sdk::{Response, mask_secret};

/// JSON fields of token and registration answers that hold credentials.
const CREDENTIAL_FIELDS: [&str; 5] = [
    "access_token",
    "refresh_token",
    "id_token",
    "registration_access_token",
    "client_secret",
];

/// Masks one value the server handed out.
pub fn value(obtained: &str) {
    if obtained.chars().count() >= 4 {
        mask_secret(obtained);
    }
}

/// Masks the credentials in a token or registration answer, if it is JSON.
pub fn credentials(resp: &Response) {
    let Ok(json) = resp.json() else {
        return;
    };
    for field in CREDENTIAL_FIELDS {
        if let Some(obtained) = json.get(field).and_then(|v| v.as_str()) {
            value(obtained);
        }
    }
}
