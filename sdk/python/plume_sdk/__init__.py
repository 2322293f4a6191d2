"""plume-sdk for Python: write Plume check plugins as one function per check
and one registration line, built into a component with componentize-py.

The same shape as the Rust SDK (sdk/rust): the assertions run on the host,
so a failure reads the same in every language.

    from plume_sdk import Check, Ctx, Plugin, export_plugin, ok

    def api_up(ctx: Ctx) -> Check:
        resp = ctx.get(f"{ctx.config('base_url')}/health").send()
        resp.expect_status([200]).expect_json_eq("/status", "ok")
        return ok(resp.status, f"served in {resp.elapsed_ms} ms")

    def plugin() -> Plugin:
        return (Plugin("shop", "1.0.0")
                .config(["base_url"])
                .group("health", [], lambda g: g.check("api.up", api_up)))

    WitWorld = export_plugin(plugin)

Every name here has its twin in the Rust and JavaScript SDKs (sdk/README.md
has the table). The host is reached only through the `wit_world.imports`
modules, called when a check runs, never while this module loads: the unit
tests (tests/) put a fake host behind the same names.
"""

from ._outcome import Check, Halt, Pass, Result, describe_error, fail, ok, skip
from ._response import Digest, DigestResponse, JsonKind, Response
from ._stream import Stream
from ._request import RequestBuilder
from ._ctx import Ctx, Hasher, config_value, mask_secret, reject_config, sha256
from ._config_table import ConfigError, config_keys, config_table, config_table_or_reject
from ._retry import Settled, attempt_failed, eventually, retried
from ._plugin import CheckFn, Group, Plugin, export_plugin, running_group

__all__ = [
    "Check",
    "CheckFn",
    "ConfigError",
    "Ctx",
    "Digest",
    "DigestResponse",
    "Group",
    "Halt",
    "Hasher",
    "JsonKind",
    "Pass",
    "Plugin",
    "RequestBuilder",
    "Response",
    "Result",
    "Settled",
    "Stream",
    "attempt_failed",
    "config_keys",
    "config_table",
    "config_table_or_reject",
    "config_value",
    "describe_error",
    "eventually",
    "export_plugin",
    "fail",
    "mask_secret",
    "ok",
    "reject_config",
    "retried",
    "running_group",
    "sha256",
    "skip",
]
