"""Stream: a response whose headers arrived and whose body is read in chunks,
each read with its own deadline, so a check can tell "nothing before the
deadline" from "200 headers arrived, then the stream stayed open"."""

from __future__ import annotations

import json as _json

from wit_world.imports import assert_, clock, http

from ._outcome import fail, halt_on_err, http_call


class Stream:
    """An open response: headers arrived, the body is read chunk by chunk."""

    def __init__(self, opened: tuple[http.ResponseHead, http.BodyStream]) -> None:
        head, self._body = opened
        self.status: int = head.status
        self.headers: list[tuple[str, str]] = head.headers
        self.elapsed_ms: int = head.elapsed_ms

    def expect_status(self, expected: list[int]) -> "Stream":
        """When the status is not expected, up to 2 KiB of the body (what arrives
        within 250 ms) goes into the failure."""
        if self.status in expected:
            return self
        excerpt = self._excerpt(2048, 250)
        halt_on_err(self.status, lambda: assert_.status_in(self.status, list(expected), excerpt))
        return self

    def _excerpt(self, max_bytes: int, within_ms: int) -> bytes:
        start = clock.now_ms()
        seen = b""
        while len(seen) < max_bytes:
            left = within_ms - (clock.now_ms() - start)
            if left <= 0:
                break
            try:
                chunk = self._body.read(max_bytes - len(seen), left)
            except Exception:  # an error here leaves the excerpt as it is
                break
            if not isinstance(chunk, http.Chunk_Data):
                break
            seen += chunk.value
        return seen

    def expect_header_match(self, name: str, regex: str) -> "Stream":
        halt_on_err(self.status, lambda: assert_.header_matches(self.headers, name, regex))
        return self

    def read(self, max_bytes: int, timeout_ms: int) -> http.Chunk:
        """`Chunk_Data`, `Chunk_End` or `Chunk_Idle` within `timeout_ms`."""
        return http_call(lambda: self._body.read(max_bytes, timeout_ms))

    def expect_open_for(self, hold_ms: int) -> int:
        """Requires the stream to stay open for `hold_ms`; returns the bytes that arrived."""
        start = clock.now_ms()
        received = 0
        while True:
            left = hold_ms - (clock.now_ms() - start)
            if left <= 0:
                return received
            chunk = self.read(65536, left)
            if isinstance(chunk, http.Chunk_Data):
                received += len(chunk.value)
            elif isinstance(chunk, http.Chunk_End):
                after = clock.now_ms() - start
                fail(self.status, f"the stream closed after {after} ms ({received} bytes); "
                                  f"expected it open for {hold_ms} ms")

    def read_until(self, needle: str, within_ms: int) -> str:
        """Reads until the body contains `needle` or `within_ms` passes; returns what was read."""
        start = clock.now_ms()
        seen = b""
        while True:
            if needle.encode() in seen:
                return seen.decode("utf-8", errors="replace")
            left = within_ms - (clock.now_ms() - start)
            chunk = self.read(65536, left) if left > 0 else http.Chunk_Idle()
            if isinstance(chunk, http.Chunk_Data):
                seen += chunk.value
                continue
            ended = "the stream ended" if isinstance(chunk, http.Chunk_End) else "timed out"
            after = clock.now_ms() - start
            text = seen[:160].decode("utf-8", errors="replace")
            fail(self.status, f"{ended} after {after} ms without {_json.dumps(needle)}; read: {text}")
