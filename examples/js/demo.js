// The demo plugin's core, ported to JavaScript: the same groups, checks and
// details as the Rust plugin (examples/demo/plugin), so the three languages
// print the same line for the same behaviour.
//
// Build: node sdk/js/build.mjs examples/js/demo.js target/plugins/demo_js.wasm

import { Plugin, exportPlugin, fail, ok } from "../../sdk/js/plume.js";

const adminUrl = (ctx) => ctx.config("admin_url").replace(/\/+$/, "");
const mcpUrl = (ctx) => ctx.config("mcp_url").replace(/\/+$/, "");

// health: both listeners answer, each as itself, at the same version.
function up(ctx, base, service) {
  const resp = ctx.get(`${base}/health`).send();
  resp.expectStatus([200]).expectJsonEq("/service", service).expectJsonMatch("/version", "^\\d+\\.\\d+\\.\\d+$");
  const version = resp.jsonStr("/version");
  ctx.publish(`${service}_version`, version);
  return ok(resp.status, `${service} ${version} served in ${resp.elapsedMs} ms`);
}

function versionsAgree(ctx) {
  const admin = ctx.recall("admin_version");
  const mcp = ctx.recall("mcp_version");
  if (admin !== mcp) fail(undefined, `admin runs ${admin} but mcp runs ${mcp}: a half-finished deploy?`);
  return ok(undefined, `admin and mcp both at ${admin}`);
}

// account: a fresh account (its deletion registered first), a session, a shared key.
function credentials(ctx) {
  return [ctx.recall("email"), ctx.recall("password")];
}

function signup(ctx) {
  const base = adminUrl(ctx);
  const id = ctx.marker().replace("PLUME-MARKER-", "").toLowerCase();
  const email = `smoke-${id.slice(0, 16)}@demo-smoke.test`;
  const password = `pw-${id.slice(16)}`;
  ctx.defer("account", ctx.delete(`${base}/account`).header("authorization", `Basic ${btoa(`${email}:${password}`)}`));
  const resp = ctx.post(`${base}/auth/signup`).json({ email, password }).send();
  resp.expectStatus([201]).expectJsonEq("/email", email).expectNonEmpty("/id");
  const accountId = resp.jsonStr("/id");
  ctx.publish("email", email);
  ctx.publish("password", password);
  ctx.publish("account_id", accountId);
  return ok(resp.status, `created ${email} as ${accountId}`);
}

function signin(ctx) {
  const [email, password] = credentials(ctx);
  const resp = ctx.post(`${adminUrl(ctx)}/auth/signin`).json({ email, password }).send();
  resp.expectStatus([200]).expectJsonMatch("/token", "^sess_");
  ctx.publish("session", resp.jsonStr("/token"));
  return ok(resp.status, `signed in as ${email}, session published in ${resp.elapsedMs} ms`);
}

function profile(ctx) {
  const [email] = credentials(ctx);
  const session = ctx.recall("session");
  const resp = ctx.get(`${adminUrl(ctx)}/account/profile`).bearer(session).send();
  resp.expectStatus([200]).expectJsonEq("/email", email);
  return ok(resp.status, "the session reads its own profile");
}

function sharedKey(ctx) {
  const base = adminUrl(ctx);
  const session = ctx.recall("session");
  const resp = ctx.post(`${base}/api/keys`).bearer(session).send();
  resp.expectStatus([201]).expectJsonMatch("/key", "^pk_");
  const id = resp.jsonStr("/id");
  ctx.defer("shared-api-key", ctx.delete(`${base}/api/keys/${id}`).bearer(session));
  ctx.publish("key", resp.jsonStr("/key"));
  return ok(resp.status, `key ${id} published for memories and sse`);
}

// memories: empty content refused by name; a marker stored and found by a query.
const key = (ctx) => ctx.published("account", "key");
const store = (ctx, content) => ctx.post(`${adminUrl(ctx)}/api/memories`).bearer(key(ctx)).json({ content }).send();

function emptyRejected(ctx) {
  const resp = store(ctx, "");
  resp.expectStatus([400]).expectJsonEq("/error", "empty_content");
  return ok(resp.status, "empty content refused with 400 empty_content");
}

function storeMarker(ctx) {
  const marker = ctx.marker();
  const resp = store(ctx, marker);
  resp.expectStatus([201]).expectJsonEq("/created", true);
  const id = resp.jsonStr("/id");
  ctx.defer("memory", ctx.delete(`${adminUrl(ctx)}/api/memories/${id}`).bearer(key(ctx)));
  ctx.publish("marker", marker);
  ctx.publish("memory_id", id);
  return ok(resp.status, `stored ${marker} as ${id}`);
}

function queryMarker(ctx) {
  const marker = ctx.recall("marker");
  const resp = ctx.get(`${adminUrl(ctx)}/api/memories/query?q=${marker}`).bearer(key(ctx)).timeout(3000).send();
  resp.expectStatus([200]).expectContains(marker);
  const hits = resp.json().hits?.length ?? 0;
  return ok(resp.status, `marker found in answer (${hits} hit, ${marker.length} chars) in ${resp.elapsedMs} ms`);
}

function unauthorized(ctx) {
  const resp = ctx.get(`${adminUrl(ctx)}/api/memories`).send();
  resp.expectStatus([401]).expectHeader("www-authenticate");
  return ok(resp.status, "no credentials: 401 with a challenge");
}

// sse: the event stream refuses a missing token and, with the key, stays open.
const events = (ctx) => ctx.get(`${mcpUrl(ctx)}/sse`).timeout(2000);

function noToken(ctx) {
  const stream = events(ctx).open();
  stream.expectStatus([401]).expectHeaderMatch("www-authenticate", "^Bearer ");
  return ok(stream.status, "no token: 401 with a Bearer challenge");
}

function streamOpen(ctx) {
  const stream = events(ctx).bearer(key(ctx)).open();
  stream.expectStatus([200]).expectHeaderMatch("content-type", "^text/event-stream");
  stream.expectOpenFor(500);
  return ok(stream.status, `headers in ${stream.elapsedMs} ms, still open 500 ms later`);
}

function readyEvent(ctx) {
  const stream = events(ctx).bearer(key(ctx)).open();
  stream.expectStatus([200]);
  const seen = stream.readUntil("event: ready", 2000);
  return ok(stream.status, `ready event after ${new TextEncoder().encode(seen).length} bytes`);
}

const plugin = () => new Plugin("demo-js", "0.1.0")
  .config(["admin_url", "mcp_url"])
  .group("health", [], (g) =>
    g.check("admin.up", (ctx) => up(ctx, adminUrl(ctx), "admin"))
      .check("mcp.up", (ctx) => up(ctx, mcpUrl(ctx), "mcp"))
      .check("versions.agree", versionsAgree))
  .group("account", ["health"], (g) =>
    g.check("signup.creates", signup)
      .check("signin.session", signin)
      .check("session.profile", profile)
      .check("apikey.shared", sharedKey))
  .group("memories", ["account"], (g) =>
    g.check("store.empty_rejected", emptyRejected)
      .check("store.marker", storeMarker)
      .check("query.marker_present", queryMarker)
      .check("unauthorized.401", unauthorized))
  .group("sse", ["account"], (g) =>
    g.check("no_token.401", noToken)
      .check("key.stream_open", streamOpen)
      .check("key.ready_event", readyEvent));

export const { describe, runCheck } = exportPlugin(plugin);
