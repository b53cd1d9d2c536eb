#!/usr/bin/env bash
# Soak benchmark: a large population registered at a high rate against a local
# Kamailio and kept registered with short grants, then removed. A benchmark, not a
# test: scripts/test.sh does not run it.
#
#   scripts/soak.sh                                      # 100 000 AORs, 10 000/s, 10 min
#   SOAK_COUNT=10000 SOAK_FOR=2m scripts/soak.sh         # a short try first
#   SIPREG=/path/to/sipreg scripts/soak.sh               # measure that binary, no build
#
# What runs:
#
#   sipreg bulk register --aor 'sip:bench{n:06}@sipreg.test' --count SOAK_COUNT
#       --rate SOAK_RATE -e SOAK_EXPIRES --for SOAK_FOR --interval SOAK_INTERVAL --json
#       -r sip:127.0.0.1:PORT --local 127.0.0.1 --concurrency SOAK_CONCURRENCY
#
# Environment:
#   SIPREG            the sipreg binary to run (default: build target/release/sipreg
#                     with `cargo build --release`, or $CARGO_TARGET_DIR/release/sipreg)
#   SOAK_COUNT        AORs (default 100000, at most 999999: six-digit user names)
#   SOAK_RATE         new transactions per second (default 10000)
#   SOAK_FOR          how long they stay registered (default 10m; s, m or h)
#   SOAK_EXPIRES      requested grant in seconds (default 60; Kamailio's max_expires
#                     is set to it, so it is also what is granted)
#   SOAK_INTERVAL     --interval (default 30s)
#   SOAK_CONCURRENCY  --concurrency (default 5000)
#   SOAK_CHILDREN     Kamailio UDP worker processes (default 4)
#   SOAK_SHM_MB       Kamailio shared memory, -m (default: 64 + 3 KiB per AOR, >= 256)
#   SOAK_PKG_MB       Kamailio private memory per process, -M (default 16)
#   SOAK_HASH_SIZE    usrloc hash_size, a power of two exponent (default: the
#                     smallest with at most one AOR per slot, at least 10)
#   SOAK_AUTH         1: digest authentication (MD5, qop=auth) against a db_text
#                     subscriber table of SOAK_COUNT users bench000001/pw000001...;
#                     0 (default): Kamailio's NO_AUTH define, see below
#
# Authentication. The default soak runs without digest authentication (the cfg's
# NO_AUTH define). Kamailio's db_text module has no index: every www_authorize()
# scans the whole subscriber table, so with 100 000 users each REGISTER costs a
# 100 000-row scan in the registrar, which makes the test a benchmark of db_text,
# not of usrloc or of the client (a real registrar has an indexed database or
# htable). The client's digest cost is measured by scripts/bench-bulk.sh.
# (scripts/kamailio.sh --users names its users bench%04d, which does not match
# bench{n:06} anyway; SOAK_AUTH=1 writes its own six-digit table.)
#
# Kamailio is started by this script, not by scripts/kamailio.sh, with the same cfg
# (tests/kamailio/kamailio.cfg) and the same arguments kamailio.sh gives it, plus
# what the load needs and kamailio.sh cannot pass: shared memory for 100 000
# contacts (-m), private memory (-M), and usrloc's hash table size (the cfg leaves
# it at Kamailio's default of 2^10 slots, a hundred contacts a slot; a wrapper cfg
# in the work directory includes the unchanged cfg and adds the modparam). TLSF memory managers as in kamailio.sh. It
# listens on udp:127.0.0.1 only, and all traffic is on loopback.
#
# What it prints:
#   - the sipreg summary figures: attempted, succeeded, failures, achieved rate,
#     latency p50/p90/p99/p99.9/max, refreshed, lapses (must be 0), AORs registered
#     at the end (registered_at_end: before the final unregister)
#   - one line per --interval
#   - sipreg's resident memory (VmRSS of /proc/PID/status, sampled every 0.2 s):
#     at start-up (the run is given --start-at 4 s ahead: the last sample while it
#     waits, after it has built its population and socket but before the first
#     REGISTER), the peak of a 1-AOR run of the same command (the footprint without
#     a population), the sample when an interval line first shows every AOR
#     registered, and the peak. Memory per AOR beyond start-up =
#     (RSS all registered - RSS 1-AOR run) / (COUNT - 1), which counts the
#     population tables too; the figure beyond the waiting sample is shown beside it
#   - CPU. An "operation" is one successful REGISTER transaction: the initial
#     registrations (succeeded), the refreshes (refreshed) and the final removals
#     (unregistered). Client CPU = user + system time of sipreg (wait4), registrar
#     CPU = utime + stime of every Kamailio process (/proc/PID/stat, main process and
#     its children) after minus before. Both per operation over the whole run, and
#     per refresh over the steady state alone: from the first interval line that
#     shows every AOR registered to the last full interval before the removal
#     (CPU read when each line arrives; refreshes summed from those lines).
#
# Exit status: 0 when the run was clean (no failures, no lapses, every AOR
# registered at the end), 1 otherwise; 2 on a usage error. The whole run is bounded
# by `timeout` (SOAK_FOR + the registration time + 3 minutes).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

SOAK_COUNT=${SOAK_COUNT:-100000}
SOAK_RATE=${SOAK_RATE:-10000}
SOAK_FOR=${SOAK_FOR:-10m}
SOAK_EXPIRES=${SOAK_EXPIRES:-60}
SOAK_INTERVAL=${SOAK_INTERVAL:-30s}
SOAK_CONCURRENCY=${SOAK_CONCURRENCY:-5000}
SOAK_CHILDREN=${SOAK_CHILDREN:-4}
SOAK_PKG_MB=${SOAK_PKG_MB:-16}
SOAK_AUTH=${SOAK_AUTH:-0}
die() { echo "soak.sh: $*" >&2; exit 2; }
for v in "$SOAK_COUNT" "$SOAK_RATE" "$SOAK_EXPIRES" "$SOAK_CONCURRENCY" "$SOAK_CHILDREN" "$SOAK_PKG_MB" \
         ${SOAK_SHM_MB:+"$SOAK_SHM_MB"} ${SOAK_HASH_SIZE:+"$SOAK_HASH_SIZE"}; do
    [[ "$v" =~ ^[0-9]+$ ]] || die "not a number: $v"
done
[ "$SOAK_COUNT" -ge 2 ] && [ "$SOAK_COUNT" -le 999999 ] || die "SOAK_COUNT must be from 2 to 999999"
[ "$SOAK_RATE" -ge 1 ] || die "SOAK_RATE must be at least 1"
[[ "$SOAK_AUTH" =~ ^[01]$ ]] || die "SOAK_AUTH must be 0 or 1"
to_seconds() { # 90, 90s, 10m, 1h -> seconds
    [[ "$1" =~ ^([0-9]+)(s|m|h)?$ ]] || die "not a duration (N, Ns, Nm or Nh): $1"
    local n=${BASH_REMATCH[1]}
    case "${BASH_REMATCH[2]}" in m) n=$((n * 60)) ;; h) n=$((n * 3600)) ;; esac
    echo "$n"
}
FOR_S=$(to_seconds "$SOAK_FOR")
to_seconds "$SOAK_INTERVAL" >/dev/null
# -m: contacts, their strings and usrloc's slots; about 1 KiB each, three for headroom
SOAK_SHM_MB=${SOAK_SHM_MB:-$((64 + SOAK_COUNT * 3 / 1024))}
[ "$SOAK_SHM_MB" -ge 256 ] || SOAK_SHM_MB=256
if [ -z "${SOAK_HASH_SIZE:-}" ]; then
    SOAK_HASH_SIZE=10
    while [ $((1 << SOAK_HASH_SIZE)) -lt "$SOAK_COUNT" ]; do SOAK_HASH_SIZE=$((SOAK_HASH_SIZE + 1)); done
fi
HARD_S=$((FOR_S + SOAK_COUNT / SOAK_RATE + 180))

command -v python3 >/dev/null 2>&1 || { echo "soak.sh: python3 is needed" >&2; exit 1; }
KAMAILIO=${SIPREG_KAMAILIO_BIN:-$(command -v kamailio || echo /usr/sbin/kamailio)}
[ -x "$KAMAILIO" ] && command -v sipsak >/dev/null 2>&1 \
    || { echo "soak.sh: kamailio/sipsak missing: run scripts/install-deps.sh as root" >&2; exit 1; }
CFG="$ROOT/tests/kamailio/kamailio.cfg"

if [ -z "${SIPREG:-}" ]; then
    echo "soak.sh: cargo build --release" >&2
    cargo build --release --quiet
    SIPREG=${CARGO_TARGET_DIR:-$ROOT/target}/release/sipreg
fi
[ -x "$SIPREG" ] || { echo "soak.sh: no executable $SIPREG" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-soak.XXXXXX")
KAM_PID=""
pypid=""
cleanup() {
    local rc=$?
    if [ -n "$pypid" ]; then kill -TERM "$pypid" 2>/dev/null || true; wait "$pypid" 2>/dev/null || true; fi
    if [ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null; then
        kill -TERM "$KAM_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$KAM_PID" 2>/dev/null || break
            [ "$(awk '{print $3}' "/proc/$KAM_PID/stat" 2>/dev/null)" = Z ] && break
            sleep 0.1
        done
        kill -0 "$KAM_PID" 2>/dev/null && kill -KILL -- "-$KAM_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
    ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . && return 0
    ss -Hlnt "sport = :$1" 2>/dev/null | grep -q . && return 0
    return 1
}
PORT=""
for p in $(seq 25160 25260); do port_in_use "$p" || { PORT=$p; break; }; done
[ -n "$PORT" ] || { echo "soak.sh: no free UDP port in 25160..25260" >&2; exit 1; }

mkdir -p "$WORK/kam/run" "$WORK/kam/db"
# --modparam on Kamailio's command line is applied before the cfg loads its modules
# ("No module matching <usrloc>"), and the cfg has no define for hash_size: a wrapper
# cfg includes the unchanged one and sets it after usrloc is loaded.
printf '#!KAMAILIO\ninclude_file "%s"\nmodparam("usrloc", "hash_size", %d)\n' "$CFG" "$SOAK_HASH_SIZE" >"$WORK/kam/soak.cfg"
args=(-f "$WORK/kam/soak.cfg" -DD -E -x tlsf -X tlsf -m "$SOAK_SHM_MB" -M "$SOAK_PKG_MB" -n "$SOAK_CHILDREN" -T
    -Y "$WORK/kam/run" -P "$WORK/kam/kamailio.pid" -w "$WORK/kam"
    -l "udp:127.0.0.1:$PORT"
    -A "DBURL=\"text://$WORK/kam/db\""
    -A "MIN_EXPIRES=0" -A "MAX_EXPIRES=$SOAK_EXPIRES" -A "DEFAULT_EXPIRES=$SOAK_EXPIRES"
    -A "NONCE_EXPIRE=3600" -A "DEBUG_LEVEL=1")
if [ "$SOAK_AUTH" = 1 ]; then
    printf 'id(int,auto) table_name(string) table_version(int) \n0:version:1\n0:subscriber:7\n' >"$WORK/kam/db/version"
    {
        printf 'id(int,auto) username(string) domain(string) password(string) \n'
        awk -v n="$SOAK_COUNT" 'BEGIN { for (i = 1; i <= n; i++) printf "%d:bench%06d:sipreg.test:pw%06d\n", i, i, i }'
    } >"$WORK/kam/db/subscriber"
else
    args+=(-A NO_AUTH)
fi
t0=$(date +%s.%N)
# own session (a Ctrl-C here does not reach it; its workers share its process group)
setsid "$KAMAILIO" "${args[@]}" </dev/null >"$WORK/kam/kamailio.log" 2>&1 &
KAM_PID=$!
up=0
for i in $(seq 1 300); do   # ~30 s
    if timeout 2 sipsak -s "sip:127.0.0.1:$PORT" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$KAM_PID" 2>/dev/null || break
    sleep 0.1
done
if [ "$up" != 1 ]; then
    cat "$WORK/kam/kamailio.log" >&2
    echo "soak.sh: kamailio did not answer OPTIONS on 127.0.0.1:$PORT" >&2
    exit 1
fi
t1=$(date +%s.%N)

export SOAK_WORK=$WORK SOAK_PORT=$PORT SOAK_SIPREG=$SIPREG SOAK_KAM_PID=$KAM_PID
export SOAK_COUNT SOAK_RATE SOAK_FOR SOAK_EXPIRES SOAK_INTERVAL SOAK_CONCURRENCY SOAK_CHILDREN
export SOAK_SHM_MB SOAK_PKG_MB SOAK_HASH_SIZE SOAK_AUTH SOAK_HARD_S=$HARD_S
export SOAK_KAM_ARGS="$(printf '%q ' "$KAMAILIO" "${args[@]}")"
export SOAK_KAM_START=$(python3 -c "print(f'{$t1-$t0:.2f}')")
timeout -k 10 "$HARD_S" python3 - <<'PY' &
import json, os, subprocess, sys, time

env = os.environ
work, port, sipreg = env["SOAK_WORK"], env["SOAK_PORT"], env["SOAK_SIPREG"]
kam_pid = int(env["SOAK_KAM_PID"])
count, rate = int(env["SOAK_COUNT"]), int(env["SOAK_RATE"])
auth = env["SOAK_AUTH"] == "1"
hard = float(env["SOAK_HARD_S"])
TICK = os.sysconf("SC_CLK_TCK")

population = ["--aor", "sip:bench{n:06}@sipreg.test"]
if auth:
    population += ["--password-template", "pw{n:06}"]

def command(n, for_, start_at=None):
    return [sipreg, "bulk", "register", *population, "--count", str(n), "--rate", str(rate),
            "-e", env["SOAK_EXPIRES"], "--for", for_, "--interval", env["SOAK_INTERVAL"], "--json",
            "-r", f"sip:127.0.0.1:{port}", "--local", "127.0.0.1",
            "--concurrency", env["SOAK_CONCURRENCY"]] + (["--start-at", str(start_at)] if start_at else [])

def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None

def kam_pids():
    """Kamailio's main process and its children (the workers, timers, ...)."""
    pids = [kam_pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == kam_pid:   # ppid
                pids.append(int(d))
    return pids

def kam_cpu_s():
    total = 0
    for pid in kam_pids():
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])   # utime, stime (fields 14, 15)
    return total / TICK

def proc_cpu_s(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return None

def run(cmd, on_line=None, sample=None):
    """Runs cmd with stdout to a file, following its lines; returns
    (exit status, lines, CPU seconds from wait4, RSS samples [(t, KiB)])."""
    out_path = os.path.join(work, "out.json")
    err_path = os.path.join(work, "err.txt")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    t0 = time.monotonic()
    samples = []
    r = rss_kib(p.pid)
    if r is not None:
        samples.append((0.0, r))
    lines, partial = [], ""
    with open(out_path) as f:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            chunk = f.read()
            if chunk:
                partial += chunk
                *done, partial = partial.split("\n")
                for line in done:
                    if line.strip():
                        obj = json.loads(line)
                        lines.append(obj)
                        if on_line:
                            on_line(obj, p.pid)
            if pid:
                break
            now = time.monotonic() - t0
            r = rss_kib(p.pid)
            if r is not None:
                samples.append((now, r))
            if sample:
                sample(now, p.pid)
            if now > hard:
                p.kill()
                os.wait4(p.pid, 0)
                sys.exit(f"soak.sh: killed after {hard:g} s: {' '.join(cmd)}")
            time.sleep(0.2)
    if partial.strip():
        lines.append(json.loads(partial))
    code = os.waitstatus_to_exitcode(status)
    if not lines or lines[-1].get("event") != "bulk_summary":
        sys.exit(f"soak.sh: sipreg printed no summary (exit {code}):\n" + open(err_path).read())
    return code, lines, ru.ru_utime + ru.ru_stime, samples

# 1. start-up baseline: one AOR, registered, then idle a few seconds
_, base_lines, _, base_samples = run(command(1, "4s"))
base_rss = max(k for _, k in base_samples)
base_first = base_samples[0][1] if base_samples else None

# 2. the soak
full_pop_rss = {}     # RSS when an interval line first shows every AOR registered
marks = []            # per interval line: (line, sipreg CPU s, kamailio CPU s)
def on_line(obj, pid):
    if obj.get("event") == "bulk_interval":
        marks.append((obj, proc_cpu_s(pid), kam_cpu_s()))
        if obj.get("registered") == count and "rss" not in full_pop_rss:
            full_pop_rss["rss"] = rss_kib(pid)
            full_pop_rss["at"] = obj["to_s"]

# --start-at 3 s ahead: sipreg sets up (population, socket) and waits; the RSS
# sampled while it waits is its start-up footprint before any registration
START_DELAY = 3
cmd = command(count, env["SOAK_FOR"], int(time.time()) + START_DELAY + 1)
kam_before = kam_cpu_s()
t_start = time.time()
code, lines, cpu_s, samples = run(cmd, on_line=on_line)
wall = time.time() - t_start
kam_after = kam_cpu_s()
s = lines[-1]
intervals = [l for l in lines if l.get("event") == "bulk_interval"]

# steady state: from the first interval showing every AOR registered to the last full
# interval before the removal (the last line is the short one with the unregister)
steady = None
idx = [i for i, (l, _, _) in enumerate(marks) if l.get("registered") == count]
if idx and len(marks) >= 2:
    a, b = idx[0], len(marks) - 2
    if b > a and marks[a][1] is not None and marks[b][1] is not None:
        refreshes = sum(marks[i][0].get("refreshed", 0) for i in range(a + 1, b + 1))
        steady = dict(from_s=marks[a][0]["to_s"], to_s=marks[b][0]["to_s"], refreshes=refreshes,
                      client_s=marks[b][1] - marks[a][1], kam_s=marks[b][2] - marks[a][2])

ops = s["succeeded"] + s["refreshed"] + s["unregistered"]
peak = max(k for _, k in samples)
first_rss = samples[0][1] if samples else None
waiting = [k for t, k in samples if t < START_DELAY - 0.5]
wait_rss = waiting[-1] if waiting else None
all_rss = full_pop_rss.get("rss")
lat = s.get("latency_ms") or {}

def f(x, spec):
    return "n/a" if x is None else format(x, spec)

print(f"sipreg   : {subprocess.run([sipreg, '--version'], stdout=subprocess.PIPE).stdout.decode().splitlines()[0]} ({sipreg})")
print(f"machine  : {os.cpu_count()} CPUs, Linux {os.uname().release} (sipreg and Kamailio share them)")
print(f"registrar: Kamailio on udp 127.0.0.1:{port}, {env['SOAK_CHILDREN']} UDP workers, -m {env['SOAK_SHM_MB']} MB shm, "
      f"-M {env['SOAK_PKG_MB']} MB pkg, usrloc hash_size {env['SOAK_HASH_SIZE']} (2^{env['SOAK_HASH_SIZE']} slots), "
      f"{'digest auth, db_text' if auth else 'no auth (NO_AUTH)'}, max_expires {env['SOAK_EXPIRES']} "
      f"(up in {env['SOAK_KAM_START']} s)")
print(f"           {env['SOAK_KAM_ARGS']}")
print(f"command  : sipreg " + " ".join(cmd[1:]))
print()
print(f"{'interval':>8} {'to_s':>7} {'started':>8} {'ok':>8} {'failed':>6} {'refreshed':>9} {'registered':>10} "
      f"{'lapsed':>6} {'retrans':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for l in intervals:
    il = l.get("latency_ms") or {}
    g = lambda k: f"{il[k]:>8.3f}" if k in il else f"{'-':>8}"
    print(f"{l['interval']:>8} {l['to_s']:>7.1f} {l['started']:>8} {l['succeeded']:>8} {l['failed']:>6} "
          f"{l['refreshed']:>9} {l['registered']:>10} {l['lapsed']:>6} {l['retransmissions']:>7} "
          f"{g('p50')} {g('p99')} {g('max')}")
print()
print(f"exit status            : {code}")
print(f"attempted / succeeded  : {s['attempted']} / {s['succeeded']}  (not started {s['not_started']}, unfinished {s['unfinished']})")
print(f"failures               : {s['failures'] or 'none'}")
print(f"retransmissions        : {s['retransmissions']}   retried: {s['retried']}   send errors: {s['send_errors']}")
print(f"rate achieved / asked  : {s['rate']} / {s['rate_asked']} per s")
print(f"latency ms             : p50 {lat.get('p50')}  p90 {lat.get('p90')}  p99 {lat.get('p99')}  "
      f"p99.9 {lat.get('p99_9')}  max {lat.get('max')}")
print(f"refreshed              : {s['refreshed']}")
print(f"lapses                 : {s['lapses']}  (must be 0)")
print(f"registered at the end  : {s['registered_at_end']} of {count}   unregistered: {s['unregistered']}")
print(f"elapsed                : {s['elapsed_s']} s (wall {wall:.1f} s)")
print()
print(f"memory (VmRSS)         : start-up (waiting for --start-at, population built) {f(wait_rss, 'd')} KiB; "
      f"1-AOR run once registered {base_rss} KiB; first sample {f(first_rss, 'd')} KiB")
print(f"                         every AOR registered (t={full_pop_rss.get('at', '?')} s) {f(all_rss, 'd')} KiB; peak {peak} KiB")
if all_rss:
    per = (all_rss - base_rss) * 1024 / (count - 1)
    print(f"                         per AOR beyond start-up: {per:.0f} bytes ({per / 1024:.2f} KiB; goal < 2 KiB)"
          + (f"   [beyond the start-up sample: {(all_rss - wait_rss) * 1024 / count:.0f} bytes]" if wait_rss else ""))
    per_peak = (peak - base_rss) * 1024 / (count - 1)
    print(f"                         at the peak: {per_peak:.0f} bytes ({per_peak / 1024:.2f} KiB) per AOR")
print()
kam_s = kam_after - kam_before
print(f"operations             : {ops} successful REGISTER transactions = {s['succeeded']} registrations + "
      f"{s['refreshed']} refreshes + {s['unregistered']} removals")
print(f"client CPU (wait4)     : {cpu_s:.2f} s = {cpu_s / ops * 1e6:.1f} us per operation   "
      f"(sipreg's own cpu_ms {s['cpu_ms']:.0f})")
print(f"registrar CPU (/proc)  : {kam_s:.2f} s = {kam_s / ops * 1e6:.1f} us per operation   "
      f"(all Kamailio processes, incl. the usrloc timer)")
if steady and steady["refreshes"]:
    r = steady["refreshes"]
    print(f"steady state           : {steady['from_s']:.0f}-{steady['to_s']:.0f} s, {r} refreshes "
          f"({r / (steady['to_s'] - steady['from_s']):.0f}/s): client {steady['client_s']:.2f} s = "
          f"{steady['client_s'] / r * 1e6:.1f} us per refresh, registrar {steady['kam_s']:.2f} s = "
          f"{steady['kam_s'] / r * 1e6:.1f} us per refresh")
else:
    print("steady state           : too short to measure (no full interval between registration and removal)")

clean = (code == 0 and s["lapses"] == 0 and s["registered_at_end"] == count and not s["failures"])
print()
print("result                 : " + ("clean" if clean else "NOT clean"))
sys.exit(0 if clean else 1)
PY
pypid=$!
set +e
wait "$pypid"
rc=$?
set -e
pypid=""
[ "$rc" = 124 ] && echo "soak.sh: the run exceeded ${HARD_S} s and was killed" >&2
exit "$rc"
