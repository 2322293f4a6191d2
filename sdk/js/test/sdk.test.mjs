// Unit tests of the SDK's own logic on the fake host (fake-host.mjs): results
// and halts, config and secret helpers, requests as built, responses read,
// retries on a fake clock, and the plugin registry with lazy, per-group
// builds. What the host itself does is tested end to end (tests/e2e).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { reset } from "./fake-host.mjs";
import {
  Ctx, Halt, Pass, Plugin, Settled, attemptFailed, configValue, describeError, eventually, exportPlugin,
  fail, ok, maskSecret, rejectConfig, retried, runningGroup, skip,
} from "../plume.js";

const halted = (fn) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof Halt) return { outcome: e.outcome, status: e.status, detail: e.detail };
    throw e;
  }
  assert.fail("expected a Halt");
};

test("ok, fail, skip and Halt give one result shape", () => {
  const p = ok(null, 42);
  assert.ok(p instanceof Pass);
  assert.deepEqual({ ...p }, { status: undefined, detail: "42" });
  assert.deepEqual(halted(() => fail(404, "gone")), { outcome: "err", status: 404, detail: "gone" });
  assert.deepEqual(halted(() => skip("no admin_password")), { outcome: "skip", status: undefined, detail: "no admin_password" });
  assert.deepEqual(halted(() => { throw Halt.err("x").context("signin"); }), { outcome: "err", status: undefined, detail: "signin: x" });
  assert.equal(new Halt("skip", 500, "s").status, undefined, "a skip carries no status");
});

test("describeError names every kind as the host prints it", () => {
  for (const tag of ["timeout", "connect", "tls", "denied", "too-large", "invalid"]) {
    assert.equal(describeError({ tag, val: "m" }), `${tag}: m`);
  }
  assert.equal(describeError({ tag: "tooLarge", val: "m" }), "too-large: m");
});

test("config and secret helpers", () => {
  reset({ config: { a: " v ", blank: "   ", empty: "" }, secrets: { s: "x" } });
  const ctx = new Ctx("g", "c");
  assert.equal(ctx.config("a"), " v ");
  assert.deepEqual(halted(() => ctx.config("missing")), {
    outcome: "err", status: undefined,
    detail: "config `missing` is not set: add it to the plugin's config table in the suite file",
  });
  assert.equal(ctx.configOpt("missing"), undefined);
  assert.equal(ctx.configGiven("a"), "v");
  assert.equal(ctx.configGiven("blank"), undefined);
  assert.equal(ctx.configGiven("empty"), undefined);
  assert.equal(ctx.configGiven("missing"), undefined);
  assert.equal(configValue("a"), " v ");
  assert.equal(configValue("missing"), undefined);
  assert.equal(ctx.secret("s"), "x");
  assert.deepEqual(halted(() => ctx.secret("admin")), { outcome: "skip", status: undefined, detail: "no admin" });
  assert.equal(ctx.secretOpt("s"), "x");
  assert.equal(ctx.secretOpt("admin"), undefined);
});

test("published values: a missing one skips with why", () => {
  const state = reset({ published: { "g.k": "v" } });
  const ctx = new Ctx("g", "c");
  ctx.publish("n", 3);
  assert.deepEqual(state.calls[0], ["publish", "n", "3"]);
  assert.equal(ctx.recall("k"), "v");
  assert.equal(ctx.published("g", "k"), "v");
  assert.equal(halted(() => ctx.published("other", "k")).detail, "group other published no k");
  assert.equal(halted(() => ctx.recall("z")).detail, "no `z`: the check of group g that makes it did not pass");
});

test("requests are built as the contract's record", () => {
  const ctx = new Ctx("g", "c");
  const plain = ctx.get("http://h/").request;
  assert.deepEqual(plain, { method: "GET", url: "http://h/", headers: [], body: undefined, timeoutMs: undefined, redirects: { tag: "none" } });
  const r = ctx.post("http://h/x").bearer("t").json({ a: [1] }).request;
  assert.deepEqual(r.headers, [["authorization", "Bearer t"], ["content-type", "application/json"]]);
  assert.equal(new TextDecoder().decode(r.body), '{"a":[1]}');
  const raw = ctx.put("http://h/").body(new Uint8Array([1, 2])).request;
  assert.deepEqual([...raw.body], [1, 2]);
});

test("responses: JSON, text, headers and host assertion failures", () => {
  const body = new TextEncoder().encode("\u{feff}not json");
  const state = reset({ answers: [{ value: { status: 502, headers: [["Content-Type", "text/plain"]], body, elapsedMs: 1 } }] });
  const resp = new Ctx("g", "c").get("http://h/").send();
  assert.equal(resp.header("content-type"), "text/plain");
  assert.equal(resp.header("x"), undefined);
  assert.equal(resp.text(), "not json");
  assert.match(halted(() => resp.json()).detail, /^expected a JSON body: /);
  state.assertFailure = "expected status 200, got 502";
  assert.deepEqual(halted(() => resp.expectStatus([200])), { outcome: "err", status: 502, detail: "expected status 200, got 502" });
  const [name, status, expected] = state.calls.at(-1);
  assert.deepEqual([name, status, [...expected]], ["statusIn", 502, [200]]);
  assert.ok(expected instanceof Uint16Array);
});

test("an HTTP error ends the check as err in its one-line form", () => {
  reset({ answers: [{ error: { tag: "timeout", val: "after 10 s" } }] });
  assert.deepEqual(halted(() => new Ctx("g", "c").get("http://h/").send()), { outcome: "err", status: undefined, detail: "timeout: after 10 s" });
});

test("eventually retries until the question holds, and counts", () => {
  const state = reset();
  const settled = eventually(1000, 100, (n) => (n < 3 ? fail(500, `try ${n}`) : n * 10));
  assert.ok(settled instanceof Settled);
  assert.deepEqual([settled.value, settled.attempts, settled.elapsedMs], [30, 3, 200]);
  assert.equal(settled.summary(), "after 3 attempts in 200 ms");
  assert.equal(`${settled.summary}`, "after 3 attempts in 200 ms", "used as a string, as before");
  assert.equal(state.calls.filter(([n]) => n === "sleep").length, 2);
  reset();
  assert.deepEqual(halted(() => eventually(250, 100, () => fail(503, "down"))), {
    outcome: "err", status: 503, detail: "still failing after 3 attempts in 200 ms: down",
  });
  let calls = 0;
  assert.equal(halted(() => eventually(1000, 100, () => { calls++; skip("no key"); })).outcome, "skip");
  assert.equal(calls, 1, "a skip ends at once");
  assert.throws(() => eventually(1000, 100, () => { throw new TypeError("bug"); }), TypeError);
});

test("eventually reports each miss as pending, retried as erred, the last attempt never", () => {
  let state = reset();
  eventually(1000, 100, (n) => (n < 3 ? fail(503, `try ${n}`) : n));
  assert.deepEqual(state.calls.filter(([n]) => n === "attempt"),
    [["attempt", "pending", 503, "try 1", 0], ["attempt", "pending", 503, "try 2", 0]]);
  state = reset();
  retried(1000, 100, (n) => (n < 2 ? fail(undefined, "refused") : n));
  assert.deepEqual(state.calls.filter(([n]) => n === "attempt"), [["attempt", "erred", undefined, "refused", 0]]);
  state = reset();
  halted(() => retried(250, 100, () => fail(503, "down")));
  assert.equal(state.calls.filter(([n]) => n === "attempt").length, 2, "3 attempts: 2 earlier, the last is the result");
  state = reset();
  attemptFailed("pending", 404, "not yet", 12.4);
  assert.deepEqual(state.calls, [["attempt", "pending", 404, "not yet", 12]]);
  assert.throws(() => attemptFailed("flaky", 1, "x", 1), /kind must be "erred" or "pending"/);
});

test("the registry: duplicate checks, unknown checks, uncaught errors", () => {
  reset();
  const plugin = new Plugin("p", "1.0.0").group("g", [], (g) =>
    g.check("c", () => ok(1, "first")).check("c", () => ok(2, "second")).check("bug", () => null.x));
  assert.deepEqual(plugin.runCheck("g", "c"), { outcome: "ok", status: 1, detail: "first" });
  assert.deepEqual(plugin.runCheck("g", "nope"), { outcome: "err", status: undefined, detail: "plugin p has no check g.nope" });
  assert.deepEqual(plugin.runCheck("h", "c").outcome, "err");
  assert.match(plugin.runCheck("g", "bug").detail, /^uncaught TypeError: /);
});

test("exportPlugin builds on first use, for the running group, else whole", () => {
  reset({ config: { mode: "m" } });
  const builds = [];
  const build = () => {
    builds.push([runningGroup(), configValue("mode")]);
    const p = new Plugin("lazy", "1.0.0");
    for (const name of ["a", "b"]) {
      if (runningGroup() === undefined || runningGroup() === name) p.group(name, [], (g) => g.check("c", () => ok(undefined, name)));
    }
    return p;
  };
  const lazy = exportPlugin(build);
  assert.deepEqual(builds, [], "nothing is built while the module loads");
  assert.equal(lazy.runCheck("b", "c").detail, "b");
  assert.deepEqual(builds, [["b", "m"]]);
  assert.equal(runningGroup(), undefined, "outside a build");
  assert.equal(lazy.runCheck("b", "c").detail, "b");
  assert.equal(lazy.runCheck("a", "c").detail, "a", "another group builds the whole plugin");
  assert.deepEqual(builds, [["b", "m"], [undefined, "m"]]);
  assert.equal(lazy.describe().groups.length, 2);
  assert.equal(builds.length, 2);
  const described = exportPlugin(build);
  described.describe();
  described.runCheck("a", "c");
  assert.equal(builds.length, 3, "after describe() every group uses the whole plugin");
});

test("rejectConfig hands the host the key and message, and never returns", () => {
  const state = reset();
  assert.throws(() => rejectConfig("checks[2].expect", "must be a number"), /unreachable/);
  assert.deepEqual(state.calls, [["reject", "checks[2].expect", "must be a number"]]);
});

test("maskSecret and ctx.maskSecret hand the host the value as a string", () => {
  const state = reset();
  maskSecret("tok-1234");
  new Ctx("g", "c").maskSecret(56789);
  assert.deepEqual(state.calls, [["mask", "tok-1234"], ["mask", "56789"]]);
});

test("the SDK's version is the workspace's", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const cargo = readFileSync(new URL("../../../Cargo.toml", import.meta.url), "utf8");
  assert.equal(pkg.version, /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)[1]);
});
