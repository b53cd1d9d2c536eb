#!/usr/bin/env bash
# A local Kamailio registrar for humans, demos and benchmarks, using the same
# config as the integration tests (tests/kamailio/kamailio.cfg).
#
#   scripts/kamailio.sh start [--port N] [--proxy-auth | --no-auth]
#                             [--min-expires N] [--max-expires N] [--default-expires N]
#                             [--sha256] [--tcp] [--users N] [--children N]
#                             [--domain D] [--nonce-expire S] [--debug]
#       starts one in the background, prints its port on stdout
#   scripts/kamailio.sh stop
#   scripts/kamailio.sh status      exit 0 and "running ..." when up, exit 1 when not
#   scripts/kamailio.sh log         print its log (stderr)
#
# State lives in ${SIPREG_KAM_DIR:-/tmp/sipreg-kamailio} (one instance per dir).
# Users: alice/secret-alice, bob/secret-bob, and with --users N also
# bench0001..benchNNNN with passwords pw0001..pwNNNN, all in domain
# sipreg.test (realm = the To domain; usernames are looked up without domain).
# Everything listens on 127.0.0.1 only.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CFG="$ROOT/tests/kamailio/kamailio.cfg"
DIR=${SIPREG_KAM_DIR:-/tmp/sipreg-kamailio}
PIDFILE="$DIR/kamailio.pid"
PORTFILE="$DIR/port"
LOG="$DIR/kamailio.log"

die() { echo "kamailio.sh: $*" >&2; exit 1; }

find_kamailio() {
    if [ -n "${SIPREG_KAMAILIO_BIN:-}" ]; then echo "$SIPREG_KAMAILIO_BIN"; return; fi
    command -v kamailio 2>/dev/null && return
    for d in /usr/sbin /usr/local/sbin /sbin; do
        [ -x "$d/kamailio" ] && { echo "$d/kamailio"; return; }
    done
    return 1
}

ensure_deps() {
    if ! find_kamailio >/dev/null || ! command -v sipsak >/dev/null 2>&1; then
        "$HERE/install-deps.sh" || die "kamailio not installed: run scripts/install-deps.sh as root"
    fi
}

running_pid() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # the pid must still be our kamailio, not a recycled pid
    grep -q "kamailio" "/proc/$pid/comm" 2>/dev/null || return 1
    echo "$pid"
}

port_in_use() {
    ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . && return 0
    ss -Hlnt "sport = :$1" 2>/dev/null | grep -q . && return 0
    return 1
}

pick_port() {
    local p
    for p in $(seq 25060 25160); do
        port_in_use "$p" || { echo "$p"; return; }
    done
    die "no free port in 25060..25160; use --port"
}

# One OPTIONS to 127.0.0.1:PORT; success on 200.
probe() {
    timeout 2 sipsak -s "sip:127.0.0.1:$1" >/dev/null 2>&1
}

render_db() { # users domain
    local n=$1 domain=$2 db="$DIR/db"
    mkdir -p "$db"
    printf 'id(int,auto) table_name(string) table_version(int) \n0:version:1\n0:subscriber:7\n' >"$db/version"
    {
        printf 'id(int,auto) username(string) domain(string) password(string) \n'
        printf '1:alice:%s:secret-alice\n2:bob:%s:secret-bob\n' "$domain" "$domain"
        awk -v n="$n" -v d="$domain" 'BEGIN { for (i = 1; i <= n; i++) printf "%d:bench%04d:%s:pw%04d\n", i + 2, i, d, i }'
    } >"$db/subscriber"
}

cmd_start() {
    local port="" auth="" min=0 max=3600 def=3600 algo="MD5" tcp=0 users=0 children=2
    local domain="sipreg.test" nonce=300 debug=2
    while [ $# -gt 0 ]; do
        case "$1" in
            --port) port=${2:?--port N}; shift ;;
            --proxy-auth) auth=AUTH_PROXY ;;
            --no-auth) auth=NO_AUTH ;;
            --min-expires) min=${2:?}; shift ;;
            --max-expires) max=${2:?}; shift ;;
            --default-expires) def=${2:?}; shift ;;
            --sha256) algo="SHA-256" ;;
            --tcp) tcp=1 ;;
            --users) users=${2:?--users N}; shift ;;
            --children) children=${2:?}; shift ;;
            --domain) domain=${2:?}; shift ;;
            --nonce-expire) nonce=${2:?}; shift ;;
            --debug) debug=3 ;;
            -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
        shift
    done
    for v in "$min" "$max" "$def" "$users" "$children" "$nonce" ${port:+"$port"}; do
        [[ "$v" =~ ^[0-9]+$ ]] || die "not a number: $v"
    done

    ensure_deps
    local bin
    bin=$(find_kamailio) || die "kamailio not installed: run scripts/install-deps.sh as root"
    [ -f "$CFG" ] || die "missing $CFG"

    if pid=$(running_pid); then
        die "already running (pid $pid, port $(cat "$PORTFILE" 2>/dev/null)); run '$0 stop' first"
    fi
    [ -n "$port" ] || port=$(pick_port)
    port_in_use "$port" && die "port $port is in use on this machine"

    mkdir -p "$DIR/run"
    rm -f "$PIDFILE" "$PORTFILE"
    render_db "$users" "$domain"

    # memory: usrloc and the subscriber cache live in shared memory
    local shm=32
    [ "$users" -ge 1000 ] && shm=128
    [ "$users" -ge 20000 ] && shm=512

    # TLSF memory managers (-x/-X): Kamailio's default "qm" manager searches its free
    # lists linearly and took a third of Kamailio's CPU under bulk load (perf), which
    # made the registrar, not the clients, the limit of scripts/bench-bulk.sh.
    local args=(-f "$CFG" -DD -E -x tlsf -X tlsf -m "$shm" -M 8 -n "$children"
        -Y "$DIR/run" -P "$PIDFILE" -w "$DIR"
        -l "udp:127.0.0.1:$port"
        -A "DBURL=\"text://$DIR/db\""
        -A "MIN_EXPIRES=$min" -A "MAX_EXPIRES=$max" -A "DEFAULT_EXPIRES=$def"
        -A "ALGO=\"$algo\"" -A "NONCE_EXPIRE=$nonce" -A "DEBUG_LEVEL=$debug")
    if [ "$tcp" = 1 ]; then args+=(-l "tcp:127.0.0.1:$port" -N "$children"); else args+=(-T); fi
    [ -n "$auth" ] && args+=(-A "$auth")

    printf '%q ' "$bin" "${args[@]}" >"$DIR/cmdline"; echo >>"$DIR/cmdline"
    # own session (so a Ctrl-C in this terminal does not reach it), no stdin
    setsid "$bin" "${args[@]}" </dev/null >"$LOG" 2>&1 &
    local launcher=$!

    local i
    for i in $(seq 1 100); do   # ~10 s
        if probe "$port"; then
            echo "$port" >"$PORTFILE"
            echo "$port"
            local proto=udp
            [ "$tcp" = 1 ] && proto=udp+tcp
            echo "kamailio.sh: registrar on $proto 127.0.0.1:$port (pid $(cat "$PIDFILE" 2>/dev/null || echo "$launcher"), dir $DIR, $((users + 2)) users)" >&2
            return 0
        fi
        if ! kill -0 "$launcher" 2>/dev/null; then
            cat "$LOG" >&2
            die "kamailio exited during start (log: $LOG)"
        fi
        sleep 0.1
    done
    cat "$LOG" >&2
    kill -TERM "$launcher" 2>/dev/null || true
    die "kamailio did not answer OPTIONS on 127.0.0.1:$port within 10 s (log: $LOG)"
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        rm -f "$PIDFILE" "$PORTFILE"
        echo "kamailio.sh: not running" >&2
        return 0
    fi
    # SIGTERM to the main process: it stops and reaps its workers
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        # a zombie (reaped later by init) counts as stopped
        [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
        # its session / process group: the workers
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE" "$PORTFILE"
    echo "kamailio.sh: stopped (pid $pid)" >&2
}

cmd_status() {
    local pid port
    if pid=$(running_pid); then
        port=$(cat "$PORTFILE" 2>/dev/null || echo "?")
        if [ "$port" != "?" ] && probe "$port"; then
            echo "running pid $pid port $port dir $DIR"
            return 0
        fi
        echo "running pid $pid port $port dir $DIR but not answering OPTIONS"
        return 1
    fi
    echo "not running (dir $DIR)"
    return 1
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) shift; cmd_stop; cmd_start "$@" ;;
    log) cat "$LOG" ;;
    port) cat "$PORTFILE" ;;
    -h|--help|help|"") sed -n '2,19p' "$0"; [ -n "${1:-}" ] ;;
    *) die "unknown command $1 (start|stop|status|restart|log|port)" ;;
esac
