"""A PEP 517 build backend for the Python SDK, from the standard library only.

`pip install ./sdk/python` builds with it in an isolated environment that
installs nothing (`requires = []`), so the build needs no network. It packs
`plume_sdk/` (every `.py` file and `py.typed`) into a pure-Python wheel, its
metadata from `pyproject.toml`'s `[project]` table; `build_editable` (PEP 660)
points a `.pth` file at this folder instead; `build_sdist` packs the sources.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "plume_sdk"


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _dist_name(project: dict) -> str:
    return f"{project['name'].replace('-', '_')}-{project['version']}"


def _metadata(project: dict) -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {project['name']}\n"
        f"Version: {project['version']}\n"
        f"Summary: {project['description']}\n"
        f"License: {project['license']}\n"
        f"Requires-Python: {project['requires-python']}\n"
    )


def _sources() -> list[Path]:
    found = sorted((ROOT / PACKAGE).rglob("*.py")) + [ROOT / PACKAGE / "py.typed"]
    return [p for p in found if "__pycache__" not in p.parts]


def _wheel(wheel_directory: str, files: dict[str, bytes]) -> str:
    project = _project()
    dist = _dist_name(project)
    info = f"{dist}.dist-info"
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata(project).encode()
    files[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: plume_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    filename = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in files.items():
            whl.writestr(name, data)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in _sources()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {f"{PACKAGE}.pth": f"{ROOT}\n".encode()})


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    dist = _dist_name(project)
    filename = f"{dist}.tar.gz"
    members = [ROOT / "pyproject.toml", Path(__file__).resolve(), *_sources()]
    with tarfile.open(Path(sdist_directory) / filename, "w:gz") as tar:
        for path in members:
            tar.add(path, arcname=f"{dist}/{path.relative_to(ROOT).as_posix()}")
        info = tarfile.TarInfo(f"{dist}/PKG-INFO")
        data = _metadata(project).encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
