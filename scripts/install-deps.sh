#!/bin/sh
# Install what the real-registrar tests need: Kamailio 5.x (+ the modules the
# test config loads), ejabberd (its mod_sip is the second registrar of
# tests/interop_ejabberd.rs; openssl makes its test certificates), sipp and sipsak;
# man-db, with which tests/man_page.rs renders the man page; and bsdutils'
# `script`, which gives tests a terminal; tmux, whose fixed-size panes show what a
# narrow terminal shows (tests/terminal_status.rs); tshark, which reads back the
# captures of --pcap (tests/capture_pcap.rs).  Idempotent and quiet when everything
# is already present; needs root (and apt) only when something is missing.
# The tests start their own ejabberd on loopback; the system service the package
# may start is not used.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --check  only report; exit 1 when something is missing
set -eu

MODDIR=${KAMAILIO_MODULES_DIR:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
PKGS="kamailio kamailio-sqlite-modules kamailio-tls-modules kamailio-websocket-modules kamailio-outbound-modules ejabberd openssl sip-tester sipsak man-db bsdutils tmux tshark"
MODULES="kex corex sl pv maxfwd textops siputils xlog sanity usrloc registrar db_text db_sqlite auth auth_db tls websocket xhttp outbound tm nathelper"

missing=""
for bin in kamailio ejabberdctl openssl sipp sipsak man script tmux tshark; do
    command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing="$missing $bin"
done
for m in $MODULES; do
    [ -f "$MODDIR/$m.so" ] || missing="$missing $m.so"
done

[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ]; then
    echo "install-deps: missing:$missing" >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing:$missing" >&2
    echo "install-deps: run as root (sudo $0) to install: $PKGS" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing:$missing, and apt-get is not available; install $PKGS by hand" >&2
    exit 1
fi

echo "install-deps: missing:$missing; installing $PKGS" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PKGS >&2

# re-check
still=""
for bin in kamailio ejabberdctl openssl sipp sipsak man script tmux tshark; do
    command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || still="$still $bin"
done
for m in $MODULES; do
    [ -f "$MODDIR/$m.so" ] || still="$still $m.so"
done
if [ -n "$still" ]; then
    echo "install-deps: still missing after install:$still" >&2
    exit 1
fi
echo "install-deps: done" >&2
