//! A real HTTP server on 127.0.0.1 for the end-to-end tests. It records
//! every request it receives ("METHOD /path"), so tests can assert what a
//! plugin sent, what cleanups ran and in which order, and what never arrived.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use sha2::{Digest, Sha256};

#[derive(Default)]
struct Shared {
    log: Mutex<Vec<String>>,
    stored: Mutex<Vec<String>>,
    eventually_calls: AtomicU32,
    unavailable_calls: AtomicU32,
    blob: Vec<u8>,
}

/// Serves `app` on a free port of 127.0.0.1 from a thread of its own, until
/// the test process ends; returns its address.
pub fn serve(app: Router) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("server started")
}

/// A running server; it stops when the test process ends.
pub struct TestServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let blob: Vec<u8> = (0..3 * 1024 * 1024u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        let shared = Arc::new(Shared {
            blob,
            ..Shared::default()
        });
        let app = Router::new()
            .route(
                "/ok",
                get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
            )
            .route("/status/{code}", get(status).delete(status))
            .route("/echo", get(echo))
            .route("/broken-body", get(broken_body))
            .route("/redirect", get(redirect))
            .route(
                "/login",
                post(|| async { axum::Json(serde_json::json!({"token": "tok-123"})) }),
            )
            .route("/whoami", get(whoami))
            .route("/windows-json", get(windows_json))
            .route(
                "/session/{token}",
                delete(|| async { StatusCode::NO_CONTENT }),
            )
            .route(
                "/cleanup/{label}",
                delete(|| async { StatusCode::NO_CONTENT }),
            )
            .route("/sse", get(sse_open))
            .route("/sse-closes", get(sse_closes))
            .route("/store", post(store).get(stored))
            .route("/blob", get(blob_body))
            .route("/blob.sha256", get(blob_sha))
            .route("/eventually", get(eventually))
            .route("/unavailable-twice", get(unavailable_twice))
            .layer(middleware::from_fn_with_state(shared.clone(), record))
            .with_state(shared.clone());
        let addr = serve(app);
        TestServer { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, as "METHOD /path".
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }

    /// The requests whose path starts with `prefix`, in arrival order.
    pub fn requests_to(&self, prefix: &str) -> Vec<String> {
        self.log()
            .into_iter()
            .filter(|l| {
                l.split_once(' ')
                    .is_some_and(|(_, p)| p.starts_with(prefix))
            })
            .collect()
    }
}

async fn record(State(shared): State<Arc<Shared>>, req: Request<Body>, next: Next) -> Response {
    let line = format!("{} {}", req.method(), req.uri());
    shared.log.lock().unwrap().push(line);
    next.run(req).await
}

async fn status(Path(code): Path<u16>) -> impl IntoResponse {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        axum::Json(serde_json::json!({"error": format!("status {code}")})),
    )
}

/// `302` to the `to` query parameter.
async fn redirect(axum::extract::RawQuery(query): axum::extract::RawQuery) -> Response {
    let to = query
        .unwrap_or_default()
        .strip_prefix("to=")
        .unwrap_or_default()
        .to_owned();
    (StatusCode::FOUND, [("location", to)]).into_response()
}

/// Answers with the Authorization header it received, as a careless service might.
async fn echo(headers: HeaderMap) -> String {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    let mut extra: Vec<String> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .map(|(name, value)| format!("{name}={}\n", value.to_str().unwrap_or("?")))
        .collect();
    extra.sort();
    format!("authorization={auth}\n{}", extra.concat())
}

async fn whoami(headers: HeaderMap) -> Response {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer tok-123") => axum::Json(serde_json::json!({"user": "smoke"})).into_response(),
        _ => (StatusCode::UNAUTHORIZED, "no token").into_response(),
    }
}

/// JSON as some real servers send it: a UTF-8 byte order mark first, a
/// float where a check may expect an integer, and a repeated header whose
/// first value is not the one a check looks for (a CDN's cookie before the
/// application's).
async fn windows_json() -> Response {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"price":0.0,"seats":3,"version":"2.3.4"}"#);
    (
        axum::response::AppendHeaders([
            ("content-type", "application/json; charset=utf-8"),
            ("set-cookie", "__cf_bm=edge; path=/"),
            ("set-cookie", "session=s1; HttpOnly"),
        ]),
        body,
    )
        .into_response()
}

fn event_stream(body: Body) -> Response {
    ([("content-type", "text/event-stream")], body).into_response()
}

async fn sse_open() -> Response {
    let first =
        futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from("data: hello\n\n")) });
    event_stream(Body::from_stream(futures::StreamExt::chain(
        first,
        futures::stream::pending(),
    )))
}

/// 4096 bytes of a body, then the connection breaks (the stream fails and
/// the server aborts the response mid-body).
async fn broken_body() -> Response {
    let first =
        futures::stream::once(async { Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 4096])) });
    let broken = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::other("the origin went away"))
    });
    Body::from_stream(futures::StreamExt::chain(first, broken)).into_response()
}

async fn sse_closes() -> Response {
    event_stream(Body::from("data: bye\n\n"))
}

async fn store(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    shared.stored.lock().unwrap().push(body);
    StatusCode::CREATED
}

async fn stored(State(shared): State<Arc<Shared>>) -> String {
    shared.stored.lock().unwrap().join("\n")
}

async fn blob_body(State(shared): State<Arc<Shared>>) -> Vec<u8> {
    shared.blob.clone()
}

async fn blob_sha(State(shared): State<Arc<Shared>>) -> String {
    hex::encode(Sha256::digest(&shared.blob))
}

/// `503` with a short body the first two times, then `200`: a server
/// restarting, which a retry asks past.
async fn unavailable_twice(State(shared): State<Arc<Shared>>) -> (StatusCode, &'static str) {
    if shared.unavailable_calls.fetch_add(1, Ordering::SeqCst) < 2 {
        (StatusCode::SERVICE_UNAVAILABLE, "restarting")
    } else {
        (StatusCode::OK, "up")
    }
}

async fn eventually(State(shared): State<Arc<Shared>>) -> StatusCode {
    if shared.eventually_calls.fetch_add(1, Ordering::SeqCst) < 2 {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    }
}
