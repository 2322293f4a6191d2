// A JavaScript guest of contract 0.1.1's tls interface: one check that
// reports what the server at config `url` presents, in the same words as
// tls.py, so the test can hold the two languages to one line; a `url` that
// is not https:// is refused with config.reject (0.1.2).
//
// Built by tests/guests/build.rs: node sdk/js/build.mjs tests/guests/scripts/tls.js OUT.wasm

import { Plugin, ok, rejectConfig } from "../../../sdk/js/plume.js";

function peer(ctx) {
  const url = ctx.config("url");
  if (!url.startsWith("https://")) rejectConfig("url", `must be an https:// URL, got ${url}`);
  const p = ctx.tls(url);
  const leaf = p.chain[0];
  const chain = p.chainError === undefined || p.chainError === null ? "verifies" : p.chainError;
  const name = p.nameMatches ? "matches" : "differs";
  return ok(
    undefined,
    `${p.version}; names ${leaf.names.join(",")}; chain ${chain}; name ${name}; not after ${leaf.notAfter}`,
  );
}

const plugin = new Plugin("tls-js", "0.1.0").config(["url"]).group("tls", [], (g) => g.check("peer", peer));

export const { describe, runCheck } = plugin.exports();
