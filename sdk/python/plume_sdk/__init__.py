"""plume-sdk for Python: write Plume check plugins as one function per check
and one registration line, built into a component with componentize-py.

The same shape as the Rust SDK (sdk/rust): the assertions run on the host,
so a failure reads the same in every language.

    from plume_sdk import Plugin, Ctx, Result, ok

    def api_up(ctx: Ctx) -> Result:
        resp = ctx.get(f"{ctx.config('base_url')}/health").send()
        resp.expect_status([200]).expect_json_eq("/status", "ok")
        return ok(resp.status, f"served in {resp.elapsed_ms} ms")

    plugin = (Plugin("shop", "1.0.0")
              .config(["base_url"])
              .group("health", [], lambda g: g.check("api.up", api_up)))

    WitWorld = plugin.world()
"""

from __future__ import annotations

import json as _json
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar

from componentize_py_types import Err
from wit_world.imports import assert_, cleanup, clock, config, digest, http, log, tls, types

JsonKind = assert_.JsonKind
T = TypeVar("T")


@dataclass
class Result:
    """A passed check: the status its question turned on, and what it saw."""

    status: Optional[int]
    detail: str


class Halt(Exception):
    """A check that stopped early: `err` with what went wrong, or `skip` with why not."""

    def __init__(self, outcome: str, status: Optional[int], detail: str) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.status = status
        self.detail = detail

    def context(self, what: str) -> "Halt":
        """Prefixes the detail with context: "signin: " + detail."""
        return Halt(self.outcome, self.status, f"{what}: {self.detail}")


def ok(status: Optional[int], detail: str) -> Result:
    """A passed check."""
    return Result(status, str(detail))


def skip(reason: str) -> Any:
    """Ends the check as skipped, with the reason a reader needs."""
    raise Halt("skip", None, str(reason))


def fail(status: Optional[int], detail: str) -> Any:
    """Ends the check as failed."""
    raise Halt("err", status, str(detail))


_ERROR_KINDS = {
    http.HttpError_Timeout: "timeout",
    http.HttpError_Connect: "connect",
    http.HttpError_Tls: "tls",
    http.HttpError_Denied: "denied",
    http.HttpError_TooLarge: "too-large",
    http.HttpError_Invalid: "invalid",
}


def describe_error(error: Any) -> str:
    """`kind: message` for an HTTP error (`connect: ...`).

    The one-line form stated in the doc of `http-error` in wit/plume.wit, as
    the host prints it.
    """
    return f"{_ERROR_KINDS.get(type(error), 'error')}: {error.value}"


def _halt(status: Optional[int], call: Callable[[], T]) -> T:
    try:
        return call()
    except Err as e:
        raise Halt("err", status, str(e.value)) from None


def _http(call: Callable[[], T]) -> T:
    try:
        return call()
    except Err as e:
        raise Halt("err", None, describe_error(e.value)) from None


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
        _halt(self.status, call)
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
        return _halt(self.status, lambda: assert_.json_get(self.body, pointer))

    def json(self) -> Any:
        try:
            return _json.loads(self.body)
        except ValueError as e:
            raise Halt("err", self.status, f"expected a JSON body: {e}") from None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> Optional[str]:
        return _header(self.headers, name)


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
        _halt(self.status, lambda: assert_.status_in(self.status, list(expected), excerpt))
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
        _halt(self.status, lambda: assert_.header_matches(self.headers, name, regex))
        return self

    def read(self, max_bytes: int, timeout_ms: int) -> http.Chunk:
        """`Chunk_Data`, `Chunk_End` or `Chunk_Idle` within `timeout_ms`."""
        return _http(lambda: self._body.read(max_bytes, timeout_ms))

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


class Digest:
    """A body hashed by the host as it streamed."""

    def __init__(self, d: http.DigestResponse) -> None:
        self.status: int = d.status
        self.headers: list[tuple[str, str]] = d.headers
        self.bytes: int = d.bytes
        self.sha256: str = d.sha256
        self.elapsed_ms: int = d.elapsed_ms

    def expect_status(self, expected: list[int]) -> "Digest":
        _halt(self.status, lambda: assert_.status_in(self.status, list(expected), b""))
        return self

    def header(self, name: str) -> Optional[str]:
        return _header(self.headers, name)


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
        return Response(_http(lambda: http.send(self.request)))

    def try_send(self) -> Response | http.HttpError:
        """Sends; returns the response, or the HTTP error for inspection."""
        try:
            return Response(http.send(self.request))
        except Err as e:
            return e.value

    def open(self) -> Stream:
        """Sends and returns once the headers arrive."""
        return Stream(_http(lambda: http.open(self.request)))

    def fetch_digest(self) -> Digest:
        """Streams the body through SHA-256 on the host."""
        return Digest(_http(lambda: http.fetch_digest(self.request)))


class Ctx:
    """What a running check can reach."""

    def __init__(self, group: str, check: str) -> None:
        self.group = group
        self.check = check

    def config(self, key: str) -> str:
        value = config.get(key)
        if value is None:
            fail(None, f"config `{key}` is not set: add it to the plugin's config table in the suite file")
        return value

    def config_opt(self, key: str) -> Optional[str]:
        return config.get(key)

    def secret(self, name: str) -> str:
        value = config.secret(name)
        if value is None:
            skip(f"no {name}")
        return value

    def publish(self, key: str, value: str) -> None:
        config.publish(key, str(value))

    def published(self, group: str, key: str) -> str:
        try:
            return config.published(group, key)
        except Err as e:
            return skip(e.value)

    def recall(self, key: str) -> str:
        try:
            return config.published(self.group, key)
        except Err:
            return skip(f"no `{key}`: the check of group {self.group} that makes it did not pass")

    def request(self, method: str, url: str) -> RequestBuilder:
        return RequestBuilder(method, url)

    def get(self, url: str) -> RequestBuilder:
        return self.request("GET", url)

    def post(self, url: str) -> RequestBuilder:
        return self.request("POST", url)

    def put(self, url: str) -> RequestBuilder:
        return self.request("PUT", url)

    def patch(self, url: str) -> RequestBuilder:
        return self.request("PATCH", url)

    def delete(self, url: str) -> RequestBuilder:
        return self.request("DELETE", url)

    def defer(self, label: str, request: RequestBuilder) -> None:
        """Registers a request the host runs when the run ends, newest first."""
        cleanup.defer(label, request.request)

    def marker(self) -> str:
        return log.marker()

    def tls(self, url: str) -> tls.Peer:
        """What `url`'s server presents in its TLS handshake (contract 0.1.1):
        `version`, `chain` (leaf first: `subject`, `issuer`, `names`,
        `not_before`, `not_after`), `chain_error`, `name_matches`; reported
        even when the certificate would be refused."""
        return _http(lambda: tls.inspect(url, None))

    def debug(self, message: str) -> None:
        log.write(log.Level.DEBUG, str(message))

    def info(self, message: str) -> None:
        log.write(log.Level.INFO, str(message))

    def warn(self, message: str) -> None:
        log.write(log.Level.WARN, str(message))


def reject_config(key: str, message: str) -> Any:
    """Refuses the plugin's config (contract 0.1.2): `key` is the offending
    value's path inside the plugin's config table (`checks[3].expect`, "" for
    the table itself), `message` what is wrong and how to fix it. Called while
    the Plugin is built, plume stops before any check with one line naming the
    suite file's line and column. It never returns: the host ends the instance."""
    config.reject(str(key), str(message))
    raise RuntimeError("unreachable: the host ends the instance in config.reject")


def sha256(data: bytes | str) -> str:
    """Lowercase hex SHA-256, computed by the host."""
    return digest.sha256(data.encode() if isinstance(data, str) else data)


@dataclass
class Settled:
    """A question that came true, and what it took."""

    value: Any
    attempts: int
    elapsed_ms: int

    def summary(self) -> str:
        tries = "attempt" if self.attempts == 1 else "attempts"
        return f"after {self.attempts} {tries} in {self.elapsed_ms} ms"


def eventually(deadline_ms: int, interval_ms: int, attempt: Callable[[int], Any]) -> Settled:
    """Calls `attempt(n)` every `interval_ms` until it returns without an `err`,
    or `deadline_ms` passes. A skip ends at once."""
    start = clock.now_ms()
    n = 0
    while True:
        n += 1
        try:
            value = attempt(n)
            return Settled(value, n, clock.now_ms() - start)
        except Halt as h:
            if h.outcome == "skip":
                raise
            elapsed = clock.now_ms() - start
            if elapsed + interval_ms > deadline_ms:
                raise Halt("err", h.status, f"still failing after {n} attempts in {elapsed} ms: {h.detail}") from None
            clock.sleep(interval_ms)


CheckFn = Callable[[Ctx], Result]


class Group:
    """Checks that run in order on one instance, after the groups they depend on."""

    def __init__(self, name: str, depends_on: list[str]) -> None:
        self.name = name
        self.depends_on = list(depends_on)
        self.checks: list[tuple[str, CheckFn]] = []

    def check(self, name: str, fn: CheckFn) -> "Group":
        """Registers a check; checks run in the order they are registered."""
        self.checks.append((name, fn))
        return self


class Plugin:
    """A plugin: its name, version, what it reads, and its groups in order."""

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version
        self.config_keys: list[str] = []
        self.secret_names: list[str] = []
        self.groups: list[Group] = []
        self._index: dict[tuple[str, str], Callable[["Ctx"], "Result"]] | None = None

    def config(self, keys: list[str]) -> "Plugin":
        self.config_keys.extend(keys)
        return self

    def secrets(self, names: list[str]) -> "Plugin":
        self.secret_names.extend(names)
        return self

    def group(self, name: str, depends_on: list[str], build: Callable[[Group], Group]) -> "Plugin":
        self.groups.append(build(Group(name, depends_on)))
        return self

    def describe(self) -> types.PluginInfo:
        groups = [types.GroupInfo(g.name, [n for n, _ in g.checks], g.depends_on) for g in self.groups]
        return types.PluginInfo(self.name, self.version, groups, self.config_keys, self.secret_names)

    def run_check(self, group: str, check: str) -> types.CheckResult:
        if self._index is None:
            # One index, built on the first call: a lookup per check stays
            # constant time however many checks a group has.
            self._index = {}
            for g in self.groups:
                for n, fn in g.checks:
                    self._index.setdefault((g.name, n), fn)
        found = self._index.get((group, check))
        if found is None:
            return types.CheckResult(types.Outcome.ERR, None, f"plugin {self.name} has no check {group}.{check}")
        try:
            result = found(Ctx(group, check))
            return types.CheckResult(types.Outcome.OK, result.status, result.detail)
        except Halt as h:
            outcome = types.Outcome.SKIP if h.outcome == "skip" else types.Outcome.ERR
            status = None if h.outcome == "skip" else h.status
            return types.CheckResult(outcome, status, h.detail)
        except Exception as e:  # a bug in the check: report it as the check's error
            return types.CheckResult(types.Outcome.ERR, None, f"uncaught {type(e).__name__}: {e}")

    def world(self) -> type:
        """The class componentize-py exports: `WitWorld = plugin.world()`."""
        plugin = self

        class WitWorld:
            def describe(self) -> types.PluginInfo:
                return plugin.describe()

            def run_check(self, group: str, check: str) -> types.CheckResult:
                return plugin.run_check(group, check)

        return WitWorld
