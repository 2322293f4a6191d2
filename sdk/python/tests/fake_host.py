"""The fake host behind `wit_world.imports` in the SDK's unit tests.

componentize-py generates `wit_world.imports.*` and `componentize_py_types`
only inside a component build; here modules of the same names hold the
records, variants and enums the SDK uses (the same fields as the generated
ones) and functions that answer from `HOST`: config, secrets and published
values from dicts, a clock that moves only when a check sleeps, HTTP answers
and assertion failures a test sets, and a record of what the SDK asked. An
`err` of a `result` import is raised as componentize-py raises it: `Err(value)`.
"""

from __future__ import annotations

import hashlib
import sys
import types as pytypes
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional


@dataclass
class Err(Exception):
    value: Any


@dataclass
class FakeHost:
    config: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    published: dict[tuple[str, str], str] = field(default_factory=dict)
    now: int = 0
    answers: list[Any] = field(default_factory=list)
    assert_failure: Optional[str] = None
    json_get: str = ""
    peer: Any = None
    calls: list[tuple] = field(default_factory=list)

    def answer(self, name: str, request: Any) -> Any:
        self.calls.append((name, request))
        if not self.answers:
            raise AssertionError(f"fake host: no answer left for {name}")
        value = self.answers.pop(0)
        if isinstance(value, Err):
            raise value
        return value


HOST = FakeHost()


def _module(name: str, **members: Any) -> pytypes.ModuleType:
    module = pytypes.ModuleType(name)
    module.__dict__.update(members)
    sys.modules[name] = module
    return module


def _variant(name: str, *fields: str) -> type:
    return dataclass(type(name, (), {"__annotations__": {f: Any for f in fields}}))


def _check(name: str):
    def run(*args: Any) -> Any:
        HOST.calls.append((name, *args))
        if HOST.assert_failure is not None:
            raise Err(HOST.assert_failure)
        return HOST.json_get if name == "json_get" else None

    return run


def _published(group: str, key: str) -> str:
    if (group, key) not in HOST.published:
        raise Err(f"group {group} published no {key}")
    return HOST.published[(group, key)]


def _sleep(ms: int) -> None:
    HOST.calls.append(("sleep", ms))
    HOST.now += ms


def _inspect(url: str, timeout_ms: Optional[int]) -> Any:
    HOST.calls.append(("tls", url))
    if HOST.peer is None:
        raise Err(http.HttpError_Connect("refused"))
    return HOST.peer


class _Hasher:
    def __init__(self) -> None:
        self._h = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def finish(self) -> str:
        return self._h.copy().hexdigest()


_module("componentize_py_types", Err=Err)
_module("wit_world")
imports = _module("wit_world.imports")

types = _module(
    "wit_world.imports.types",
    Outcome=Enum("Outcome", {"OK": 0, "ERR": 1, "SKIP": 2}),
    CheckResult=_variant("CheckResult", "outcome", "status", "detail"),
    GroupInfo=_variant("GroupInfo", "name", "checks", "depends_on"),
    PluginInfo=_variant("PluginInfo", "name", "version", "groups", "config_keys", "secrets"),
)
http = _module(
    "wit_world.imports.http",
    Request=_variant("Request", "method", "url", "headers", "body", "timeout_ms", "redirects"),
    Response=_variant("Response", "status", "headers", "body", "elapsed_ms"),
    ResponseHead=_variant("ResponseHead", "status", "headers", "elapsed_ms"),
    DigestResponse=_variant("DigestResponse", "status", "headers", "bytes", "sha256", "elapsed_ms"),
    RedirectPolicy_None_=_variant("RedirectPolicy_None_"),
    RedirectPolicy_Follow=_variant("RedirectPolicy_Follow", "value"),
    Chunk_Data=_variant("Chunk_Data", "value"),
    Chunk_End=_variant("Chunk_End"),
    Chunk_Idle=_variant("Chunk_Idle"),
    send=lambda req: HOST.answer("send", req),
    open=lambda req: HOST.answer("open", req),
    fetch_digest=lambda req: HOST.answer("fetch_digest", req),
)
for _kind in ("Timeout", "Connect", "Tls", "Denied", "TooLarge", "Invalid"):
    setattr(http, f"HttpError_{_kind}", _variant(f"HttpError_{_kind}", "value"))
assert_ = _module(
    "wit_world.imports.assert_",
    JsonKind=Enum("JsonKind", {"NULL": 0, "BOOLEAN": 1, "NUMBER": 2, "STRING": 3, "ARRAY": 4, "OBJECT": 5}),
    **{
        n: _check(n)
        for n in (
            "status_in", "json_exists", "json_equals", "json_matches", "json_type",
            "json_non_empty", "header_present", "header_matches", "body_contains", "json_get",
        )
    },
)
config = _module(
    "wit_world.imports.config",
    get=lambda key: HOST.config.get(key),
    secret=lambda name: HOST.secrets.get(name),
    publish=lambda key, value: HOST.calls.append(("publish", key, value)),
    published=_published,
    reject=lambda key, message: HOST.calls.append(("reject", key, message)),
)
cleanup = _module("wit_world.imports.cleanup", defer=lambda label, req: HOST.calls.append(("defer", label, req)))
clock = _module("wit_world.imports.clock", now_ms=lambda: HOST.now, sleep=_sleep)
digest = _module(
    "wit_world.imports.digest", sha256=lambda data: hashlib.sha256(data).hexdigest(), Hasher=_Hasher
)
log = _module(
    "wit_world.imports.log",
    Level=Enum("Level", {"DEBUG": 0, "INFO": 1, "WARN": 2}),
    write=lambda level, message: HOST.calls.append(("log", level.name, message)),
    marker=lambda: "PLUME-MARKER-00ff",
    mask=lambda value: HOST.calls.append(("mask", value)),
    AttemptKind=Enum("AttemptKind", {"ERRED": 0, "PENDING": 1}),
    FailedAttempt=_variant("FailedAttempt", "kind", "status", "detail", "elapsed_ms"),
    attempt_failed=lambda a: HOST.calls.append(("attempt", a.kind.name, a.status, a.detail, a.elapsed_ms)),
)
tls = _module(
    "wit_world.imports.tls",
    Certificate=_variant("Certificate", "subject", "issuer", "names", "not_before", "not_after"),
    Peer=_variant("Peer", "version", "chain", "chain_error", "name_matches"),
    inspect=_inspect,
)
for _name in ("types", "http", "assert_", "config", "cleanup", "clock", "digest", "log", "tls"):
    setattr(imports, _name, sys.modules[f"wit_world.imports.{_name}"])


def reset(**state: Any) -> FakeHost:
    """Puts the host back to empty, with `state` set."""
    HOST.__init__(**state)
    return HOST
