#!/usr/bin/env bash
# Runs every fuzz target for a bounded time, starting from its kept seeds.
#
#   bash host/fuzz/run.sh [SECONDS_PER_TARGET]   (default 30)
#
# Installs what it needs on first use: a C++ compiler for libFuzzer, the nightly
# toolchain (cargo-fuzz needs it) and cargo-fuzz itself. A crash fails the script and leaves the input in
# host/fuzz/artifacts/<target>/; replay it with
#   cargo +nightly fuzz run -s none <target> host/fuzz/artifacts/<target>/<file>
# The seeds (host/fuzz/seeds/<target>/, in git) are read only; what a run
# finds goes to host/fuzz/corpus/<target>/ (not in git), which later runs on
# the same machine start from too. An input worth keeping (one that found a
# bug) becomes a unit test beside the code it broke, or a seed.
set -euo pipefail
seconds="${1:-30}"
cd "$(dirname "$0")/.."

# libFuzzer itself is C++, built by libfuzzer-sys.
if ! command -v c++ >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq g++
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi

# The targets are safe Rust over safe Rust: plain libFuzzer coverage, no sanitizer.
cargo +nightly fuzz build -s none
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in $(cargo +nightly fuzz list); do
    status=0
    mkdir -p "fuzz/corpus/$target"
    cargo +nightly fuzz run -s none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len=4096 >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log"
        echo "fuzz: $target FAILED (exit $status); the input is in host/fuzz/artifacts/$target/" >&2
        exit 1
    fi
    echo "fuzz: $target ok, $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1)s"
done
