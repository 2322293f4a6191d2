//! A well-behaved test plugin: every outcome, group values, cleanups,
//! secrets, markers, streaming, digests and retries, against the e2e tests'
//! loopback server (config `base_url`).

use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    Plugin::new("basic", "0.1.0")
        .config(&["base_url", "denied_url"])
        .secrets(&["api_token"])
        .group("basics", &[], |g| {
            g.check("ok_status", ok_status)
                .check("err_status", err_status)
                .check("skip_reason", skip_reason)
                .check("secret_used", secret_used)
        })
        .group("producer", &[], |g| g.check("login", login))
        .group("consumer", &["producer"], |g| g.check("whoami", whoami))
        .group("failing", &[], |g| g.check("boom", boom))
        .group("after_failing", &["failing"], |g| g.check("never", never))
        .group("cleanups", &[], |g| g.check("register", register_cleanups))
        .group("denied", &[], |g| g.check("outside", outside))
        .group("redirect", &[], |g| g.check("out", redirect_out))
        .group("stream", &[], |g| {
            g.check("sse_open", sse_open)
                .check("sse_closes", sse_closes)
        })
        .group("marker", &[], |g| g.check("roundtrip", marker_roundtrip))
        .group("digest", &[], |g| g.check("blob", blob_digest))
        .group("retry", &[], |g| g.check("settles", settles))
}

fn base(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("base_url")
}

fn ok_status(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/ok", base(ctx)?)).send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/status", "ok")?;
    ok(resp.status, format!("status ok in {} ms", resp.elapsed_ms))
}

fn err_status(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/status/503", base(ctx)?)).send()?;
    resp.expect_status(&[200])?;
    ok(resp.status, "unexpectedly fine")
}

fn skip_reason(_ctx: &mut Ctx) -> Check {
    skip("nothing to check in this environment")
}

fn secret_used(ctx: &mut Ctx) -> Check {
    let token = ctx.secret("api_token")?;
    ctx.info(format!("using token {token}"));
    let resp = ctx
        .get(format!("{}/echo?token={token}", base(ctx)?))
        .bearer(&token)
        .send()?;
    resp.expect_status(&[200])?;
    ok(resp.status, format!("server echoed {}", resp.text()))
}

fn login(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    let resp = ctx.post(format!("{base}/login")).send()?;
    resp.expect_status(&[200])?.expect_non_empty("/token")?;
    let token = resp.json_str("/token")?;
    ctx.defer("logout", ctx.delete(format!("{base}/session/{token}")));
    ctx.publish("token", &token);
    ok(
        resp.status,
        format!("token of {} chars published", token.len()),
    )
}

fn whoami(ctx: &mut Ctx) -> Check {
    let token = ctx.published("producer", "token")?;
    let resp = ctx
        .get(format!("{}/whoami", base(ctx)?))
        .bearer(&token)
        .send()?;
    resp.expect_status(&[200])?
        .expect_json_eq("/user", "smoke")?;
    ok(resp.status, "token from producer accepted")
}

fn boom(_ctx: &mut Ctx) -> Check {
    fail(None, "deliberate failure")
}

fn never(_ctx: &mut Ctx) -> Check {
    ok(None, "ran although its dependency failed")
}

fn register_cleanups(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    for n in 1..=3 {
        ctx.defer(
            &format!("undo-{n}"),
            ctx.delete(format!("{base}/cleanup/{n}")),
        );
    }
    ctx.defer("broken", ctx.delete(format!("{base}/status/500")));
    ok(None, "4 cleanups registered")
}

fn outside(ctx: &mut Ctx) -> Check {
    let url = ctx.config("denied_url")?;
    match ctx.get(url).try_send() {
        Err(HttpError::Denied(why)) => ok(None, format!("denied: {why}")),
        Err(other) => fail(
            None,
            format!(
                "expected a denial, got {}",
                plume_sdk::describe_error(&other)
            ),
        ),
        Ok(resp) => fail(resp.status, "the request went through"),
    }
}

fn redirect_out(ctx: &mut Ctx) -> Check {
    let target = ctx.config("denied_url")?;
    let url = format!("{}/redirect?to={target}", base(ctx)?);
    match ctx.get(url).follow_redirects(3).try_send() {
        Err(HttpError::Denied(why)) => ok(None, format!("redirect hop denied: {why}")),
        Err(other) => fail(
            None,
            format!(
                "expected a denial, got {}",
                plume_sdk::describe_error(&other)
            ),
        ),
        Ok(resp) => fail(
            resp.status,
            "the redirect was followed to a host not allowed",
        ),
    }
}

fn sse_open(ctx: &mut Ctx) -> Check {
    let mut stream = ctx
        .get(format!("{}/sse", base(ctx)?))
        .timeout(Duration::from_secs(2))
        .open()?;
    stream
        .expect_status(&[200])?
        .expect_header_match("content-type", "^text/event-stream")?;
    let bytes = stream.expect_open_for(Duration::from_millis(300))?;
    ok(
        stream.status,
        format!(
            "headers in {} ms, open 300 ms later ({bytes} bytes)",
            stream.elapsed_ms
        ),
    )
}

fn sse_closes(ctx: &mut Ctx) -> Check {
    let mut stream = ctx.get(format!("{}/sse-closes", base(ctx)?)).open()?;
    stream.expect_status(&[200])?;
    stream.expect_open_for(Duration::from_millis(300))?;
    ok(stream.status, "stayed open")
}

fn marker_roundtrip(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    let marker = ctx.marker();
    ctx.post(format!("{base}/store"))
        .body(marker.clone())
        .send()?
        .expect_status(&[201])?;
    let resp = ctx.get(format!("{base}/store")).send()?;
    resp.expect_status(&[200])?.expect_contains(&marker)?;
    ok(resp.status, format!("marker {marker} read back"))
}

fn blob_digest(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    let expected = ctx.get(format!("{base}/blob.sha256")).send()?.text();
    let got = ctx.get(format!("{base}/blob")).fetch_digest()?;
    got.expect_status(&[200])?;
    let mut local = plume_sdk::Hasher::new();
    local.update(b"abc");
    if local.finish() != sha256(b"abc") {
        return fail(None, "incremental and one-shot digests differ");
    }
    if got.sha256 != expected.trim() {
        return fail(
            got.status,
            format!(
                "served sha {} != published sha {}",
                got.sha256,
                expected.trim()
            ),
        );
    }
    ok(
        got.status,
        format!("{} bytes, sha256 {}", got.bytes, &got.sha256[..12]),
    )
}

fn settles(ctx: &mut Ctx) -> Check {
    let url = format!("{}/eventually", base(ctx)?);
    let settled = eventually(Duration::from_secs(3), Duration::from_millis(50), |_| {
        let resp = ctx.get(url.clone()).send()?;
        resp.expect_status(&[200])?;
        Ok(resp.status)
    })?;
    ok(settled.value, format!("ready {}", settled.summary()))
}

plume_sdk::export_plugin!(plugin);
