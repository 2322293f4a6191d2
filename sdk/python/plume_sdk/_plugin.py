"""The registry of a plugin's groups and checks, and the class componentize-py
exports: `plugin.world()` for a plugin built as the module loads,
export_plugin for one built when the host first asks (so it may read
config_value and running_group, as Rust's `export_plugin!`)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from wit_world.imports import types

from ._ctx import Ctx
from ._outcome import Check, Halt

CheckFn = Callable[[Ctx], Check]


class Group:
    """Checks that run in order on one instance, after the groups they depend on."""

    def __init__(self, name: str, depends_on: list[str]) -> None:
        self.name = name
        self.depends_on = list(depends_on)
        self.checks: list[tuple[str, CheckFn]] = []

    def check(self, name: str, fn: CheckFn) -> "Group":
        """Registers a check; checks run in the order they are registered."""
        self.checks.append((name, fn))
        return self


class Plugin:
    """A plugin: its name, version, what it reads, and its groups in order."""

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version
        self.config_keys: list[str] = []
        self.secret_names: list[str] = []
        self.groups: list[Group] = []
        self._index: dict[tuple[str, str], CheckFn] | None = None

    def config(self, keys: list[str]) -> "Plugin":
        """Declares the config keys the plugin reads (shown by `plume inspect`)."""
        self.config_keys.extend(keys)
        return self

    def secrets(self, names: list[str]) -> "Plugin":
        """Declares the secrets the plugin reads."""
        self.secret_names.extend(names)
        return self

    def group(self, name: str, depends_on: list[str], build: Callable[[Group], Group]) -> "Plugin":
        """Adds a group that runs after `depends_on`; `build` registers its checks."""
        self.groups.append(build(Group(name, depends_on)))
        return self

    def describe(self) -> types.PluginInfo:
        """What `describe()` returns: the plugin's groups, checks and what it reads."""
        groups = [types.GroupInfo(g.name, [n for n, _ in g.checks], g.depends_on) for g in self.groups]
        return types.PluginInfo(self.name, self.version, groups, self.config_keys, self.secret_names)

    def run_check(self, group: str, check: str) -> types.CheckResult:
        """Runs one check: a raised Halt is its outcome, anything else raised its `err`."""
        if self._index is None:
            # One index, built on the first call: a lookup per check stays
            # constant time however many checks a group has.
            self._index = {}
            for g in self.groups:
                for n, fn in g.checks:
                    self._index.setdefault((g.name, n), fn)
        found = self._index.get((group, check))
        if found is None:
            return types.CheckResult(types.Outcome.ERR, None, f"plugin {self.name} has no check {group}.{check}")
        try:
            result = found(Ctx(group, check))
            return types.CheckResult(types.Outcome.OK, result.status, result.detail)
        except Halt as h:
            outcome = types.Outcome.SKIP if h.outcome == "skip" else types.Outcome.ERR
            status = None if h.outcome == "skip" else h.status
            return types.CheckResult(outcome, status, h.detail)
        except Exception as e:  # a bug in the check: report it as the check's error
            return types.CheckResult(types.Outcome.ERR, None, f"uncaught {type(e).__name__}: {e}")

    def world(self) -> type:
        """The class componentize-py exports for this plugin as built:
        `WitWorld = plugin.world()`."""
        return _world(lambda: self, lambda _group: self)


def _world(whole: Callable[[], Plugin], for_group: Callable[[str], Plugin]) -> type:
    class WitWorld:
        def describe(self) -> types.PluginInfo:
            return whole().describe()

        def run_check(self, group: str, check: str) -> types.CheckResult:
            return for_group(group).run_check(group, check)

    return WitWorld


# The group being built for while a build function runs, read by running_group.
_building_for: Optional[str] = None


def running_group() -> Optional[str]:
    """The group this instance was made to run, while the function given to
    export_plugin builds the Plugin for it; None when it builds for
    `describe()` (every group), or outside a build.

    The host gives every group a fresh instance, so a plugin whose groups are
    costly to set up may register only this group's checks. Should a host ask
    the same instance for another group, the whole plugin is built for it."""
    return _building_for


def _build_for(build: Callable[[], Plugin], scope: Optional[str]) -> Plugin:
    global _building_for
    _building_for = scope
    try:
        return build()
    finally:
        _building_for = None


def export_plugin(build: Callable[[], Plugin]) -> type:
    """The class componentize-py exports for the plugin `build` returns, built
    when the host first asks (not while the module loads, when no host is
    there yet), so `build` may read config_value and running_group, as Rust's
    `export_plugin!`: `WitWorld = export_plugin(plugin)`."""
    built: dict[str, Any] = {}

    def whole() -> Plugin:
        if "whole" not in built:
            built["whole"] = _build_for(build, None)
        return built["whole"]

    def for_group(group: str) -> Plugin:
        if "whole" in built:
            return built["whole"]
        if "scoped" not in built:
            built["scoped"] = (group, _build_for(build, group))
        scope, plugin = built["scoped"]
        return plugin if scope == group else whole()

    return _world(whole, for_group)
