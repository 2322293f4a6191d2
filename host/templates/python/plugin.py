"""{{name}}: Plume checks, one function each, registered on the plugin."""

from plume_sdk import Ctx, Plugin, Result, ok


def admin_up(ctx: Ctx) -> Result:
    """The service answers its health check as healthy: status and shape."""
    resp = ctx.get(f"{ctx.config('base_url')}/health").send()
    resp.expect_status([200]).expect_json_eq("/status", "ok")
    return ok(resp.status, f"healthy, served in {resp.elapsed_ms} ms")


plugin = (
    Plugin("{{name}}", "0.1.0")
    .config(["base_url"])
    .group("health", [], lambda g: g.check("admin.up", admin_up))
)

WitWorld = plugin.world()
