//! sse: the MCP event stream refuses missing and unknown tokens, and with
//! the auth group's key answers 200 `text/event-stream`, sends `ready` and
//! stays open — a timeout *after* the headers is success, not failure.

use plume_sdk::prelude::*;

use crate::mcp_url;

fn events(ctx: &Ctx) -> Result<plume_sdk::RequestBuilder, Halt> {
    Ok(ctx
        .get(format!("{}/sse", mcp_url(ctx)?))
        .timeout(Duration::from_secs(2)))
}

fn key(ctx: &Ctx) -> Result<String, Halt> {
    ctx.published("account", "key")
}

pub fn no_token(ctx: &mut Ctx) -> Check {
    let stream = events(ctx)?.open()?;
    stream
        .expect_status(&[401])?
        .expect_header_match("www-authenticate", "^Bearer ")?;
    ok(stream.status, "no token: 401 with a Bearer challenge")
}

pub fn bad_token(ctx: &mut Ctx) -> Check {
    let stream = events(ctx)?.bearer("pk_0000000000000000").open()?;
    stream.expect_status(&[401])?;
    ok(stream.status, "unknown token: 401")
}

pub fn stream_open(ctx: &mut Ctx) -> Check {
    let mut stream = events(ctx)?.bearer(&key(ctx)?).open()?;
    stream
        .expect_status(&[200])?
        .expect_header_match("content-type", "^text/event-stream")?;
    let hold = Duration::from_millis(500);
    stream.expect_open_for(hold)?;
    ok(
        stream.status,
        format!(
            "headers in {} ms, still open {} ms later",
            stream.elapsed_ms,
            hold.as_millis()
        ),
    )
}

pub fn ready_event(ctx: &mut Ctx) -> Check {
    let mut stream = events(ctx)?.bearer(&key(ctx)?).open()?;
    stream.expect_status(&[200])?;
    let seen = stream.read_until("event: ready", Duration::from_secs(2))?;
    ok(
        stream.status,
        format!("ready event after {} bytes", seen.len()),
    )
}
