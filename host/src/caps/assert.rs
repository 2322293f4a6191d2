//! `plume:check/assert`: the guest's door to [`crate::matchers`].
//!
//! Every language's SDK calls these, so a failure reads the same whichever
//! language a plugin is written in.

use crate::bindings::assert::{Headers, Host, JsonKind};
use crate::matchers::{self, JsonKind as Kind};
use crate::state::StoreState;

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

impl Host for StoreState {
    fn status_in(
        &mut self,
        status: u16,
        expected: Vec<u16>,
        body: Vec<u8>,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::status_in(status, &expected, &body))
    }
    fn json_exists(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::json_exists(&body, &pointer))
    }
    fn json_equals(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        expected: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::json_equals(&body, &pointer, &expected))
    }
    fn json_matches(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        regex: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::json_matches(&body, &pointer, &regex))
    }
    fn json_type(
        &mut self,
        body: Vec<u8>,
        pointer: String,
        kind: JsonKind,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::json_type(&body, &pointer, to_kind(kind)))
    }
    fn json_non_empty(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::json_non_empty(&body, &pointer))
    }
    fn json_get(
        &mut self,
        body: Vec<u8>,
        pointer: String,
    ) -> wasmtime::Result<Result<String, String>> {
        Ok(matchers::json_get(&body, &pointer))
    }
    fn header_present(
        &mut self,
        headers: Headers,
        name: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::header_present(&headers, &name))
    }
    fn header_matches(
        &mut self,
        headers: Headers,
        name: String,
        regex: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::header_matches(&headers, &name, &regex))
    }
    fn body_contains(
        &mut self,
        body: Vec<u8>,
        needle: String,
    ) -> wasmtime::Result<Result<(), String>> {
        Ok(matchers::body_contains(&body, &needle))
    }
}
