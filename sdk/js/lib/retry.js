// eventually and retried: ask a question again until it holds or a deadline
// passes, say how many attempts it took, and report each attempt that did not
// pass to the host (contract 0.1.4's log.attempt-failed), so the run's
// reports count it as they count a `--retries` attempt. eventually polls for
// eventual consistency ("I deleted it" and "it's deleted" are not the same
// statement): a miss is `pending` and never makes the check flaky. retried
// asks again past failures that should not have happened: a miss is `erred`,
// and a check that passes after one is flaky.
import * as clock from "plume:check/clock@0.1.4";
import * as log from "plume:check/log@0.1.4";
import { Halt } from "./outcome.js";

/** A question that came true, and what it took. */
export class Settled {
  constructor(value, attempts, elapsedMs) {
    this.value = value;
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    const text = `after ${attempts} ${attempts === 1 ? "attempt" : "attempts"} in ${elapsedMs} ms`;
    // `summary()`, as in Rust and Python; used as a string (as it was
    // before it became a method) it is the same text.
    const summary = () => text;
    summary.toString = summary;
    this.summary = summary;
  }
}

/**
 * Reports an attempt of the running check that did not pass and is asked
 * again (contract 0.1.4): `kind` is "erred" (a failure asked past: a pass
 * after it is flaky) or "pending" (not settled yet: never flaky). eventually
 * and retried call it for each attempt; call it only for a loop of your own.
 */
export function attemptFailed(kind, status, detail, elapsedMs) {
  if (kind !== "erred" && kind !== "pending") {
    throw new TypeError(`attemptFailed: kind must be "erred" or "pending", got ${JSON.stringify(kind)}`);
  }
  log.attemptFailed({
    kind,
    status: status ?? undefined,
    detail: String(detail),
    elapsedMs: Math.min(Math.max(0, Math.round(Number(elapsedMs) || 0)), 0xffffffff),
  });
}

function askAgain(kind, deadlineMs, intervalMs, attempt) {
  const start = clock.nowMs();
  for (let n = 1; ; n++) {
    const began = clock.nowMs();
    try {
      const value = attempt(n);
      return new Settled(value, n, Number(clock.nowMs() - start));
    } catch (e) {
      if (!(e instanceof Halt) || e.outcome === "skip") throw e;
      const elapsed = Number(clock.nowMs() - start);
      if (elapsed + intervalMs > deadlineMs) {
        throw new Halt("err", e.status, `still failing after ${n} attempts in ${elapsed} ms: ${e.detail}`);
      }
      attemptFailed(kind, e.status, e.detail, Number(clock.nowMs() - began));
      clock.sleep(intervalMs);
    }
  }
}

/**
 * Calls `attempt(n)` every `intervalMs` until it returns without throwing an
 * `err`, or `deadlineMs` passes, for a state that settles over time; each miss
 * is reported as a "pending" attempt. A skip ends at once. Returns a Settled.
 */
export function eventually(deadlineMs, intervalMs, attempt) {
  return askAgain("pending", deadlineMs, intervalMs, attempt);
}

/**
 * eventually for a question that should have held at once: each miss is
 * reported as an "erred" attempt, so a check that passes after one is flaky.
 */
export function retried(deadlineMs, intervalMs, attempt) {
  return askAgain("erred", deadlineMs, intervalMs, attempt);
}
