#!/usr/bin/env bash
# Builds plugin.wasm from plugin.py with the Plume Python SDK (componentize-py).
set -euo pipefail
cd "$(dirname "$0")"
exec "{{sdk}}/sdk/python/build.sh" plugin.py plugin.wasm
