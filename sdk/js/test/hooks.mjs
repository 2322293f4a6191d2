// Module hooks for the SDK's unit tests: `plume:check/<interface>@<version>`
// resolves to a module whose functions forward to the fake host in
// fake-host.mjs, so plume.js loads under node unchanged.
const INTERFACES = {
  http: ["send", "open", "fetchDigest"],
  assert: [
    "statusIn", "jsonExists", "jsonEquals", "jsonMatches", "jsonType",
    "jsonNonEmpty", "headerPresent", "headerMatches", "bodyContains", "jsonGet",
  ],
  config: ["get", "secret", "publish", "published", "reject"],
  cleanup: ["defer"],
  clock: ["nowMs", "sleep"],
  digest: ["sha256", "Hasher"],
  log: ["write", "marker", "mask", "attemptFailed"],
  tls: ["inspect"],
};

export async function resolve(specifier, context, next) {
  const m = /^plume:check\/([a-z]+)@\d+\.\d+\.\d+$/.exec(specifier);
  if (m && INTERFACES[m[1]]) return { url: `plume-fake:${m[1]}`, shortCircuit: true };
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith("plume-fake:")) return next(url, context);
  const name = url.slice("plume-fake:".length);
  const state = JSON.stringify(new URL("./fake-host.mjs", import.meta.url).href);
  const members = INTERFACES[name].map((f) =>
    /^[A-Z]/.test(f)
      ? `export class ${f} { constructor(...a) { return new host.${name}.${f}(...a); } }`
      : `export const ${f} = (...a) => host.${name}.${f}(...a);`,
  );
  return { format: "module", source: `import { host } from ${state};\n${members.join("\n")}\n`, shortCircuit: true };
}
