//! API keys: create (session), list, revoke. A key authenticates `/api/*`
//! and the MCP event stream.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::session_account;
use crate::faults::Fault;
use crate::http_util::error;
use crate::state::{ApiKey, AppState, token};

pub async fn create(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match session_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    let key = ApiKey {
        id: token("key"),
        account: account.id,
        secret: token("pk"),
        revoked: false,
    };
    let body = json!({"id": key.id, "key": key.secret, "prefix": &key.secret[..7]});
    state.data().keys.insert(key.id.clone(), key);
    (StatusCode::CREATED, Json(body)).into_response()
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match session_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    let data = state.data();
    let keys: Vec<_> = data
        .keys
        .values()
        .filter(|k| k.account == account.id && !k.revoked)
        .map(|k| json!({"id": k.id, "prefix": &k.secret[..7]}))
        .collect();
    Json(json!({"keys": keys})).into_response()
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let account = match session_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    let mut data = state.data();
    match data.keys.get_mut(&id) {
        Some(key) if key.account == account.id => {
            if !state.faults.on(Fault::RevokeNoop) {
                key.revoked = true;
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "not_found", "no such key"),
    }
}
