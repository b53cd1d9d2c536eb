#!/usr/bin/env bash
# A/B comparison of two sipreg release binaries (e.g. before and after a change),
# both against the same local Kamailio, runs interleaved OLD, NEW, OLD, NEW ... so
# that drift on the machine (other builds, thermal, caches) hits both alike.
# A benchmark, not a test (scripts/test.sh does not run it). Only loopback traffic.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY
#   REPEAT=5 CLEAN_RATE=1 scripts/bench-ab.sh /tmp/sipreg-before target/release/sipreg
#
# Figures (each the median of its runs per binary; change% = (new - old) / old):
#   bulk CPU us/reg @R/s   `bulk register --once`, COUNT AORs at rate R: user + system CPU
#                          of the process (wait4) / COUNT; bench-bulk.sh's flags (one UDP
#                          socket, fixed port, pre-emptive auth); bindings removed first
#   highest clean rate/s   (CLEAN_RATE=1 only: slow) per repeat, the ladder CLEAN_RATES
#                          climbed until a run is not clean (all ok, no retransmission,
#                          >= 95 % of the asked rate), as scripts/bench-bulk.sh defines it
#   register --once ms     whole-process wall time of one authenticated registration,
#                          measured as scripts/bench.sh does (perf_counter around the run)
#   idle RSS bytes/reg     staying mode, all registered and idle, as bench-bulk.sh:
#                          (VmRSS with MEM_AORS AORs - VmRSS with 1) / (MEM_AORS - 1)
#
# Environment:
#   REPEAT       runs per binary of each bulk and memory figure (default 7)
#   COUNT        AORs per bulk run (default 1000)
#   RATES        rates of the CPU figure (default "4000 16000")
#   CLEAN_RATE   1: also find the highest clean rate (default 0)
#   CLEAN_RATES  its ladder (default "4000 8000 12000 16000 20000 24000 32000 40000")
#   WALL_RUNS    runs per binary of the wall-time figure (default: REPEAT, at least 20,
#                as scripts/bench.sh asks: one run is only milliseconds)
#   MEM_AORS     AORs of the memory figure (default 10000; 0 skips it)
#   CHILDREN     Kamailio UDP workers (default 4)
#   RUN_TIMEOUT  seconds before one run is killed and the bench fails (default 120)
# The table goes to stdout, per-run progress to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "bench-ab.sh: $*" >&2; exit 2; }

[ $# -eq 2 ] || die "usage: scripts/bench-ab.sh OLD_BINARY NEW_BINARY"
OLD=$(realpath "$1") NEW=$(realpath "$2")
for b in "$OLD" "$NEW"; do [ -x "$b" ] || die "not an executable: $b"; done

REPEAT=${REPEAT:-7}
COUNT=${COUNT:-1000}
RATES=${RATES:-"4000 16000"}
CLEAN_RATE=${CLEAN_RATE:-0}
CLEAN_RATES=${CLEAN_RATES:-"4000 8000 12000 16000 20000 24000 32000 40000"}
WALL_RUNS=${WALL_RUNS:-$((REPEAT > 20 ? REPEAT : 20))}
MEM_AORS=${MEM_AORS:-10000}
CHILDREN=${CHILDREN:-4}
RUN_TIMEOUT=${RUN_TIMEOUT:-120}
for v in "$REPEAT" "$COUNT" $RATES "$CLEAN_RATE" $CLEAN_RATES "$WALL_RUNS" "$MEM_AORS" "$CHILDREN" "$RUN_TIMEOUT"; do
    [[ "$v" =~ ^[0-9]+$ ]] || die "not a number: $v"
done
if [ "$REPEAT" -lt 1 ] || [ "$WALL_RUNS" -lt 1 ] || [ "$RUN_TIMEOUT" -lt 1 ]; then die "REPEAT, WALL_RUNS, RUN_TIMEOUT must be >= 1"; fi
if [ "$COUNT" -lt 2 ] || [ "$COUNT" -gt 9999 ]; then die "COUNT must be from 2 to 9999 (four-digit user names)"; fi

"$HERE/install-deps.sh" --check || die "Kamailio/sipsak missing: run scripts/install-deps.sh as root"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-bench-ab.XXXXXX")
KAM_DIRS=()
pypid=""
cleanup() {  # same shape as scripts/bench-bulk.sh: the measurer first, then the registrars
    local rc=$?
    if [ -n "$pypid" ]; then kill -TERM "$pypid" 2>/dev/null || true; wait "$pypid" 2>/dev/null || true; fi
    local d
    for d in "${KAM_DIRS[@]}"; do SIPREG_KAM_DIR="$d" "$HERE/kamailio.sh" stop >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Kamailio through scripts/kamailio.sh, as bench-bulk.sh starts it: the rate runs get a
# registrar with (at least) bench-bulk.sh's 1000 users, the memory runs one of their own
# with MEM_AORS users. DIR goes into KAM_DIRS before the $( ) subshell, for the cleanup.
start_kamailio() { SIPREG_KAM_DIR="$1" "$HERE/kamailio.sh" start --users "$2" --children "$CHILDREN"; }
KAM_DIRS+=("$WORK/kam")
port=$(start_kamailio "$WORK/kam" $((COUNT > 1000 ? COUNT : 1000)))
mem_port=""
if [ "$MEM_AORS" -gt 1 ]; then
    KAM_DIRS+=("$WORK/kam-mem")
    mem_port=$(start_kamailio "$WORK/kam-mem" "$MEM_AORS")
fi

export AB_OLD=$OLD AB_NEW=$NEW AB_WORK=$WORK AB_PORT=$port AB_MEM_PORT=$mem_port AB_REPEAT=$REPEAT
export AB_COUNT=$COUNT AB_RATES=$RATES AB_CLEAN=$CLEAN_RATE AB_LADDER=$CLEAN_RATES AB_WALL=$WALL_RUNS
export AB_MEM=$MEM_AORS AB_TMO=$RUN_TIMEOUT
# in the background and waited for, so that a signal stops the bench at once
python3 - <<'PY' &
import atexit, json, os, signal, statistics, subprocess, sys, time

E = os.environ
SIDES = (("old", OLD := E["AB_OLD"]), ("new", E["AB_NEW"]))
work, repeat, count, tmo = E["AB_WORK"], int(E["AB_REPEAT"]), int(E["AB_COUNT"]), float(E["AB_TMO"])
registrar = f"sip:127.0.0.1:{E['AB_PORT']}"
population = ["--aor", "sip:bench{n:04}@sipreg.test", "--password-template", "pw{n:04}"]
child = None  # the sipreg running now: killed if we are stopped, so none outlives the bench

signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
atexit.register(lambda: child and child.poll() is None and child.kill())

load = lambda: float(open("/proc/loadavg").read().split()[0])  # 1-min load average
loads = [load()]

def run(cmd):
    """(exit status, output, CPU seconds user+system of the process from wait4), bounded by tmo."""
    global child
    out_path = os.path.join(work, "out.txt")
    with open(out_path, "w") as out:
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + tmo
        while not (w := os.wait4(child.pid, os.WNOHANG))[0]:
            if time.monotonic() > deadline:
                child.kill(); os.wait4(child.pid, 0)
                sys.exit(f"bench-ab.sh: killed after {tmo:g} s: {' '.join(cmd)}")
            time.sleep(0.005)
    child = None
    return os.waitstatus_to_exitcode(w[1]), open(out_path).read(), w[2].ru_utime + w[2].ru_stime

def summary(text, cmd):
    try:
        return json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.exit(f"bench-ab.sh: no JSON summary from {' '.join(cmd)}:\n{text}")

def reset():
    # always with OLD: the location table ends up the same (empty) before either side's run
    code, _, _ = run([OLD, "bulk", "unregister", *population, "--count", str(count),
                      "-r", registrar, "--rate", "4000", "-q"])
    if code != 0:
        sys.exit(f"bench-ab.sh: could not clear the bindings (exit {code})")

def bulk_once(side, binary, rate):
    reset()
    cmd = [binary, "bulk", "register", "--once", *population, "--count", str(count), "-r", registrar,
           "--local", "127.0.0.1:27461", "--rate", str(rate), "--concurrency", str(count), "--json"]
    code, text, cpu = run(cmd)
    s = summary(text, cmd)
    r = dict(ok=s["succeeded"], retrans=s["retransmissions"], rate=s["rate"] or 0.0, cpu_us=cpu / count * 1e6)
    r["clean"] = code == 0 and r["ok"] == count and r["retrans"] == 0 and r["rate"] >= 0.95 * rate
    print(f"  {side} {rate:>6}/s: {r['ok']}/{count} ok, {r['retrans']} retransmissions, {r['rate']:.0f}/s, "
          f"{r['cpu_us']:.1f} us CPU/reg{'' if r['clean'] else '  (not clean)'}", file=sys.stderr)
    return r

fig, order, notes = {}, [], []
def add(name, side, value):
    if name not in fig:
        fig[name] = {"old": [], "new": []}; order.append(name)
    fig[name][side].append(value)

# 1. CPU per registration at fixed rates
for rate in map(int, E["AB_RATES"].split()):
    print(f"bulk register --once at {rate}/s", file=sys.stderr)
    for _ in range(repeat):
        for side, b in SIDES:
            r = bulk_once(side, b, rate)
            add(f"bulk CPU us/reg @{rate}/s", side, r["cpu_us"])
            if not r["clean"]:
                notes.append(f"{side} @{rate}/s had a run that was not clean (CPU figure includes it)")
    loads.append(load())

# 2. highest clean rate: climb the ladder per repeat, each side until its first unclean run
if E["AB_CLEAN"] == "1":
    print("highest clean rate", file=sys.stderr)
    for _ in range(repeat):
        best, alive = {"old": 0, "new": 0}, {"old": True, "new": True}
        for rate in map(int, E["AB_LADDER"].split()):
            for side, b in SIDES:
                if alive[side]:
                    if bulk_once(side, b, rate)["clean"]: best[side] = rate
                    else: alive[side] = False
            if not any(alive.values()):
                break
        for side, _ in SIDES:
            add("highest clean rate/s", side, best[side])
        loads.append(load())
    reset()

# 3. whole-process wall time of register --once, as scripts/bench.sh measures it
print("register --once wall time", file=sys.stderr)
reg_env = dict(E, SIPREG_PASSWORD="secret-alice")
def wall_once(binary):
    cmd = [binary, "register", "sip:alice@sipreg.test", "-r", registrar, "--once",
           "-c", "sip:alice@127.0.0.1:5999", "-e", "3600", "--json"]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=reg_env, stdin=subprocess.DEVNULL, capture_output=True, timeout=tmo)
    except subprocess.TimeoutExpired:
        sys.exit(f"bench-ab.sh: killed after {tmo:g} s: {' '.join(cmd)}")
    ms = (time.perf_counter() - t0) * 1000.0
    o = summary(p.stdout.decode(), cmd)
    if p.returncode != 0 or o.get("event") != "registered" or o.get("status") != 200:
        sys.exit(f"bench-ab.sh: {binary} did not register (exit {p.returncode}): {o}")
    return ms
for _ in range(3):  # warm-up, unmeasured (page cache, Kamailio's first-request paths)
    for _, b in SIDES:
        wall_once(b)
for _ in range(int(E["AB_WALL"])):
    for side, b in SIDES:
        add("register --once wall ms", side, wall_once(b))
loads.append(load())

# 4. resident memory per idle registration, as scripts/bench-bulk.sh measures it
mem_aors = int(E["AB_MEM"])
def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
def idle_rss(binary, n):
    global child
    rate = 2000
    cmd = [binary, "bulk", "register", *population, "--count", str(n), "-r", f"sip:127.0.0.1:{E['AB_MEM_PORT']}",
           "--rate", str(rate), "--concurrency", "1000", "--json"]
    out_path = os.path.join(work, "mem.json")
    with open(out_path, "w") as out:
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
    # registered and idle: the expected time, then until RSS stops moving (bounded)
    time.sleep(n / rate + 2)
    last, deadline = -1, time.monotonic() + tmo
    while (now := rss_kib(child.pid)) != last and time.monotonic() < deadline:
        last = now
        time.sleep(1)
    child.send_signal(signal.SIGTERM)  # staying mode: unregisters all, then exits
    try:
        child.wait(timeout=tmo)
    except subprocess.TimeoutExpired:
        child.kill(); child.wait()
        sys.exit(f"bench-ab.sh: memory run did not exit {tmo:g} s after SIGTERM: {' '.join(cmd)}")
    s = summary(open(out_path).read(), cmd)
    if child.returncode != 0 or s["registered"] != n or s["unregistered"] != n:
        sys.exit(f"bench-ab.sh: memory run with {n} AORs did not register and remove all: {s}")
    child = None
    return last
if mem_aors > 1:
    print(f"idle RSS, 1 and {mem_aors} AORs", file=sys.stderr)
    for _ in range(repeat):
        base = {side: idle_rss(b, 1) for side, b in SIDES}
        for side, b in SIDES:
            full = idle_rss(b, mem_aors)
            per = (full - base[side]) * 1024 / (mem_aors - 1)
            print(f"  {side}: {base[side]} KiB with 1, {full} KiB with {mem_aors}: {per:.0f} B/reg", file=sys.stderr)
            add("idle RSS bytes/reg", side, per)
    loads.append(load())

def ver(b):
    return subprocess.run([b, "--version"], capture_output=True, timeout=5).stdout.decode().strip()
print(f"# old {E['AB_OLD']} ({ver(E['AB_OLD'])}), new {E['AB_NEW']} ({ver(E['AB_NEW'])})")
print(f"# {repeat} runs per binary and figure ({E['AB_WALL']} for wall time), interleaved old/new, "
      f"{os.cpu_count()} CPUs; 1-min load {min(loads):.2f} to {max(loads):.2f}")
print(f"{'figure':<28} {'old-median':>11} {'new-median':>11} {'change%':>8}")
for name in order:
    o, n = statistics.median(fig[name]["old"]), statistics.median(fig[name]["new"])
    ch = f"{(n - o) / o * 100:+.1f}%" if o else "n/a"
    print(f"{name:<28} {o:>11.2f} {n:>11.2f} {ch:>8}")
for note in dict.fromkeys(notes):
    print(f"# note: {note}")
PY
pypid=$!
wait "$pypid"
pypid=""
