#!/usr/bin/env bash
# Builds a Python plugin into a component:
#
#   sdk/python/build.sh PLUGIN.py OUT.wasm
#
# componentize-py (pinned in sdk/python/requirements.txt) runs from a virtual
# environment it creates on first use ($PLUME_PYTHON_VENV, default
# target/python-venv); the plugin's folder and this SDK are on its path.
set -euo pipefail
sdk=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$sdk/../.." && pwd)
if [ $# -ne 2 ]; then
    echo "usage: sdk/python/build.sh PLUGIN.py OUT.wasm" >&2
    exit 2
fi
app=$(cd "$(dirname "$1")" && pwd)
module=$(basename "$1" .py)
out=$2
venv=${PLUME_PYTHON_VENV:-$root/target/python-venv}
if ! command -v python3 >/dev/null 2>&1; then
    echo "error: python3 is not installed: install Python 3.11 or newer (e.g. apt-get install python3 python3-venv)" >&2
    exit 2
fi
if [ ! -x "$venv/bin/componentize-py" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$sdk/requirements.txt"
fi
mkdir -p "$(dirname "$out")"
"$venv/bin/componentize-py" --quiet -d "$root/wit" -w plugin componentize "$module" \
    -p "$app" -p "$sdk" -o "$out"
