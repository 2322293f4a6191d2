//! Accounts and sessions: signup, signin, logout, the profile a session
//! reads, and account deletion (Basic credentials, so a cleanup can run it
//! whatever happened to the sessions).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::faults::Fault;
use crate::http_util::{basic, bearer, error, unauthorized};
use crate::state::{Account, AppState, token};

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn signup(State(state): State<AppState>, Json(c): Json<Credentials>) -> Response {
    if !c.email.contains('@') {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_email",
            "email must contain @",
        );
    }
    if c.password.len() < 8 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_password",
            "password must have at least 8 characters",
        );
    }
    let mut data = state.data();
    if data.account_by_email(&c.email).is_some() {
        return error(
            StatusCode::CONFLICT,
            "email_taken",
            "an account with this email exists",
        );
    }
    let account = Account {
        id: token("acct"),
        email: c.email,
        password: c.password,
        plan: "free",
        created_at: "2026-11-25T12:00:00Z".to_owned(),
    };
    let body = json!({"id": account.id, "email": account.email, "plan": account.plan});
    data.accounts.insert(account.id.clone(), account);
    (StatusCode::CREATED, Json(body)).into_response()
}

pub async fn signin(State(state): State<AppState>, Json(c): Json<Credentials>) -> Response {
    let mut data = state.data();
    let Some(account) = data.account_by_email(&c.email).cloned() else {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "unknown email or wrong password",
        );
    };
    if account.password != c.password {
        if state.faults.on(Fault::WrongErrorCode) {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "password check crashed",
            );
        }
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "unknown email or wrong password",
        );
    }
    let session = token("sess");
    data.sessions.insert(session.clone(), account.id.clone());
    Json(json!({"token": session, "account_id": account.id})).into_response()
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = bearer(&headers) else {
        return unauthorized(
            &headers,
            "missing_token",
            "send Authorization: Bearer <session>",
        );
    };
    let mut data = state.data();
    if !data.sessions.contains_key(&session) {
        return unauthorized(&headers, "invalid_session", "unknown or expired session");
    }
    if !state.faults.on(Fault::LogoutNoop) {
        data.sessions.remove(&session);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The account of the request's session token (API keys are not sessions).
pub fn session_account(state: &AppState, headers: &HeaderMap) -> Result<Account, Box<Response>> {
    let data = state.data();
    let account = bearer(headers)
        .and_then(|t| data.sessions.get(&t).cloned())
        .and_then(|id| data.accounts.get(&id).cloned());
    account.ok_or_else(|| {
        let why = "this route needs a valid session token";
        Box::new(unauthorized(headers, "invalid_session", why))
    })
}

/// The account of the request's session token or API key.
pub fn any_account(state: &AppState, headers: &HeaderMap) -> Result<Account, Box<Response>> {
    let data = state.data();
    let account = bearer(headers).and_then(|t| data.account_for(&t).cloned());
    account.ok_or_else(|| {
        let why = "this route needs a valid API key or session";
        Box::new(unauthorized(headers, "invalid_key", why))
    })
}

pub async fn profile(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session_account(&state, &headers) {
        Ok(a) => Json(json!({"id": a.id, "email": a.email, "plan": a.plan})).into_response(),
        Err(resp) => *resp,
    }
}

pub async fn whoami(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match any_account(&state, &headers) {
        Ok(a) => Json(json!({"account_id": a.id, "email": a.email})).into_response(),
        Err(resp) => *resp,
    }
}

pub async fn delete_account(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some((email, password)) = basic(&headers) else {
        return unauthorized(&headers, "missing_credentials", "send Basic email:password");
    };
    let mut data = state.data();
    let Some(account) = data.account_by_email(&email).cloned() else {
        return error(StatusCode::NOT_FOUND, "not_found", "no such account");
    };
    if account.password != password {
        return unauthorized(&headers, "invalid_credentials", "wrong password");
    }
    data.accounts.remove(&account.id);
    data.sessions.retain(|_, id| *id != account.id);
    data.keys.retain(|_, k| k.account != account.id);
    data.memories.remove(&account.id);
    StatusCode::NO_CONTENT.into_response()
}
