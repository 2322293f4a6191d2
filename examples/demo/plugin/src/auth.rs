//! auth: the negative paths of the account surface — duplicate signup 409,
//! weak password 400, wrong password 401 (not 500), and a session that
//! logout really ends. Runs on the account the `account` group made.

use plume_sdk::prelude::*;
use serde_json::json;

use crate::admin_url;

fn credentials(ctx: &Ctx) -> Result<(String, String), Halt> {
    Ok((
        ctx.published("account", "email")?,
        ctx.published("account", "password")?,
    ))
}

pub(crate) fn signin_with(ctx: &Ctx, email: &str, password: &str) -> Result<Response, Halt> {
    let body = json!({"email": email, "password": password});
    ctx.post(format!("{}/auth/signin", admin_url(ctx)?))
        .json(&body)
        .send()
}

pub fn duplicate(ctx: &mut Ctx) -> Check {
    let (email, password) = credentials(ctx)?;
    let resp = ctx
        .post(format!("{}/auth/signup", admin_url(ctx)?))
        .json(&json!({"email": email, "password": password}))
        .send()?;
    resp.expect_status(&[409])?
        .expect_json_eq("/error", "email_taken")?;
    ok(
        resp.status,
        "second signup with the same email refused: email_taken",
    )
}

pub fn weak_password(ctx: &mut Ctx) -> Check {
    let email = format!(
        "weak-{}@demo-smoke.test",
        &ctx.marker()[13..29].to_lowercase()
    );
    let resp = ctx
        .post(format!("{}/auth/signup", admin_url(ctx)?))
        .json(&json!({"email": email, "password": "short"}))
        .send()?;
    resp.expect_status(&[400])?
        .expect_json_eq("/error", "invalid_password")?;
    ok(
        resp.status,
        "5-character password refused: invalid_password",
    )
}

pub fn wrong_password(ctx: &mut Ctx) -> Check {
    let (email, _) = credentials(ctx)?;
    let resp = signin_with(ctx, &email, "not-the-password")?;
    resp.expect_status(&[401])?
        .expect_json_eq("/error", "invalid_credentials")?;
    ok(
        resp.status,
        "wrong password refused with 401 invalid_credentials",
    )
}

pub fn logout(ctx: &mut Ctx) -> Check {
    let base = admin_url(ctx)?;
    let (email, password) = credentials(ctx)?;
    let signin = signin_with(ctx, &email, &password)?;
    signin.expect_status(&[200])?;
    // Its own session: the one the other groups use must stay valid.
    let session = signin.json_str("/token")?;
    let out = ctx
        .post(format!("{base}/auth/logout"))
        .bearer(&session)
        .send()?;
    out.expect_status(&[204])?;
    let after = ctx
        .get(format!("{base}/account/profile"))
        .bearer(&session)
        .send()?;
    after
        .expect_status(&[401])
        .map_err(|h| h.context("after logout the session still works"))?;
    ok(
        after.status,
        "logout answered 204 and the session is then rejected with 401",
    )
}
