//! `plume:check/assert`: the guest's door to [`crate::matchers`].
//!
//! Every language's SDK calls these, so a failure reads the same whichever
//! language a plugin is written in. A body larger than `max-body-mib` (no
//! response the host hands over is larger) is a quota breach that ends the
//! instance; a large body is parsed off the runtime's workers
//! ([`super::offload`]). [`AssertView`] is all it reaches of the Store.

use wasmtime::component::HasData;

use crate::engine::bindings::assert::{Headers, Host, JsonKind};
use crate::engine::state::{Pending, StoreState};
use crate::limits::{Quota, QuotaExceeded, bytes};
use crate::matchers::{self, JsonKind as Kind};
use crate::record::ledger::Ledger;

use super::offload;

fn to_kind(k: JsonKind) -> Kind {
    match k {
        JsonKind::Null => Kind::Null,
        JsonKind::Boolean => Kind::Boolean,
        JsonKind::Number => Kind::Number,
        JsonKind::String => Kind::String,
        JsonKind::Array => Kind::Array,
        JsonKind::Object => Kind::Object,
    }
}

/// What `plume:check/assert` reaches: the run's body limit, the run's
/// redactor (through the ledger: the excerpts a failure quotes are masked),
/// and the call the check waits on (a large body names itself there).
pub struct AssertView<'a> {
    /// `max-body-mib`, in bytes: the largest body (with the call's other
    /// arguments) an assertion takes.
    pub max_body_bytes: u64,
    pub ledger: &'a Ledger,
    pub pending: &'a mut Pending,
}

/// Names [`AssertView`] for the linker.
pub struct Assert;

impl HasData for Assert {
    type Data<'a> = AssertView<'a>;
}

/// The assert capability's view of `state`.
pub fn view(state: &mut StoreState) -> AssertView<'_> {
    AssertView {
        max_body_bytes: state.run.limits.max_body_bytes,
        ledger: &state.run.ledger,
        pending: &mut state.pending,
    }
}

impl AssertView<'_> {
    /// Runs `matcher` on `body`, after checking its size against the quota.
    /// `args` is the size of the call's other arguments (a needle, a
    /// pattern, an expected value or status list): they count with the body,
    /// against the quota and towards running the work off the workers.
    async fn on_body<T: Send + 'static>(
        &mut self,
        call: &str,
        body: Vec<u8>,
        args: usize,
        matcher: impl FnOnce(&[u8]) -> T + Send + 'static,
    ) -> wasmtime::Result<T> {
        let limit = self.max_body_bytes;
        let size = body.len() as u64 + args as u64;
        if size > limit {
            return Err(QuotaExceeded {
                quota: Quota::AssertBytes,
                what: if args < 1024 {
                    format!("assert.{call} was given a {} body", bytes(size))
                } else {
                    format!(
                        "assert.{call} was given a {} body and {} of other arguments",
                        bytes(body.len() as u64),
                        bytes(args as u64)
                    )
                },
                limit: bytes(limit),
            }
            .into());
        }
        self.pending
            .start(format!("assert.{call} on a {} body", bytes(size)));
        let redactor = self.ledger.redactor();
        let verdict = offload::run(body.len() + args, move || {
            matchers::redacting_with(redactor, || matcher(&body))
        })
        .await;
        self.pending.end();
        verdict
    }
}

impl Host for AssertView<'_> {
    async fn status_in(
        &mut self,
        status: u16,
        expected: Vec<u16>,
        body: Vec<u8>,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body("status-in", body, expected.len() * 2, move |b| {
            matchers::status_in(status, &expected, b)
        })
        .await
    }
    async fn json_exists(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body("json-exists", body, pointer.len(), move |b| {
            matchers::json_exists(b, &pointer)
        })
        .await
    }
    async fn json_equals(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        expected: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body(
            "json-equals",
            body,
            pointer.len() + expected.len(),
            move |b| matchers::json_equals(b, &pointer, &expected),
        )
        .await
    }
    async fn json_matches(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        regex: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body(
            "json-matches",
            body,
            pointer.len() + regex.len(),
            move |b| matchers::json_matches(b, &pointer, &regex),
        )
        .await
    }
    async fn json_type(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        kind: JsonKind,
    ) -> wasmtime::Result<Result<(), String>> {
        let kind = to_kind(kind);
        self.on_body("json-type", body, pointer.len(), move |b| {
            matchers::json_type(b, &pointer, kind)
        })
        .await
    }
    async fn json_non_empty(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body("json-non-empty", body, pointer.len(), move |b| {
            matchers::json_non_empty(b, &pointer)
        })
        .await
    }
    async fn json_get(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<String, String>> {
        self.on_body("json-get", body, pointer.len(), move |b| {
            matchers::json_get(b, &pointer)
        })
        .await
    }
    async fn header_present(
        &mut self,
        headers: Headers,
        name: String,
    ) -> wasmtime::Result<Result<(), String>> {
        let redactor = self.ledger.redactor();
        Ok(matchers::redacting_with(redactor, || {
            matchers::header_present(&headers, &name)
        }))
    }
    async fn header_matches(
        &mut self,
        headers: Headers,
        name: String,
        regex: String,
    ) -> wasmtime::Result<Result<(), String>> {
        let size: usize = headers.iter().map(|(k, v)| k.len() + v.len()).sum();
        let redactor = self.ledger.redactor();
        offload::run(size, move || {
            matchers::redacting_with(redactor, || {
                matchers::header_matches(&headers, &name, &regex)
            })
        })
        .await
    }
    async fn body_contains(
        &mut self,
        body: Vec<u8>,
        needle: String,
    ) -> wasmtime::Result<Result<(), String>> {
        self.on_body("body-contains", body, needle.len(), move |b| {
            matchers::body_contains(b, &needle)
        })
        .await
    }
}
