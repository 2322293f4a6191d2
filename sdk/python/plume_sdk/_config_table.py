"""The plugin's config table read as one dataclass, and the keys that
dataclass declares: the twin of the Rust SDK's config_table
(sdk/rust/src/config_table.rs).

The host hands a plugin its config one key at a time (`config.get`): a
scalar as its text, a table or an array as JSON text. `config_table` asks
for exactly the fields of the dataclass and reads what it gets by their type
hints, so a plugin keeps one class for its config instead of a list of keys
beside the code that reads them. Unknown keys of the table cannot be
detected: the host hands keys one at a time, so a key no field declares is
never asked for (inside a value, a dataclass refuses a key it does not
declare).

Guarantees:
- A field's text is read the way the suite file wrote it: an `int`, a
  `float` or a `bool` from its text, a `str` as it is, a `list`, a `dict`, a
  dataclass or `Any` from its JSON; a field that is not required (`Optional`
  or with a default) is unset when its text is blank (`${env:X:-}` with `X`
  unset): None or its default, and trimmed when given; a blank list or dict
  is empty.
- Every error is a ConfigError naming the offending value's path in the
  table (`sign_in_fields.login`, `hosts[1]`; empty for the table itself) and
  saying what is wrong (a required key left out: how to set it), with no
  position in the host's JSON text.
- `config_keys` lists exactly the keys `config_table` reads.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from typing import Any, Callable, Optional, TypeVar, Union

from wit_world.imports import config

from ._ctx import reject_config

T = TypeVar("T")


class ConfigError(Exception):
    """What is wrong with a plugin's config: the offending value's path in
    the table (`warn_days`, `sign_in_fields.login`, `hosts[1]`; "" for the
    table itself) and why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


def config_keys(fields: type) -> list[str]:
    """The keys a dataclass reads from the config table: its field names,
    for `Plugin.config`."""
    return [f.name for f in dataclasses.fields(fields)]


def config_table(fields: type[T]) -> Optional[T]:
    """The plugin's config table as a `fields` (a dataclass), or None when
    none of its keys is set (`plume inspect` describes a plugin with no
    config). Raises ConfigError naming the offending value."""
    declared = dataclasses.fields(fields)
    hints = typing.get_type_hints(fields)
    texts = {f.name: config.get(f.name) for f in declared}
    if declared and all(text is None for text in texts.values()):
        return None
    values: dict[str, Any] = {}
    missing = None
    for f in declared:
        text, hint = texts[f.name], hints[f.name]
        required = not (_is_optional(hint) or _has_default(f))
        if text is not None and (required or text.strip()):
            values[f.name] = _from_text(hint, text if required else text.strip(), f.name)
        elif _is_optional(hint) and not _has_default(f):
            values[f.name] = None
        elif required and text is None and missing is None:
            missing = f.name
    if missing is not None:
        raise ConfigError("", f"`{missing}` is not set: add it to the plugin's config table")
    return fields(**values)


def config_table_or_reject(
    fields: type[T],
    help: str,
    check: Optional[Callable[[T], Optional[tuple[str, str]]]] = None,
) -> Optional[T]:
    """`config_table`, each error refused with `reject_config` (the run stops
    before any check, naming the value): the dataclass's, then `check`'s
    (`(key, what is wrong)`, for what the types alone do not refuse). `help`
    follows each message, e.g. "(see plugins/tls/README.md)"."""
    try:
        table = config_table(fields)
    except ConfigError as e:
        return reject_config(e.key, f"{e.message} {help}")
    if table is None:
        return None
    problem = check(table) if check is not None else None
    if problem is not None:
        return reject_config(problem[0], f"{problem[1]} {help}")
    return table


def _has_default(f: dataclasses.Field) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def _is_optional(hint: Any) -> bool:
    return _origin(hint) is Union and type(None) in typing.get_args(hint)


def _origin(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    return Union if origin is types.UnionType else origin


def _inner(hint: Any) -> Any:
    """`X` of `Optional[X]`."""
    rest = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(rest) != 1:
        raise TypeError(f"config type {hint}: a union other than Optional[X] is not read")
    return rest[0]


def _from_text(hint: Any, text: str, path: str) -> Any:
    """One key's text as its field's type hint."""
    if _is_optional(hint):
        given = text.strip()
        return _from_text(_inner(hint), given, path) if given else None
    if hint is str:
        return text
    if hint is bool:
        if text.strip() in ("true", "false"):
            return text.strip() == "true"
        raise ConfigError(path, f"{json.dumps(text)} is not true or false")
    if hint is int:
        try:
            return int(text.strip())
        except ValueError:
            raise ConfigError(path, f"{json.dumps(text)} is not a whole number") from None
    if hint is float:
        try:
            number = float(text.strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ConfigError(path, f"{json.dumps(text)} is not a number")
        return number
    origin = _origin(hint) or hint
    if origin in (list, dict) and not text.strip():
        return origin()
    what = "an array" if origin is list else "a table" if origin is not Any else "a table or an array"
    if not text.lstrip().startswith(("[", "{")):
        raise ConfigError(path, f"expected {what}, got {json.dumps(text)}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(path, f"not valid JSON: {e.msg}") from None
    return _from_json(hint, value, path)


def _describe(value: Any) -> str:
    """A JSON value as its kind, in the JavaScript SDK's words."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    kind = "boolean" if isinstance(value, bool) else "string" if isinstance(value, str) else "number"
    return f"{kind} {json.dumps(value)}"


_JSON_SCALARS: dict[Any, tuple[Callable[[Any], bool], str]] = {
    str: (lambda v: isinstance(v, str), "a string"),
    int: (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    float: (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    bool: (lambda v: isinstance(v, bool), "true or false"),
}


def _from_json(hint: Any, value: Any, path: str) -> Any:
    """A value inside a table or an array (JSON) as its type hint."""
    if hint is Any:
        return value
    if _is_optional(hint):
        return None if value is None else _from_json(_inner(hint), value, path)
    expected = lambda what: ConfigError(path, f"invalid type: {_describe(value)}, expected {what}")  # noqa: E731
    if hint in _JSON_SCALARS:
        test, what = _JSON_SCALARS[hint]
        if not test(value):
            raise expected(what)
        return float(value) if hint is float else value
    origin = _origin(hint) or hint
    args = typing.get_args(hint)
    if origin is list:
        if not isinstance(value, list):
            raise expected("an array")
        item = args[0] if args else Any
        return [_from_json(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict or dataclasses.is_dataclass(origin):
        if not isinstance(value, dict):
            raise expected("a table")
        if dataclasses.is_dataclass(origin):
            return _record(origin, value, path)
        item = args[1] if len(args) == 2 else Any
        return {k: _from_json(item, v, f"{path}.{k}") for k, v in value.items()}
    raise TypeError(f"config field `{path}`: type {hint} is not read (str, int, float, bool, list, dict, a dataclass, Any)")


def _record(cls: type, value: dict[str, Any], path: str) -> Any:
    """A table inside a value as the dataclass `cls`, with no key it does not declare."""
    declared = dataclasses.fields(cls)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in declared]
    for key in value:
        if key not in names:
            known = [f"`{n}`" for n in names]
            expected = known[0] if len(known) == 1 else "one of " + ", ".join(known)
            raise ConfigError(f"{path}.{key}", f"unknown field `{key}`, expected {expected}")
    values: dict[str, Any] = {}
    for f in declared:
        if value.get(f.name) is not None:
            values[f.name] = _from_json(hints[f.name], value[f.name], f"{path}.{f.name}")
        elif _is_optional(hints[f.name]) and not _has_default(f):
            values[f.name] = None
        elif not _has_default(f):
            raise ConfigError(path, f"missing field `{f.name}`")
    return cls(**values)
