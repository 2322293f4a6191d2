#!/usr/bin/env bash
# The README's first command. On a fresh clone it builds everything it needs,
# starts the demo service on free loopback ports, runs the demo suite against
# it (all green), runs it again against the same service with three bugs
# switched on (red lines, exit code 1), and stops the service.
#
#   bash examples/demo/run-demo.sh
#
# It exits 0 when both runs behaved as expected: green, then red. With
# PLUME=/path/to/plume it runs that binary (an installed release) instead of
# the one it builds.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v cargo >/dev/null 2>&1; then
    echo "error: cargo is not installed: install Rust with rustup (https://rustup.rs), then run this again" >&2
    exit 2
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2; then
    echo "== installing the wasm32-wasip2 target (rustup target add wasm32-wasip2)"
    rustup target add wasm32-wasip2
fi

if [ -n "${PLUME:-}" ] && ! "$PLUME" --version >/dev/null 2>&1; then
    echo "error: PLUME=$PLUME does not run: give the path of a plume binary" >&2
    exit 2
fi
echo "== building plume, the demo service, the demo plugin and the check packs (the first build takes several minutes)"
plume=${PLUME:-target/debug/plume}
[ -n "${PLUME:-}" ] || cargo build --quiet -p plume
cargo build --quiet -p plume-demo-service
cargo build --quiet --target wasm32-wasip2 --release \
    -p demo-plugin -p plume-pack-http -p plume-pack-release-artifact

admin_password="demo-admin-password"
log=$(mktemp)
pid=""
stop_service() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=""
    fi
}
trap 'stop_service; rm -f "$log"' EXIT

start_service() {
    target/debug/demo-service --admin-port 0 --mcp-port 0 --admin-password "$admin_password" "$@" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        grep -q '^faults=' "$log" && break
        sleep 0.1
    done
    admin_url=$(sed -n 's/^admin_url=//p' "$log")
    mcp_url=$(sed -n 's/^mcp_url=//p' "$log")
    if [ -z "$admin_url" ] || [ -z "$mcp_url" ]; then
        echo "error: the demo service did not start:" >&2
        cat "$log" >&2
        exit 2
    fi
    echo "   demo service: admin $admin_url, mcp $mcp_url, faults: $(sed -n 's/^faults=//p' "$log")"
}

smoke() {
    SMOKE_ADMIN_PASSWORD="$admin_password" "$plume" run examples/demo/plume.toml \
        --var "admin_url=$admin_url" --var "mcp_url=$mcp_url"
}

echo
echo "== 1. the healthy service: every check ok, or skipped with its reason"
start_service
green=0
smoke || green=$?
stop_service

echo
echo "== 2. the same service with three bugs of the field reports' kind"
start_service --fault stale-manifest --fault revoke-noop --fault missing-billing-plan
red=0
smoke || red=$?
stop_service

echo
if [ "$green" -eq 0 ] && [ "$red" -eq 1 ]; then
    echo "== done: the healthy run passed (exit 0) and the faulty run was caught (exit 1)"
    echo "   by hand: target/debug/demo-service   then   target/debug/plume run examples/demo/plume.toml"
else
    echo "== unexpected: the healthy run exited $green (wanted 0), the faulty run $red (wanted 1)" >&2
    exit 1
fi
