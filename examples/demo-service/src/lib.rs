//! A small service for Plume's demo suite: two listeners, like an admin app
//! and an MCP app, with the surfaces the field reports smoke — health,
//! public JSON, OAuth discovery, auth, API keys, memories, an event stream,
//! an admin API and a release channel — and a catalogue of injectable faults.

pub mod admin;
pub mod auth;
pub mod faults;
pub mod http_util;
pub mod keys;
pub mod mcp;
pub mod memories;
pub mod public;
pub mod state;

use std::net::SocketAddr;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};

use faults::{Fault, Faults};
use http_util::error;
use state::AppState;

/// How to start the service.
#[derive(Debug, Clone)]
pub struct Options {
    pub admin_port: u16,
    pub mcp_port: u16,
    pub faults: Faults,
    pub admin_password: String,
}

/// The listeners' addresses.
#[derive(Debug, Clone)]
pub struct Addresses {
    pub admin: SocketAddr,
    pub mcp: SocketAddr,
}

impl Addresses {
    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin)
    }

    pub fn mcp_url(&self) -> String {
        format!("http://{}", self.mcp)
    }
}

fn admin_router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(public::admin_health))
        .route("/pricing", get(public::pricing))
        .route("/auth/config", get(public::auth_config))
        .route(
            "/.well-known/oauth-authorization-server",
            get(public::authorization_server),
        )
        .route(
            "/.well-known/oauth-protected-resource",
            get(public::protected_resource),
        )
        .route("/auth/signup", post(auth::signup))
        .route("/auth/signin", post(auth::signin))
        .route("/auth/logout", post(auth::logout))
        .route("/account", delete(auth::delete_account))
        .route("/account/profile", get(auth::profile))
        .route("/api/whoami", get(auth::whoami))
        .route("/api/keys", post(keys::create).get(keys::list))
        .route("/api/keys/{id}", delete(keys::revoke))
        .route("/api/memories", post(memories::store).get(memories::list))
        .route("/api/memories/query", get(memories::query))
        .route("/api/memories/{id}", delete(memories::delete))
        .route("/admin/signin", post(admin::signin))
        .route("/admin/customers/{id}", get(admin::customer))
        .route("/stable/version.json", get(admin::version_json))
        .route("/stable/plume-demo-agent.bin", get(admin::binary))
        .route("/stable/SHA256SUMS", get(admin::sums))
        .route(
            "/_faults/{name}",
            put(admin::fault_on).delete(admin::fault_off),
        )
        .fallback(not_found)
        .with_state(state)
}

fn mcp_router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(public::mcp_health))
        .route(
            "/.well-known/oauth-protected-resource",
            get(public::protected_resource),
        )
        .route("/sse", get(mcp::events))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> axum::response::Response {
    error(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// Binds both listeners and serves them until the process ends. With the
/// `admin-down` fault the admin port is bound and released again, so it
/// refuses connections.
pub async fn start(options: Options) -> anyhow::Result<Addresses> {
    let admin = tokio::net::TcpListener::bind(("127.0.0.1", options.admin_port)).await?;
    let mcp = tokio::net::TcpListener::bind(("127.0.0.1", options.mcp_port)).await?;
    let addresses = Addresses {
        admin: admin.local_addr()?,
        mcp: mcp.local_addr()?,
    };
    let state = AppState::new(
        options.faults.clone(),
        options.admin_password,
        addresses.admin_url(),
    );
    if options.faults.on(Fault::AdminDown) {
        drop(admin);
    } else {
        let app = admin_router(state.clone());
        tokio::spawn(async move { axum::serve(admin, app).await });
    }
    let app = mcp_router(state);
    tokio::spawn(async move { axum::serve(mcp, app).await });
    Ok(addresses)
}

/// Starts the service on its own thread and runtime (for tests and tools
/// that are not async); it runs until the process ends.
pub fn start_in_background(options: Options) -> anyhow::Result<Addresses> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("demo-service".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(anyhow::Error::from(e)));
                    return;
                }
            };
            runtime.block_on(async move {
                let _ = tx.send(start(options).await);
                std::future::pending::<()>().await;
            });
        })?;
    rx.recv()?
}
