//! A plugin that takes more than its share of the host, one group per way,
//! so the tests can show each is bounded and counted against it alone:
//! published bytes, deferred cleanups (many, large, never answering, from
//! `describe()`), huge details, groups and checks by the thousand, memory in
//! every instance at once, and loops on heavy synchronous host calls.
//!
//! Config (all optional): `base_url` (the loopback test server), `hang_url`
//! (a server that never answers), `extra_groups` (adds groups `g0`..`gN`
//! that each fill memory), `scale_checks` (checks in group `scale`),
//! `defer_in_describe = "yes"` (registers a cleanup while building the
//! plugin, which runs in `describe()` and again in every instance).

use plume_sdk::__bindings::plume::check::http::{RedirectPolicy, Request};
use plume_sdk::__bindings::plume::check::{assert, cleanup, digest};
use plume_sdk::prelude::*;

const MIB: usize = 1024 * 1024;

fn number(key: &str) -> usize {
    plume_sdk::config_value(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn plugin() -> Plugin {
    if plume_sdk::config_value("defer_in_describe").as_deref() == Some("yes")
        && let Some(base) = plume_sdk::config_value("base_url")
    {
        let req = Request {
            method: "DELETE".into(),
            url: format!("{base}/cleanup/from-describe"),
            headers: vec![],
            body: None,
            timeout_ms: None,
            redirects: RedirectPolicy::None,
        };
        cleanup::defer("from-describe", &req);
    }
    let mut p = Plugin::new("hog", "0.1.0")
        .config(&["base_url", "hang_url", "extra_groups", "scale_checks"])
        .group("publish", &[], |g| {
            g.check("hoard", publish_hoard).check("after", after)
        })
        .group("defers", &[], |g| {
            g.check("hoard", defer_hoard).check("after", after)
        })
        .group("flood", &[], |g| g.check("cleanups", defer_flood))
        .group("details", &[], |g| {
            (0..20).fold(g, |g, i| g.check(&format!("big{i:02}"), big_detail))
        })
        .group("hang", &[], |g| g.check("cleanup", defer_hang))
        .group("digest", &[], |g| g.check("loop", digest_loop))
        .group("json", &[], |g| g.check("loop", json_loop))
        .group("bigjson", &[], |g| g.check("refused", json_too_big))
        .group("memory", &[], |g| g.check("hold", memory_hold))
        .group("polite", &[], |g| g.check("undo", polite_undo))
        .group("slow", &[], |g| g.check("wait", slow_wait))
        .group("nap", &[], |g| g.check("sleeps", nap))
        .group("hashers", &[], |g| g.check("hoard", hasher_hoard));
    let scale = number("scale_checks");
    if scale > 0 {
        p = p.group("scale", &[], |g| {
            (0..scale).fold(g, |g, i| g.check(&format!("c{i}"), tiny))
        });
    }
    for i in 0..number("extra_groups") {
        p = p.group(&format!("g{i}"), &[], |g| g.check("hold", memory_hold));
    }
    p
}

fn base(ctx: &Ctx) -> Result<String, Halt> {
    ctx.config("base_url")
}

/// Publishes 60 values of 32 MiB (2 GB in all, were nothing counted).
fn publish_hoard(ctx: &mut Ctx) -> Check {
    let big = "p".repeat(32 * MIB);
    for i in 0..60 {
        ctx.publish(&format!("v{i}"), &big);
    }
    ok(None, "published 60 values of 32 MiB")
}

/// Registers one polite cleanup, then 60 cleanups with 32 MiB bodies.
fn defer_hoard(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    ctx.defer(
        "defers-first",
        ctx.delete(format!("{base}/cleanup/defers-first")),
    );
    let big = vec![b'd'; 32 * MIB];
    for i in 0..60 {
        let req = ctx
            .delete(format!("{base}/cleanup/big-{i}"))
            .body(big.clone());
        ctx.defer(&format!("big-{i}"), req);
    }
    ok(None, "registered 60 cleanups of 32 MiB")
}

/// Registers 1,000,000 quick cleanups.
fn defer_flood(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    for i in 0..1_000_000 {
        ctx.defer(
            &format!("flood-{i}"),
            ctx.delete(format!("{base}/cleanup/flood-{i}")),
        );
    }
    ok(None, "registered 1000000 cleanups")
}

/// A 16 MiB detail.
fn big_detail(_ctx: &mut Ctx) -> Check {
    ok(None, "x".repeat(16 * MIB))
}

/// Registers a cleanup that does answer, then one, registered last (so
/// walked first), whose server never answers.
fn defer_hang(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    let hang = ctx.config("hang_url")?;
    ctx.defer(
        "hang-first",
        ctx.delete(format!("{base}/cleanup/hang-first")),
    );
    ctx.defer(
        "hang-never",
        ctx.delete(format!("{hang}/never"))
            .timeout(Duration::from_secs(600)),
    );
    ok(None, "registered a cleanup that never answers")
}

/// Hashes 48 MiB on the host, over and over.
fn digest_loop(_ctx: &mut Ctx) -> Check {
    let data = vec![7u8; 48 * MIB];
    let mut n = 0u64;
    loop {
        std::hint::black_box(digest::sha256(&data));
        n += 1;
        if n == u64::MAX {
            return ok(None, "unreachable");
        }
    }
}

/// A JSON document of about `size` bytes: one array of numbers.
fn json_of(size: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(size + 16);
    body.extend_from_slice(b"{\"a\":[");
    while body.len() < size {
        body.extend_from_slice(b"123456789,");
    }
    body.extend_from_slice(b"0]}");
    body
}

/// Parses a 15 MB JSON body on the host, over and over.
fn json_loop(_ctx: &mut Ctx) -> Check {
    let body = json_of(15_000_000);
    let mut n = 0u64;
    loop {
        std::hint::black_box(assert::json_exists(&body, "/a/0").is_ok());
        n += 1;
        if n == u64::MAX {
            return ok(None, "unreachable");
        }
    }
}

/// Hands the host a 24 MB body to parse (the host takes at most max-body-mib).
fn json_too_big(_ctx: &mut Ctx) -> Check {
    let body = json_of(24_000_000);
    match assert::json_exists(&body, "/a/0") {
        Ok(()) => ok(None, "the host parsed a 24 MB body"),
        Err(e) => fail(None, e),
    }
}

/// Fills 48 MiB of its instance's memory and holds it a moment.
fn memory_hold(_ctx: &mut Ctx) -> Check {
    let mut hoard = vec![0u8; 48 * MIB];
    for (i, b) in hoard.iter_mut().enumerate().step_by(4096) {
        *b = i as u8;
    }
    std::hint::black_box(&hoard);
    std::thread::sleep(Duration::from_millis(150));
    ok(None, "held 48 MiB")
}

/// A well-behaved check with one cleanup, for the victim's side.
fn polite_undo(ctx: &mut Ctx) -> Check {
    let base = base(ctx)?;
    ctx.defer("polite", ctx.delete(format!("{base}/cleanup/polite")));
    let resp = ctx.get(format!("{base}/ok")).send()?;
    resp.expect_status(&[200])?;
    ok(resp.status, "registered its cleanup")
}

/// Waits on a server that never answers, past any check timeout.
fn slow_wait(ctx: &mut Ctx) -> Check {
    let hang = ctx.config("hang_url")?;
    let url = format!("{hang}/slow");
    ctx.get(url).timeout(Duration::from_secs(60)).send()?;
    ok(None, "the server answered")
}

/// Sleeps in the host's clock for 30 s.
fn nap(_ctx: &mut Ctx) -> Check {
    plume_sdk::__bindings::plume::check::clock::sleep(30_000);
    ok(None, "woke up")
}

/// Opens 1,000,000 hashers and keeps every one.
fn hasher_hoard(_ctx: &mut Ctx) -> Check {
    for _ in 0..1_000_000 {
        std::mem::forget(plume_sdk::Hasher::new());
    }
    ok(None, "held 1000000 hashers")
}

fn tiny(_ctx: &mut Ctx) -> Check {
    ok(None, "done")
}

fn after(_ctx: &mut Ctx) -> Check {
    ok(None, "ran after its group's quota breach")
}

plume_sdk::export_plugin!(plugin);
