"""A Python guest of contract 0.1.4's log.attempt-failed, in the same groups
and words as attempts.js: poll.settles waits with eventually for /eventually
(404 twice, then 200: pending attempts, not flaky); retry.recovers asks
/unavailable-twice again with retried (503 twice, then 200: erred attempts,
flaky).

Built by tests/guests/build.rs: sdk/python/build.sh tests/guests/scripts/attempts.py OUT.wasm
"""

from plume_sdk import Check, Ctx, Plugin, eventually, export_plugin, ok, retried


def settles(ctx: Ctx) -> Check:
    url = f"{ctx.config('url')}/eventually"
    settled = eventually(3000, 50, lambda _n: ctx.get(url).send().expect_status([200]).status)
    return ok(settled.value, f"settled {settled.summary()}")


def recovers(ctx: Ctx) -> Check:
    url = f"{ctx.config('url')}/unavailable-twice"
    settled = retried(3000, 50, lambda _n: ctx.get(url).send().expect_status([200]).status)
    return ok(settled.value, f"recovered {settled.summary()}")


def plugin() -> Plugin:
    return (
        Plugin("attempts-py", "1.0.0")
        .config(["url"])
        .group("poll", [], lambda g: g.check("settles", settles))
        .group("retry", [], lambda g: g.check("recovers", recovers))
    )


WitWorld = export_plugin(plugin)
