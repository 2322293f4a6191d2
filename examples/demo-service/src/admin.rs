//! The admin surface (admin sessions, customer detail with `billing_plan`)
//! and the release channel (`/stable/version.json` and the binary it names).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::faults::Fault;
use crate::http_util::{bearer, error, origin, unauthorized};
use crate::state::{ADMIN_EMAIL, AppState, VERSION, token};

#[derive(Deserialize)]
pub struct AdminCredentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn signin(State(state): State<AppState>, Json(c): Json<AdminCredentials>) -> Response {
    if c.email != ADMIN_EMAIL || c.password != state.admin_password {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "not an admin",
        );
    }
    let session = token("adm");
    state.data().admin_sessions.push(session.clone());
    Json(json!({"token": session})).into_response()
}

pub async fn customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = state.data();
    let Some(token) = bearer(&headers) else {
        return unauthorized(
            &headers,
            "missing_token",
            "admin routes need an admin token",
        );
    };
    if !data.admin_sessions.contains(&token) {
        if data.account_for(&token).is_some() {
            return error(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this token is not an admin's",
            );
        }
        return unauthorized(&headers, "invalid_token", "unknown admin token");
    }
    let Some(account) = data.accounts.get(&id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such customer");
    };
    let mut body = json!({
        "id": account.id,
        "email": account.email,
        "created_at": account.created_at,
        "billing_plan": account.plan,
        "api_keys": data.keys.values().filter(|k| k.account == account.id && !k.revoked).count(),
    });
    if state.faults.on(Fault::MissingBillingPlan)
        && let Some(map) = body.as_object_mut()
    {
        map.remove("billing_plan");
    }
    Json(body).into_response()
}

pub async fn version_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let release = &state.release;
    let sha256 = if state.faults.on(Fault::StaleManifest) {
        // What a half-finished deploy leaves behind: the digest of another build.
        hex::encode(Sha256::digest(b"a build that was never uploaded"))
    } else {
        release.sha256.clone()
    };
    Json(json!({
        "version": VERSION,
        "sha256": sha256,
        "download_url": format!("{}/stable/plume-demo-agent.bin", origin(&headers)),
        "updated_at": release.updated_at,
    }))
    .into_response()
}

/// The release's `SHA256SUMS`, as a release pipeline publishes it beside the binary.
pub async fn sums(State(state): State<AppState>) -> Response {
    let line = format!("{}  plume-demo-agent.bin\n", state.release.sha256);
    ([(header::CONTENT_TYPE, "text/plain")], line).into_response()
}

pub async fn binary(State(state): State<AppState>) -> Response {
    let bytes = state.release.binary.clone();
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, bytes.len().to_string()),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// `PUT /_faults/NAME`: switches a fault on while the service runs; the
/// admin password is the bearer token. For trying a monitor against a
/// service that breaks and recovers.
pub async fn fault_on(state: State<AppState>, headers: HeaderMap, name: Path<String>) -> Response {
    switch_fault(state, headers, name, true)
}

/// `DELETE /_faults/NAME`: switches it off again.
pub async fn fault_off(state: State<AppState>, headers: HeaderMap, name: Path<String>) -> Response {
    switch_fault(state, headers, name, false)
}

fn switch_fault(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    on: bool,
) -> Response {
    if bearer(&headers).as_deref() != Some(state.admin_password.as_str()) {
        return unauthorized(
            &headers,
            "unauthorized",
            "give the admin password as the bearer token",
        );
    }
    match name.parse::<Fault>() {
        Ok(fault) => {
            state.faults.set(fault, on);
            Json(json!({"fault": fault.name(), "on": on})).into_response()
        }
        Err(why) => error(StatusCode::NOT_FOUND, "unknown_fault", &why),
    }
}
