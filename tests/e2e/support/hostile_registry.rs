//! A hostile OCI registry on 127.0.0.1, written for the tests: each
//! repository name is one attack (see [`HostileRegistry::reference`]),
//! beside a second loopback server ("elsewhere") that a redirect can point
//! at. Both record every request they get.
//!
//! Repositories (every tag answers the same):
//! - `ok/plain`: the basic guest, honestly;
//! - `digest/relative`, `digest/absolute`: a layer digest `sha256:` +
//!   [`HostileRegistry::relative_target`] or an absolute path;
//! - `size/announced`: a layer announcing 2 GiB (its blob would stream zeros);
//! - `endless/manifest`: a manifest that never ends;
//! - `endless/layer`: a layer announced as 1 MiB whose body never ends;
//! - `big/layer`: an honest layer of [`BIG_LAYER_BYTES`] (not a component:
//!   `plume pull` does not load what it pulls);
//! - `redirect/secret`, `redirect/elsewhere`: the blob redirected to the
//!   other server, which answers 500 with [`SECRET_BODY`] or the component;
//! - `redirect/metadata`, `redirect/private`, `redirect/loop`: the blob
//!   redirected to 169.254.169.254, to 10.11.12.13, or to itself forever;
//! - `auth/token`: a manifest behind a Bearer challenge whose realm is this
//!   server's `/token` (it wants [`USER`]/[`PASSWORD`] and answers [`TOKEN`]);
//!   `auth/echo` the same, then an error that quotes the token;
//! - `auth/plain-realm`, `auth/metadata-realm`: a realm on a non-loopback
//!   name over plain HTTP, or on the metadata address;
//! - `escape/message`: an error message drawing a forged "pulled ok";
//! - `dribble/manifest`: a manifest sent one byte every 200 ms, forever.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What the other server answers a redirected request with.
pub const SECRET_BODY: &str = "INTERNAL-SERVICE-SECRET-7f3a";
/// The registry's user and password for `auth/*`.
pub const USER: &str = "ci-bot";
pub const PASSWORD: &str = "hostile-registry-pw-91";
/// The token `/token` hands out.
pub const TOKEN: &str = "tok-from-realm-5521";

/// The size of `big/layer`: near the 128 MiB limit, a pattern repeated.
pub const BIG_LAYER_BYTES: u64 = 120 * 1024 * 1024;
const BIG_PIECE: usize = 64 * 1024;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const CONFIG: &[u8] = b"{\"architecture\":\"wasm\",\"os\":\"wasip2\"}";

struct Shared {
    component: Vec<u8>,
    registry: SocketAddr,
    elsewhere: SocketAddr,
    /// An absolute path a `digest/absolute` layer names.
    absolute_target: String,
    log: Mutex<Vec<String>>,
}

/// The running servers; they stop when the test process ends.
pub struct HostileRegistry {
    shared: Arc<Shared>,
}

impl HostileRegistry {
    /// Starts both servers; `absolute_target` is what `digest/absolute` names.
    pub fn start(absolute_target: &str) -> HostileRegistry {
        let component = std::fs::read(plume_test_guests::BASIC).expect("basic guest");
        let absolute_target = absolute_target.to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let registry = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let shared = Arc::new(Shared {
                    component,
                    registry: registry.local_addr().unwrap(),
                    elsewhere: elsewhere.local_addr().unwrap(),
                    absolute_target,
                    log: Mutex::new(Vec::new()),
                });
                tx.send(shared.clone()).unwrap();
                let other = Router::new()
                    .fallback(elsewhere_answer)
                    .with_state(shared.clone());
                tokio::spawn(async move { axum::serve(elsewhere, other).await });
                let app = Router::new().fallback(answer).with_state(shared);
                axum::serve(registry, app).await.unwrap();
            });
        });
        let shared = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("hostile registry started");
        HostileRegistry { shared }
    }

    /// `oci://127.0.0.1:PORT/NAME:1`.
    pub fn reference(&self, name: &str) -> String {
        format!("oci://{}/{name}:1", self.shared.registry)
    }

    /// Every request either server got, as "registry GET /path" or "elsewhere GET /path".
    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }

    /// What `digest/relative` puts after `sha256:`: from the store's blob
    /// folder (`CACHE/oci/blobs/sha256/`) up to `CACHE/canary`.
    pub fn relative_target() -> &'static str {
        "../../../canary"
    }
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// An image manifest in the Wasm layout with one layer `digest` of `size` bytes.
fn manifest(digest: &str, size: u64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.wasm.config.v0+json", "digest": sha256(CONFIG), "size": CONFIG.len()},
        "layers": [{"mediaType": "application/wasm", "digest": digest, "size": size}],
    }))
    .unwrap()
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, OCI_MANIFEST)], body).into_response()
}

fn redirect(to: String) -> Response {
    (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response()
}

fn endless(piece: &'static [u8], every: Option<Duration>) -> Body {
    let chunks = futures::stream::unfold((), move |()| async move {
        if let Some(pause) = every {
            tokio::time::sleep(pause).await;
        }
        Some((Ok::<_, std::io::Error>(Bytes::from_static(piece)), ()))
    });
    Body::from_stream(chunks)
}

/// One piece of `big/layer`, which is this piece over and over.
fn big_piece() -> &'static [u8] {
    static PIECE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PIECE.get_or_init(|| {
        (0..BIG_PIECE as u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect()
    })
}

/// The digest of `big/layer`.
fn big_digest() -> String {
    let mut hasher = Sha256::new();
    for _ in 0..BIG_LAYER_BYTES / BIG_PIECE as u64 {
        hasher.update(big_piece());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn big_body() -> Response {
    let pieces = BIG_LAYER_BYTES / BIG_PIECE as u64;
    let chunks = futures::stream::iter(
        (0..pieces).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(big_piece()))),
    );
    (
        [(header::CONTENT_LENGTH, BIG_LAYER_BYTES)],
        Body::from_stream(chunks),
    )
        .into_response()
}

fn bearer_challenge(realm: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            format!("Bearer realm=\"{realm}\",service=\"hostile\""),
        )],
    )
        .into_response()
}

async fn answer(State(s): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    s.log
        .lock()
        .unwrap()
        .push(format!("registry {} {}", request.method(), request.uri()));
    if path == "/v2/" {
        return StatusCode::OK.into_response();
    }
    if path == "/token" {
        return token(&headers);
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut parts = rest.splitn(4, '/');
    let (Some(a), Some(b), Some(kind)) = (parts.next(), parts.next(), parts.next()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let repo = format!("{a}/{b}");
    let honest = manifest(&sha256(&s.component), s.component.len() as u64);
    let blob_path = format!("/v2/{repo}/blobs/{}", sha256(&s.component));
    match (repo.as_str(), kind) {
        ("digest/relative", "manifests") => json(
            StatusCode::OK,
            manifest(&format!("sha256:{}", HostileRegistry::relative_target()), 4),
        ),
        ("digest/absolute", "manifests") => json(
            StatusCode::OK,
            manifest(&format!("sha256:{}", s.absolute_target), 4),
        ),
        ("size/announced", "manifests") => json(
            StatusCode::OK,
            manifest(&sha256(b"never sent"), 2 * 1024 * 1024 * 1024),
        ),
        ("endless/manifest", "manifests") => (
            [(header::CONTENT_TYPE, OCI_MANIFEST)],
            endless(&[b' '; 64 * 1024], None),
        )
            .into_response(),
        ("endless/layer", "manifests") => {
            json(StatusCode::OK, manifest(&sha256(b"endless"), 1024 * 1024))
        }
        ("endless/layer", "blobs") => endless(&[0; 64 * 1024], None).into_response(),
        ("big/layer", "manifests") => {
            json(StatusCode::OK, manifest(&big_digest(), BIG_LAYER_BYTES))
        }
        ("big/layer", "blobs") => big_body(),
        ("dribble/manifest", "manifests") => (
            [(header::CONTENT_TYPE, OCI_MANIFEST)],
            endless(b" ", Some(Duration::from_millis(200))),
        )
            .into_response(),
        ("escape/message", "manifests") => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::to_vec(&serde_json::json!({"errors": [{
                "code": "UNKNOWN",
                "message": "\u{1b}[2K\r\u{1b}[32mpulled ok\u{1b}[0m\nforged: second line \u{202e}"
            }]}))
            .unwrap(),
        ),
        ("auth/plain-realm", _) => bearer_challenge("http://auth.hostile.example/token"),
        ("auth/metadata-realm", _) => bearer_challenge("https://169.254.169.254/token"),
        ("auth/token" | "auth/echo", _) => {
            let bearer = format!("Bearer {TOKEN}");
            if headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                != Some(&bearer)
            {
                return bearer_challenge(&format!("http://{}/token", s.registry));
            }
            match (repo.as_str(), kind) {
                ("auth/echo", _) => json(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "{{\"errors\":[{{\"code\":\"DENIED\",\"message\":\"you sent {bearer}\"}}]}}"
                    )
                    .into_bytes(),
                ),
                (_, "manifests") => json(StatusCode::OK, honest),
                _ => s.component.clone().into_response(),
            }
        }
        (_, "manifests") => json(StatusCode::OK, honest),
        ("redirect/secret", "blobs") => redirect(format!("http://{}/secret", s.elsewhere)),
        ("redirect/elsewhere", "blobs") => redirect(format!("http://{}/component", s.elsewhere)),
        ("redirect/metadata", "blobs") => {
            redirect("http://169.254.169.254/latest/meta-data/".to_owned())
        }
        ("redirect/private", "blobs") => redirect("http://10.11.12.13:5000/blob".to_owned()),
        ("redirect/loop", "blobs") => redirect(blob_path),
        (_, "blobs") => s.component.clone().into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The token service: [`TOKEN`] for [`USER`] and [`PASSWORD`], else 401.
fn token(headers: &HeaderMap) -> Response {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&expected)
    {
        axum::Json(serde_json::json!({"token": TOKEN})).into_response()
    } else {
        (StatusCode::UNAUTHORIZED, "token service says no").into_response()
    }
}

async fn elsewhere_answer(State(s): State<Arc<Shared>>, request: Request) -> Response {
    s.log
        .lock()
        .unwrap()
        .push(format!("elsewhere {} {}", request.method(), request.uri()));
    match request.uri().path() {
        "/component" => s.component.clone().into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, SECRET_BODY).into_response(),
    }
}
