// eventually: "I deleted it" and "it's deleted" are not the same statement.
// Retries a question until it holds or a deadline passes, and says how many
// attempts it took.
import * as clock from "plume:check/clock@0.1.3";
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
 * Calls `attempt(n)` every `intervalMs` until it returns without throwing an
 * `err`, or `deadlineMs` passes. A skip ends at once. Returns a Settled.
 */
export function eventually(deadlineMs, intervalMs, attempt) {
  const start = clock.nowMs();
  for (let n = 1; ; n++) {
    try {
      const value = attempt(n);
      return new Settled(value, n, Number(clock.nowMs() - start));
    } catch (e) {
      if (!(e instanceof Halt) || e.outcome === "skip") throw e;
      const elapsed = Number(clock.nowMs() - start);
      if (elapsed + intervalMs > deadlineMs) {
        throw new Halt("err", e.status, `still failing after ${n} attempts in ${elapsed} ms: ${e.detail}`);
      }
      clock.sleep(intervalMs);
    }
  }
}
