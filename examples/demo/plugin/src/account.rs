//! account: provisioning for the groups that need a customer — a fresh
//! account per run (its deletion registered before it exists), a session,
//! and an API key (its revocation registered before it is used). Only
//! provisioning lives here, so a bug in a negative path reds its own group
//! without skipping everything downstream.

use base64::Engine as _;
use plume_sdk::prelude::*;
use serde_json::json;

use crate::admin_url;
use crate::auth::signin_with;

fn credentials(ctx: &Ctx) -> Result<(String, String), Halt> {
    Ok((ctx.recall("email")?, ctx.recall("password")?))
}

pub fn signup(ctx: &mut Ctx) -> Check {
    let base = admin_url(ctx)?;
    let marker = ctx.marker();
    let id = marker.trim_start_matches("PLUME-MARKER-").to_lowercase();
    let email = format!("smoke-{}@demo-smoke.test", &id[..16]);
    let password = format!("pw-{}", &id[16..]);
    // Registered before the account exists, so it is removed whatever happens next.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"));
    ctx.defer(
        "account",
        ctx.delete(format!("{base}/account"))
            .header("authorization", format!("Basic {basic}")),
    );
    let resp = ctx
        .post(format!("{base}/auth/signup"))
        .json(&json!({"email": email, "password": password}))
        .send()?;
    resp.expect_status(&[201])?
        .expect_json_eq("/email", email.as_str())?
        .expect_non_empty("/id")?;
    let account_id = resp.json_str("/id")?;
    ctx.publish("email", &email);
    ctx.publish("password", &password);
    ctx.publish("account_id", &account_id);
    ok(resp.status, format!("created {email} as {account_id}"))
}

pub fn signin(ctx: &mut Ctx) -> Check {
    let (email, password) = credentials(ctx)?;
    let resp = signin_with(ctx, &email, &password)?;
    resp.expect_status(&[200])?
        .expect_json_match("/token", "^sess_")?;
    ctx.publish("session", &resp.json_str("/token")?);
    ok(
        resp.status,
        format!(
            "signed in as {email}, session published in {} ms",
            resp.elapsed_ms
        ),
    )
}

pub fn profile(ctx: &mut Ctx) -> Check {
    let (email, _) = credentials(ctx)?;
    let session = ctx.recall("session")?;
    let resp = ctx
        .get(format!("{}/account/profile", admin_url(ctx)?))
        .bearer(&session)
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/email", email.as_str())?;
    ok(resp.status, "the session reads its own profile")
}

pub fn shared_key(ctx: &mut Ctx) -> Check {
    let (id, key, status) = crate::apikeys::new_key(ctx, "shared-api-key")?;
    ctx.publish("key", &key);
    ok(status, format!("key {id} published for memories and sse"))
}
