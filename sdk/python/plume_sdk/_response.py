"""Response and DigestResponse and their assertions. Every assertion runs on
the host (`assert_`), so a failure reads the same from every guest language."""

from __future__ import annotations

import json as _json
from typing import Any, Callable, Optional

from wit_world.imports import assert_, http

from ._outcome import Halt, halt_on_err

JsonKind = assert_.JsonKind


def _header(headers: list[tuple[str, str]], name: str) -> Optional[str]:
    want = name.lower()
    return next((v for k, v in headers if k.lower() == want), None)


class Response:
    """A whole response and its host-side assertions."""

    def __init__(self, r: http.Response) -> None:
        self.status: int = r.status
        self.headers: list[tuple[str, str]] = r.headers
        self.body: bytes = r.body
        self.elapsed_ms: int = r.elapsed_ms

    def _check(self, call: Callable[[], None]) -> "Response":
        halt_on_err(self.status, call)
        return self

    def expect_status(self, expected: list[int]) -> "Response":
        return self._check(lambda: assert_.status_in(self.status, list(expected), self.body))

    def expect_json(self, pointer: str) -> "Response":
        return self._check(lambda: assert_.json_exists(self.body, pointer))

    def expect_json_eq(self, pointer: str, expected: Any) -> "Response":
        text = _json.dumps(expected)
        return self._check(lambda: assert_.json_equals(self.body, pointer, text))

    def expect_json_match(self, pointer: str, regex: str) -> "Response":
        return self._check(lambda: assert_.json_matches(self.body, pointer, regex))

    def expect_json_type(self, pointer: str, kind: assert_.JsonKind) -> "Response":
        return self._check(lambda: assert_.json_type(self.body, pointer, kind))

    def expect_non_empty(self, pointer: str) -> "Response":
        return self._check(lambda: assert_.json_non_empty(self.body, pointer))

    def expect_header(self, name: str) -> "Response":
        return self._check(lambda: assert_.header_present(self.headers, name))

    def expect_header_match(self, name: str, regex: str) -> "Response":
        return self._check(lambda: assert_.header_matches(self.headers, name, regex))

    def expect_contains(self, needle: str) -> "Response":
        return self._check(lambda: assert_.body_contains(self.body, needle))

    def json_str(self, pointer: str) -> str:
        return halt_on_err(self.status, lambda: assert_.json_get(self.body, pointer))

    def json(self) -> Any:
        try:
            return _json.loads(self.body)
        except ValueError as e:
            raise Halt("err", self.status, f"expected a JSON body: {e}") from None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> Optional[str]:
        return _header(self.headers, name)


class DigestResponse:
    """A body hashed by the host as it streamed."""

    def __init__(self, d: http.DigestResponse) -> None:
        self.status: int = d.status
        self.headers: list[tuple[str, str]] = d.headers
        self.bytes: int = d.bytes
        self.sha256: str = d.sha256
        self.elapsed_ms: int = d.elapsed_ms

    def expect_status(self, expected: list[int]) -> "DigestResponse":
        halt_on_err(self.status, lambda: assert_.status_in(self.status, list(expected), b""))
        return self

    def header(self, name: str) -> Optional[str]:
        return _header(self.headers, name)


# The name DigestResponse had before it matched Rust's and JavaScript's.
Digest = DigestResponse
