// {{name}}: Plume checks, one function each, registered in `plugin()`.
import { Plugin, exportPlugin, ok } from "./{{sdk}}/sdk/js/plume.js";

const plugin = () =>
  new Plugin("{{name}}", "0.1.0")
    .config(["base_url"])
    .group("health", [], (g) => g.check("admin.up", adminUp));

// The service answers its health check as healthy: status and shape.
/** @param {import("./{{sdk}}/sdk/js/plume.js").Ctx} ctx */
function adminUp(ctx) {
  const base = ctx.config("base_url");
  const resp = ctx.get(`${base}/health`).send();
  resp.expectStatus([200]).expectJsonEq("/status", "ok");
  return ok(resp.status, `healthy, served in ${resp.elapsedMs} ms`);
}

export const { describe, runCheck } = exportPlugin(plugin);
