"""What a check returns and how it stops: Pass (via `ok`), Halt (via `fail`,
`skip`, Halt.err, Halt.skip), and the turning of the contract's errors into
Halts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar

from componentize_py_types import Err

T = TypeVar("T")


@dataclass
class Pass:
    """A check that passed: the status its question turned on, and what it saw."""

    status: Optional[int]
    detail: str


# What a check function returns (a Halt it raises ends it as `err` or `skip`),
# and the name a passed check had before it was `Pass`, as in Rust.
Check = Pass
Result = Pass


class Halt(Exception):
    """A check that stopped early: `err` with what went wrong, or `skip` with why not."""

    def __init__(self, outcome: str, status: Optional[int], detail: str) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.status = None if outcome == "skip" else status
        self.detail = detail

    @classmethod
    def err(cls, detail: str, status: Optional[int] = None) -> "Halt":
        """An `err` with no status (or with `status`)."""
        return cls("err", status, str(detail))

    @classmethod
    def skip(cls, reason: str) -> "Halt":
        """A `skip` with the reason a reader needs."""
        return cls("skip", None, str(reason))

    def context(self, what: str) -> "Halt":
        """Prefixes the detail with context: "signin: " + detail."""
        return Halt(self.outcome, self.status, f"{what}: {self.detail}")


def ok(status: Optional[int], detail: str) -> Pass:
    """A passed check: `ok(200, "marker found")`, or `ok(None, ...)`."""
    return Pass(status, str(detail))


def skip(reason: str) -> Any:
    """Ends the check as skipped, with the reason a reader needs."""
    raise Halt("skip", None, str(reason))


def fail(status: Optional[int], detail: str) -> Any:
    """Ends the check as failed."""
    raise Halt("err", status, str(detail))


_ERROR_KINDS = {
    "HttpError_Timeout": "timeout",
    "HttpError_Connect": "connect",
    "HttpError_Tls": "tls",
    "HttpError_Denied": "denied",
    "HttpError_TooLarge": "too-large",
    "HttpError_Invalid": "invalid",
}


def describe_error(error: Any) -> str:
    """`kind: message` for an HTTP error (`connect: ...`).

    The one-line form stated in the doc of `http-error` in wit/plume.wit, as
    the host prints it.
    """
    return f"{_ERROR_KINDS.get(type(error).__name__, 'error')}: {error.value}"


def halt_on_err(status: Optional[int], call: Callable[[], T]) -> T:
    try:
        return call()
    except Err as e:
        raise Halt("err", status, str(e.value)) from None


def http_call(call: Callable[[], T]) -> T:
    try:
        return call()
    except Err as e:
        raise Halt("err", None, describe_error(e.value)) from None
