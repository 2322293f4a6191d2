#!/usr/bin/env bash
# Builds plugin.wasm from plugin.py with the Plume Python SDK vendored in
# {{sdk}} (componentize-py, installed on first use into .venv, or into
# $PLUME_PYTHON_VENV when set).
set -euo pipefail
cd "$(dirname "$0")"
export PLUME_PYTHON_VENV=${PLUME_PYTHON_VENV:-$PWD/.venv}
exec ./{{sdk}}/sdk/python/build.sh plugin.py plugin.wasm
