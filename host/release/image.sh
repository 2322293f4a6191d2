#!/usr/bin/env bash
# Builds Plume's container image without a Docker daemon or a base image:
# buildah, FROM scratch, with the static binary, Debian's CA certificates and
# a non-root user, `plume` as the entrypoint. Writes an OCI archive and checks
# it (skopeo inspect, umoci unpack, the unpacked entrypoint's --version and
# its built-in packs: `plume inspect plume:http`, ...).
#
#   host/release/image.sh [--binary PATH] [--out DIR]
#
#   --binary PATH  the static plume binary (default: the musl build that
#                  host/release/release.sh makes,
#                  target/x86_64-unknown-linux-musl/dist/plume)
#   --out DIR      where plume-<version>-oci.tar goes (default target/dist/<version>)
#
# Load or push it with skopeo or podman, e.g.
#   skopeo copy oci-archive:target/dist/0.1.0/plume-0.1.0-oci.tar docker://REGISTRY/plume:0.1.0
#   podman load -i target/dist/0.1.0/plume-0.1.0-oci.tar
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
    echo "error: $*" >&2
    exit 2
}

binary="" out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || fail "--binary needs the path of a plume binary"; binary=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || fail "--out needs a folder"; out=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "unknown argument '$1': see host/release/image.sh --help" ;;
    esac
done
for tool in buildah skopeo umoci; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (apt-get install buildah skopeo umoci)"
done
certs=/etc/ssl/certs/ca-certificates.crt
[ -f "$certs" ] || fail "$certs is missing (apt-get install ca-certificates)"
# The workspace's version (host/Cargo.toml inherits it), read without cargo.
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$version" ] || fail "no version in [workspace.package] of Cargo.toml"
binary=${binary:-${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-musl/dist/plume}
[ -x "$binary" ] ||
    fail "$binary is not an executable file: build it with host/release/release.sh, or pass --binary"
if readelf -l "$binary" 2>/dev/null | grep -q 'program interpreter'; then
    fail "$binary is dynamically linked: a FROM-scratch image needs the static musl build"
fi
out=${out:-target/dist/$version}
mkdir -p "$out" 2>/dev/null || fail "cannot create the folder $out: choose another --out"
archive="$(cd "$out" && pwd)/plume-$version-oci.tar"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# buildah's storage lives in a temporary folder (vfs needs no kernel
# overlay), so the build leaves nothing behind in /var/lib/containers.
work=$(mktemp -d)
ctr=""
cleanup() {
    [ -z "$ctr" ] || bh rm "$ctr" >/dev/null 2>&1 || true
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
bh() {
    buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs "$@"
}

# The root file system, owned by root except the user's home and /work.
uid=10001
root="$work/rootfs"
mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/tmp" "$work/empty"
install -m 0755 "$binary" "$root/usr/local/bin/plume"
install -m 0644 "$certs" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nplume:x:%s:%s:plume:/home/plume:/sbin/nologin\n' "$uid" "$uid" >"$root/etc/passwd"
printf 'root:x:0:\nplume:x:%s:\n' "$uid" >"$root/etc/group"
chmod 1777 "$root/tmp"

echo "== buildah: FROM scratch" >&2
ctr=$(bh from scratch)
bh copy "$ctr" "$root/" / >/dev/null
bh copy --chown "$uid:$uid" "$ctr" "$work/empty" /home/plume >/dev/null
bh copy --chown "$uid:$uid" "$ctr" "$work/empty" /work >/dev/null
bh config \
    --entrypoint '["/usr/local/bin/plume"]' --cmd '["--help"]' \
    --user "$uid:$uid" --workingdir /work \
    --env HOME=/home/plume --env PATH=/usr/local/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --label org.opencontainers.image.title=plume \
    --label "org.opencontainers.image.version=$version" \
    --label org.opencontainers.image.licenses=Apache-2.0 \
    "$ctr"
rm -f "$archive"
bh commit --quiet --timestamp "$SOURCE_DATE_EPOCH" "$ctr" "oci-archive:$archive:plume:$version" >/dev/null

echo "== check: skopeo inspect, umoci unpack, the entrypoint's --version" >&2
# The config as one line without blanks, so a field spread over lines matches.
config=$(skopeo inspect --config "oci-archive:$archive" | tr -d ' \n\t')
grep -q '"Entrypoint":\["/usr/local/bin/plume"\]' <<<"$config" || fail "entrypoint is not plume: $config"
grep -q "\"User\":\"$uid:$uid\"" <<<"$config" || fail "user is not $uid: $config"
mkdir "$work/layout"
tar -xf "$archive" -C "$work/layout"
rootless=()
[ "$(id -u)" = 0 ] || rootless=(--rootless)
umoci unpack "${rootless[@]}" --image "$work/layout:plume:$version" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
[ "$(id -u)" != 0 ] || [ "$(stat -c %u "$rootfs/home/plume")" = "$uid" ] || fail "/home/plume is not owned by $uid"
cmp -s "$rootfs/etc/ssl/certs/ca-certificates.crt" "$certs" || fail "the CA bundle is not in the image"
grep -q "^plume:x:$uid:$uid:" "$rootfs/etc/passwd" || fail "no plume user in /etc/passwd"
said=$(env -i "$rootfs/usr/local/bin/plume" --version)
[ "$said" = "plume $version" ] || fail "the image's plume says '$said', wanted 'plume $version'"
echo "   entrypoint /usr/local/bin/plume, user $uid (plume), CA bundle $(grep -c 'BEGIN CERT' "$certs") certificates, '$said'" >&2
# The check packs are in the binary: a suite in the image needs nothing else.
for pack in http release-artifact tls oauth; do
    shown=$(env -i "$rootfs/usr/local/bin/plume" --no-cache inspect "plume:$pack" 2>/dev/null |
        sed -n 's/^file: *\(plume:.*sha256 [0-9a-f]\{64\})\)$/\1/p')
    [ -n "$shown" ] || fail "the image's plume does not carry the built-in pack plume:$pack"
    echo "   $shown" >&2
done
echo "   $(stat -c %s "$archive") bytes, sha256 $(sha256sum "$archive" | cut -d' ' -f1)" >&2
echo "$archive"
