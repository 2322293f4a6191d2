// {{name}}: Plume checks, one function each, registered on the plugin.
import { Plugin, ok } from "./{{sdk}}/sdk/js/plume.js";

// The service answers its health check as healthy: status and shape.
function adminUp(ctx) {
  const resp = ctx.get(`${ctx.config("base_url")}/health`).send();
  resp.expectStatus([200]).expectJsonEq("/status", "ok");
  return ok(resp.status, `healthy, served in ${resp.elapsedMs} ms`);
}

const plugin = new Plugin("{{name}}", "0.1.0")
  .config(["base_url"])
  .group("health", [], (g) => g.check("admin.up", adminUp));

export const { describe, runCheck } = plugin.exports();
