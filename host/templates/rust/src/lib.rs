//! {{name}}: Plume checks, one function each, registered in `plugin()`.

use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    Plugin::new("{{name}}", "0.1.0")
        .config(&["base_url"])
        .group("health", &[], |g| g.check("admin.up", admin_up))
}

/// The service answers its health check as healthy: status and shape.
fn admin_up(ctx: &mut Ctx) -> Check {
    let base = ctx.config("base_url")?;
    let resp = ctx.get(format!("{base}/health")).send()?;
    resp.expect_status(&[200])?.expect_json_eq("/status", "ok")?;
    ok(resp.status, format!("healthy, served in {} ms", resp.elapsed_ms))
}

plume_sdk::export_plugin!(plugin);
