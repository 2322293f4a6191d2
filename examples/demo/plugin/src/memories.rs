//! memories: empty content is refused by name; a marker is stored (its
//! deletion registered at once), stored again as the same memory, listed
//! once, found by a query, and gone after delete.

use plume_sdk::prelude::*;
use serde_json::json;

use crate::admin_url;

fn key(ctx: &Ctx) -> Result<String, Halt> {
    ctx.published("account", "key")
}

fn store(ctx: &Ctx, content: &str) -> Result<Response, Halt> {
    ctx.post(format!("{}/api/memories", admin_url(ctx)?))
        .bearer(&key(ctx)?)
        .json(&json!({"content": content}))
        .send()
}

/// How many listed memories hold `marker`.
fn rows_with(ctx: &Ctx, marker: &str) -> Result<(usize, u16), Halt> {
    let resp = ctx
        .get(format!("{}/api/memories", admin_url(ctx)?))
        .bearer(&key(ctx)?)
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_type("/memories", JsonKind::Array)?;
    let doc = resp.json()?;
    let rows = doc["memories"].as_array().into_iter().flatten();
    Ok((rows.filter(|m| m["content"] == marker).count(), resp.status))
}

pub fn empty_rejected(ctx: &mut Ctx) -> Check {
    let resp = store(ctx, "")?;
    resp.expect_status(&[400])?
        .expect_json_eq("/error", "empty_content")?;
    ok(resp.status, "empty content refused with 400 empty_content")
}

pub fn store_marker(ctx: &mut Ctx) -> Check {
    let marker = ctx.marker();
    let resp = store(ctx, &marker)?;
    resp.expect_status(&[201])?
        .expect_json_eq("/created", true)?;
    let id = resp.json_str("/id")?;
    let url = format!("{}/api/memories/{id}", admin_url(ctx)?);
    ctx.defer("memory", ctx.delete(url).bearer(&key(ctx)?));
    ctx.publish("marker", &marker);
    ctx.publish("memory_id", &id);
    ok(resp.status, format!("stored {marker} as {id}"))
}

pub fn dedup(ctx: &mut Ctx) -> Check {
    let (marker, id) = (ctx.recall("marker")?, ctx.recall("memory_id")?);
    let resp = store(ctx, &marker)?;
    resp.expect_json_eq("/id", id.as_str())
        .map_err(|h| h.context("the same content stored twice became two memories"))?;
    resp.expect_status(&[200])?
        .expect_json_eq("/created", false)?;
    ok(
        resp.status,
        format!("same content returned the same id {id}"),
    )
}

pub fn one_row(ctx: &mut Ctx) -> Check {
    let marker = ctx.recall("marker")?;
    match rows_with(ctx, &marker)? {
        (1, status) => ok(status, "the list shows the marker once"),
        (n, status) => fail(
            status,
            format!("the list shows the marker {n} times, expected once"),
        ),
    }
}

pub fn query_marker(ctx: &mut Ctx) -> Check {
    let marker = ctx.recall("marker")?;
    let resp = ctx
        .get(format!("{}/api/memories/query?q={marker}", admin_url(ctx)?))
        .bearer(&key(ctx)?)
        .timeout(Duration::from_secs(3))
        .send()?;
    resp.expect_status(&[200])?.expect_contains(&marker)?;
    let hits = resp.json()?["hits"].as_array().map_or(0, Vec::len);
    ok(
        resp.status,
        format!(
            "marker found in answer ({hits} hit, {} chars) in {} ms",
            marker.len(),
            resp.elapsed_ms
        ),
    )
}

pub fn delete_removes(ctx: &mut Ctx) -> Check {
    let (marker, id) = (ctx.recall("marker")?, ctx.recall("memory_id")?);
    let resp = ctx
        .delete(format!("{}/api/memories/{id}", admin_url(ctx)?))
        .bearer(&key(ctx)?)
        .send()?;
    resp.expect_status(&[204])?;
    let settled =
        eventually(
            Duration::from_secs(2),
            Duration::from_millis(200),
            |_| match rows_with(ctx, &marker)? {
                (0, status) => Ok(status),
                (n, status) => fail(status, format!("{n} row(s) still hold the marker")),
            },
        )?;
    ok(
        settled.value,
        format!("deleted and gone from the list {}", settled.summary()),
    )
}

pub fn unauthorized(ctx: &mut Ctx) -> Check {
    let resp = ctx
        .get(format!("{}/api/memories", admin_url(ctx)?))
        .send()?;
    resp.expect_status(&[401])?
        .expect_header("www-authenticate")?;
    ok(resp.status, "no credentials: 401 with a challenge")
}
