//! `plume-sdk`: write Plume check plugins in Rust.
//!
//! A check is one function; registering it is one line:
//!
//! ```ignore
//! use plume_sdk::prelude::*;
//!
//! fn plugin() -> Plugin {
//!     Plugin::new("shop", "1.0.0")
//!         .config(&["base_url"])
//!         .group("health", &[], |g| g.check("up", health_up))
//! }
//!
//! fn health_up(ctx: &mut Ctx) -> Check {
//!     let base = ctx.config("base_url")?;
//!     let resp = ctx.get(format!("{base}/health")).send()?;
//!     resp.expect_status(&[200])?.expect_json_eq("/status", "ok")?;
//!     ok(resp.status, format!("served in {} ms", resp.elapsed_ms))
//! }
//!
//! plume_sdk::export_plugin!(plugin);
//! ```
//!
//! Build with `cargo build --target wasm32-wasip2 --release`; the `.wasm` in
//! `target/wasm32-wasip2/release/` is the component a suite file points at.

mod config_table;
mod ctx;
mod outcome;
mod plugin;
mod request;
mod response;
mod retry;
mod stream;

#[doc(hidden)]
pub mod __bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin_world",
        default_bindings_module: "plume_sdk::__bindings",
    });
}

pub use config_table::{ConfigError, config_keys, config_table, config_table_or_reject};
pub use ctx::{Ctx, Hasher, config_value, mask_secret, reject_config, sha256};
pub use outcome::{Check, Halt, Pass, describe_error, fail, ok, skip};
pub use plugin::{Group, Plugin, running_group};
pub use request::RequestBuilder;
pub use response::{DigestResponse, JsonKind, Response};
pub use retry::{AttemptKind, Settled, attempt_failed, eventually, retried};
pub use stream::{Chunk, Stream};

/// What a server presents in its TLS handshake ([`Ctx::tls`]).
pub use __bindings::plume::check::tls::{Certificate, Peer};

/// The contract's HTTP error, for checks that inspect why a request failed.
pub use __bindings::plume::check::http::HttpError;

/// Everything a plugin usually needs.
pub mod prelude {
    pub use crate::{
        Check, Chunk, Ctx, Group, Halt, HttpError, JsonKind, Plugin, Response, Stream, eventually,
        fail, ok, retried, sha256, skip,
    };
    pub use std::time::Duration;
}

#[doc(hidden)]
pub use plugin::{__describe, __run_check};

/// Exports a plugin: pass the function that builds its [`Plugin`].
#[macro_export]
macro_rules! export_plugin {
    ($build:path) => {
        struct __PlumePlugin;

        impl $crate::__bindings::Guest for __PlumePlugin {
            fn describe() -> $crate::__bindings::plume::check::types::PluginInfo {
                $crate::__describe($build)
            }

            fn run_check(
                group: ::std::string::String,
                check: ::std::string::String,
            ) -> $crate::__bindings::plume::check::types::CheckResult {
                $crate::__run_check($build, &group, &check)
            }
        }

        $crate::__bindings::__export_plugin_world!(__PlumePlugin with_types_in $crate::__bindings);
    };
}
