//! A plugin that misbehaves on purpose, one group per kind of fault, so the
//! tests can show the host contains each: the faulty check is `err` saying
//! why, the rest of its group is skipped, other groups are unaffected, and
//! cleanups registered before the fault still run.

use plume_sdk::RequestBuilder;
use plume_sdk::prelude::*;

fn plugin() -> Plugin {
    if plume_sdk::__bindings::plume::check::config::get("hang_describe").as_deref() == Some("yes") {
        spin();
    }
    describe_fault();
    Plugin::new("hostile", "0.1.0")
        .config(&["base_url", "hang_describe", "describe_fault", "who"])
        .secrets(&["token"])
        .group("spin", &[], |g| {
            g.check("loop_forever", loop_forever).check("after", after)
        })
        .group("trap", &[], |g| {
            g.check("abort", abort).check("after", after)
        })
        .group("panic", &[], |g| {
            g.check("panics", panics).check("after", after)
        })
        .group("memory", &[], |g| {
            g.check("bomb", memory_bomb).check("after", after)
        })
        .group("stack", &[], |g| {
            g.check("overflow", overflow).check("after", after)
        })
        .group("hostloop", &[], |g| {
            g.check("spam", spam).check("after", after)
        })
        .group("sleepy", &[], |g| {
            g.check("sleeps", sleeps).check("after", after)
        })
        .group("healthy", &[], |g| g.check("fine", fine))
        .group("flood", &[], |g| {
            g.check("logs", flood_logs).check("lines", flood_log_lines)
        })
        .group("caps", &[], |g| {
            g.check("big_send", big_send)
                .check("big_digest", big_digest)
        })
        .group("probe", &[], |g| g.check("fetch", probe))
        .group("streams", &[], |g| g.check("hold", hold_streams))
        .group("needle", &[], |g| g.check("refused", needle_too_big))
        .group("prints", &[], |g| {
            g.check("two_mib", print_two_mib)
                .check("after", print_after)
        })
        .group("headers", &[], |g| {
            g.check("defer_many", defer_many_headers)
                .check("send_many", send_many_headers)
                .check("framing", send_framing_header)
                .check("vhost", send_other_virtual_host)
        })
        .group("retry", &[], |g| g.check("huge", huge_failure))
        .group("echo", &[], |g| g.check("talk", talk))
        .group("escape", &[], |g| {
            g.check("files", files)
                .check("environment", environment)
                .check("sockets", sockets)
        })
}

/// With `describe_fault = "panic"` or `"reject"`, `describe()` fails with a
/// message quoting the `token` secret between terminal escapes, on several
/// lines, one of them a forged GitHub workflow command.
fn describe_fault() {
    use plume_sdk::__bindings::plume::check::config;
    let Some(fault) = config::get("describe_fault") else {
        return;
    };
    let token = config::secret("token").unwrap_or_default();
    let message = format!("token {token} \x1b]0;pwned\x07\x1b[31mred\n::error::forged");
    match fault.as_str() {
        "panic" => panic!("{message}"),
        "reject" => plume_sdk::reject_config("base_url", &message),
        _ => {}
    }
}

/// Logs 128 KiB of short lines, then errs with a 16 MiB detail of 8 Mi
/// lines: under `--retries`, every attempt does it again.
fn huge_failure(ctx: &mut Ctx) -> Check {
    ctx.debug("y\n".repeat(64 * 1024));
    Err(Halt::err("z\n".repeat(8 * 1024 * 1024)))
}

/// Emits one of everything a check can, each naming the instance's `who`:
/// a log line, a print, a request (its trace), a cleanup.
fn talk(ctx: &mut Ctx) -> Check {
    let who = ctx.config("who")?;
    let base = base(ctx)?;
    ctx.info(format!("log from {who}"));
    println!("stdout from {who}");
    ctx.defer(
        &format!("undo-{who}"),
        ctx.delete(format!("{base}/cleanup/{who}")),
    );
    let resp = ctx.get(format!("{base}/ok?from={who}")).send()?;
    ok(resp.status, format!("talked as {who}"))
}

fn base(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("base_url")
}

/// Registers two cleanups, `<label>-1` then `<label>-2`: they must run in reverse.
fn undo(ctx: &Ctx, label: &str) -> Result<(), Halt> {
    let base = base(ctx)?;
    for n in 1..=2 {
        ctx.defer(
            &format!("{label}-{n}"),
            ctx.delete(format!("{base}/cleanup/{label}-{n}")),
        );
    }
    Ok(())
}

#[inline(never)]
fn spin() -> ! {
    let mut x: u64 = 1;
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

fn loop_forever(ctx: &mut Ctx) -> Check {
    undo(ctx, "spin")?;
    spin();
}

fn abort(ctx: &mut Ctx) -> Check {
    undo(ctx, "trap")?;
    std::process::abort()
}

fn panics(ctx: &mut Ctx) -> Check {
    undo(ctx, "panic")?;
    panic!("deliberate panic in a check")
}

fn memory_bomb(ctx: &mut Ctx) -> Check {
    undo(ctx, "memory")?;
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1024 * 1024]);
        std::hint::black_box(&hoard);
    }
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    // Small frames on the wasm stack itself (no shadow-stack arrays), so the
    // engine's stack limit is what stops it.
    recurse(std::hint::black_box(depth + 1)).wrapping_add(depth)
}

fn overflow(ctx: &mut Ctx) -> Check {
    undo(ctx, "stack")?;
    let n = recurse(0);
    ok(None, format!("recursed {n}"))
}

fn spam(ctx: &mut Ctx) -> Check {
    undo(ctx, "hostloop")?;
    let url = format!("{}/ok", base(ctx)?);
    let mut sent = 0u64;
    loop {
        let _ = ctx.get(url.clone()).try_send();
        sent += 1;
        if sent == u64::MAX {
            return ok(None, "unreachable");
        }
    }
}

fn sleeps(ctx: &mut Ctx) -> Check {
    undo(ctx, "sleepy")?;
    // Tells the test the check is under way.
    ctx.get(format!("{}/ok?from=sleepy", base(ctx)?)).send()?;
    std::thread::sleep(Duration::from_secs(30));
    ok(None, "woke up")
}

fn fine(ctx: &mut Ctx) -> Check {
    let resp = ctx.get(format!("{}/ok", base(ctx)?)).send()?;
    resp.expect_status(&[200])?;
    println!("printed to stdout by the guest");
    ok(resp.status, "unaffected by its neighbours")
}

fn flood_logs(ctx: &mut Ctx) -> Check {
    let line = "x".repeat(64 * 1024);
    for _ in 0..1600 {
        ctx.debug(&line);
    }
    ok(None, "wrote 100 MB of log lines")
}

/// Many short lines: one message of 131,072 lines, then 100,000 messages
/// of one character. Each line would be an event in every report.
fn flood_log_lines(ctx: &mut Ctx) -> Check {
    ctx.debug("x\n".repeat(128 * 1024));
    for _ in 0..100_000 {
        ctx.debug("x");
    }
    ok(None, "wrote 231,072 log lines")
}

/// Expects the host to refuse a 3 MiB body (run with `max-body-mib = 1`).
fn big_send(ctx: &mut Ctx) -> Check {
    match ctx.get(format!("{}/blob", base(ctx)?)).try_send() {
        Err(HttpError::TooLarge(why)) => ok(None, format!("too-large: {why}")),
        Err(other) => fail(None, plume_sdk::describe_error(&other)),
        Ok(resp) => fail(resp.status, format!("read a {}-byte body", resp.body.len())),
    }
}

/// Expects the host to stop hashing a 3 MiB body (run with `max-digest-mib = 1`).
fn big_digest(ctx: &mut Ctx) -> Check {
    let got = ctx.get(format!("{}/blob", base(ctx)?)).fetch_digest()?;
    fail(got.status, format!("hashed {} bytes", got.bytes))
}

/// Hands the host a tiny body and a 17 MiB needle: the arguments count with
/// the body against max-body-mib.
fn needle_too_big(_ctx: &mut Ctx) -> Check {
    let needle = "x".repeat(17 * 1024 * 1024);
    match plume_sdk::__bindings::plume::check::assert::body_contains(b"{}", &needle) {
        Ok(()) => ok(None, "the host searched for a 17 MiB needle"),
        Err(e) => fail(None, e),
    }
}

/// Prints 2 MiB to stdout, past the 1 MiB a group's output may hold.
fn print_two_mib(_ctx: &mut Ctx) -> Check {
    let line = "y".repeat(1023);
    for _ in 0..2048 {
        println!("{line}");
    }
    ok(None, "printed 2 MiB")
}

/// Prints after the bound was passed: still no trap.
fn print_after(_ctx: &mut Ctx) -> Check {
    println!("still here");
    ok(None, "printed again")
}

/// Headers enough to overflow an HTTP header map (about 24,600 names).
const MANY_HEADERS: usize = 30_000;

fn with_many_headers(mut request: RequestBuilder) -> RequestBuilder {
    for n in 0..MANY_HEADERS {
        request = request.header(&format!("h{n}"), "");
    }
    request
}

/// How the host answered a request it should refuse: `ok` with the refusal
/// when it did, `fail` when the request went out.
fn refused(request: RequestBuilder) -> Check {
    match request.try_send() {
        Err(e) => ok(None, plume_sdk::describe_error(&e)),
        Ok(resp) => fail(resp.status, "the host sent it".to_owned()),
    }
}

/// A polite cleanup, then one whose request has 30,000 headers: the walk
/// must refuse the second and still run the first.
fn defer_many_headers(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    ctx.defer("polite", ctx.delete(format!("{base}/cleanup/polite")));
    ctx.defer(
        "many_headers",
        with_many_headers(ctx.delete(format!("{base}/cleanup/many"))),
    );
    ok(None, "registered")
}

fn send_many_headers(ctx: &mut Ctx) -> Check {
    refused(with_many_headers(ctx.get(format!("{}/ok", base(ctx)?))))
}

/// A framing header of the plugin's own could desynchronise a pooled connection.
fn send_framing_header(ctx: &mut Ctx) -> Check {
    let request = ctx
        .post(format!("{}/store", base(ctx)?))
        .header("content-length", "0")
        .body("smuggled");
    refused(request)
}

/// The connection goes to an allowed address, the `host` header names another.
fn send_other_virtual_host(ctx: &mut Ctx) -> Check {
    refused(
        ctx.get(format!("{}/ok", base(ctx)?))
            .header("host", "admin.internal"),
    )
}

/// Fetches `probe_url` (following up to 5 redirects, 1 s deadline) and
/// reports how the exchange ended: the faulty-server tests read the detail.
fn probe(ctx: &mut Ctx) -> Check {
    let url = ctx.config("probe_url")?;
    let request = ctx
        .get(url)
        .follow_redirects(5)
        .timeout(Duration::from_secs(1));
    match request.try_send() {
        Ok(resp) => ok(resp.status, format!("{} bytes", resp.body.len())),
        Err(e) => fail(None, plume_sdk::describe_error(&e)),
    }
}

/// Opens event streams and holds them all, until one cannot be opened.
fn hold_streams(ctx: &mut Ctx) -> Check {
    let url = format!("{}/sse", base(ctx)?);
    let mut held = Vec::new();
    for _ in 0..20 {
        match ctx
            .get(url.clone())
            .timeout(Duration::from_millis(500))
            .open()
        {
            Ok(stream) => held.push(stream),
            Err(e) => {
                let why = plume_sdk::describe_error(&e);
                return fail(
                    None,
                    format!("opened {} streams; the next: {why}", held.len()),
                );
            }
        }
    }
    ok(None, format!("held {} streams", held.len()))
}

fn files(_ctx: &mut Ctx) -> Check {
    match std::fs::read_to_string("/etc/passwd") {
        Ok(_) => fail(None, "read /etc/passwd"),
        Err(e) => ok(None, format!("no files: {e}")),
    }
}

fn environment(_ctx: &mut Ctx) -> Check {
    let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
    if vars.is_empty() {
        ok(None, "no environment variables")
    } else {
        fail(
            None,
            format!("saw environment variables: {}", vars.join(", ")),
        )
    }
}

fn sockets(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    let addr = base.trim_start_matches("http://");
    match std::net::TcpStream::connect(addr) {
        Ok(_) => fail(None, format!("opened a socket to {addr}")),
        Err(e) => ok(None, format!("no sockets: {e}")),
    }
}

fn after(_ctx: &mut Ctx) -> Check {
    ok(None, "ran after a fault in its group")
}

plume_sdk::export_plugin!(plugin);
