"""config_table on the fake host (fake_host.py): each text read as its field's
type hint, every error naming the value's path, the keys it reads, and the
reject path. The same cases as the Rust SDK's config_table tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import pytest

import plume_sdk as sdk


@dataclass
class Inner:
    value: int


@dataclass
class Sample:
    url: str
    days: Optional[int]
    strict: bool = False
    names: list[str] = field(default_factory=list)
    fields: Optional[dict[str, Inner]] = None
    note: Optional[str] = None


def read(host: Any, **config: str) -> Optional[Sample]:
    host.config.update(config)
    return sdk.config_table(Sample)


def error(host: Any, **config: str) -> tuple[str, str]:
    with pytest.raises(sdk.ConfigError) as caught:
        read(host, **config)
    return caught.value.key, caught.value.message


def test_the_keys_are_the_fields_in_order() -> None:
    assert sdk.config_keys(Sample) == ["url", "days", "strict", "names", "fields", "note"]


def test_an_empty_table_is_none_and_a_blank_list_is_empty(host: Any) -> None:
    assert read(host) is None
    table = read(host, url="u", names=" ")
    assert table is not None and table.names == []


def test_each_text_is_read_as_its_field_type(host: Any) -> None:
    table = read(
        host,
        url=" https://x ",
        days=" 7 ",
        strict="true",
        names='["a","b"]',
        fields='{"login":{"value":3}}',
        note="  ",
        unread="anything",
    )
    assert table == Sample(" https://x ", 7, True, ["a", "b"], {"login": Inner(3)}, None)
    host.config.clear()
    assert read(host, url="u", note=" given ", strict=" ") == Sample("u", None, note="given")


def test_errors_name_the_value_and_say_what_is_wrong(host: Any) -> None:
    assert error(host, url="u", days="soon") == ("days", '"soon" is not a whole number')
    host.config.clear()
    assert error(host, url="u", strict="yes") == ("strict", '"yes" is not true or false')
    host.config.clear()
    assert error(host, url="u", names="a") == ("names", 'expected an array, got "a"')
    host.config.clear()
    assert error(host, url="u", names="[1,") == ("names", "not valid JSON: Expecting value")
    host.config.clear()
    assert error(host, url="u", fields='{"login":{"valu":3}}') == (
        "fields.login.valu",
        "unknown field `valu`, expected `value`",
    )
    host.config.clear()
    assert error(host, url="u", fields='{"login":{}}') == ("fields.login", "missing field `value`")
    host.config.clear()
    assert error(host, url="u", names='["a",2]') == ("names[1]", "invalid type: number 2, expected a string")
    host.config.clear()
    assert error(host, days="3") == ("", "`url` is not set: add it to the plugin's config table")
    assert str(sdk.ConfigError("hosts[1]", "bad")) == "hosts[1]: bad"
    assert str(sdk.ConfigError("", "bad")) == "bad"


@dataclass
class Numbers:
    ratio: float
    extra: Any = None
    warn_days: int = 14


def test_floats_any_and_defaults(host: Any) -> None:
    host.config.update(ratio=" 0.5 ", extra='[1,{"a":2}]', warn_days="")
    assert sdk.config_table(Numbers) == Numbers(0.5, [1, {"a": 2}], 14)
    host.config.update(ratio="nan")
    with pytest.raises(sdk.ConfigError, match='ratio: "nan" is not a number'):
        sdk.config_table(Numbers)


def test_a_field_of_a_type_not_read_is_the_authors_mistake(host: Any) -> None:
    @dataclass
    class Odd:
        when: set[str]

    host.config["when"] = "[]"
    with pytest.raises(TypeError, match="config field `when`: type set"):
        sdk.config_table(Odd)


def test_config_table_or_reject_refuses_the_types_errors_then_checks_with_help(host: Any) -> None:
    def rejected(check: Any = lambda _: None, **config: str) -> list[tuple]:
        host.config.clear()
        host.calls.clear()
        host.config.update(config)
        with pytest.raises(RuntimeError, match="unreachable: the host ends the instance"):
            sdk.config_table_or_reject(Sample, "(see README.md)", check)
        return [call for call in host.calls if call[0] == "reject"]

    assert rejected(url="u", names='["a",2]') == [
        ("reject", "names[1]", "invalid type: number 2, expected a string (see README.md)")
    ]

    def no_days(table: Sample) -> Optional[tuple[str, str]]:
        return ("days", "set days") if table.days is None else None

    assert rejected(no_days, url="u") == [("reject", "days", "set days (see README.md)")]
    host.config.update(days="2")
    table = sdk.config_table_or_reject(Sample, "(help)", no_days)
    assert table is not None and table.days == 2
    host.config.clear()
    assert sdk.config_table_or_reject(Sample, "(help)", no_days) is None
