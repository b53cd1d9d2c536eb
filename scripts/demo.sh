#!/usr/bin/env bash
# A five-minute tour of sipreg against a local Kamailio registrar.
#
#   scripts/demo.sh
#
# On a fresh machine it installs what is missing (Kamailio, sipsak, sipp, via
# scripts/install-deps.sh, with sudo when not root), builds sipreg (release),
# starts a private Kamailio on a free 127.0.0.1 port (scripts/kamailio.sh) and
# walks through register, query, a second contact, JSON output, unregister and
# a rejected password. Kamailio is stopped on exit, whatever happens.
# Exit status 0 when every step behaved as expected, non-zero otherwise.
#
# Environment: PORT=N to choose the registrar port (default: the first free
# one in 25060..25160), CARGO_TARGET_DIR is honoured.
# Only loopback traffic: the registrar listens on 127.0.0.1 and every request
# is sent there with -r.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

AOR=sip:alice@sipreg.test
STEP_TIMEOUT=40          # seconds, an outer bound for every sipreg command

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
say() { echo; bold "== $*"; }
fail() { echo "demo.sh: FAILED: $*" >&2; exit 1; }
# show a command as a user would type it, then run it (bounded in time)
run() { printf '$ %s\n' "$*"; timeout "$STEP_TIMEOUT" "$@"; }

# ---- 1. dependencies -------------------------------------------------------
say "Checking dependencies (Kamailio, sipsak, sipp)"
if ! "$HERE/install-deps.sh" --check; then
    if [ "$(id -u)" -eq 0 ]; then
        "$HERE/install-deps.sh"
    elif command -v sudo >/dev/null 2>&1; then
        echo "installing the missing packages with sudo"
        sudo "$HERE/install-deps.sh"
    else
        fail "Kamailio/sipsak missing: run scripts/install-deps.sh as root"
    fi
fi
echo "ok"
command -v cargo >/dev/null 2>&1 ||
    fail "cargo not found: install Rust first (https://rustup.rs), then re-run"

# ---- 2. build ---------------------------------------------------------------
say "Building sipreg (cargo build --release)"
cargo build --release
BIN_DIR=${CARGO_TARGET_DIR:-$ROOT/target}/release
[ -x "$BIN_DIR/sipreg" ] || fail "no $BIN_DIR/sipreg after the build"
export PATH="$BIN_DIR:$PATH"

# ---- 3. a private Kamailio --------------------------------------------------
# its own state directory, so that it never touches another instance
KAM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-demo.XXXXXX")
export SIPREG_KAM_DIR="$KAM_DIR"
started=0
cleanup() {
    local rc=$?
    if [ "$started" = 1 ]; then
        echo
        bold "== Stopping Kamailio"
        "$HERE/kamailio.sh" stop || true
    fi
    rm -rf "$KAM_DIR"
    if [ "$rc" = 0 ]; then bold "demo.sh: all steps behaved as expected"; else echo "demo.sh: exit status $rc" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Starting a local Kamailio registrar (domain sipreg.test, users alice and bob)"
started=1
port=$("$HERE/kamailio.sh" start ${PORT:+--port "$PORT"})
[[ "$port" =~ ^[0-9]+$ ]] || fail "kamailio.sh start did not print a port: '$port'"
REG="sip:127.0.0.1:$port"
echo "registrar: $REG"

# the password comes from the environment, never from the command line
echo
echo '$ export SIPREG_PASSWORD=secret-alice'
export SIPREG_PASSWORD=secret-alice

# ---- 4. the tour ------------------------------------------------------------
say "Register alice once; -v draws the message ladder (401 challenge, then 200) on stderr"
run sipreg register "$AOR" -r "$REG" --once -v

say "Ask the registrar which contacts alice has"
run sipreg query "$AOR" -r "$REG"

say "Register a second contact for alice with -c (a desk phone, say)"
run sipreg register "$AOR" -r "$REG" --once -c sip:alice@127.0.0.1:5070

say "The same query as JSON, one object per line, for scripts"
json=$(run sipreg query "$AOR" -r "$REG" --json)
printf '%s\n' "$json"
printf '%s\n' "$json" | python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip().startswith("{")]
assert objs, "no JSON object on stdout"
o = objs[-1]
assert o["event"] == "bindings" and o["status"] == 200, o
contacts = sorted(b["contact"] for b in o["bindings"])
assert len(contacts) == 2, "expected 2 bindings, got %r" % contacts
assert "sip:alice@127.0.0.1:5070" in contacts, contacts
' || fail "the JSON query did not list the two contacts"
echo "(checked: 2 bindings, including sip:alice@127.0.0.1:5070)"

say "Remove every binding of alice (Contact: *, Expires: 0)"
run sipreg unregister "$AOR" -r "$REG" --all

say "Query again: no bindings left"
run sipreg query "$AOR" -r "$REG"
n=$(timeout "$STEP_TIMEOUT" sipreg query "$AOR" -r "$REG" --json |
    python3 -c 'import json, sys; print(len([json.loads(l) for l in sys.stdin if l.strip()][-1]["bindings"]))')
[ "$n" = 0 ] || fail "expected 0 bindings after unregister --all, got $n"
echo "(checked: 0 bindings)"

say "A wrong password: sipreg gives up after the second challenge, exit status 3"
echo '$ SIPREG_PASSWORD=wrong-password sipreg register '"$AOR"' -r '"$REG"' --once'
status=0
SIPREG_PASSWORD=wrong-password timeout "$STEP_TIMEOUT" sipreg register "$AOR" -r "$REG" --once || status=$?
echo "exit status: $status"
[ "$status" = 3 ] || fail "expected exit status 3 (authentication failed), got $status"
