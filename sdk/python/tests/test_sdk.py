"""Unit tests of the SDK's own logic on the fake host (fake_host.py): results
and halts, config and secret helpers, requests as built, responses read,
retries on a fake clock, and the plugin registry with lazy, per-group builds.
What the host itself does is tested end to end (tests/e2e)."""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import pytest

import plume_sdk as sdk
from fake_host import Err, http, log, tls, types


def halted(fn: Callable[[], Any]) -> tuple[str, Any, str]:
    with pytest.raises(sdk.Halt) as caught:
        fn()
    return caught.value.outcome, caught.value.status, caught.value.detail


def test_results_have_one_shape_and_the_old_names_still_work() -> None:
    p = sdk.ok(None, 42)
    assert isinstance(p, sdk.Pass) and (p.status, p.detail) == (None, "42")
    assert sdk.Result is sdk.Pass and sdk.Check is sdk.Pass and sdk.Digest is sdk.DigestResponse
    assert halted(lambda: sdk.fail(404, "gone")) == ("err", 404, "gone")
    assert halted(lambda: sdk.skip("no admin_password")) == ("skip", None, "no admin_password")

    def context() -> None:
        raise sdk.Halt.err("x").context("signin")

    assert halted(context) == ("err", None, "signin: x")
    assert sdk.Halt.err("x", 500).status == 500
    assert sdk.Halt("skip", 500, "s").status is None
    assert (sdk.Halt.skip("later").outcome, sdk.Halt.skip("later").detail) == ("skip", "later")


@pytest.mark.parametrize("kind", ["Timeout", "Connect", "Tls", "Denied", "TooLarge", "Invalid"])
def test_describe_error_names_every_kind_as_the_host_prints_it(kind: str) -> None:
    text = "too-large" if kind == "TooLarge" else kind.lower()
    assert sdk.describe_error(getattr(http, f"HttpError_{kind}")("m")) == f"{text}: m"


def test_config_and_secret_helpers(host: Any) -> None:
    host.config.update({"a": " v ", "blank": "   ", "empty": ""})
    host.secrets["s"] = "x"
    ctx = sdk.Ctx("g", "c")
    assert ctx.config("a") == " v "
    assert halted(lambda: ctx.config("missing")) == (
        "err",
        None,
        "config `missing` is not set: add it to the plugin's config table in the suite file",
    )
    assert ctx.config_opt("missing") is None
    assert ctx.config_given("a") == "v"
    assert [ctx.config_given(k) for k in ("blank", "empty", "missing")] == [None, None, None]
    assert (sdk.config_value("a"), sdk.config_value("missing")) == (" v ", None)
    assert ctx.secret("s") == "x"
    assert halted(lambda: ctx.secret("admin")) == ("skip", None, "no admin")
    assert (ctx.secret_opt("s"), ctx.secret_opt("admin")) == ("x", None)


def test_published_values_and_a_missing_one_skips_with_why(host: Any) -> None:
    host.published[("g", "k")] = "v"
    ctx = sdk.Ctx("g", "c")
    ctx.publish("n", 3)
    assert host.calls == [("publish", "n", "3")]
    assert ctx.recall("k") == "v" and ctx.published("g", "k") == "v"
    assert halted(lambda: ctx.published("other", "k"))[2] == "group other published no k"
    assert halted(lambda: ctx.recall("z"))[2] == "no `z`: the check of group g that makes it did not pass"


def test_requests_are_built_as_the_contracts_record(host: Any) -> None:
    ctx = sdk.Ctx("g", "c")
    plain = ctx.get("http://h/").request
    assert (plain.method, plain.url, plain.headers, plain.body, plain.timeout_ms) == ("GET", "http://h/", [], None, None)
    assert isinstance(plain.redirects, http.RedirectPolicy_None_)
    r = ctx.post("http://h/x").bearer("t").json({"a": [1]}).timeout(500).follow_redirects(2).request
    assert r.headers == [("authorization", "Bearer t"), ("content-type", "application/json")]
    assert (r.body, r.timeout_ms, r.redirects) == (b'{"a": [1]}', 500, http.RedirectPolicy_Follow(2))
    assert ctx.put("u").body("é").request.body == "é".encode()
    assert [ctx.patch("u").request.method, ctx.delete("u").request.method] == ["PATCH", "DELETE"]
    ctx.defer("thing", ctx.delete("http://h/thing"))
    assert host.calls[-1][:2] == ("defer", "thing") and host.calls[-1][2].method == "DELETE"


def test_responses_json_text_headers_and_host_assertion_failures(host: Any) -> None:
    host.answers.append(http.Response(502, [("Content-Type", "text/plain")], b"not json \xff", 1))
    resp = sdk.Ctx("g", "c").get("http://h/").send()
    assert resp.header("content-type") == "text/plain" and resp.header("x") is None
    assert resp.text() == "not json \ufffd"
    assert halted(resp.json)[2].startswith("expected a JSON body: ")
    resp.expect_status([502])
    assert host.calls[-1] == ("status_in", 502, [502], b"not json \xff")
    host.assert_failure = "expected status 200, got 502"
    assert halted(lambda: resp.expect_status([200])) == ("err", 502, "expected status 200, got 502")
    assert halted(lambda: resp.json_str("/a"))[1] == 502


def test_an_http_error_ends_the_check_as_err_and_try_send_hands_it_back(host: Any) -> None:
    host.answers += [Err(http.HttpError_Timeout("after 10 s")), Err(http.HttpError_Denied("not allowed"))]
    ctx = sdk.Ctx("g", "c")
    assert halted(lambda: ctx.get("http://h/").send()) == ("err", None, "timeout: after 10 s")
    assert ctx.get("http://h/").try_send() == http.HttpError_Denied("not allowed")


def test_streams_digests_and_tls(host: Any) -> None:
    class Body:
        def __init__(self) -> None:
            self.chunks = [http.Chunk_Data(b"data: rea"), http.Chunk_Data(b"dy\n"), http.Chunk_End()]

        def read(self, max_bytes: int, timeout_ms: int) -> Any:
            return self.chunks.pop(0)

    host.answers += [(http.ResponseHead(200, [], 3), Body()), http.DigestResponse(200, [("ETag", "e")], 12, "ab", 4)]
    ctx = sdk.Ctx("g", "c")
    stream = ctx.get("http://h/sse").open().expect_status([200])
    assert stream.read_until("ready", 1000) == "data: ready\n"
    assert halted(lambda: stream.expect_open_for(1000))[2].startswith("the stream closed after 0 ms (0 bytes)")
    d = ctx.get("http://h/big").fetch_digest().expect_status([200])
    assert isinstance(d, sdk.DigestResponse) and (d.bytes, d.sha256, d.header("etag")) == (12, "ab", "e")
    assert halted(lambda: ctx.tls("https://h/")) == ("err", None, "connect: refused")
    host.peer = tls.Peer("TLSv1.3", [], None, True)
    assert ctx.tls("https://h/").version == "TLSv1.3"


def test_digests_logs_and_markers(host: Any) -> None:
    hasher = sdk.Hasher()
    hasher.update("a")
    hasher.update(b"b")
    assert hasher.finish() == sdk.sha256("ab") == hashlib.sha256(b"ab").hexdigest()
    ctx = sdk.Ctx("g", "c")
    ctx.debug("d")
    ctx.info("i")
    ctx.warn("w")
    assert [c[1] for c in host.calls if c[0] == "log"] == ["DEBUG", "INFO", "WARN"]
    assert ctx.marker() == "PLUME-MARKER-00ff" and log.Level.WARN.name == "WARN"


def test_eventually_retries_until_the_question_holds_and_counts(host: Any) -> None:
    settled = sdk.eventually(1000, 100, lambda n: sdk.fail(500, f"try {n}") if n < 3 else n * 10)
    assert (settled.value, settled.attempts, settled.elapsed_ms) == (30, 3, 200)
    assert settled.summary() == "after 3 attempts in 200 ms"
    assert [c for c in host.calls if c[0] == "sleep"] == [("sleep", 100), ("sleep", 100)]
    assert halted(lambda: sdk.eventually(250, 100, lambda n: sdk.fail(503, "down"))) == (
        "err",
        503,
        "still failing after 3 attempts in 200 ms: down",
    )
    calls = []
    assert halted(lambda: sdk.eventually(1000, 100, lambda n: calls.append(n) or sdk.skip("no key")))[0] == "skip"
    assert calls == [1]
    with pytest.raises(TypeError):
        sdk.eventually(1000, 100, lambda n: None + 1)


def test_eventually_reports_misses_as_pending_retried_as_erred_the_last_never(host: Any) -> None:
    sdk.eventually(1000, 100, lambda n: sdk.fail(503, f"try {n}") if n < 3 else n)
    assert [c for c in host.calls if c[0] == "attempt"] == [
        ("attempt", "PENDING", 503, "try 1", 0),
        ("attempt", "PENDING", 503, "try 2", 0),
    ]
    host.calls.clear()
    sdk.retried(1000, 100, lambda n: sdk.fail(None, "refused") if n < 2 else n)
    assert [c for c in host.calls if c[0] == "attempt"] == [("attempt", "ERRED", None, "refused", 0)]
    host.calls.clear()
    halted(lambda: sdk.retried(250, 100, lambda n: sdk.fail(503, "down")))
    assert len([c for c in host.calls if c[0] == "attempt"]) == 2, "3 attempts: 2 earlier, the last is the result"
    host.calls.clear()
    sdk.attempt_failed("pending", 404, "not yet", 12)
    assert host.calls == [("attempt", "PENDING", 404, "not yet", 12)]
    with pytest.raises(ValueError, match='kind must be "erred" or "pending"'):
        sdk.attempt_failed("flaky", 1, "x", 1)


def test_the_registry_runs_checks_into_the_contracts_result(host: Any) -> None:
    def bug(ctx: sdk.Ctx) -> sdk.Check:
        raise KeyError("k")

    plugin = sdk.Plugin("p", "1.0.0").group(
        "g",
        [],
        lambda g: g.check("c", lambda ctx: sdk.ok(1, "first"))
        .check("c", lambda ctx: sdk.ok(2, "second"))
        .check("bug", bug)
        .check("halt", lambda ctx: sdk.skip("later")),
    )
    assert plugin.run_check("g", "c") == types.CheckResult(types.Outcome.OK, 1, "first")
    assert plugin.run_check("g", "nope") == types.CheckResult(types.Outcome.ERR, None, "plugin p has no check g.nope")
    assert plugin.run_check("g", "bug") == types.CheckResult(types.Outcome.ERR, None, "uncaught KeyError: 'k'")
    assert plugin.run_check("g", "halt") == types.CheckResult(types.Outcome.SKIP, None, "later")
    world = plugin.world()()
    assert world.describe().groups[0].checks == ["c", "c", "bug", "halt"]
    assert world.run_check("g", "c").detail == "first"


def test_export_plugin_builds_on_first_use_for_the_running_group_else_whole(host: Any) -> None:
    host.config["mode"] = "m"
    builds: list[tuple[Any, Any]] = []

    def build() -> sdk.Plugin:
        builds.append((sdk.running_group(), sdk.config_value("mode")))
        p = sdk.Plugin("lazy", "1.0.0").config(["mode"]).secrets(["s"])
        for name in ("a", "b"):
            if sdk.running_group() in (None, name):
                p.group(name, [], lambda g, name=name: g.check("c", lambda ctx: sdk.ok(None, name)))
        return p

    world = sdk.export_plugin(build)()
    assert builds == [], "nothing is built while the module loads"
    assert world.run_check("b", "c").detail == "b"
    assert builds == [("b", "m")] and sdk.running_group() is None
    assert world.run_check("b", "c").detail == "b"
    assert world.run_check("a", "c").detail == "a", "another group builds the whole plugin"
    assert builds == [("b", "m"), (None, "m")]
    info = world.describe()
    assert ([g.name for g in info.groups], info.config_keys, info.secrets) == (["a", "b"], ["mode"], ["s"])
    assert len(builds) == 2
    described = sdk.export_plugin(build)()
    described.describe()
    described.run_check("a", "c")
    assert len(builds) == 3, "after describe() every group uses the whole plugin"


def test_mask_secret_hands_the_host_the_value_as_a_string(host: Any) -> None:
    sdk.mask_secret("tok-1234")
    sdk.Ctx("g", "c").mask_secret(56789)  # type: ignore[arg-type]
    assert host.calls == [("mask", "tok-1234"), ("mask", "56789")]


def test_reject_config_hands_the_host_the_key_and_message(host: Any) -> None:
    with pytest.raises(RuntimeError, match="unreachable"):
        sdk.reject_config("checks[2].expect", "must be a number")
    assert host.calls == [("reject", "checks[2].expect", "must be a number")]
