"""The package itself: its version is the workspace's, and the in-tree build
backend makes a wheel holding the SDK and its metadata."""

from __future__ import annotations

import sys
import tomllib
import zipfile
from pathlib import Path

SDK = Path(__file__).resolve().parent.parent


def test_the_version_is_the_workspaces() -> None:
    with open(SDK / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    with open(SDK.parent.parent / "Cargo.toml", "rb") as f:
        workspace = tomllib.load(f)["workspace"]["package"]
    assert project["version"] == workspace["version"]


def test_the_backend_builds_a_wheel_of_the_sdk(tmp_path: Path) -> None:
    sys.path.insert(0, str(SDK / "build_backend"))
    try:
        import plume_build
    finally:
        sys.path.pop(0)
    name = plume_build.build_wheel(str(tmp_path))
    assert name == "plume_sdk-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(tmp_path / name) as whl:
        names = set(whl.namelist())
        assert {"plume_sdk/__init__.py", "plume_sdk/py.typed", "plume_sdk-0.1.0.dist-info/RECORD"} <= names
        metadata = whl.read("plume_sdk-0.1.0.dist-info/METADATA").decode()
    assert "Name: plume-sdk\n" in metadata and "Requires-Python: >=3.11\n" in metadata
    assert plume_build.build_sdist(str(tmp_path)) == "plume_sdk-0.1.0.tar.gz"
