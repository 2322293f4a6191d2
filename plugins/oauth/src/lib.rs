//! `oauth`: an authorization server's public surface and its flows, checked
//! the way a client uses them (seed 001's discovery and oauth groups).
//!
//! Group `discovery` needs no credentials: RFC 8414 metadata (and the OpenID
//! Connect discovery document where the server has both). Group `resource`:
//! RFC 9728 protected-resource metadata and the challenge on a 401, which do
//! not gate the flow. Group `flow` (after `discovery`) runs with a
//! configured test client or one it registers (RFC 7591), signs a test user
//! in through the server's own sign-in form, and follows the authorization
//! code with PKCE (RFC 7636), the ID token (OIDC Core §3.1.3.7), the negative
//! paths sent with the signed-in session, the token on the resource, refresh
//! rotation and reuse, and revocation (RFC 7009). Without a client or a
//! password the flow checks skip, saying which is missing.
//! See `plugins/oauth/README.md`.

mod answer;
mod client_auth;
mod config;
mod discovery;
mod flow;
mod html;
mod id_token;
mod lifecycle;
mod masked;
mod negative;
mod settings;
mod signin;
mod web;

use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    settings::load();
    Plugin::new("oauth", env!("CARGO_PKG_VERSION"))
        .config(plume_sdk::config_keys::<config::Config>())
        .secrets(&["password", "client_secret"])
        .group("discovery", &[], |g| {
            g.check("as_metadata.keys", discovery::as_keys)
                .check("as_metadata.pkce_s256", discovery::pkce_s256)
        })
        // The resource's own answers do not gate the flow: it runs whatever they are.
        .group("resource", &[], |g| {
            g.check("metadata", discovery::resource_metadata)
                .check("www_authenticate.on_401", discovery::www_authenticate)
        })
        .group("flow", &["discovery"], |g| {
            g.check("client", flow::client)
                .check("authorize.sign_in_redirect", flow::sign_in_redirect)
                .check("code.pkce_s256", flow::code_with_pkce)
                .check("id_token.verified", id_token::verified)
                // While the sign-in's session and grant are fresh.
                .check("negative.missing_pkce", negative::missing_pkce)
                .check(
                    "negative.redirect_uri_mismatch",
                    negative::redirect_mismatch,
                )
                .check("negative.unknown_client", negative::unknown_client)
                .check("token.works_on_resource", lifecycle::token_works)
                .check("refresh.rotates", lifecycle::refresh_rotates)
                .check("refresh.reuse_rejected", lifecycle::reuse_rejected)
                .check("revoke.access_token", lifecycle::revoke)
        })
}

plume_sdk::export_plugin!(plugin);
