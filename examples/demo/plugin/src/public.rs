//! public: the unauthenticated JSON a customer's first visit and the sign-in
//! flow depend on, shape and values, and a real 404 for what does not exist.

use plume_sdk::prelude::*;

use crate::admin_url;

pub fn pricing_plans(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/pricing", admin_url(ctx)?)).send()?;
    resp.expect_status(&[200])?
        .expect_json_type("/plans", JsonKind::Array)?
        .expect_non_empty("/plans")?
        .expect_json_match("/currency", "^[A-Z]{3}$")?;
    let doc = resp.json()?;
    let count = doc["plans"].as_array().map_or(0, Vec::len);
    ok(
        resp.status,
        format!(
            "{count} plans in {}",
            doc["currency"].as_str().unwrap_or("?")
        ),
    )
}

pub fn free_plan(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/pricing", admin_url(ctx)?)).send()?;
    resp.expect_status(&[200])?;
    let doc = resp.json()?;
    let plans = doc["plans"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = plans.iter().filter_map(|p| p["id"].as_str()).collect();
    match plans.iter().find(|p| p["id"] == "free") {
        Some(p) if p["monthly_price"] == 0 => ok(resp.status, "plan free costs 0"),
        Some(p) => fail(
            resp.status,
            format!("plan free costs {}", p["monthly_price"]),
        ),
        None => fail(
            resp.status,
            format!("no plan with id free among [{}]", ids.join(", ")),
        ),
    }
}

pub fn auth_config_shape(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/auth/config", admin_url(ctx)?)).send()?;
    resp.expect_status(&[200])?
        .expect_json_type("/providers", JsonKind::Array)?
        .expect_non_empty("/providers")?
        .expect_json_type("/signup_enabled", JsonKind::Boolean)?
        .expect_json_type("/password_min_length", JsonKind::Number)?;
    ok(
        resp.status,
        format!("providers {}", resp.json_str("/providers")?),
    )
}

pub fn password_rule(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/auth/config", admin_url(ctx)?)).send()?;
    resp.expect_status(&[200])?;
    let min = resp.json()?["password_min_length"].as_u64().unwrap_or(0);
    if min < 8 {
        return fail(
            resp.status,
            format!("password_min_length is {min}, below 8"),
        );
    }
    ok(
        resp.status,
        format!("passwords need at least {min} characters"),
    )
}

pub fn unknown_route(ctx: &mut Ctx) -> Check {
    let resp = ctx
        .get(format!("{}/definitely-not-a-route", admin_url(ctx)?))
        .send()?;
    resp.expect_status(&[404])?
        .expect_json_eq("/error", "not_found")?;
    ok(resp.status, "404 not_found as JSON")
}
