"""Puts the fake host in place before any test imports plume_sdk."""

import pytest

import fake_host


@pytest.fixture
def host() -> fake_host.FakeHost:
    return fake_host.reset()
