// plume-sdk for JavaScript: write Plume check plugins as one function per
// check and one registration line, built into a component with
// componentize-js. The same shape as the Rust SDK (sdk/rust): the
// assertions run on the host, so a failure reads the same in every language.
//
//   import { Plugin, exportPlugin, ok } from "plume-sdk";
//
//   const plugin = () => new Plugin("shop", "1.0.0")
//     .config(["base_url"])
//     .group("health", [], (g) => g.check("api.up", apiUp));
//
//   function apiUp(ctx) {
//     const resp = ctx.get(`${ctx.config("base_url")}/health`).send();
//     resp.expectStatus([200]).expectJsonEq("/status", "ok");
//     return ok(resp.status, `served in ${resp.elapsedMs} ms`);
//   }
//
//   export const { describe, runCheck } = exportPlugin(plugin);
//
// Every name here has its twin in the Rust and Python SDKs (sdk/README.md has
// the table); the types are in plume.d.ts. The host is reached only through
// the `plume:check/*` imports, called when a check runs, never while this
// module loads: the unit tests (test/) put a fake host behind the same names.
// The code is in lib/, one concept per module, as the Rust SDK's src/.

export { Halt, Pass, describeError, fail, ok, skip } from "./lib/outcome.js";
export { DigestResponse, JsonKind, Response } from "./lib/response.js";
export { Stream } from "./lib/stream.js";
export { RequestBuilder } from "./lib/request.js";
export { Ctx, Hasher, configValue, maskSecret, rejectConfig, sha256 } from "./lib/ctx.js";
export { ConfigError, configKeys, configTable, configTableOrReject } from "./lib/config-table.js";
export { Settled, attemptFailed, eventually, retried } from "./lib/retry.js";
export { Group, Plugin, exportPlugin, runningGroup } from "./lib/plugin.js";
