"""{{name}}: Plume checks, one function each, registered in `plugin()`."""

from plume_sdk import Check, Ctx, Plugin, export_plugin, ok


def plugin() -> Plugin:
    return (
        Plugin("{{name}}", "0.1.0")
        .config(["base_url"])
        .group("health", [], lambda g: g.check("admin.up", admin_up))
    )


def admin_up(ctx: Ctx) -> Check:
    """The service answers its health check as healthy: status and shape."""
    base = ctx.config("base_url")
    resp = ctx.get(f"{base}/health").send()
    resp.expect_status([200]).expect_json_eq("/status", "ok")
    return ok(resp.status, f"healthy, served in {resp.elapsed_ms} ms")


WitWorld = export_plugin(plugin)
