"""A Python guest of contract 0.1.3's log.mask, in the same groups and words
as tests/guests/mask (Rust) and mask.js: obtain.token reads a session token
and a cookie and masks them; echo.body (another group) sends them back and
fails quoting the server's answer, the token in every encoding; short.tiny
masks a 3-character value, which the host refuses with a warning.

Built by tests/guests/build.rs: sdk/python/build.sh tests/guests/scripts/mask.py OUT.wasm
"""

from plume_sdk import Check, Ctx, Halt, Plugin, export_plugin, mask_secret, ok


def token(ctx: Ctx) -> Check:
    url = ctx.config("url")
    resp = ctx.get(f"{url}/session").send().expect_status([200])
    session = resp.json_str("/session")
    cookie = (resp.header("set-cookie") or "").split(";")[0].partition("=")[2]
    if not cookie:
        raise Halt.err("no sid cookie")
    mask_secret(session)
    ctx.mask_secret(cookie)
    ctx.publish("token", session)
    ctx.publish("cookie", cookie)
    ctx.info(f"obtained session {session} and cookie {cookie}")
    return ok(resp.status, f"obtained session {session}")


def echo(ctx: Ctx) -> Check:
    url = ctx.config("url")
    session = ctx.published("obtain", "token")
    cookie = ctx.published("obtain", "cookie")
    ctx.warn(f"sending {session} back")
    resp = ctx.post(f"{url}/echo?sid={cookie}").header("cookie", f"sid={cookie}").body(session).send()
    ctx.info(resp.text())
    resp.expect_status([200])
    return ok(resp.status, f"echoed {session}")


def tiny(ctx: Ctx) -> Check:
    ctx.mask_secret("abc")
    return ok(None, "asked to mask a 3-character value")


def plugin() -> Plugin:
    return (
        Plugin("mask-py", "0.1.0")
        .config(["url"])
        .group("obtain", [], lambda g: g.check("token", token))
        .group("echo", ["obtain"], lambda g: g.check("body", echo))
        .group("short", [], lambda g: g.check("tiny", tiny))
    )


WitWorld = export_plugin(plugin)
