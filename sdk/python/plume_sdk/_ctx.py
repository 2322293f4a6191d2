"""Ctx: what a check can reach (config, secrets, group values, HTTP, cleanups,
logs, markers, masks, TLS facts), what the function that builds the Plugin can
(config_value, reject_config), and the host's SHA-256."""

from __future__ import annotations

from typing import Any, Optional

from componentize_py_types import Err
from wit_world.imports import cleanup, config, digest, log, tls

from ._outcome import fail, http_call, skip
from ._request import RequestBuilder


class Ctx:
    """What a running check can reach."""

    def __init__(self, group: str, check: str) -> None:
        self.group = group
        self.check = check

    def config(self, key: str) -> str:
        value = config.get(key)
        if value is None:
            fail(None, f"config `{key}` is not set: add it to the plugin's config table in the suite file")
        return value

    def config_opt(self, key: str) -> Optional[str]:
        return config.get(key)

    def config_given(self, key: str) -> Optional[str]:
        """A config value that is set and not blank, trimmed: None for the
        empty string `${env:X:-}` gives when X is unset."""
        value = (config.get(key) or "").strip()
        return value or None

    def secret(self, name: str) -> str:
        """A secret; `skip` ("no NAME") when it is not configured."""
        value = config.secret(name)
        if value is None:
            skip(f"no {name}")
        return value

    def secret_opt(self, name: str) -> Optional[str]:
        """A secret, or None when it is not configured (for optional ones)."""
        return config.secret(name)

    def publish(self, key: str, value: str) -> None:
        config.publish(key, str(value))

    def published(self, group: str, key: str) -> str:
        try:
            return config.published(group, key)
        except Err as e:
            return skip(e.value)

    def recall(self, key: str) -> str:
        try:
            return config.published(self.group, key)
        except Err:
            return skip(f"no `{key}`: the check of group {self.group} that makes it did not pass")

    def request(self, method: str, url: str) -> RequestBuilder:
        return RequestBuilder(method, url)

    def get(self, url: str) -> RequestBuilder:
        return self.request("GET", url)

    def post(self, url: str) -> RequestBuilder:
        return self.request("POST", url)

    def put(self, url: str) -> RequestBuilder:
        return self.request("PUT", url)

    def patch(self, url: str) -> RequestBuilder:
        return self.request("PATCH", url)

    def delete(self, url: str) -> RequestBuilder:
        return self.request("DELETE", url)

    def defer(self, label: str, request: RequestBuilder) -> None:
        """Registers a request the host runs when the run ends, newest first."""
        cleanup.defer(label, request.request)

    def marker(self) -> str:
        return log.marker()

    def tls(self, url: str) -> tls.Peer:
        """What `url`'s server presents in its TLS handshake (contract 0.1.1):
        `version`, `chain` (leaf first: `subject`, `issuer`, `names`,
        `not_before`, `not_after`), `chain_error`, `name_matches`; reported
        even when the certificate would be refused."""
        return http_call(lambda: tls.inspect(url, None))

    def debug(self, message: str) -> None:
        log.write(log.Level.DEBUG, str(message))

    def info(self, message: str) -> None:
        log.write(log.Level.INFO, str(message))

    def warn(self, message: str) -> None:
        log.write(log.Level.WARN, str(message))

    def mask_secret(self, value: str) -> None:
        """Masks `value` in everything the run shows from now on: see `mask_secret`."""
        mask_secret(value)


def mask_secret(value: str) -> None:
    """Masks a value the plugin obtained (a token, a code, a cookie, a signed
    URL) in everything the run shows from now on, in every encoding, as a
    configured secret is (contract 0.1.3, GitHub Actions' `::add-mask::`).
    Call it the moment the value arrives, before logging or returning anything
    that holds it: lines already shown are not recalled. A value shorter than
    4 characters is not masked (the host logs a warning); a plugin may mask at
    most 256 values, 256 KiB altogether, per run."""
    log.mask(str(value))


def config_value(key: str) -> Optional[str]:
    """A config value outside any check: for the function that builds the
    Plugin (see export_plugin), which runs before checks do."""
    return config.get(key)


def reject_config(key: str, message: str) -> Any:
    """Refuses the plugin's config (contract 0.1.2): `key` is the offending
    value's path inside the plugin's config table (`checks[3].expect`, "" for
    the table itself), `message` what is wrong and how to fix it. Called while
    the Plugin is built, plume stops before any check with one line naming the
    suite file's line and column. It never returns: the host ends the instance."""
    config.reject(str(key), str(message))
    raise RuntimeError("unreachable: the host ends the instance in config.reject")


def sha256(data: bytes | str) -> str:
    """Lowercase hex SHA-256, computed by the host."""
    return digest.sha256(data.encode() if isinstance(data, str) else data)


class Hasher:
    """An incremental SHA-256 computed by the host."""

    def __init__(self) -> None:
        self._inner = digest.Hasher()

    def update(self, data: bytes | str) -> None:
        self._inner.update(data.encode() if isinstance(data, str) else data)

    def finish(self) -> str:
        """The hex digest of everything passed to `update` so far."""
        return self._inner.finish()
