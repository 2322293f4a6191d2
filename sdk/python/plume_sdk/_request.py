"""RequestBuilder: `ctx.get(url).bearer(token).send()`, the contract's request
record built up and sent through `http`."""

from __future__ import annotations

import json as _json
from typing import Any

from componentize_py_types import Err
from wit_world.imports import http

from ._outcome import http_call
from ._response import DigestResponse, Response
from ._stream import Stream


class RequestBuilder:
    """A request being built: `ctx.get(url).bearer(token).send()`."""

    def __init__(self, method: str, url: str) -> None:
        self.request = http.Request(method, url, [], None, None, http.RedirectPolicy_None_())

    def header(self, name: str, value: str) -> "RequestBuilder":
        self.request.headers.append((name, str(value)))
        return self

    def bearer(self, token: str) -> "RequestBuilder":
        return self.header("authorization", f"Bearer {token}")

    def json(self, value: Any) -> "RequestBuilder":
        self.request.body = _json.dumps(value).encode()
        return self.header("content-type", "application/json")

    def body(self, value: bytes | str) -> "RequestBuilder":
        self.request.body = value.encode() if isinstance(value, str) else value
        return self

    def timeout(self, ms: int) -> "RequestBuilder":
        self.request.timeout_ms = ms
        return self

    def follow_redirects(self, hops: int) -> "RequestBuilder":
        self.request.redirects = http.RedirectPolicy_Follow(hops)
        return self

    def send(self) -> Response:
        """Sends and reads the whole body; an HTTP error ends the check as `err`."""
        return Response(http_call(lambda: http.send(self.request)))

    def try_send(self) -> Response | http.HttpError:
        """Sends; returns the response, or the HTTP error for inspection."""
        try:
            return Response(http.send(self.request))
        except Err as e:
            return e.value

    def open(self) -> Stream:
        """Sends and returns once the headers arrive."""
        return Stream(http_call(lambda: http.open(self.request)))

    def fetch_digest(self) -> DigestResponse:
        """Streams the body through SHA-256 on the host."""
        return DigestResponse(http_call(lambda: http.fetch_digest(self.request)))
