//! admin: with the admin password (skipped with a reason without it), the
//! smoke customer's detail has the fields the admin UI shows — billing_plan
//! above all — and a customer's own token is refused with 403.

use plume_sdk::prelude::*;
use serde_json::json;

use crate::admin_url;

fn customer_url(ctx: &Ctx, id: &str) -> Result<String, Halt> {
    Ok(format!("{}/admin/customers/{id}", admin_url(ctx)?))
}

fn customer(ctx: &Ctx) -> Result<Response, Halt> {
    let token = ctx.recall("admin_token")?;
    let id = ctx.published("account", "account_id")?;
    let resp = ctx.get(customer_url(ctx, &id)?).bearer(&token).send()?;
    resp.expect_status(&[200])?;
    Ok(resp)
}

pub fn signin(ctx: &mut Ctx) -> Check {
    let password = ctx.secret("admin_password")?;
    let email = ctx
        .config_opt("admin_email")
        .unwrap_or_else(|| "admin@demo.test".to_owned());
    let resp = ctx
        .post(format!("{}/admin/signin", admin_url(ctx)?))
        .json(&json!({"email": email, "password": password}))
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_match("/token", "^adm_")?;
    ctx.publish("admin_token", &resp.json_str("/token")?);
    ok(resp.status, format!("signed in as {email}"))
}

pub fn customer_detail(ctx: &mut Ctx) -> Check {
    let resp = customer(ctx)?;
    let email = ctx.published("account", "email")?;
    resp.expect_json_eq("/email", email.as_str())?
        .expect_non_empty("/id")?
        .expect_json_match("/created_at", r"^\d{4}-\d{2}-\d{2}T")?;
    ok(resp.status, "customer detail shows the smoke account")
}

pub fn billing_plan(ctx: &mut Ctx) -> Check {
    let resp = customer(ctx)?;
    resp.expect_json("/billing_plan")?
        .expect_json_match("/billing_plan", "^(free|pro)$")?;
    ok(
        resp.status,
        format!("billing_plan {}", resp.json_str("/billing_plan")?),
    )
}

pub fn unknown_customer(ctx: &mut Ctx) -> Check {
    let token = ctx.recall("admin_token")?;
    let resp = ctx
        .get(customer_url(ctx, "acct_does_not_exist")?)
        .bearer(&token)
        .send()?;
    resp.expect_status(&[404])?
        .expect_json_eq("/error", "not_found")?;
    ok(resp.status, "unknown customer: 404 not_found")
}

pub fn non_admin(ctx: &mut Ctx) -> Check {
    ctx.recall("admin_token")?;
    let session = ctx.published("account", "session")?;
    let id = ctx.published("account", "account_id")?;
    let resp = ctx.get(customer_url(ctx, &id)?).bearer(&session).send()?;
    resp.expect_status(&[403])?
        .expect_json_eq("/error", "forbidden")?;
    ok(
        resp.status,
        "a customer's own session gets 403 on admin routes",
    )
}
