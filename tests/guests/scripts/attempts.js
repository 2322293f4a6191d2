// A JavaScript guest of contract 0.1.4's log.attempt-failed, in the same
// groups and words as attempts.py: poll.settles waits with eventually for
// /eventually (404 twice, then 200: pending attempts, not flaky);
// retry.recovers asks /unavailable-twice again with retried (503 twice, then
// 200: erred attempts, flaky).
//
// Built by tests/guests/build.rs: node sdk/js/build.mjs tests/guests/scripts/attempts.js OUT.wasm

import { Plugin, eventually, exportPlugin, ok, retried } from "../../../sdk/js/plume.js";

function settles(ctx) {
  const url = `${ctx.config("url")}/eventually`;
  const settled = eventually(3000, 50, () => ctx.get(url).send().expectStatus([200]).status);
  return ok(settled.value, `settled ${settled.summary()}`);
}

function recovers(ctx) {
  const url = `${ctx.config("url")}/unavailable-twice`;
  const settled = retried(3000, 50, () => ctx.get(url).send().expectStatus([200]).status);
  return ok(settled.value, `recovered ${settled.summary()}`);
}

const plugin = () =>
  new Plugin("attempts-js", "1.0.0")
    .config(["url"])
    .group("poll", [], (g) => g.check("settles", settles))
    .group("retry", [], (g) => g.check("recovers", recovers));

export const { describe, runCheck } = exportPlugin(plugin);
