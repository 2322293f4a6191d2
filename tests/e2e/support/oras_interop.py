"""Push and pull Wasm components with oras-py, a client independent of Plume.

    oras_interop.py push HOST/REPO:TAG COMPONENT.wasm
        pushes the component as the Wasm OCI artifact layout (config media type
        application/vnd.wasm.config.v0+json, one application/wasm layer)
    oras_interop.py pull HOST/REPO:TAG OUT.wasm
        prints the manifest as JSON and writes its one layer to OUT.wasm

The registry is spoken to over plain HTTP (the tests' registry is on loopback).
"""

import datetime
import hashlib
import json
import os
import sys
import tempfile

import oras.client

CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v0+json"
LAYER_MEDIA_TYPE = "application/wasm"


def push(target: str, wasm: str) -> None:
    with open(wasm, "rb") as f:
        digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    config = {
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": None,
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [digest],
        "component": {"exports": [], "imports": [], "target": None},
    }
    with tempfile.TemporaryDirectory() as tmp:
        config_path = os.path.join(tmp, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        client = oras.client.OrasClient(insecure=True)
        client.push(
            target=target,
            files=[f"{os.path.abspath(wasm)}:{LAYER_MEDIA_TYPE}"],
            manifest_config=f"{config_path}:{CONFIG_MEDIA_TYPE}",
            disable_path_validation=True,
        )
    print(f"pushed {wasm} as {digest}")


def pull(target: str, out: str) -> None:
    client = oras.client.OrasClient(insecure=True)
    manifest = client.get_manifest(target)
    print(json.dumps(manifest))
    [layer] = manifest["layers"]
    container = client.get_container(target)
    client.download_blob(container, layer["digest"], out)


if __name__ == "__main__":
    command, target, path = sys.argv[1:4]
    {"push": push, "pull": pull}[command](target, path)
