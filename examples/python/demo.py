"""The demo plugin's core, ported to Python: the same groups, checks and
details as the Rust plugin (examples/demo/plugin), so the three languages
print the same line for the same behaviour.

Build: sdk/python/build.sh examples/python/demo.py target/plugins/demo_py.wasm
"""

import base64

from plume_sdk import Check, Ctx, Plugin, Stream, export_plugin, fail, ok


def admin_url(ctx: Ctx) -> str:
    return ctx.config("admin_url").rstrip("/")


def mcp_url(ctx: Ctx) -> str:
    return ctx.config("mcp_url").rstrip("/")


# health: both listeners answer, each as itself, at the same version.
def up(ctx: Ctx, base: str, service: str) -> Check:
    resp = ctx.get(f"{base}/health").send()
    resp.expect_status([200]).expect_json_eq("/service", service).expect_json_match("/version", r"^\d+\.\d+\.\d+$")
    version = resp.json_str("/version")
    ctx.publish(f"{service}_version", version)
    return ok(resp.status, f"{service} {version} served in {resp.elapsed_ms} ms")


def versions_agree(ctx: Ctx) -> Check:
    admin, mcp = ctx.recall("admin_version"), ctx.recall("mcp_version")
    if admin != mcp:
        fail(None, f"admin runs {admin} but mcp runs {mcp}: a half-finished deploy?")
    return ok(None, f"admin and mcp both at {admin}")


# account: a fresh account (its deletion registered first), a session, a shared key.
def credentials(ctx: Ctx) -> tuple[str, str]:
    return ctx.recall("email"), ctx.recall("password")


def signup(ctx: Ctx) -> Check:
    base = admin_url(ctx)
    ident = ctx.marker().removeprefix("PLUME-MARKER-").lower()
    email, password = f"smoke-{ident[:16]}@demo-smoke.test", f"pw-{ident[16:]}"
    basic = base64.b64encode(f"{email}:{password}".encode()).decode()
    ctx.defer("account", ctx.delete(f"{base}/account").header("authorization", f"Basic {basic}"))
    resp = ctx.post(f"{base}/auth/signup").json({"email": email, "password": password}).send()
    resp.expect_status([201]).expect_json_eq("/email", email).expect_non_empty("/id")
    account_id = resp.json_str("/id")
    ctx.publish("email", email)
    ctx.publish("password", password)
    ctx.publish("account_id", account_id)
    return ok(resp.status, f"created {email} as {account_id}")


def signin(ctx: Ctx) -> Check:
    email, password = credentials(ctx)
    resp = ctx.post(f"{admin_url(ctx)}/auth/signin").json({"email": email, "password": password}).send()
    resp.expect_status([200]).expect_json_match("/token", "^sess_")
    ctx.publish("session", resp.json_str("/token"))
    return ok(resp.status, f"signed in as {email}, session published in {resp.elapsed_ms} ms")


def profile(ctx: Ctx) -> Check:
    email, _ = credentials(ctx)
    resp = ctx.get(f"{admin_url(ctx)}/account/profile").bearer(ctx.recall("session")).send()
    resp.expect_status([200]).expect_json_eq("/email", email)
    return ok(resp.status, "the session reads its own profile")


def shared_key(ctx: Ctx) -> Check:
    base, session = admin_url(ctx), ctx.recall("session")
    resp = ctx.post(f"{base}/api/keys").bearer(session).send()
    resp.expect_status([201]).expect_json_match("/key", "^pk_")
    key_id = resp.json_str("/id")
    ctx.defer("shared-api-key", ctx.delete(f"{base}/api/keys/{key_id}").bearer(session))
    ctx.publish("key", resp.json_str("/key"))
    return ok(resp.status, f"key {key_id} published for memories and sse")


# memories: empty content refused by name; a marker stored and found by a query.
def key(ctx: Ctx) -> str:
    return ctx.published("account", "key")


def store(ctx: Ctx, content: str):
    return ctx.post(f"{admin_url(ctx)}/api/memories").bearer(key(ctx)).json({"content": content}).send()


def empty_rejected(ctx: Ctx) -> Check:
    resp = store(ctx, "")
    resp.expect_status([400]).expect_json_eq("/error", "empty_content")
    return ok(resp.status, "empty content refused with 400 empty_content")


def store_marker(ctx: Ctx) -> Check:
    marker = ctx.marker()
    resp = store(ctx, marker)
    resp.expect_status([201]).expect_json_eq("/created", True)
    memory_id = resp.json_str("/id")
    ctx.defer("memory", ctx.delete(f"{admin_url(ctx)}/api/memories/{memory_id}").bearer(key(ctx)))
    ctx.publish("marker", marker)
    ctx.publish("memory_id", memory_id)
    return ok(resp.status, f"stored {marker} as {memory_id}")


def query_marker(ctx: Ctx) -> Check:
    marker = ctx.recall("marker")
    resp = ctx.get(f"{admin_url(ctx)}/api/memories/query?q={marker}").bearer(key(ctx)).timeout(3000).send()
    resp.expect_status([200]).expect_contains(marker)
    hits = len(resp.json().get("hits", []))
    return ok(resp.status, f"marker found in answer ({hits} hit, {len(marker)} chars) in {resp.elapsed_ms} ms")


def unauthorized(ctx: Ctx) -> Check:
    resp = ctx.get(f"{admin_url(ctx)}/api/memories").send()
    resp.expect_status([401]).expect_header("www-authenticate")
    return ok(resp.status, "no credentials: 401 with a challenge")


# sse: the event stream refuses a missing token and, with the key, stays open.
def events(ctx: Ctx):
    return ctx.get(f"{mcp_url(ctx)}/sse").timeout(2000)


def no_token(ctx: Ctx) -> Check:
    stream: Stream = events(ctx).open()
    stream.expect_status([401]).expect_header_match("www-authenticate", "^Bearer ")
    return ok(stream.status, "no token: 401 with a Bearer challenge")


def stream_open(ctx: Ctx) -> Check:
    stream = events(ctx).bearer(key(ctx)).open()
    stream.expect_status([200]).expect_header_match("content-type", "^text/event-stream")
    stream.expect_open_for(500)
    return ok(stream.status, f"headers in {stream.elapsed_ms} ms, still open 500 ms later")


def ready_event(ctx: Ctx) -> Check:
    stream = events(ctx).bearer(key(ctx)).open()
    stream.expect_status([200])
    seen = stream.read_until("event: ready", 2000)
    return ok(stream.status, f"ready event after {len(seen.encode())} bytes")


def plugin() -> Plugin:
    return (
        Plugin("demo-py", "0.1.0")
        .config(["admin_url", "mcp_url"])
        .group("health", [], lambda g: g
               .check("admin.up", lambda ctx: up(ctx, admin_url(ctx), "admin"))
               .check("mcp.up", lambda ctx: up(ctx, mcp_url(ctx), "mcp"))
               .check("versions.agree", versions_agree))
        .group("account", ["health"], lambda g: g
               .check("signup.creates", signup)
               .check("signin.session", signin)
               .check("session.profile", profile)
               .check("apikey.shared", shared_key))
        .group("memories", ["account"], lambda g: g
               .check("store.empty_rejected", empty_rejected)
               .check("store.marker", store_marker)
               .check("query.marker_present", query_marker)
               .check("unauthorized.401", unauthorized))
        .group("sse", ["account"], lambda g: g
               .check("no_token.401", no_token)
               .check("key.stream_open", stream_open)
               .check("key.ready_event", ready_event))
    )


WitWorld = export_plugin(plugin)
