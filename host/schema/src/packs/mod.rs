//! The check packs' config types and the table of packs.
//!
//! Each pack keeps its config as serde types in its own `src/config.rs`,
//! which the pack parses; that file is compiled here too (`#[path]`,
//! natively, with this crate's `schema` feature on, so its types derive
//! `JsonSchema`), and each pack's schema is derived from it. There is no
//! second copy of a pack's keys: the pack declares its struct's field names
//! (`plume inspect`), and `tests/e2e/schema.rs` compares them with the
//! schema's keys.

// A pack's helpers on its types are not used here: only their shapes.
#[allow(dead_code)]
#[path = "../../../../plugins/http/src/config.rs"]
mod http;
#[allow(dead_code)]
#[path = "../../../../plugins/oauth/src/config.rs"]
mod oauth;
#[allow(dead_code)]
#[path = "../../../../plugins/release-artifact/src/config.rs"]
mod release_artifact;
#[allow(dead_code)]
#[path = "../../../../plugins/tls/src/config.rs"]
mod tls;

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
