//! health: both listeners answer, each as itself, at the same version.

use plume_sdk::prelude::*;

use crate::{admin_url, mcp_url};

fn up(ctx: &Ctx, base: &str, service: &str) -> Check {
    let resp = ctx.get(format!("{base}/health")).send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/service", service)?
        .expect_json_match("/version", r"^\d+\.\d+\.\d+$")?;
    let version = resp.json_str("/version")?;
    ctx.publish(&format!("{service}_version"), &version);
    ok(
        resp.status,
        format!("{service} {version} served in {} ms", resp.elapsed_ms),
    )
}

pub fn admin_up(ctx: &mut Ctx) -> Check {
    up(ctx, &admin_url(ctx)?, "admin")
}

pub fn mcp_up(ctx: &mut Ctx) -> Check {
    up(ctx, &mcp_url(ctx)?, "mcp")
}

pub fn versions_agree(ctx: &mut Ctx) -> Check {
    let admin = ctx.recall("admin_version")?;
    let mcp = ctx.recall("mcp_version")?;
    if admin != mcp {
        return fail(
            None,
            format!("admin runs {admin} but mcp runs {mcp}: a half-finished deploy?"),
        );
    }
    ok(None, format!("admin and mcp both at {admin}"))
}
