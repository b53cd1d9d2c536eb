#!/usr/bin/env bash
# A static sipreg (x86_64-unknown-linux-musl), the binary of deploy/Containerfile:
# no shared libraries, so it runs in an empty image and on any x86-64 Linux.
#
#   scripts/build-static.sh           build it, print its path on stdout
#   scripts/build-static.sh --check   build it, then register, query and unregister
#                                     with it against a private Kamailio on 127.0.0.1
#                                     (as root: in an empty chroot, the binary alone)
#
# Installs what is missing first: the Rust target (rustup target add) and, because
# ring (under rustls) compiles C and assembly for the target, a musl C compiler
# (Debian's musl-tools, with apt-get when root; otherwise it says what to install).
# Fails unless ldd finds no shared library in the result.
#
# Environment: CARGO_TARGET_DIR is honoured (deploy/Containerfile expects the
# default, target/ in the repository). --check uses scripts/kamailio.sh, as
# scripts/demo.sh does, and sends to 127.0.0.1 only.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

TARGET=x86_64-unknown-linux-musl
check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build-static.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

say() { echo "build-static.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- the Rust target ---------------------------------------------------------
if command -v rustup >/dev/null 2>&1; then
    if ! rustup target list --installed | grep -qx "$TARGET"; then
        say "adding the Rust target $TARGET"
        rustup target add "$TARGET" >&2
    fi
elif [ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET" ]; then
    # a Rust from the distribution: it brings its own targets, rustup cannot add one
    die "the Rust standard library for $TARGET is missing and rustup is not installed; install it with your Rust (Debian: libstd-rust-dev-musl)"
fi

# ---- a C compiler for musl -----------------------------------------------------
# cc-rs (which builds ring's C) looks for x86_64-linux-musl-gcc; Debian's musl-tools
# names its wrapper musl-gcc, so it is named explicitly below unless the caller
# chose a compiler already.
if ! command -v x86_64-linux-musl-gcc >/dev/null 2>&1 && ! command -v musl-gcc >/dev/null 2>&1 \
    && [ -z "${CC_x86_64_unknown_linux_musl:-}" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing musl-tools (musl-gcc: ring compiles C for $TARGET)"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >&2
        command -v musl-gcc >/dev/null 2>&1 || die "musl-tools installed but musl-gcc is still not on PATH"
    else
        die "no C compiler for musl (ring compiles C for $TARGET): install Debian's musl-tools (sudo apt-get install musl-tools), or set CC_x86_64_unknown_linux_musl"
    fi
fi
if [ -z "${CC_x86_64_unknown_linux_musl:-}" ] && ! command -v x86_64-linux-musl-gcc >/dev/null 2>&1; then
    export CC_x86_64_unknown_linux_musl=musl-gcc
fi

# ---- the build -------------------------------------------------------------------
say "cargo build --release --locked --target $TARGET"
start=$(date +%s)
cargo build --release --locked --target "$TARGET" >&2
say "built in $(($(date +%s) - start)) s"

BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$TARGET/release/sipreg
[ -x "$BIN" ] || die "no $BIN after the build"

# ---- static, really --------------------------------------------------------------
# glibc's ldd says "not a dynamic executable" for a classic static binary and
# "statically linked" for a static PIE (what Rust makes for musl); anything else
# means a library would be loaded at start, which an empty image does not have.
deps=$(ldd "$BIN" 2>&1 || true)
case "$deps" in
    *"not a dynamic executable"*|*"statically linked"*) say "ldd $BIN: $(echo "$deps" | tr -s ' \t\n' ' ')" ;;
    *) printf '%s\n' "$deps" >&2; die "$BIN is not static: ldd lists the libraries above" ;;
esac
if command -v readelf >/dev/null 2>&1; then
    # no program interpreter and no NEEDED entry: nothing for a loader to do
    if readelf -lW "$BIN" | grep -q INTERP || readelf -dW "$BIN" | grep -q NEEDED; then
        die "$BIN asks for a loader or a shared library (readelf -l / -d)"
    fi
fi

echo "$BIN"
[ "$check" = 1 ] || exit 0

# ---- --check: the static binary against a real registrar ------------------------
KAM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-static.XXXXXX")
export SIPREG_KAM_DIR="$KAM_DIR"
started=0
cleanup() {
    local rc=$?
    [ "$started" = 1 ] && { "$HERE/kamailio.sh" stop || true; }
    rm -rf "$KAM_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=1
port=$("$HERE/kamailio.sh" start)
[[ "$port" =~ ^[0-9]+$ ]] || die "scripts/kamailio.sh start did not print a port: '$port'"
REG="sip:127.0.0.1:$port"
AOR=sip:alice@sipreg.test
export SIPREG_PASSWORD=secret-alice

# As root, in an empty root directory holding the binary alone (no libraries, no
# /etc), as in the container: what works there needs nothing of this machine's.
RUN=("$BIN")
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null 2>&1; then
    mkdir "$KAM_DIR/root"
    cp "$BIN" "$KAM_DIR/root/sipreg"
    RUN=(chroot "$KAM_DIR/root" /sipreg)
    say "--check: sipreg runs in an empty root (chroot $KAM_DIR/root)"
fi

step() { # what, then sipreg's arguments; every step bounded in time
    local what=$1; shift
    say "\$ sipreg $*"
    timeout 40 "${RUN[@]}" "$@" >&2 || die "--check: $what failed (exit status $?)"
}
step "register" register "$AOR" -r "$REG" --once
step "query after register" query "$AOR" -r "$REG" --expect-bindings 1
step "unregister" unregister "$AOR" -r "$REG" --all
step "query after unregister" query "$AOR" -r "$REG" --expect-bindings 0
say "--check: the static binary registered, queried and unregistered against Kamailio on $REG"
