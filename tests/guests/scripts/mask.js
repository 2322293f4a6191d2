// A JavaScript guest of contract 0.1.3's log.mask, in the same groups and
// words as tests/guests/mask (Rust) and mask.py: obtain.token reads a session
// token and a cookie and masks them; echo.body (another group) sends them back
// and fails quoting the server's answer, the token in every encoding;
// short.tiny masks a 3-character value, which the host refuses with a warning.
//
// Built by tests/guests/build.rs: node sdk/js/build.mjs tests/guests/scripts/mask.js OUT.wasm

import { Halt, Plugin, exportPlugin, maskSecret, ok } from "../../../sdk/js/plume.js";

function token(ctx) {
  const url = ctx.config("url");
  const resp = ctx.get(`${url}/session`).send().expectStatus([200]);
  const session = resp.jsonStr("/session");
  const cookie = (resp.header("set-cookie") ?? "").split(";")[0].split("=")[1];
  if (!cookie) throw Halt.err("no sid cookie");
  maskSecret(session);
  ctx.maskSecret(cookie);
  ctx.publish("token", session);
  ctx.publish("cookie", cookie);
  ctx.info(`obtained session ${session} and cookie ${cookie}`);
  return ok(resp.status, `obtained session ${session}`);
}

function echo(ctx) {
  const url = ctx.config("url");
  const session = ctx.published("obtain", "token");
  const cookie = ctx.published("obtain", "cookie");
  ctx.warn(`sending ${session} back`);
  const resp = ctx.post(`${url}/echo?sid=${cookie}`).header("cookie", `sid=${cookie}`).body(session).send();
  ctx.info(resp.text());
  resp.expectStatus([200]);
  return ok(resp.status, `echoed ${session}`);
}

function tiny(ctx) {
  ctx.maskSecret("abc");
  return ok(undefined, "asked to mask a 3-character value");
}

const plugin = () =>
  new Plugin("mask-js", "0.1.0")
    .config(["url"])
    .group("obtain", [], (g) => g.check("token", token))
    .group("echo", ["obtain"], (g) => g.check("body", echo))
    .group("short", [], (g) => g.check("tiny", tiny));

export const { describe, runCheck } = exportPlugin(plugin);
