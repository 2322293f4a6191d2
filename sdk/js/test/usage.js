// @ts-check
// Every declaration of plume.d.ts in use: tsc checks this file against the
// declarations (npm run typecheck), and usage.test.mjs runs it against
// plume.js on the fake host, so a declaration that does not match the code
// fails one or the other.
import {
  ConfigError, Ctx, DigestResponse, Group, Halt, Hasher, JsonKind, Pass, Plugin, RequestBuilder, Response,
  Settled, Stream, attemptFailed, configKeys, configTable, configTableOrReject, configValue, describeError, eventually, exportPlugin, fail, maskSecret, ok,
  rejectConfig, retried, runningGroup, sha256, skip,
} from "../plume.js";

/** @typedef {import("../plume.js").Check} Check */
/** @typedef {import("../plume.js").CheckFn} CheckFn */
/** @typedef {import("../plume.js").CheckResult} CheckResult */
/** @typedef {import("../plume.js").Chunk} Chunk */
/** @typedef {import("../plume.js").Exports} Exports */
/** @typedef {import("../plume.js").Headers} Headers */
/** @typedef {import("../plume.js").HttpError} HttpError */
/** @typedef {import("../plume.js").JsonKindName} JsonKindName */
/** @typedef {import("../plume.js").Peer} Peer */
/** @typedef {import("../plume.js").Certificate} Certificate */
/** @typedef {import("../plume.js").PluginInfo} PluginInfo */

/**
 * A check that reaches every capability; the fake host answers in order:
 * send, trySend's send, open, fetchDigest.
 * @param {Ctx} ctx
 * @returns {Check}
 */
export function everything(ctx) {
  /** @type {string} */ const base = ctx.config("base_url");
  /** @type {string | undefined} */ const opt = ctx.configOpt("maybe");
  /** @type {string | undefined} */ const given = ctx.configGiven("maybe");
  /** @type {string} */ const password = ctx.secret("password");
  /** @type {string | undefined} */ const token = ctx.secretOpt("token");
  ctx.publish("seen", 1);
  /** @type {string} */ const earlier = ctx.published("setup", "id");
  /** @type {string} */ const mine = ctx.recall("id");
  /** @type {RequestBuilder} */
  const req = ctx.request("OPTIONS", base).header("x-n", 2).bearer(password).json({ a: 1 })
    .body("raw").timeout(500).followRedirects(2);
  ctx.defer("thing", ctx.delete(`${base}/thing`));
  ctx.defer("put", ctx.put(base));
  ctx.defer("patch", ctx.patch(base));
  ctx.defer("post", ctx.post(base));
  /** @type {Response} */
  const resp = req.send().expectStatus([200]).expectJson("/a").expectJsonEq("/a", 1).expectJsonMatch("/a", "1")
    .expectJsonType("/a", JsonKind.number).expectNonEmpty("/a").expectHeader("x").expectHeaderMatch("x", ".")
    .expectContains("a");
  /** @type {unknown} */ const parsed = resp.json();
  /** @type {[string, string, string | undefined, number, Uint8Array, Headers]} */
  const parts = [resp.jsonStr("/a"), resp.text(), resp.header("X"), resp.elapsedMs, resp.body, resp.headers];
  const tried = ctx.get(base).trySend();
  /** @type {string} */ const why = tried.error ? describeError(tried.error) : `${tried.response.status}`;
  /** @type {Stream} */ const stream = ctx.get(base).open().expectStatus([200]).expectHeaderMatch("x", ".");
  /** @type {Chunk} */ const chunk = stream.read(10, 5);
  /** @type {string} */ const until = stream.readUntil("a", 5);
  /** @type {number} */ const held = stream.expectOpenFor(0);
  /** @type {DigestResponse} */ const digest = ctx.get(base).fetchDigest().expectStatus([200]);
  /** @type {[number, string, string | undefined]} */ const hashed = [digest.bytes, digest.sha256, digest.header("etag")];
  /** @type {Peer} */ const peer = ctx.tls(base);
  /** @type {Certificate | undefined} */ const leaf = peer.chain[0];
  /** @type {bigint | undefined} */ const notAfter = leaf?.notAfter;
  ctx.debug(ctx.marker());
  ctx.info(`${ctx.group}.${ctx.check}`);
  ctx.warn("careful");
  ctx.maskSecret(password);
  maskSecret(`${password}-again`);
  const hasher = new Hasher();
  hasher.update("a");
  hasher.update(new Uint8Array([98]));
  /** @type {Settled<number>} */ const settled = eventually(1000, 10, (n) => n);
  /** @type {Settled<number>} */ const again = retried(1000, 10, (n) => n);
  attemptFailed("erred", undefined, `took ${again.elapsedMs} ms`, 3);
  const seen = [opt, given, token, earlier, mine, parsed, parts, why, chunk.tag, until, held, hashed, String(notAfter),
    peer.nameMatches, hasher.finish() === sha256("ab"), settled.summary(), stream.elapsedMs];
  return ok(resp.status, JSON.stringify(seen));
}

/** @type {CheckFn} */
const failing = () => fail(503, "down");
/** @type {CheckFn} */
const skipping = () => skip("no token");
/** @type {CheckFn} */
const halting = () => {
  throw Halt.err("broke", 500).context("step");
};
/** @type {CheckFn} */
const haltSkip = () => {
  throw Halt.skip("later");
};
/** @type {CheckFn} */
const plain = () => ({ detail: "a plain object still passes" });
/** @type {CheckFn} */
const passed = () => new Pass(204, "made directly");
/** @type {CheckFn} */
const refusing = () => rejectConfig("checks[0]", "needs a url");

/** @typedef {import("../plume.js").ConfigFields} ConfigFields */

/** @satisfies {ConfigFields} */
const SETTINGS = {
  base_url: { type: "string", required: true },
  warn_days: { type: "integer", default: 14 },
  hosts: { type: "array", items: { type: "string" } },
  login: { type: "table", fields: { user: { type: "string", required: true }, tries: { type: "number" } } },
  headers: { type: "table", values: { type: "string" } },
  raw: { type: "json" },
};

/**
 * The config table read with the types its declaration gives.
 * @returns {[string, number, string[] | undefined, string | undefined, number | undefined,
 *   Record<string, string> | undefined, unknown, string[], string]}
 */
export function settings() {
  const table = configTable(SETTINGS);
  if (table === undefined) return ["", 0, undefined, undefined, undefined, undefined, undefined, configKeys(SETTINGS), ""];
  /** @type {ConfigError} */ const refusal = new ConfigError("hosts[1]", "not a host");
  const checked = configTableOrReject(SETTINGS, "(see README.md)", (t) =>
    t.warn_days < 0 ? ["warn_days", "is negative"] : undefined);
  return [table.base_url, table.warn_days, table.hosts, table.login?.user, checked?.login?.tries, table.headers,
    table.raw, configKeys(SETTINGS), `${refusal.key} ${refusal.message}`];
}

/** @returns {Plugin} */
export function build() {
  /** @type {string | undefined} */ const only = runningGroup();
  /** @type {string | undefined} */ const mode = configValue("mode");
  const plugin = new Plugin("usage", "0.1.0").config(["base_url", "maybe", "mode"]).secrets(["password", "token"]);
  const all = /** @type {[string, CheckFn][]} */ ([
    ["everything", everything], ["failing", failing], ["skipping", skipping], ["halting", halting],
    ["halt-skip", haltSkip], ["plain", plain], ["passed", passed], ["refusing", refusing],
  ]);
  if (only === undefined || only === "main") {
    plugin.group("main", [], (g) => all.reduce((acc, [name, fn]) => acc.check(name, fn), g));
  }
  /** @param {Group} g */
  const side = (g) => g.check("mode", () => ok(undefined, `${mode}`));
  if (only === undefined || only === "side") plugin.group("side", ["main"], side);
  return plugin;
}

/** @type {Exports} */
export const exported = exportPlugin(build);
/** @type {Exports} */
export const eager = new Plugin("eager", "1.0.0").group("g", [], (g) => g.check("c", passed)).exports();

/** @param {Plugin} p @returns {[PluginInfo, CheckResult, string, string]} */
export const inspect = (p) => [p.describe(), p.runCheck("main", "plain"), p.name, p.version];

/** @type {HttpError} */ export const tooLarge = { tag: "too-large", val: "over 1 MiB" };
/** @type {JsonKindName} */ export const kind = JsonKind.object;
/** @type {Pass} */ export const pass = ok(null, "fine");
/** @type {"ok"} */ export const legacyOutcome = pass.outcome;
export const ctx = new Ctx("main", "everything");
export const group = new Group("g", ["main"]);

// Declarations that are not `any`: each line below is a type error.
// @ts-expect-error configGiven takes a key
ctx.configGiven();
// @ts-expect-error a status is a number
ok("200", "x");
// @ts-expect-error an attempt is erred or pending
export const wrongKind = () => attemptFailed("flaky", 200, "x", 1);
// @ts-expect-error eventually's attempt takes the attempt number
eventually(1, 1, (/** @type {string} */ n) => n);
// @ts-expect-error a field has a type
configKeys({ a: { required: true } });
/** @returns {number} */
export function unsetNumber() {
  const table = configTable({ n: { type: "number" }, d: { type: "number", default: 1 } });
  if (table === undefined) return 0;
  /** @type {number} */ const given = table.d;
  // @ts-expect-error an optional field may be undefined, one with a default may not
  return given + table.n;
}
