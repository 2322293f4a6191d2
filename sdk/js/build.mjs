// Builds a JavaScript plugin into a component:
//
//   node sdk/js/build.mjs PLUGIN.js OUT.wasm
//
// On first use it installs the SDK's pinned toolchain (`npm ci` here, from
// package-lock.json). esbuild then bundles the plugin with this SDK into one
// module (componentize-js reads a single file), keeping the
// `plume:check/*` imports for the host; componentize-js builds the component
// against wit/ with every WASI feature disabled: the plugin reaches the world
// only through the contract.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = dirname(fileURLToPath(import.meta.url));
const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
  console.error("usage: node sdk/js/build.mjs PLUGIN.js OUT.wasm");
  process.exit(2);
}
if (!existsSync(join(sdk, "node_modules", ".bin", "componentize-js"))) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: sdk, stdio: "inherit" });
}
const { build } = await import("esbuild");
mkdirSync(dirname(resolve(out)), { recursive: true });
const bundle = `${resolve(out)}.bundle.js`;
await build({
  entryPoints: [entry],
  bundle: true,
  format: "esm",
  platform: "neutral",
  external: ["plume:check/*"],
  outfile: bundle,
  logLevel: "warning",
});
execFileSync(
  join(sdk, "node_modules", ".bin", "componentize-js"),
  [bundle, "--wit", join(sdk, "..", "..", "wit"), "-n", "plugin",
   "-d", "stdio", "random", "clocks", "http", "fetch-event", "-o", out],
  { stdio: "inherit" },
);
