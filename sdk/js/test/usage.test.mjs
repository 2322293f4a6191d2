// Runs test/usage.js (the file tsc checks against plume.d.ts) against
// plume.js on the fake host: what the declarations promise, the code does.
import assert from "node:assert/strict";
import { test } from "node:test";
import { reset } from "./fake-host.mjs";
import { build, eager, settings, exported, inspect, kind, legacyOutcome, pass, tooLarge } from "./usage.js";
import { describeError, Pass } from "../plume.js";

const encoder = new TextEncoder();
const response = (body) => ({ status: 200, headers: [["x", "1"]], body: encoder.encode(body), elapsedMs: 7 });

test("every capability runs, with the types the declarations give", () => {
  const state = reset({
    config: { base_url: "http://127.0.0.1:9", maybe: "  ", mode: "fast" },
    secrets: { password: "pw" },
    published: { "setup.id": "s1", "main.id": "m1" },
    jsonGet: "1",
    peer: { version: "TLSv1.3", chain: [{ subject: "CN=a", issuer: "CN=b", names: ["a"], notBefore: 1n, notAfter: 2n }], nameMatches: true },
    answers: [
      { value: response('{"a":1}') },
      { error: { tag: "connect", val: "refused" } },
      { value: [{ status: 200, headers: [], elapsedMs: 3 }, { read: () => ({ tag: "data", val: encoder.encode("a") }) }] },
      { value: { status: 200, headers: [["etag", "e"]], bytes: 12n, sha256: "ab", elapsedMs: 4 } },
    ],
  });
  const result = exported.runCheck("main", "everything");
  assert.equal(result.outcome, "ok", result.detail);
  assert.equal(result.status, 200);
  const seen = JSON.parse(result.detail);
  assert.deepEqual(seen.slice(0, 5), ["  ", null, null, "s1", "m1"]);
  assert.deepEqual(seen[5], { a: 1 });
  assert.deepEqual(seen[6].slice(0, 4), ["1", '{"a":1}', "1", 7]);
  assert.equal(seen[7], "connect: refused");
  assert.deepEqual(seen.slice(8, 17), ["data", "a", 0, [12, "ab", "e"], "2", true, true, "after 1 attempt in 0 ms", 3]);
  const sent = state.calls.find(([n]) => n === "send")[1];
  assert.equal(sent.method, "OPTIONS");
  assert.deepEqual(sent.redirects, { tag: "follow", val: 2 });
  assert.equal(sent.timeoutMs, 500);
  assert.deepEqual(state.calls.filter(([n]) => n === "defer").map(([, l, r]) => `${l} ${r.method}`),
    ["thing DELETE", "put PUT", "patch PATCH", "post POST"]);
  assert.deepEqual(state.calls.filter(([n]) => n === "log").map(([, l]) => l), ["debug", "info", "warn"]);
  assert.deepEqual(state.calls.filter(([n]) => n === "mask"), [["mask", "pw"], ["mask", "pw-again"]]);
});

test("outcomes of the other checks, and the plugin as described", () => {
  reset({ config: { mode: "slow" } });
  const run = (c) => exported.runCheck("main", c);
  assert.deepEqual(run("failing"), { outcome: "err", status: 503, detail: "down" });
  assert.deepEqual(run("skipping"), { outcome: "skip", status: undefined, detail: "no token" });
  assert.deepEqual(run("halting"), { outcome: "err", status: 500, detail: "step: broke" });
  assert.deepEqual(run("halt-skip"), { outcome: "skip", status: undefined, detail: "later" });
  assert.deepEqual(run("plain"), { outcome: "ok", status: undefined, detail: "a plain object still passes" });
  assert.deepEqual(run("passed"), { outcome: "ok", status: 204, detail: "made directly" });
  assert.equal(exported.describe().groups.map((g) => g.name).join(","), "main,side");
  assert.deepEqual(exported.runCheck("side", "mode"), { outcome: "ok", status: undefined, detail: "slow" });
  assert.deepEqual(eager.runCheck("g", "c"), { outcome: "ok", status: 204, detail: "made directly" });
  const [info, plain, name, version] = inspect(build());
  assert.deepEqual(info.secrets, ["password", "token"]);
  assert.equal(plain.detail, "a plain object still passes");
  assert.deepEqual([name, version], ["usage", "0.1.0"]);
  assert.equal(describeError(tooLarge), "too-large: over 1 MiB");
  assert.equal(kind, "object");
  assert.ok(pass instanceof Pass);
  assert.equal(legacyOutcome, "ok");
});

test("the config table reads as the declarations type it", () => {
  reset({
    config: { base_url: "http://h", hosts: '["a","b"]', login: '{"user":"u","tries":2}', headers: '{"x":"1"}', raw: '[1,{"a":2}]' },
  });
  assert.deepEqual(settings(), ["http://h", 14, ["a", "b"], "u", 2, { x: "1" }, [1, { a: 2 }],
    ["base_url", "warn_days", "hosts", "login", "headers", "raw"], "hosts[1] not a host"]);
  reset();
  assert.deepEqual(settings().slice(0, 2), ["", 0]);
});
