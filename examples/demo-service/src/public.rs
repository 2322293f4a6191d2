//! Unauthenticated surfaces: health, pricing, the sign-in flow's config and
//! OAuth discovery (RFC 8414 and RFC 9728).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::http_util::origin;
use crate::state::{AppState, VERSION};

pub async fn admin_health() -> Json<Value> {
    Json(json!({"status": "ok", "service": "admin", "version": VERSION}))
}

pub async fn mcp_health() -> Json<Value> {
    Json(json!({"status": "ok", "service": "mcp", "version": VERSION}))
}

pub async fn pricing() -> Json<Value> {
    Json(json!({
        "currency": "EUR",
        "plans": [
            {"id": "free", "name": "Free", "monthly_price": 0, "memory_limit": 1000},
            {"id": "pro", "name": "Pro", "monthly_price": 19, "memory_limit": 100000},
        ]
    }))
}

pub async fn auth_config(headers: HeaderMap) -> Json<Value> {
    Json(json!({
        "providers": ["password"],
        "signup_enabled": true,
        "password_min_length": 8,
        "issuer": origin(&headers),
    }))
}

/// RFC 8414 authorization-server metadata; the issuer is the admin listener.
pub async fn authorization_server(headers: HeaderMap) -> Json<Value> {
    let issuer = origin(&headers);
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oauth/authorize"),
        "token_endpoint": format!("{issuer}/oauth/token"),
        "registration_endpoint": format!("{issuer}/oauth/register"),
        "revocation_endpoint": format!("{issuer}/oauth/revoke"),
        "scopes_supported": ["memories:read", "memories:write"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

/// RFC 9728 protected-resource metadata for the listener it is served on.
pub async fn protected_resource(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    Json(json!({
        "resource": origin(&headers),
        "authorization_servers": [state.admin_url()],
        "scopes_supported": ["memories:read", "memories:write"],
        "bearer_methods_supported": ["header"],
    }))
}
