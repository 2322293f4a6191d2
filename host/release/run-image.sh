#!/usr/bin/env bash
# Runs Plume's container image with podman: loads the OCI archive that
# host/release/image.sh wrote, runs its entrypoint's `--version`, then the
# demo suite (examples/demo/run-demo.sh) with `plume` inside the container
# against the demo service on the machine's loopback (`--network host`).
#
#   host/release/run-image.sh [--archive FILE]
#
#   --archive FILE  the image (default target/dist/<version>/plume-<version>-oci.tar)
#
# PLUME_PODMAN_ARGS adds arguments to every `podman run` (a machine without
# CAP_SYS_RESOURCE needs ulimits no higher than its own, e.g.
# "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"; see the README).
# Exits 0 when the version is right, the healthy demo run is green and the
# faulty one red; 2 when something needed is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
    echo "error: $*" >&2
    exit 2
}

archive=""
while [ $# -gt 0 ]; do
    case "$1" in
        --archive) [ $# -ge 2 ] || fail "--archive needs the path of an OCI archive"; archive=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "unknown argument '$1': see host/release/run-image.sh --help" ;;
    esac
done
command -v podman >/dev/null 2>&1 || fail "podman is not installed (apt-get install podman)"
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$version" ] || fail "no version in [workspace.package] of Cargo.toml"
archive=${archive:-target/dist/$version/plume-$version-oci.tar}
[ -f "$archive" ] || fail "$archive does not exist: build it with host/release/image.sh"

image=localhost/plume:$version
echo "== podman load -i $archive" >&2
podman load --quiet -i "$archive" >/dev/null
# Word splitting of the extra arguments is wanted here.
# shellcheck disable=SC2206
extra=(${PLUME_PODMAN_ARGS:-})
said=$(podman run --rm "${extra[@]}" "$image" --version)
[ "$said" = "plume $version" ] || fail "the image's entrypoint says '$said', wanted 'plume $version'"
echo "== podman run --rm $image --version: $said" >&2

# run-demo.sh runs $PLUME with paths relative to the checkout, which the
# container sees at /work (its working directory), read-only.
wrapper=$(mktemp)
trap 'rm -f "$wrapper"' EXIT
cat >"$wrapper" <<EOF
#!/usr/bin/env bash
exec podman run --rm --network host ${PLUME_PODMAN_ARGS:-} \\
    -e SMOKE_ADMIN_PASSWORD -v "$PWD:/work:ro" "$image" "\$@"
EOF
chmod +x "$wrapper"
PLUME=$wrapper bash examples/demo/run-demo.sh
