// What a check returns and how it stops: Pass (via `ok`), Halt (via `fail`,
// `skip`, Halt.err, Halt.skip), and the turning of the contract's errors
// into Halts. No host import: everything here is plain data.

/** A check that passed: the status its question turned on, and what it saw. */
export class Pass {
  constructor(status, detail) {
    this.status = status ?? undefined;
    this.detail = String(detail);
  }

  /** Always "ok": kept for code that read `ok(...).outcome` when `ok` gave a plain object. */
  get outcome() {
    return "ok";
  }
}

/** A check that stopped early: `err` with what went wrong, or `skip` with why not. */
export class Halt extends Error {
  constructor(outcome, status, detail) {
    super(detail);
    this.outcome = outcome;
    this.status = outcome === "skip" ? undefined : (status ?? undefined);
    this.detail = detail;
  }

  /** An `err` with no status (or with `status`). */
  static err(detail, status) {
    return new Halt("err", status, String(detail));
  }

  /** A `skip` with the reason a reader needs. */
  static skip(reason) {
    return new Halt("skip", undefined, String(reason));
  }

  /** Prefixes the detail with context: "signin: " + detail. */
  context(what) {
    return new Halt(this.outcome, this.status, `${what}: ${this.detail}`);
  }
}

/** A passed check: `ok(200, "marker found")`, or `ok(undefined, ...)`. */
export function ok(status, detail) {
  return new Pass(status, detail);
}

/** Ends the check as skipped, with the reason a reader needs. */
export function skip(reason) {
  throw new Halt("skip", undefined, String(reason));
}

/** Ends the check as failed. */
export function fail(status, detail) {
  throw new Halt("err", status ?? undefined, String(detail));
}

/**
 * `kind: message` for an HTTP error (`connect: ...`): the one-line form stated
 * in the doc of `http-error` in wit/plume.wit, as the host prints it.
 */
export function describeError(e) {
  const tags = { tooLarge: "too-large", "too-large": "too-large" };
  return `${tags[e.tag] ?? e.tag}: ${e.val}`;
}

/** Calls `fn`, turning a thrown contract error into its payload. */
export function unwrap(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    if (e && e.payload !== undefined) return { error: e.payload };
    throw e;
  }
}

export function halt(status, fn) {
  const r = unwrap(fn);
  if ("error" in r) throw new Halt("err", status, String(r.error));
  return r.value;
}

export function httpCall(fn) {
  const r = unwrap(fn);
  if ("error" in r) throw new Halt("err", undefined, describeError(r.error));
  return r.value;
}
