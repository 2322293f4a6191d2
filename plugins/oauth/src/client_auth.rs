//! How the client authenticates at the token and revocation endpoints: a
//! public client sends its `client_id`; a confidential one (a
//! `client_secret` secret) uses `client_secret_basic` (RFC 6749 §2.3.1) or
//! `client_secret_post`, as `token_endpoint_auth_method` says or, by
//! default, as the server's `token_endpoint_auth_methods_supported` allows
//! (basic first; RFC 8414's default when the server lists none).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use plume_sdk::prelude::*;

use crate::config::METHODS;
use crate::settings::config;
use crate::web::{encode, form};

/// How this run's client authenticates.
pub enum ClientAuth {
    Public,
    Basic(String),
    Post(String),
}

impl ClientAuth {
    pub fn is_public(&self) -> bool {
        matches!(self, ClientAuth::Public)
    }

    /// How it is named in a line.
    pub fn name(&self) -> &'static str {
        match self {
            ClientAuth::Public => "a public client",
            ClientAuth::Basic(_) => "client_secret_basic",
            ClientAuth::Post(_) => "client_secret_post",
        }
    }
}

/// The client's authentication method, from its secret, the config and the
/// server's metadata.
pub fn client_auth(ctx: &Ctx) -> Result<ClientAuth, Halt> {
    let Some(secret) = ctx.secret_opt("client_secret").filter(|s| !s.is_empty()) else {
        return Ok(ClientAuth::Public);
    };
    // `Config::check` refused any other method before the run.
    let method = match &config()?.token_endpoint_auth_method {
        Some(m) => m.clone(),
        None => by_metadata(ctx)?.to_owned(),
    };
    Ok(if method == "client_secret_post" {
        ClientAuth::Post(secret)
    } else {
        ClientAuth::Basic(secret)
    })
}

/// The first method the server's metadata supports.
fn by_metadata(ctx: &Ctx) -> Result<&'static str, Halt> {
    let Ok(listed) = ctx.published("discovery", "token_endpoint_auth_methods_supported") else {
        return Ok(METHODS[0]);
    };
    let supported: Vec<String> = serde_json::from_str(&listed).unwrap_or_default();
    METHODS
        .into_iter()
        .find(|m| supported.iter().any(|s| s == m))
        .ok_or_else(|| {
            Halt::err(format!(
                "the server's token_endpoint_auth_methods_supported {listed} has neither \
                 client_secret_basic nor client_secret_post, which a client_secret needs"
            ))
        })
}

/// A form post to `url` (token, revocation) authenticated as `client_id`.
pub fn authenticated_post(
    ctx: &Ctx,
    url: &str,
    client_id: &str,
    pairs: &[(&str, &str)],
) -> Result<Response, Halt> {
    let auth = client_auth(ctx)?;
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    let mut request = ctx
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    match &auth {
        ClientAuth::Public => all.push(("client_id", client_id)),
        ClientAuth::Post(secret) => {
            all.push(("client_id", client_id));
            all.push(("client_secret", secret));
        }
        ClientAuth::Basic(secret) => {
            let pair = format!("{}:{}", encode(client_id), encode(secret));
            request = request.header("authorization", format!("Basic {}", STANDARD.encode(pair)));
        }
    }
    request.body(form(&all)).send()
}
