// plume-sdk for JavaScript: write Plume check plugins as one function per
// check and one registration line, built into a component with
// componentize-js. The same shape as the Rust SDK (sdk/rust): the
// assertions run on the host, so a failure reads the same in every language.
//
//   import { Plugin, ok, skip, fail } from "plume-sdk";
//
//   const plugin = new Plugin("shop", "1.0.0")
//     .config(["base_url"])
//     .group("health", [], (g) => g.check("api.up", apiUp));
//
//   function apiUp(ctx) {
//     const resp = ctx.get(`${ctx.config("base_url")}/health`).send();
//     resp.expectStatus([200]).expectJsonEq("/status", "ok");
//     return ok(resp.status, `served in ${resp.elapsedMs} ms`);
//   }
//
//   export const { describe, runCheck } = plugin.exports();

import * as http from "plume:check/http@0.1.2";
import * as assert from "plume:check/assert@0.1.2";
import * as config from "plume:check/config@0.1.2";
import * as cleanup from "plume:check/cleanup@0.1.2";
import * as clock from "plume:check/clock@0.1.2";
import * as digest from "plume:check/digest@0.1.2";
import * as log from "plume:check/log@0.1.2";
import * as tls from "plume:check/tls@0.1.2";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A check that stopped early: `err` with what went wrong, or `skip` with why not. */
export class Halt extends Error {
  constructor(outcome, status, detail) {
    super(detail);
    this.outcome = outcome;
    this.status = status;
    this.detail = detail;
  }

  /** Prefixes the detail with context: "signin: " + detail. */
  context(what) {
    return new Halt(this.outcome, this.status, `${what}: ${this.detail}`);
  }
}

/** A passed check. */
export function ok(status, detail) {
  return { outcome: "ok", status: status ?? undefined, detail: String(detail) };
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
function unwrap(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    if (e && e.payload !== undefined) return { error: e.payload };
    throw e;
  }
}

function halt(status, fn) {
  const r = unwrap(fn);
  if ("error" in r) throw new Halt("err", status, String(r.error));
  return r.value;
}

function httpCall(fn) {
  const r = unwrap(fn);
  if ("error" in r) throw new Halt("err", undefined, describeError(r.error));
  return r.value;
}

function bytes(body) {
  if (body === undefined || body === null) return undefined;
  return typeof body === "string" ? encoder.encode(body) : body;
}

function findHeader(headers, name) {
  const want = name.toLowerCase();
  const hit = headers.find(([k]) => k.toLowerCase() === want);
  return hit ? hit[1] : undefined;
}

/** A whole response and its host-side assertions. */
export class Response {
  constructor(r) {
    this.status = r.status;
    this.headers = r.headers;
    this.body = r.body;
    this.elapsedMs = r.elapsedMs;
  }
  check(fn) {
    halt(this.status, fn);
    return this;
  }
  expectStatus(expected) {
    return this.check(() => assert.statusIn(this.status, Uint16Array.from(expected), this.body));
  }
  expectJson(pointer) {
    return this.check(() => assert.jsonExists(this.body, pointer));
  }
  expectJsonEq(pointer, expected) {
    return this.check(() => assert.jsonEquals(this.body, pointer, JSON.stringify(expected)));
  }
  expectJsonMatch(pointer, regex) {
    return this.check(() => assert.jsonMatches(this.body, pointer, regex));
  }
  expectJsonType(pointer, kind) {
    return this.check(() => assert.jsonType(this.body, pointer, kind));
  }
  expectNonEmpty(pointer) {
    return this.check(() => assert.jsonNonEmpty(this.body, pointer));
  }
  expectHeader(name) {
    return this.check(() => assert.headerPresent(this.headers, name));
  }
  expectHeaderMatch(name, regex) {
    return this.check(() => assert.headerMatches(this.headers, name, regex));
  }
  expectContains(needle) {
    return this.check(() => assert.bodyContains(this.body, needle));
  }
  jsonStr(pointer) {
    return halt(this.status, () => assert.jsonGet(this.body, pointer));
  }
  json() {
    try {
      return JSON.parse(this.text());
    } catch (e) {
      throw new Halt("err", this.status, `expected a JSON body: ${e.message}`);
    }
  }
  text() {
    return decoder.decode(this.body);
  }
  header(name) {
    return findHeader(this.headers, name);
  }
}

/** An open response: headers arrived, the body is read chunk by chunk. */
export class Stream {
  constructor([head, body]) {
    this.status = head.status;
    this.headers = head.headers;
    this.elapsedMs = head.elapsedMs;
    this.body = body;
  }
  /** When the status is not expected, up to 2 KiB of the body (what arrives within 250 ms) goes into the failure. */
  expectStatus(expected) {
    if (expected.includes(this.status)) return this;
    const excerpt = this.excerpt(2048, 250);
    halt(this.status, () => assert.statusIn(this.status, Uint16Array.from(expected), excerpt));
    return this;
  }
  excerpt(max, withinMs) {
    const start = clock.nowMs();
    const parts = [];
    let size = 0;
    while (size < max) {
      const left = withinMs - Number(clock.nowMs() - start);
      if (left <= 0) break;
      let chunk;
      try {
        chunk = this.body.read(max - size, left);
      } catch (_) {
        break;
      }
      if (chunk.tag !== "data") break;
      parts.push(chunk.val);
      size += chunk.val.length;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  expectHeaderMatch(name, regex) {
    halt(this.status, () => assert.headerMatches(this.headers, name, regex));
    return this;
  }
  /** `{tag: "data", val}`, `{tag: "end"}` or `{tag: "idle"}` within `timeoutMs`. */
  read(maxBytes, timeoutMs) {
    return httpCall(() => this.body.read(maxBytes, timeoutMs));
  }
  /** Requires the stream to stay open for `holdMs`; returns the bytes that arrived meanwhile. */
  expectOpenFor(holdMs) {
    const start = clock.nowMs();
    let received = 0;
    for (;;) {
      const left = holdMs - Number(clock.nowMs() - start);
      if (left <= 0) return received;
      const chunk = this.read(65536, left);
      if (chunk.tag === "data") received += chunk.val.length;
      if (chunk.tag === "end") {
        const after = Number(clock.nowMs() - start);
        fail(this.status, `the stream closed after ${after} ms (${received} bytes); expected it open for ${holdMs} ms`);
      }
    }
  }
  /** Reads until the body contains `needle` or `withinMs` passes; returns what was read. */
  readUntil(needle, withinMs) {
    const start = clock.nowMs();
    let seen = "";
    for (;;) {
      if (seen.includes(needle)) return seen;
      const left = withinMs - Number(clock.nowMs() - start);
      const chunk = left > 0 ? this.read(65536, left) : { tag: "idle" };
      if (chunk.tag === "data") {
        seen += decoder.decode(chunk.val);
        continue;
      }
      const ended = chunk.tag === "end" ? "the stream ended" : "timed out";
      const after = Number(clock.nowMs() - start);
      fail(this.status, `${ended} after ${after} ms without ${JSON.stringify(needle)}; read: ${seen.slice(0, 160)}`);
    }
  }
}

/** A request being built: `ctx.get(url).bearer(token).send()`. */
export class RequestBuilder {
  constructor(method, url) {
    this.request = { method, url, headers: [], body: undefined, timeoutMs: undefined, redirects: { tag: "none" } };
  }
  header(name, value) {
    this.request.headers.push([name, String(value)]);
    return this;
  }
  bearer(token) {
    return this.header("authorization", `Bearer ${token}`);
  }
  json(value) {
    this.request.body = encoder.encode(JSON.stringify(value));
    return this.header("content-type", "application/json");
  }
  body(value) {
    this.request.body = bytes(value);
    return this;
  }
  timeout(ms) {
    this.request.timeoutMs = ms;
    return this;
  }
  followRedirects(hops) {
    this.request.redirects = { tag: "follow", val: hops };
    return this;
  }
  /** Sends and reads the whole body; an HTTP error ends the check as `err`. */
  send() {
    return new Response(httpCall(() => http.send(this.request)));
  }
  /** Sends; returns `{response}` or `{error}` (a `{tag, val}` HTTP error) for inspection. */
  trySend() {
    const r = unwrap(() => http.send(this.request));
    return "error" in r ? { error: r.error } : { response: new Response(r.value) };
  }
  /** Sends and returns once the headers arrive. */
  open() {
    return new Stream(httpCall(() => http.open(this.request)));
  }
  /** Streams the body through SHA-256 on the host. */
  fetchDigest() {
    const d = httpCall(() => http.fetchDigest(this.request));
    return {
      ...d,
      bytes: Number(d.bytes),
      header: (name) => findHeader(d.headers, name),
      expectStatus(expected) {
        halt(d.status, () => assert.statusIn(d.status, Uint16Array.from(expected), new Uint8Array()));
        return this;
      },
    };
  }
}

/** What a running check can reach. */
export class Ctx {
  constructor(group, check) {
    this.group = group;
    this.check = check;
  }
  config(key) {
    const v = config.get(key);
    if (v === undefined) fail(undefined, `config \`${key}\` is not set: add it to the plugin's config table in the suite file`);
    return v;
  }
  configOpt(key) {
    return config.get(key);
  }
  secret(name) {
    const v = config.secret(name);
    if (v === undefined) skip(`no ${name}`);
    return v;
  }
  publish(key, value) {
    config.publish(key, String(value));
  }
  published(group, key) {
    const r = unwrap(() => config.published(group, key));
    if ("error" in r) skip(r.error);
    return r.value;
  }
  recall(key) {
    const r = unwrap(() => config.published(this.group, key));
    if ("error" in r) skip(`no \`${key}\`: the check of group ${this.group} that makes it did not pass`);
    return r.value;
  }
  request(method, url) {
    return new RequestBuilder(method, url);
  }
  get(url) {
    return this.request("GET", url);
  }
  post(url) {
    return this.request("POST", url);
  }
  put(url) {
    return this.request("PUT", url);
  }
  patch(url) {
    return this.request("PATCH", url);
  }
  delete(url) {
    return this.request("DELETE", url);
  }
  /** Registers a request the host runs when the run ends, newest first. */
  defer(label, request) {
    cleanup.defer(label, request.request);
  }
  marker() {
    return log.marker();
  }
  /**
   * What `url`'s server presents in its TLS handshake (contract 0.1.1):
   * `{ version, chain: [{ subject, issuer, names, notBefore, notAfter }],
   * chainError, nameMatches }`, reported even when the certificate would be refused.
   */
  tls(url) {
    return httpCall(() => tls.inspect(url, undefined));
  }
  debug(message) {
    log.write("debug", String(message));
  }
  info(message) {
    log.write("info", String(message));
  }
  warn(message) {
    log.write("warn", String(message));
  }
}

/** Lowercase hex SHA-256, computed by the host. */
/**
 * Refuses the plugin's config (contract 0.1.2): `key` is the offending value's
 * path inside the plugin's config table (`checks[3].expect`, "" for the table
 * itself), `message` what is wrong and how to fix it. Called while the Plugin
 * is built, plume stops before any check with one line naming the suite
 * file's line and column. It never returns: the host ends the instance.
 */
export function rejectConfig(key, message) {
  config.reject(String(key), String(message));
  throw new Error("unreachable: the host ends the instance in config.reject");
}

export function sha256(data) {
  return digest.sha256(bytes(data));
}

/**
 * Calls `attempt(n)` every `intervalMs` until it returns without throwing an
 * `err`, or `deadlineMs` passes. A skip ends at once.
 * Returns `{value, attempts, elapsedMs, summary}`.
 */
export function eventually(deadlineMs, intervalMs, attempt) {
  const start = clock.nowMs();
  for (let n = 1; ; n++) {
    try {
      const value = attempt(n);
      const elapsedMs = Number(clock.nowMs() - start);
      const summary = `after ${n} ${n === 1 ? "attempt" : "attempts"} in ${elapsedMs} ms`;
      return { value, attempts: n, elapsedMs, summary };
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

class Group {
  constructor(name, dependsOn) {
    this.name = name;
    this.dependsOn = dependsOn;
    this.checks = [];
  }
  /** Registers a check; checks run in the order they are registered. */
  check(name, fn) {
    this.checks.push([name, fn]);
    return this;
  }
}

/** A plugin: its name, version, what it reads, and its groups in order. */
export class Plugin {
  constructor(name, version) {
    this.name = name;
    this.version = version;
    this.configKeys = [];
    this.secretNames = [];
    this.groups = [];
  }
  config(keys) {
    this.configKeys.push(...keys);
    return this;
  }
  secrets(names) {
    this.secretNames.push(...names);
    return this;
  }
  group(name, dependsOn, build) {
    this.groups.push(build(new Group(name, dependsOn)));
    return this;
  }
  /** The world's exports: `export const { describe, runCheck } = plugin.exports();` */
  exports() {
    const describe = () => ({
      name: this.name,
      version: this.version,
      groups: this.groups.map((g) => ({ name: g.name, checks: g.checks.map(([n]) => n), dependsOn: g.dependsOn })),
      configKeys: this.configKeys,
      secrets: this.secretNames,
    });
    // One index, built on the first call: a lookup per check stays constant
    // time however many checks a group has.
    let index;
    const runCheck = (group, check) => {
      if (!index) {
        index = new Map();
        for (const g of this.groups) {
          const checks = new Map();
          for (const entry of g.checks) if (!checks.has(entry[0])) checks.set(entry[0], entry);
          if (!index.has(g.name)) index.set(g.name, checks);
        }
      }
      const found = index.get(group)?.get(check);
      if (!found) return { outcome: "err", status: undefined, detail: `plugin ${this.name} has no check ${group}.${check}` };
      try {
        const result = found[1](new Ctx(group, check));
        return { outcome: "ok", status: result?.status ?? undefined, detail: String(result?.detail ?? "") };
      } catch (e) {
        if (e instanceof Halt) return { outcome: e.outcome, status: e.status ?? undefined, detail: e.detail };
        return { outcome: "err", status: undefined, detail: `uncaught ${e?.name ?? "error"}: ${e?.message ?? e}` };
      }
    };
    return { describe, runCheck };
  }
}
