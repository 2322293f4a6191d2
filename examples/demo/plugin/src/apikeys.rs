//! apikeys: create a key (its revocation registered before it is used), use
//! it, list without leaking it, revoke it — and prove the revoked key is
//! then refused.

use plume_sdk::prelude::*;

use crate::admin_url;

fn session(ctx: &Ctx) -> Result<String, Halt> {
    ctx.published("account", "session")
}

/// Creates a key with the account group's session and registers its
/// revocation before the key is used; returns (id, key, status).
pub(crate) fn new_key(ctx: &Ctx, label: &str) -> Result<(String, String, u16), Halt> {
    let base = admin_url(ctx)?;
    let session = session(ctx)?;
    let resp = ctx
        .post(format!("{base}/api/keys"))
        .bearer(&session)
        .send()?;
    resp.expect_status(&[201])?
        .expect_json_match("/key", "^pk_")?;
    let id = resp.json_str("/id")?;
    ctx.defer(
        label,
        ctx.delete(format!("{base}/api/keys/{id}")).bearer(&session),
    );
    Ok((id, resp.json_str("/key")?, resp.status))
}

fn whoami(ctx: &Ctx, key: &str) -> Result<Response, Halt> {
    ctx.get(format!("{}/api/whoami", admin_url(ctx)?))
        .bearer(key)
        .send()
}

pub fn create(ctx: &mut Ctx) -> Check {
    let (id, key, status) = new_key(ctx, "api-key")?;
    ctx.publish("key_id", &id);
    ctx.publish("key", &key);
    ok(status, format!("key {id} created ({} chars)", key.len()))
}

pub fn use_key(ctx: &mut Ctx) -> Check {
    let key = ctx.recall("key")?;
    let email = ctx.published("account", "email")?;
    let resp = whoami(ctx, &key)?;
    resp.expect_status(&[200])?
        .expect_json_eq("/email", email.as_str())?;
    ok(
        resp.status,
        "the new key authenticates as the smoke account",
    )
}

pub fn list_prefix_only(ctx: &mut Ctx) -> Check {
    let (id, key) = (ctx.recall("key_id")?, ctx.recall("key")?);
    let resp = ctx
        .get(format!("{}/api/keys", admin_url(ctx)?))
        .bearer(&session(ctx)?)
        .send()?;
    resp.expect_status(&[200])?.expect_contains(&id)?;
    if resp.text().contains(&key) {
        return fail(resp.status, "the key list shows the full secret key");
    }
    ok(
        resp.status,
        "the list shows the key by id and prefix, never the secret",
    )
}

pub fn revoke(ctx: &mut Ctx) -> Check {
    let id = ctx.recall("key_id")?;
    let resp = ctx
        .delete(format!("{}/api/keys/{id}", admin_url(ctx)?))
        .bearer(&session(ctx)?)
        .send()?;
    resp.expect_status(&[204])?;
    ok(resp.status, format!("key {id} revoked"))
}

pub fn revoked_rejected(ctx: &mut Ctx) -> Check {
    let key = ctx.recall("key")?;
    // "I revoked it" and "it's revoked" are not the same statement.
    let settled = eventually(Duration::from_secs(2), Duration::from_millis(200), |_| {
        let resp = whoami(ctx, &key)?;
        resp.expect_status(&[401])?;
        Ok(resp.status)
    })
    .map_err(|h| h.context("revoked key still accepted"))?;
    ok(
        settled.value,
        format!("revoked key refused {}", settled.summary()),
    )
}

pub fn invalid_key(ctx: &mut Ctx) -> Check {
    let resp = whoami(ctx, "pk_0000000000000000")?;
    resp.expect_status(&[401])?
        .expect_json_eq("/error", "invalid_key")?
        .expect_header("www-authenticate")?;
    ok(
        resp.status,
        "an unknown key gets 401 invalid_key with a challenge",
    )
}
