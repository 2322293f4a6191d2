//! `oauth`: an authorization server's public surface and its flows, checked
//! the way a client uses them (seed 001's discovery and oauth groups).
//!
//! Group `discovery` needs no credentials: RFC 8414 metadata, RFC 9728
//! protected-resource metadata, and the challenge on a 401. Group `flow`
//! (after `discovery`) runs with a configured test client or one it
//! registers (RFC 7591), signs a test user in through the server's own
//! sign-in form, and follows the authorization code with PKCE (RFC 7636),
//! the token on the resource, refresh rotation and reuse, revocation
//! (RFC 7009), and the negative paths with their error codes. Without a
//! client or a password the flow checks skip, saying which is missing.
//! See `plugins/oauth/README.md`.

mod client_auth;
mod discovery;
mod flow;
mod html;
mod masked;
mod negative;
mod settings;
mod signin;
mod web;

use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    settings::check_require();
    Plugin::new("oauth", env!("CARGO_PKG_VERSION"))
        .config(&settings::KEYS)
        .secrets(&["password", "client_secret"])
        .group("discovery", &[], |g| {
            g.check("as_metadata.keys", discovery::as_keys)
                .check("as_metadata.pkce_s256", discovery::pkce_s256)
                .check("resource_metadata", discovery::resource_metadata)
                .check("www_authenticate.on_401", discovery::www_authenticate)
        })
        .group("flow", &["discovery"], |g| {
            g.check("client", flow::client)
                .check("authorize.sign_in_redirect", flow::sign_in_redirect)
                .check("code.pkce_s256", flow::code_with_pkce)
                .check("token.works_on_resource", flow::token_works)
                .check("refresh.rotates", flow::refresh_rotates)
                .check("revoke.access_token", flow::revoke)
                .check("refresh.reuse_rejected", flow::reuse_rejected)
                .check("negative.missing_pkce", negative::missing_pkce)
                .check(
                    "negative.redirect_uri_mismatch",
                    negative::redirect_mismatch,
                )
                .check("negative.unknown_client", negative::unknown_client)
        })
}

plume_sdk::export_plugin!(plugin);
