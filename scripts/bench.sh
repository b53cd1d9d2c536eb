#!/usr/bin/env bash
# Whole-process wall time of one authenticated registration (REGISTER, 401 with
# an MD5 qop=auth challenge, REGISTER with Authorization, 200), sipreg against
# sipsak, both talking to the same local Kamailio over UDP on 127.0.0.1.
#
#   scripts/bench.sh                  RUNS=30 measured runs of each
#   RUNS=50 WARMUP=10 scripts/bench.sh
#
# Environment:
#   RUNS         measured runs per tool (default 30; fewer than 20 is refused
#                unless ALLOW_FEW_RUNS=1)
#   WARMUP       unmeasured runs per tool first (default 5)
#   RUN_TIMEOUT  seconds before one run is killed and the bench fails (default 10)
#   PORT         registrar port (default: the first free one in 25060..25160)
#
# Every run is checked: sipreg must exit 0 and print a JSON "registered" object
# with status 200 and exactly one binding; sipsak must exit 0 and report
# "All usrloc tests completed successful" (it exits 0 in usrloc mode only after
# a 200). Both register the same contact for the same AOR, so each 200 OK
# carries one binding for either tool. Runs alternate between the tools (and
# which goes first) so that drift on the machine hits both alike.
#
# Timing is perf_counter around subprocess.run (fork, exec, the registration,
# exit, wait): the harness's own cost is shown as the same measurement of
# /bin/true. Also printed: the tools' own protocol times (sipreg's elapsed_ms
# from --json: first REGISTER to final 200; sipsak -v: "received last message
# N ms after first request", which sipsak restarts at the authenticated REGISTER,
# so it covers the second transaction only), to separate protocol time from
# process start-up.
#
# It builds sipreg (release) first, starts its own Kamailio (own state
# directory) and stops it on exit. Only loopback traffic.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
RUN_TIMEOUT=${RUN_TIMEOUT:-10}
for v in "$RUNS" "$WARMUP" "$RUN_TIMEOUT"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "bench.sh: not a number: $v" >&2; exit 2; }
done
[ "$RUNS" -ge 1 ] && [ "$RUN_TIMEOUT" -ge 1 ] || { echo "bench.sh: RUNS and RUN_TIMEOUT must be >= 1" >&2; exit 2; }
if [ "$RUNS" -lt 20 ] && [ "${ALLOW_FEW_RUNS:-0}" != 1 ]; then
    echo "bench.sh: RUNS=$RUNS is too few for a median and p90 worth reading (>= 20; ALLOW_FEW_RUNS=1 to insist)" >&2
    exit 2
fi

AOR=sip:alice@sipreg.test
PASSWORD=secret-alice
CONTACT=sip:alice@127.0.0.1:5999

# ---- dependencies, build ------------------------------------------------------
if ! "$HERE/install-deps.sh" --check; then
    if [ "$(id -u)" -eq 0 ]; then
        "$HERE/install-deps.sh"
    else
        echo "bench.sh: Kamailio/sipsak missing: run scripts/install-deps.sh as root" >&2
        exit 1
    fi
fi
command -v python3 >/dev/null 2>&1 || { echo "bench.sh: python3 is needed" >&2; exit 1; }
SIPSAK=$(command -v sipsak)

echo "bench.sh: cargo build --release" >&2
cargo build --release --quiet
SIPREG=${CARGO_TARGET_DIR:-$ROOT/target}/release/sipreg
[ -x "$SIPREG" ] || { echo "bench.sh: no $SIPREG after the build" >&2; exit 1; }

# ---- our own Kamailio ---------------------------------------------------------
KAM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-bench.XXXXXX")
export SIPREG_KAM_DIR="$KAM_DIR"
started=0
pypid=""
cleanup() {
    local rc=$?
    if [ -n "$pypid" ]; then kill -TERM "$pypid" 2>/dev/null || true; wait "$pypid" 2>/dev/null || true; fi
    if [ "$started" = 1 ]; then "$HERE/kamailio.sh" stop >/dev/null 2>&1 || true; fi
    rm -rf "$KAM_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=1
port=$("$HERE/kamailio.sh" start ${PORT:+--port "$PORT"})
[[ "$port" =~ ^[0-9]+$ ]] || { echo "bench.sh: kamailio.sh start did not print a port" >&2; exit 1; }

# start from an empty location table for alice
SIPREG_PASSWORD=$PASSWORD timeout "$RUN_TIMEOUT" "$SIPREG" unregister "$AOR" -r "sip:127.0.0.1:$port" --all -q

export BENCH_RUNS=$RUNS BENCH_WARMUP=$WARMUP BENCH_TIMEOUT=$RUN_TIMEOUT BENCH_PORT=$port
export BENCH_SIPREG=$SIPREG BENCH_SIPSAK=$SIPSAK BENCH_AOR=$AOR BENCH_PASSWORD=$PASSWORD BENCH_CONTACT=$CONTACT
# in the background and waited for, so that a signal stops the bench at once
python3 - <<'PY' &
import json, math, os, re, statistics, subprocess, sys, time

runs = int(os.environ["BENCH_RUNS"])
warmup = int(os.environ["BENCH_WARMUP"])
tmo = float(os.environ["BENCH_TIMEOUT"])
port = os.environ["BENCH_PORT"]
aor, password, contact = os.environ["BENCH_AOR"], os.environ["BENCH_PASSWORD"], os.environ["BENCH_CONTACT"]
user = aor.split(":", 1)[1].split("@", 1)[0]
domain = aor.split("@", 1)[1]

sipreg_cmd = [os.environ["BENCH_SIPREG"], "register", aor, "-r", f"sip:127.0.0.1:{port}",
              "--once", "-c", contact, "-e", "3600", "--json"]
sipreg_env = dict(os.environ, SIPREG_PASSWORD=password)
# -p must come before -s: with the target address already known, sipsak does
# not try to resolve the -s domain (sipreg.test) by DNS.
sipsak_cmd = [os.environ["BENCH_SIPSAK"], "-p", f"127.0.0.1:{port}", "-k", "127.0.0.1", "-H", "127.0.0.1",
              "-U", "-i", "-v", "-C", contact, "-s", f"sip:{user}@{domain}", "-u", user,
              "-a", password, "-x", "3600"]
true_cmd = ["/bin/true"]

def run(cmd, env=None):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=tmo)
    except subprocess.TimeoutExpired:
        sys.exit(f"bench.sh: a run took more than {tmo:g} s and was killed: {' '.join(cmd)}")
    return (time.perf_counter() - t0) * 1000.0, p

def fail(what, p):
    sys.stderr.write(f"bench.sh: {what} (exit status {p.returncode})\n--- stdout\n{p.stdout.decode(errors='replace')}"
                     f"--- stderr\n{p.stderr.decode(errors='replace')}")
    sys.exit(1)

def sipreg_once():
    ms, p = run(sipreg_cmd, sipreg_env)
    if p.returncode != 0:
        fail("sipreg did not register", p)
    objs = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    o = objs[-1] if objs else {}
    if o.get("event") != "registered" or o.get("status") != 200:
        fail("sipreg: no 'registered' object with status 200 on stdout", p)
    if len(o.get("bindings", [])) != 1:
        fail(f"sipreg: expected 1 binding in the 200 OK, got {len(o.get('bindings', []))}", p)
    return ms, float(o["elapsed_ms"])

SIPSAK_OK = re.compile(rb"All usrloc tests completed successful")
SIPSAK_MS = re.compile(rb"received last message ([0-9.]+) ms after first request")

def sipsak_once():
    ms, p = run(sipsak_cmd)
    if p.returncode != 0 or not SIPSAK_OK.search(p.stdout):
        fail("sipsak did not get its 200 OK", p)
    m = SIPSAK_MS.search(p.stdout)
    return ms, (float(m.group(1)) if m else float("nan"))

def true_once():
    ms, p = run(true_cmd)
    if p.returncode != 0:
        fail("/bin/true failed", p)
    return ms, float("nan")

tools = {"sipreg": sipreg_once, "sipsak": sipsak_once, "true": true_once}

for _ in range(warmup):
    for f in tools.values():
        f()

wall = {k: [] for k in tools}
proto = {k: [] for k in tools}
for i in range(runs):
    order = list(tools) if i % 2 == 0 else list(reversed(list(tools)))
    for k in order:
        ms, pms = tools[k]()
        wall[k].append(ms)
        proto[k].append(pms)

def p90(xs):  # nearest rank
    s = sorted(xs)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]

def ver(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=5).stdout.decode()
        return out.strip().splitlines()[0]
    except Exception as e:
        return f"? ({e})"

print(f"sipreg : {ver([os.environ['BENCH_SIPREG'], '--version'])}")
print(f"sipsak : {ver([os.environ['BENCH_SIPSAK'], '--version'])}")
print(f"machine: {os.cpu_count()} CPUs, Linux {os.uname().release}; registrar Kamailio on udp 127.0.0.1:{port}")
print(f"runs   : {runs} measured per tool, after {warmup} warm-up runs each, alternating; every run checked for a 200")
print()
print("  sipreg " + " ".join(sipreg_cmd[1:]) + "      (SIPREG_PASSWORD in the environment)")
print("  sipsak " + " ".join(sipsak_cmd[1:]))
print()
print("whole-process wall time, ms        median       p90       min      mean")
labels = {"sipreg": "sipreg register --once", "sipsak": "sipsak -U (one registration)",
          "true": "/bin/true (harness overhead)"}
for k in ("sipreg", "sipsak", "true"):
    xs = wall[k]
    print(f"  {labels[k]:<30} {statistics.median(xs):9.2f} {p90(xs):9.2f} {min(xs):9.2f} {statistics.fmean(xs):9.2f}")
ratio = statistics.median(wall["sipsak"]) / statistics.median(wall["sipreg"])
print()
print(f"ratio of medians sipsak/sipreg: {ratio:.2f}")
base = statistics.median(wall["true"])
a, b = statistics.median(wall["sipreg"]) - base, statistics.median(wall["sipsak"]) - base
if a > 0 and b > 0:
    print(f"  (rough, with the /bin/true median subtracted from both: {b:.2f} / {a:.2f} = {b / a:.2f})")
print()
print("protocol time as the tools report it (first REGISTER to final 200), ms    median       min")
for k, label in (("sipreg", "sipreg --json elapsed_ms"), ("sipsak", "sipsak -v 'received last message'")):
    xs = [x for x in proto[k] if not math.isnan(x)]
    if xs:
        print(f"  {label:<70} {statistics.median(xs):9.3f} {min(xs):9.3f}")
    else:
        print(f"  {label:<70}       n/a")
print("  (sipsak restarts that clock when it re-sends with credentials: its figure covers only the")
print("   second transaction, REGISTER with Authorization to 200, and it includes a 10 ms poll() for")
print("   ICMP errors that sipsak does before reading every response)")
PY
pypid=$!
wait "$pypid"
pypid=""

# the binding both tools wrote is there (and only that one)
SIPREG_PASSWORD=$PASSWORD timeout "$RUN_TIMEOUT" "$SIPREG" query "$AOR" -r "sip:127.0.0.1:$port" --json |
    python3 -c '
import json, sys
o = [json.loads(l) for l in sys.stdin if l.strip()][-1]
c = [b["contact"] for b in o["bindings"]]
assert o["status"] == 200 and c == [sys.argv[1]], c
print("\nafter the runs the registrar holds exactly", c)' "$CONTACT"
