//! Small pieces every route uses: JSON errors, credentials from headers,
//! and the `WWW-Authenticate` challenge on every 401.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

/// `{"error": code, "message": message}` with `status`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

/// The origin a client used to reach this listener: `http://127.0.0.1:7701`.
pub fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A 401 with the RFC 9728 challenge pointing at this listener's resource metadata.
pub fn unauthorized(headers: &HeaderMap, code: &str, message: &str) -> Response {
    let mut resp = error(StatusCode::UNAUTHORIZED, code, message);
    let challenge = format!(
        "Bearer realm=\"demo\", resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
        origin(headers)
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    resp
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// The email and password of an `Authorization: Basic …` header.
pub fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}
