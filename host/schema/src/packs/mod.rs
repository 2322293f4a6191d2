//! The check packs' config types, one module per pack, and the table of packs.
//!
//! The `http` pack reads its config through serde types (its `spec.rs`,
//! compiled here); the other packs read each key as text with `ctx.config`,
//! so their keys are written down here as types, with the README's words.
//! `tests/e2e/schema.rs` compares each schema's keys with the keys the built
//! pack declares (`plume inspect`), so the two cannot drift apart unseen.

pub mod http;
pub mod oauth;
pub mod release_artifact;
pub mod tls;

use schemars::JsonSchema;

/// One check pack.
pub struct Pack {
    /// The pack's name, as its README and `plume inspect` give it.
    pub name: &'static str,
    /// The component's file name in `target/wasm32-wasip2/release/`: how a
    /// suite's `path` names the pack.
    pub component: &'static str,
    /// Where its schema lives, relative to the workspace root.
    pub schema_path: &'static str,
    pub schema: fn() -> serde_json::Value,
}

/// Every pack in `plugins/`.
pub const PACKS: [Pack; 4] = [
    Pack {
        name: "http",
        component: "plume_pack_http.wasm",
        schema_path: "plugins/http/config.schema.json",
        schema: || document::<http::Config>("http"),
    },
    Pack {
        name: "oauth",
        component: "plume_pack_oauth.wasm",
        schema_path: "plugins/oauth/config.schema.json",
        schema: || document::<oauth::Config>("oauth"),
    },
    Pack {
        name: "release-artifact",
        component: "plume_pack_release_artifact.wasm",
        schema_path: "plugins/release-artifact/config.schema.json",
        schema: || document::<release_artifact::Config>("release-artifact"),
    },
    Pack {
        name: "tls",
        component: "plume_pack_tls.wasm",
        schema_path: "plugins/tls/config.schema.json",
        schema: || document::<tls::Config>("tls"),
    },
];

fn document<T: JsonSchema>(pack: &str) -> serde_json::Value {
    plume::suite::schema::document::<T>(&format!("[plugins.NAME.config] of the {pack} pack"))
}
