"""eventually: "I deleted it" and "it's deleted" are not the same statement.
Retries a question until it holds or a deadline passes, and says how many
attempts it took."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from wit_world.imports import clock

from ._outcome import Halt


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
