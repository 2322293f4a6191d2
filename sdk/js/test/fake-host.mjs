// The fake host behind `plume:check/*` in the SDK's unit tests: config,
// secrets and published values from maps, a clock that moves only when a
// check sleeps, HTTP answers and assertion failures a test sets, and a record
// of what the SDK asked. Errors of `result<_, E>` imports are thrown as
// componentize-js throws them: an Error carrying `payload`.
import { createHash } from "node:crypto";

export const host = {};

/** What componentize-js throws for an `err(payload)` of an import. */
export function contractError(payload) {
  return Object.assign(new Error("contract error"), { payload });
}

/** Puts the host back to empty, with `overrides` merged into its state. */
export function reset(overrides = {}) {
  const state = {
    config: {},
    secrets: {},
    published: {},
    now: 0n,
    answers: [],
    assertFailure: undefined,
    calls: [],
    ...overrides,
  };
  const call = (name, args) => state.calls.push([name, ...args]);
  const answer = (name, req) => {
    call(name, [req]);
    const next = state.answers.shift();
    if (next === undefined) throw new Error(`fake host: no answer left for ${name}`);
    if (next.error) throw contractError(next.error);
    return next.value;
  };
  const check = (name) => (...args) => {
    call(name, args);
    if (state.assertFailure !== undefined) throw contractError(state.assertFailure);
    return name === "jsonGet" ? state.jsonGet : undefined;
  };
  host.state = state;
  host.http = {
    send: (req) => answer("send", req),
    open: (req) => answer("open", req),
    fetchDigest: (req) => answer("fetchDigest", req),
  };
  host.assert = Object.fromEntries(
    ["statusIn", "jsonExists", "jsonEquals", "jsonMatches", "jsonType", "jsonNonEmpty",
      "headerPresent", "headerMatches", "bodyContains", "jsonGet"].map((n) => [n, check(n)]),
  );
  host.config = {
    get: (key) => state.config[key],
    secret: (name) => state.secrets[name],
    publish: (key, value) => call("publish", [key, value]),
    published: (group, key) => {
      const v = state.published[`${group}.${key}`];
      if (v === undefined) throw contractError(`group ${group} published no ${key}`);
      return v;
    },
    reject: (key, message) => {
      call("reject", [key, message]);
    },
  };
  host.cleanup = { defer: (label, req) => call("defer", [label, req]) };
  host.clock = {
    nowMs: () => state.now,
    sleep: (ms) => {
      call("sleep", [ms]);
      state.now += BigInt(ms);
    },
  };
  host.digest = {
    sha256: (data) => createHash("sha256").update(data).digest("hex"),
    Hasher: class {
      constructor() {
        this.h = createHash("sha256");
      }
      update(data) {
        this.h.update(data);
      }
      finish() {
        return this.h.copy().digest("hex");
      }
    },
  };
  host.log = {
    write: (level, message) => call("log", [level, message]),
    marker: () => "PLUME-MARKER-00ff",
    mask: (value) => call("mask", [value]),
    attemptFailed: (a) => call("attempt", [a.kind, a.status, a.detail, a.elapsedMs]),
  };
  host.tls = {
    inspect: (url) => {
      call("tls", [url]);
      if (!state.peer) throw contractError({ tag: "connect", val: "refused" });
      return state.peer;
    },
  };
  return state;
}

reset();
