"""eventually and retried: ask a question again until it holds or a deadline
passes, say how many attempts it took, and report each attempt that did not
pass to the host (contract 0.1.4's log.attempt-failed), so the run's reports
count it as they count a `--retries` attempt.

eventually polls for eventual consistency ("I deleted it" and "it's deleted"
are not the same statement): a miss is `pending` and never makes the check
flaky. retried asks again past failures that should not have happened: a miss
is `erred`, and a check that passes after one is flaky."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from wit_world.imports import clock, log

from ._outcome import Halt

_KINDS = ("erred", "pending")


@dataclass
class Settled:
    """A question that came true, and what it took."""

    value: Any
    attempts: int
    elapsed_ms: int

    def summary(self) -> str:
        tries = "attempt" if self.attempts == 1 else "attempts"
        return f"after {self.attempts} {tries} in {self.elapsed_ms} ms"


def attempt_failed(kind: str, status: Optional[int], detail: str, elapsed_ms: int) -> None:
    """Reports an attempt of the running check that did not pass and is asked
    again (contract 0.1.4): `kind` is "erred" (a failure asked past: a pass
    after it is flaky) or "pending" (not settled yet: never flaky). The reports
    count it and list it among the check's earlier attempts. eventually and
    retried call it for each attempt; call it only for a loop of your own."""
    if kind not in _KINDS:
        raise ValueError(f'attempt_failed: kind must be "erred" or "pending", got {kind!r}')
    wit_kind = log.AttemptKind.ERRED if kind == "erred" else log.AttemptKind.PENDING
    elapsed = min(max(0, int(elapsed_ms)), 0xFFFFFFFF)
    log.attempt_failed(log.FailedAttempt(wit_kind, status, str(detail), elapsed))


def _ask_again(kind: str, deadline_ms: int, interval_ms: int, attempt: Callable[[int], Any]) -> Settled:
    start = clock.now_ms()
    n = 0
    while True:
        n += 1
        began = clock.now_ms()
        try:
            value = attempt(n)
            return Settled(value, n, clock.now_ms() - start)
        except Halt as h:
            if h.outcome == "skip":
                raise
            elapsed = clock.now_ms() - start
            if elapsed + interval_ms > deadline_ms:
                raise Halt("err", h.status, f"still failing after {n} attempts in {elapsed} ms: {h.detail}") from None
            attempt_failed(kind, h.status, h.detail, clock.now_ms() - began)
            clock.sleep(interval_ms)


def eventually(deadline_ms: int, interval_ms: int, attempt: Callable[[int], Any]) -> Settled:
    """Calls `attempt(n)` every `interval_ms` until it returns without an `err`,
    or `deadline_ms` passes, for a state that settles over time; each miss is
    reported as a "pending" attempt. A skip ends at once."""
    return _ask_again("pending", deadline_ms, interval_ms, attempt)


def retried(deadline_ms: int, interval_ms: int, attempt: Callable[[int], Any]) -> Settled:
    """eventually for a question that should have held at once: each miss is
    reported as an "erred" attempt, so a check that passes after one is flaky."""
    return _ask_again("erred", deadline_ms, interval_ms, attempt)
