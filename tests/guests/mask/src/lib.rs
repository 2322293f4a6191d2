//! Values obtained at run time, masked (contract 0.1.3's `log.mask`), in
//! the same groups and words as `tests/guests/scripts/mask.js` and
//! `mask.py`:
//!
//! - `obtain.token` reads a session token from `GET {url}/session` and a
//!   cookie from its `Set-Cookie`, masks both, publishes them and logs them;
//! - `echo.body` (another group, after `obtain`) sends them back to
//!   `POST {url}/echo?sid=COOKIE`, logs the server's answer (the token in
//!   every encoding) and fails quoting it;
//! - `short.tiny` masks a 3-character value, which the host refuses with a
//!   warning line.
//!
//! Only here: `flood_count` masks more values than a plugin may, and
//! `flood_bytes` one value larger than all a plugin may mask.

use plume_sdk::mask_secret;
use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    Plugin::new("mask", "0.1.0")
        .config(&["url"])
        .group("obtain", &[], |g| g.check("token", token))
        .group("echo", &["obtain"], |g| g.check("body", echo))
        .group("short", &[], |g| g.check("tiny", tiny))
        .group("flood_count", &[], |g| g.check("many", many))
        .group("flood_bytes", &[], |g| g.check("large", large))
}

fn token(ctx: &mut Ctx) -> Check {
    let url = ctx.config("url")?;
    let resp = ctx.get(format!("{url}/session")).send()?;
    resp.expect_status(&[200])?;
    let token = resp.json_str("/session")?;
    let cookie = resp
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.to_owned())
        .ok_or_else(|| Halt::err("no sid cookie"))?;
    mask_secret(&token);
    ctx.mask_secret(&cookie);
    ctx.publish("token", &token);
    ctx.publish("cookie", &cookie);
    ctx.info(format!("obtained session {token} and cookie {cookie}"));
    ok(resp.status, format!("obtained session {token}"))
}

fn echo(ctx: &mut Ctx) -> Check {
    let url = ctx.config("url")?;
    let token = ctx.published("obtain", "token")?;
    let cookie = ctx.published("obtain", "cookie")?;
    ctx.warn(format!("sending {token} back"));
    let resp = ctx
        .post(format!("{url}/echo?sid={cookie}"))
        .header("cookie", format!("sid={cookie}"))
        .body(token.clone())
        .send()?;
    ctx.info(resp.text());
    resp.expect_status(&[200])?;
    ok(resp.status, format!("echoed {token}"))
}

fn tiny(ctx: &mut Ctx) -> Check {
    ctx.mask_secret("abc");
    ok(None, "asked to mask a 3-character value")
}

fn many(ctx: &mut Ctx) -> Check {
    for i in 0..300 {
        ctx.mask_secret(format!("flood-value-{i:04}"));
    }
    ok(None, "masked 300 values")
}

fn large(ctx: &mut Ctx) -> Check {
    ctx.mask_secret("L".repeat(300 * 1024));
    ok(None, "masked a 300 KiB value")
}

plume_sdk::export_plugin!(plugin);
