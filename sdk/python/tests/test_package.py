"""The package itself: its version is the workspace's, and what pip installs
from it holds the SDK, its type marker and its metadata."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

SDK = Path(__file__).resolve().parent.parent


def test_the_version_is_the_workspaces() -> None:
    with open(SDK / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    with open(SDK.parent.parent / "Cargo.toml", "rb") as f:
        workspace = tomllib.load(f)["workspace"]["package"]
    assert project["version"] == workspace["version"]


def test_the_installed_package_holds_the_sdk_and_its_metadata() -> None:
    # CI installs ./sdk/python (built by flit_core) into the venv pytest runs in.
    dist = metadata.distribution("plume-sdk")
    files = {str(f) for f in dist.files or []}
    assert {"plume_sdk/__init__.py", "plume_sdk/py.typed"} <= files
    assert dist.metadata["Name"] == "plume-sdk"
    assert dist.metadata["Requires-Python"] == ">=3.11"
