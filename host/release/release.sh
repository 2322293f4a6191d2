#!/usr/bin/env bash
# Builds Plume's release: for each target a static binary packed as
# plume-<version>-<target>.tar.gz (the binary, LICENSE and README.md), then
# SHA256SUMS and a version.json manifest that the release-artifact pack checks.
# Every binary carries the check packs (plume:http, plume:release-artifact,
# plume:tls, plume:oauth, built from plugins/ by host/build.rs); version.json
# lists each pack's component SHA-256 under /packs/<name>, and with
# --push-packs each is pushed as a Wasm OCI artifact plume/packs/<name>:<version>
# (by the binary itself, `plume push plume:<name> ...`) with its manifest
# digest, so a user of an older binary can pull a newer pack.
#
#   host/release/release.sh --base-url URL [--out DIR] [--target TRIPLE]... [--push-packs REGISTRY]
#   host/release/release.sh --base-url URL [--out DIR] --binary PATH [--target TRIPLE]
#
#   --base-url URL   where DIR will be served; each download_url is URL/<tarball>
#   --out DIR        the release folder (default target/dist/<version>)
#   --target TRIPLE  repeatable; default x86_64-unknown-linux-musl. A musl target
#                    other than the machine's is built with cargo-zigbuild.
#   --binary PATH    pack this already-built binary (for the one --target, by
#                    default the machine's own) instead of building one
#   --push-packs REGISTRY  push the packs to REGISTRY (host[:port]) as
#                    REGISTRY/plume/packs/<name>:<version>; credentials as for
#                    `plume push` (PLUME_REGISTRY_USER, PLUME_REGISTRY_PASSWORD)
#
# The build is `cargo rustc --locked --profile dist --target TRIPLE -p plume
# --bin plume` (profile dist: release with thin LTO, stripped; see Cargo.toml),
# linked with packed relative relocations on the machine's own musl target
# (`-z pack-relative-relocs`: 51,820 relocations in 14 KiB instead of 1.2 MiB,
# applied at every start; needs binutils 2.38 or later). The archives
# are reproducible: sorted names, owner 0, mtimes of $SOURCE_DATE_EPOCH
# (default: the last commit's time), gzip without a name or time stamp.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
    echo "error: $*" >&2
    exit 2
}

base_url="" out="" binary="" registry="" targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --base-url) [ $# -ge 2 ] || fail "--base-url needs a URL"; base_url=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || fail "--out needs a folder"; out=$2; shift 2 ;;
        --target) [ $# -ge 2 ] || fail "--target needs a target triple"; targets+=("$2"); shift 2 ;;
        --binary) [ $# -ge 2 ] || fail "--binary needs the path of a plume binary"; binary=$2; shift 2 ;;
        --push-packs) [ $# -ge 2 ] || fail "--push-packs needs a registry (host[:port])"; registry=${2%/}; shift 2 ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) fail "unknown argument '$1': see host/release/release.sh --help" ;;
    esac
done
case "$base_url" in
    http://*|https://*) base_url=${base_url%/} ;;
    "") fail "--base-url is required: the http(s) URL the release folder will be served at" ;;
    *) fail "--base-url '$base_url' is not an http(s) URL" ;;
esac
for tool in cargo tar gzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done

host_target=$(rustc -vV | sed -n 's/^host: //p')
# The workspace's version (host/Cargo.toml inherits it), read without cargo.
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$version" ] || fail "no version in [workspace.package] of Cargo.toml"
if [ -n "$binary" ]; then
    [ -x "$binary" ] || fail "--binary $binary is not an executable file"
    [ ${#targets[@]} -le 1 ] || fail "--binary packs one binary: give at most one --target"
    [ ${#targets[@]} -eq 1 ] || targets=("$host_target")
fi
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-linux-musl)
out=${out:-target/dist/$version}
mkdir -p "$out" 2>/dev/null || fail "cannot create the folder $out: choose another --out"
out=$(cd "$out" && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The binary for one target: the one given, or a fresh build.
build() {
    local target=$1
    if [ -n "$binary" ]; then
        echo "$binary"
        return
    fi
    rustup target list --installed | grep -qx "$target" || rustup target add "$target" >&2
    if [ "$target" = "$host_target" ] || [ "$target" = "${host_target%-gnu}-musl" ]; then
        cargo rustc --locked --profile dist --target "$target" -p plume --bin plume \
            -- -C link-arg=-Wl,-z,pack-relative-relocs >&2
    else
        command -v cargo-zigbuild >/dev/null 2>&1 ||
            fail "building $target needs cargo-zigbuild (cargo install --locked cargo-zigbuild) and zig (pip install ziglang)"
        cargo zigbuild --locked --profile dist --target "$target" -p plume >&2
    fi
    echo "${CARGO_TARGET_DIR:-target}/$target/dist/plume"
}

entries="" runner=""
for target in "${targets[@]}"; do
    echo "== $target" >&2
    bin=$(build "$target")
    if [ "$target" = "$host_target" ] || [ "$target" = "${host_target%-gnu}-musl" ]; then
        said=$("$bin" --version)
        [ "$said" = "plume $version" ] || fail "$bin says '$said', the workspace is at $version"
        runner=${runner:-$bin}
    fi
    name="plume-$version-$target"
    rm -rf "${stage:?}/$name"
    mkdir -p "$stage/$name"
    install -m 0755 "$bin" "$stage/$name/plume"
    install -m 0644 host/LICENSE "$stage/$name/LICENSE"
    install -m 0644 README.md "$stage/$name/README.md"
    tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        -C "$stage" -cf - "$name" | gzip -n >"$out/$name.tar.gz"
    sha=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
    size=$(stat -c %s "$out/$name.tar.gz")
    echo "   $name.tar.gz: $size bytes, binary $(stat -c %s "$bin") bytes, sha256 $sha" >&2
    [ -z "$entries" ] || entries+=$',\n'
    entries+="    \"$target\": {\"file\": \"$name.tar.gz\", \"sha256\": \"$sha\", \"size\": $size, \"download_url\": \"$base_url/$name.tar.gz\"}"
done

# The packs built into the binaries: each one's component SHA-256 (every
# target embeds the same wasm), and with --push-packs its OCI artifact.
packs=""
if [ -n "$runner" ]; then
    for pack in http release-artifact tls oauth; do
        sha=$("$runner" --no-cache inspect "plume:$pack" | sed -n 's/^file: .*sha256 \([0-9a-f]\{64\}\))$/\1/p')
        [ -n "$sha" ] || fail "$runner does not carry the built-in pack plume:$pack"
        fields="\"sha256\": \"$sha\""
        if [ -n "$registry" ]; then
            reference="$registry/plume/packs/$pack:$version"
            pushed=$("$runner" push "plume:$pack" "oci://$reference") || fail "pushing plume:$pack to $reference failed"
            digest=$(printf '%s\n' "$pushed" | sed -n 's/^.*@\(sha256:[0-9a-f]\{64\}\)$/\1/p' | tail -n1)
            [ -n "$digest" ] || fail "plume push printed no manifest digest for $reference"
            echo "   pushed plume:$pack as $reference@$digest" >&2
            fields+=", \"reference\": \"$reference\", \"digest\": \"$digest\""
        fi
        [ -z "$packs" ] || packs+=$',\n'
        packs+="    \"$pack\": {$fields}"
    done
elif [ -n "$registry" ]; then
    fail "--push-packs needs a binary this machine runs: add --target $host_target"
fi

(cd "$out" && sha256sum -- *.tar.gz >SHA256SUMS)
first=${targets[0]}
updated=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
# The top-level fields name the first target, so a reader that knows only
# /version, /sha256, /download_url and /size finds a binary; every target is
# under /targets/<triple>.
packs_json=""
[ -z "$packs" ] || packs_json=$',\n  "packs": {\n'"$packs"$'\n  }'
first_line=$(printf '%s\n' "$entries" | grep -F "\"$first\": ")
first_fields=${first_line#*\{}
cat >"$out/version.json" <<EOF
{
  "version": "$version",
  "updated_at": "$updated",
  "target": "$first",
  ${first_fields%\}*},
  "targets": {
$entries
  }$packs_json
}
EOF
echo "$out"
