//! Paths of the guest components the tests run, built from source by this
//! crate's build script (as wasmtime's test-programs artifacts are).
//!
//! Each constant is the absolute path of a `.wasm` component:
//! - [`BASIC`]: every outcome, group values, cleanups, secrets, markers, streaming;
//! - [`HOSTILE`]: loops, traps, panics, memory bombs, stack overflow, denied hosts;
//! - [`FORGER`]: texts that try to forge output lines, drive a terminal or leak a secret;
//! - [`HOG`]: takes more than its share: published bytes, cleanups, details, groups,
//!   checks, memory in every instance, loops on heavy host calls;
//! - [`MULTI_MEMORY`]: 32 core instances with a 62.5 MiB memory each (`wat/multi_memory.wat`);
//! - [`WRONG_WORLD`]: a component built against another version of the contract;
//! - [`CONTRACT_0_1_0`]: a plugin built against contract 0.1.0, which must keep loading;
//! - [`DEMO`]: the demo suite's product plugin (`examples/demo/plugin`);
//! - [`PACK_HTTP`], [`PACK_RELEASE_ARTIFACT`], [`PACK_TLS`], [`PACK_OAUTH`]: the check packs in `plugins/`;
//! - [`DEMO_JS`], [`DEMO_PY`]: its core ported to JavaScript and Python (`examples/js`, `examples/python`);
//! - [`TLS_JS`], [`TLS_PY`]: the `tls` interface from JavaScript and Python (`scripts/`).
//!
//! [`ALL`] lists every guest as `(placeholder, path)`; the end-to-end harness
//! replaces `@placeholder@` in a suite file with the path (`@basic@`,
//! `@multi@` for [`MULTI_MEMORY`], `@http@` for [`PACK_HTTP`]). The guests and
//! their placeholders are declared once, in `GUESTS` in `build.rs`, which
//! refuses to build while a guest is used by no test.

include!(concat!(env!("OUT_DIR"), "/guests.rs"));
