#!/usr/bin/env bash
# Make a real Pulumi CLI available for the end-to-end tests and `npm run demo`.
#
# 1. A `pulumi` on PATH at least as new as the @pulumi/pulumi SDK in node_modules, with
#    `pulumi-language-nodejs` beside it or on PATH, is used as it is.
# 2. Otherwise the CLI and the Node.js language host are built from the Go module proxy into a
#    cache outside the checkout, once per machine:
#      ${JOBWAITER_PULUMI_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pulumi-huaweicloud-jobwaiter/pulumi-cli}/<version>/bin
#    `go install …@version` is refused for the CLI (its go.mod has replace directives), so a
#    small wrapper module requires it and `go build` builds it.
#
# Prints one line on stdout: `real Pulumi CLI: <version> (<path of pulumi>)`. Build output goes
# to stderr. Exits non-zero, with the go error and what to install, when nothing works.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_ROOT=${JOBWAITER_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-huaweicloud-jobwaiter/pulumi-cli}
CLI_MODULE=github.com/pulumi/pulumi/pkg/v3
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
HOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
# The Node.js language host has no tags of its own: the proxy may serve it only as the
# pseudo-version of the CLI's commit. Where it does not, the newest sdk/v3 release whose module
# still contained the host as a package (before the host moved to a module of its own) is built.
LEGACY_HOST_SDK_VERSION=v3.68.0
LEGACY_HOST_PACKAGE=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
LAUNCHER=pulumi-resource-pulumi-nodejs

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '%s\n' "$*" >&2; }
fail() {
    log "pulumi-cli: $1"
    log "pulumi-cli: install the Pulumi CLI >= v$SDK_VERSION with pulumi-language-nodejs on PATH, or Go >= 1.25.11 with a Go module proxy that serves $CLI_MODULE (GOPROXY), then run again."
    exit 1
}

cd "$ROOT"
SDK_VERSION=$(node -p "require('@pulumi/pulumi/package.json').version" 2>/dev/null) \
    || fail "node_modules/@pulumi/pulumi not found in $ROOT: run npm ci first."
LAUNCHER_SOURCE="$ROOT/node_modules/@pulumi/pulumi/$LAUNCHER"

# True when version $1 (vX.Y.Z) >= $2 (X.Y.Z).
at_least() { [ "$(printf '%s\n%s\n' "${1#v}" "$2" | sort -V | head -n1)" = "$2" ]; }

announce() { printf 'real Pulumi CLI: %s (%s)\n' "$1" "$2"; }

# 1. A CLI the user already has.
if ambient=$(command -v pulumi 2>/dev/null); then
    ambient_version=$(PULUMI_SKIP_UPDATE_CHECK=true "$ambient" version 2>/dev/null || true)
    ambient_dir=$(dirname "$(readlink -f "$ambient")")
    if [[ "$ambient_version" == v* ]] && at_least "$ambient_version" "$SDK_VERSION" \
        && { [ -x "$ambient_dir/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null; }; then
        announce "$ambient_version" "$ambient"
        exit 0
    fi
    log "pulumi-cli: ignoring $ambient (${ambient_version:-no version}): need >= v$SDK_VERSION with pulumi-language-nodejs."
fi

# The launcher of dynamic providers ships in @pulumi/pulumi; the CLI looks for it beside itself.
# A copy, not a link, so the cache does not depend on one checkout.
install_launcher() {
    local bin=$1
    if ! cmp -s "$LAUNCHER_SOURCE" "$bin/$LAUNCHER"; then
        cp "$LAUNCHER_SOURCE" "$bin/$LAUNCHER.$$" && chmod 755 "$bin/$LAUNCHER.$$" && mv -f "$bin/$LAUNCHER.$$" "$bin/$LAUNCHER"
    fi
}

cached_ok() {
    local dir=$1 version=$2
    [ -f "$dir/complete" ] && [ -x "$dir/bin/pulumi-language-nodejs" ] \
        && [ "$(PULUMI_SKIP_UPDATE_CHECK=true "$dir/bin/pulumi" version 2>/dev/null)" = "$version" ]
}

use_cached() {
    install_launcher "$1/bin"
    announce "$2" "$1/bin/pulumi"
    exit 0
}

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
flock 9

PINNED=v$SDK_VERSION
cached_ok "$CACHE_ROOT/$PINNED" "$PINNED" && use_cached "$CACHE_ROOT/$PINNED" "$PINNED"

command -v go >/dev/null || fail "no usable pulumi on PATH and no go to build one."
LOG="$CACHE_ROOT/build.log"
: >"$LOG"

# Run a go command, its output to the build log; on failure keep the last lines for the message.
LAST_ERROR=""
run_go() {
    local out
    if out=$("$@" 2>&1); then printf '%s\n' "$out" >>"$LOG"; return 0; fi
    printf '%s\n' "$out" >>"$LOG"
    LAST_ERROR=$(printf '%s\n' "$out" | tail -n 5)
    return 1
}

# Candidates: the SDK's own version first, then newer served versions, then older ones.
candidates() {
    echo "$PINNED"
    local served
    served=$(cd "$CACHE_ROOT" && go list -m -versions "$CLI_MODULE" 2>/dev/null | tr ' ' '\n' | grep '^v3\.' | grep -v -- '-' || true)
    printf '%s\n' "$served" | sort -V | while read -r v; do [ -n "$v" ] && [ "$v" != "$PINNED" ] && at_least "$v" "$SDK_VERSION" && echo "$v"; done
    printf '%s\n' "$served" | sort -rV | while read -r v; do [ -n "$v" ] && ! at_least "$v" "$SDK_VERSION" && echo "$v"; done
}

ldflags() { echo "-s -w -X $VERSION_VAR=$1"; }

# Build the language host: the pseudo-version of the CLI's commit, else the legacy host.
build_host() {
    local src=$1 bin=$2 version=$3 commit
    commit=$(go -C "$src" mod download -json "$CLI_MODULE@$version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log((JSON.parse(s).Origin||{}).Hash||""))')
    if [ -n "$commit" ] && run_go go -C "$src" get "$HOST_MODULE@${commit:0:12}"; then
        run_go go -C "$src" build -trimpath -tags osusergo,grpcnotrace -ldflags "$(ldflags "$version")" -o "$bin/" "$HOST_MODULE" && return 0
    fi
    local why="the proxy names no commit for $CLI_MODULE@$version"
    [ -n "$commit" ] && why="the proxy does not serve $HOST_MODULE at commit ${commit:0:12} ($LAST_ERROR)"
    log "pulumi-cli: $why; building the language host of sdk/v3 $LEGACY_HOST_SDK_VERSION."
    local legacy="$src/legacy-host"
    mkdir -p "$legacy"
    run_go go -C "$legacy" mod init jobwaiter-pulumi-language-nodejs \
        && run_go go -C "$legacy" get "$LEGACY_HOST_PACKAGE@$LEGACY_HOST_SDK_VERSION" \
        && run_go go -C "$legacy" build -trimpath -ldflags "$(ldflags "$LEGACY_HOST_SDK_VERSION")" -o "$bin/" "$LEGACY_HOST_PACKAGE"
}

build() {
    local version=$1 dir="$CACHE_ROOT/$1" work
    work=$(mktemp -d "$CACHE_ROOT/build.XXXXXX")
    mkdir -p "$work/src" "$work/bin"
    log "pulumi-cli: building Pulumi CLI $version from the Go module proxy (a cold build takes several minutes; log: $LOG)"
    if run_go go -C "$work/src" mod init jobwaiter-pulumi-cli \
        && run_go go -C "$work/src" get "$CLI_MODULE/cmd/pulumi@$version" "$SDK_MODULE@$version" \
        && run_go go -C "$work/src" build -trimpath -tags osusergo,grpcnotrace -ldflags "$(ldflags "$version")" -o "$work/bin/" "$CLI_MODULE/cmd/pulumi" \
        && build_host "$work/src" "$work/bin" "$version"; then
        rm -rf "$dir" "$work/src"
        echo "$version" >"$work/complete"
        mv "$work" "$dir"
        return 0
    fi
    rm -rf "$work"
    return 1
}

while read -r version; do
    [ -n "$version" ] || continue
    cached_ok "$CACHE_ROOT/$version" "$version" && use_cached "$CACHE_ROOT/$version" "$version"
    if build "$version"; then
        cached_ok "$CACHE_ROOT/$version" "$version" || fail "built $version but $CACHE_ROOT/$version/bin/pulumi version does not print it."
        use_cached "$CACHE_ROOT/$version" "$version"
    fi
    log "pulumi-cli: $version failed: $LAST_ERROR"
done < <(candidates)

fail "no served version of $CLI_MODULE could be built; last go error: $LAST_ERROR"
