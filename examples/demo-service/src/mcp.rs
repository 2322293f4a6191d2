//! The second listener (the MCP-like app): its own health, its resource
//! metadata, and a server-sent-events stream that needs a bearer token,
//! answers 200 `text/event-stream` and stays open.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::auth::any_account;
use crate::faults::Fault;
use crate::http_util::unauthorized;
use crate::state::AppState;

pub async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match any_account(&state, &headers) {
        Ok(a) => a,
        Err(resp) => return *resp,
    };
    if state.faults.on(Fault::SseRejectsToken) {
        return unauthorized(&headers, "invalid_token", "token rejected");
    }
    let ready = format!(
        "event: ready\ndata: {{\"account_id\":\"{}\"}}\n\n",
        account.id
    );
    let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(ready)) });
    // A comment line every 15 s keeps proxies from closing an idle stream.
    let pings = futures::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_secs(15)).await;
        Some((Ok(Bytes::from_static(b": ping\n\n")), ()))
    });
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(first.chain(pings)),
    )
        .into_response()
}
