"""A Python guest of contract 0.1.1's tls interface: one check that reports
what the server at config `url` presents, in the same words as tls.js, so
the test can hold the two languages to one line; a `url` that is not
https:// is refused with config.reject (0.1.2).

Built by tests/guests/build.rs: sdk/python/build.sh tests/guests/scripts/tls.py OUT.wasm
"""

from plume_sdk import Ctx, Plugin, Result, ok, reject_config


def peer(ctx: Ctx) -> Result:
    url = ctx.config("url")
    if not url.startswith("https://"):
        reject_config("url", f"must be an https:// URL, got {url}")
    p = ctx.tls(url)
    leaf = p.chain[0]
    chain = "verifies" if p.chain_error is None else p.chain_error
    name = "matches" if p.name_matches else "differs"
    return ok(None, f"{p.version}; names {','.join(leaf.names)}; chain {chain}; name {name}; not after {leaf.not_after}")


plugin = Plugin("tls-py", "0.1.0").config(["url"]).group("tls", [], lambda g: g.check("peer", peer))

WitWorld = plugin.world()
