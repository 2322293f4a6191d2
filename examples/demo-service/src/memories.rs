//! Memories: store (empty content is 400 `empty_content`; the same content
//! twice is the same memory), list, query by substring, delete.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::auth::any_account;
use crate::faults::Fault;
use crate::http_util::error;
use crate::state::{AppState, Memory, token};

#[derive(Deserialize)]
pub struct NewMemory {
    #[serde(default)]
    content: String,
}

pub async fn store(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(m): Json<NewMemory>,
) -> Response {
    let account = match any_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    if m.content.trim().is_empty() && !state.faults.on(Fault::EmptyMemoryAccepted) {
        return error(
            StatusCode::BAD_REQUEST,
            "empty_content",
            "content must not be empty",
        );
    }
    let mut data = state.data();
    let list = data.memories.entry(account.id).or_default();
    if !state.faults.on(Fault::DedupBroken)
        && let Some(existing) = list.iter().find(|x| x.content == m.content)
    {
        return Json(json!({"id": existing.id, "created": false})).into_response();
    }
    let memory = Memory {
        id: token("mem"),
        content: m.content,
    };
    let body = json!({"id": memory.id, "created": true});
    list.push(memory);
    (StatusCode::CREATED, Json(body)).into_response()
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match any_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    let data = state.data();
    let rows: Vec<_> = data
        .memories
        .get(&account.id)
        .into_iter()
        .flatten()
        .map(|m| json!({"id": m.id, "content": m.content}))
        .collect();
    Json(json!({"memories": rows})).into_response()
}

#[derive(Deserialize)]
pub struct QueryParams {
    #[serde(default)]
    q: String,
}

pub async fn query(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<QueryParams>,
) -> Response {
    let account = match any_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    if state.faults.on(Fault::SlowQuery) {
        tokio::time::sleep(Duration::from_secs(12)).await;
    }
    let hits: Vec<_> = {
        let data = state.data();
        data.memories
            .get(&account.id)
            .into_iter()
            .flatten()
            .filter(|m| !p.q.is_empty() && m.content.contains(&p.q))
            .map(|m| json!({"id": m.id, "content": m.content, "score": 1.0}))
            .collect()
    };
    Json(json!({"query": p.q, "hits": hits})).into_response()
}

pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let account = match any_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    let mut data = state.data();
    let list = data.memories.entry(account.id).or_default();
    let before = list.len();
    list.retain(|m| m.id != id);
    if list.len() == before {
        return error(StatusCode::NOT_FOUND, "not_found", "no such memory");
    }
    StatusCode::NO_CONTENT.into_response()
}
