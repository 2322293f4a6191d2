//! The demo suite's product plugin: smoke checks for `examples/demo-service`
//! in the style of the field reports — markers that must come back, writes
//! read back, negative paths with their exact codes, status plus shape. The
//! demo suite gives its public JSON to the `http` pack and its release channel
//! to the `release-artifact` pack (`plugins/`), so this plugin holds only what
//! is specific to the product.
//!
//! Config: `admin_url`, `mcp_url`, `admin_email`. Secret: `admin_password`
//! (the admin group skips without it).

mod account;
mod admin;
mod apikeys;
mod auth;
mod discovery;
mod health;
mod memories;
mod sse;

use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    Plugin::new("demo", "0.1.0")
        .config(&["admin_url", "mcp_url", "admin_email"])
        .secrets(&["admin_password"])
        .group("health", &[], |g| {
            g.check("admin.up", health::admin_up)
                .check("mcp.up", health::mcp_up)
                .check("versions.agree", health::versions_agree)
        })
        .group("discovery", &[], |g| {
            g.check("as_metadata.keys", discovery::as_keys)
                .check("as_metadata.issuer", discovery::issuer)
                .check("as_metadata.endpoints", discovery::endpoints)
                .check("as_metadata.pkce_s256", discovery::pkce_s256)
                .check("resource_metadata.mcp", discovery::resource_metadata)
                .check("www_authenticate.on_401", discovery::www_authenticate)
        })
        .group("account", &["health"], |g| {
            g.check("signup.creates", account::signup)
                .check("signin.session", account::signin)
                .check("session.profile", account::profile)
                .check("apikey.shared", account::shared_key)
        })
        .group("auth", &["account"], |g| {
            g.check("signup.duplicate_409", auth::duplicate)
                .check("signup.weak_password_400", auth::weak_password)
                .check("signin.wrong_password_401", auth::wrong_password)
                .check("logout.revokes_session", auth::logout)
        })
        .group("apikeys", &["account"], |g| {
            g.check("create", apikeys::create)
                .check("use.whoami", apikeys::use_key)
                .check("list.prefix_only", apikeys::list_prefix_only)
                .check("revoke", apikeys::revoke)
                .check("revoked.rejected", apikeys::revoked_rejected)
                .check("invalid_key.401", apikeys::invalid_key)
        })
        .group("memories", &["account"], |g| {
            g.check("store.empty_rejected", memories::empty_rejected)
                .check("store.marker", memories::store_marker)
                .check("store.dedup_same_id", memories::dedup)
                .check("list.one_row", memories::one_row)
                .check("query.marker_present", memories::query_marker)
                .check("delete.removes", memories::delete_removes)
                .check("unauthorized.401", memories::unauthorized)
        })
        .group("sse", &["account"], |g| {
            g.check("no_token.401", sse::no_token)
                .check("bad_token.401", sse::bad_token)
                .check("key.stream_open", sse::stream_open)
                .check("key.ready_event", sse::ready_event)
        })
        .group("admin", &["account"], |g| {
            g.check("signin", admin::signin)
                .check("customer.detail", admin::customer_detail)
                .check("customer.billing_plan", admin::billing_plan)
                .check("customer.unknown_404", admin::unknown_customer)
                .check("non_admin.403", admin::non_admin)
        })
}

/// The admin listener's URL.
fn admin_url(ctx: &Ctx) -> Result<String, Halt> {
    Ok(ctx.config("admin_url")?.trim_end_matches('/').to_owned())
}

/// The MCP listener's URL.
fn mcp_url(ctx: &Ctx) -> Result<String, Halt> {
    Ok(ctx.config("mcp_url")?.trim_end_matches('/').to_owned())
}

plume_sdk::export_plugin!(plugin);
