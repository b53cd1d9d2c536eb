#!/usr/bin/env bash
# Bulk registration, sipreg against SIPp, both against the same local Kamailio
# (401 challenges, MD5, qop=auth, db_text users), at rising rates; then the resident
# memory of 10 000 idle registrations. A benchmark, not a test: scripts/test.sh does
# not run it.
#
#   scripts/bench-bulk.sh
#   RATES="1000 2000 4000 8000 12000 16000" COUNT=1000 scripts/bench-bulk.sh
#
# Environment:
#   RATES        registrations per second to try (default 1000 2000 4000 8000 10000 12000
#                14000 16000 20000 24000 32000 40000)
#   COUNT        registrations per run and per tool (default 1000; at most USERS)
#   REPEAT       runs per tool and rate (default 3): the table shows the worst counts
#                and the median figures, and a rate is clean only if every run was
#   USERS        users provisioned in Kamailio, bench0001.. / pw0001.. (default 1000)
#   CHILDREN     Kamailio UDP worker processes (default 4)
#   MEM_AORS     AORs of the memory measurement (default 10000; 0 skips it)
#   RUN_TIMEOUT  seconds before one run is killed and the bench fails (default 120)
#   SIPREG       the sipreg binary to measure (default: build it with cargo build
#                --release and take target/release/sipreg, or $CARGO_TARGET_DIR's)
#
# Per rate and tool it prints: registrations that succeeded and failed,
# retransmissions, the achieved rate, p50/p99 latency (first REGISTER to the 200),
# and the client CPU time per registration (user + system of the whole process,
# from wait4). A rate is "clean" for a tool when every registration succeeded, none
# needed a retransmission, and the achieved rate was at least 95 % of the asked one.
#
# What each tool does per registration: SIPp sends REGISTER, gets the 401, sends
# REGISTER with [authentication] from its injection file, gets the 200 (a new
# Call-ID per registration, as SIPp cannot keep one). sipreg does the same for the
# first AOR only; the others answer the realm's challenge pre-emptively with the
# nonce it learnt, so they need one round trip (Kamailio accepts any valid nonce of
# its own for any user). Both use one UDP socket on a fixed port. Before every run
# all bindings are removed (sipreg bulk unregister: Contact: *), so every run starts
# from the same empty location table.
#
# Latency resolution: SIPp measures in whole milliseconds (its -trace_rtt file);
# sipreg in microseconds.
#
# Memory: `sipreg bulk register` in staying mode with MEM_AORS AORs (a second
# Kamailio with that many users) and with 1 AOR; once all are registered and idle,
# VmRSS of each; per registration = (RSS(MEM_AORS) - RSS(1)) / (MEM_AORS - 1).
#
# Sharding: at the highest rate where sipreg was clean, the same COUNT registrations
# again as 2 processes, `--shard 1/2` and `--shard 2/2`, each at half the rate, from
# their own sockets, both given the same `--start-at` 2 s ahead; their JSON
# summaries are merged with `sipreg bulk merge A.json B.json --json`. The row shows
# the merged figures (achieved rate and p50/p99 from the merged HDR histogram) and
# the CPU per registration of both processes together (wait4; sipreg's own count
# = sum of cpu_ms / attempted) beside SIPp's and the single process's at that rate,
# REPEAT runs each like the others.
#
# Kamailio is started by scripts/kamailio.sh: 4 UDP workers, users in db_text, and
# the TLSF memory managers (its default manager made the registrar itself the limit).
#
# It builds sipreg (release) first, starts its own Kamailio instances (own state
# directories) and stops them on exit. Only loopback traffic.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

RATES=${RATES:-"1000 2000 4000 8000 10000 12000 14000 16000 20000 24000 32000 40000"}
COUNT=${COUNT:-1000}
REPEAT=${REPEAT:-3}
USERS=${USERS:-1000}
CHILDREN=${CHILDREN:-4}
MEM_AORS=${MEM_AORS:-10000}
RUN_TIMEOUT=${RUN_TIMEOUT:-120}
for v in $RATES "$COUNT" "$REPEAT" "$USERS" "$CHILDREN" "$MEM_AORS" "$RUN_TIMEOUT"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "bench-bulk.sh: not a number: $v" >&2; exit 2; }
done
[ "$COUNT" -ge 2 ] && [ "$COUNT" -le "$USERS" ] || { echo "bench-bulk.sh: COUNT must be from 2 to USERS ($USERS)" >&2; exit 2; }
[ "$REPEAT" -ge 1 ] || { echo "bench-bulk.sh: REPEAT must be at least 1" >&2; exit 2; }
[ "$USERS" -le 9999 ] || { echo "bench-bulk.sh: USERS at most 9999 (four-digit user names)" >&2; exit 2; }

if ! "$HERE/install-deps.sh" --check; then
    if [ "$(id -u)" -eq 0 ]; then
        "$HERE/install-deps.sh"
    else
        echo "bench-bulk.sh: Kamailio/SIPp missing: run scripts/install-deps.sh as root" >&2
        exit 1
    fi
fi
command -v python3 >/dev/null 2>&1 || { echo "bench-bulk.sh: python3 is needed" >&2; exit 1; }
SIPP=$(command -v sipp)

if [ -z "${SIPREG:-}" ]; then
    echo "bench-bulk.sh: cargo build --release" >&2
    cargo build --release --quiet
    SIPREG=${CARGO_TARGET_DIR:-$ROOT/target}/release/sipreg
fi
[ -x "$SIPREG" ] || { echo "bench-bulk.sh: no $SIPREG after the build" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipreg-bench-bulk.XXXXXX")
KAM_DIRS=()
pypid=""
cleanup() {
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

# start_kamailio DIR USERS: prints the port. Runs in a $( ) subshell, so the caller
# records DIR in KAM_DIRS (for the cleanup) before calling it.
start_kamailio() {
    SIPREG_KAM_DIR="$1" "$HERE/kamailio.sh" start --users "$2" --children "$CHILDREN"
}

t0=$(date +%s.%N)
KAM_DIRS+=("$WORK/kam")
port=$(start_kamailio "$WORK/kam" "$USERS")
t1=$(date +%s.%N)
mem_port=""
if [ "$MEM_AORS" -gt 1 ]; then
    KAM_DIRS+=("$WORK/kam-mem")
    mem_port=$(start_kamailio "$WORK/kam-mem" "$MEM_AORS")
fi
t2=$(date +%s.%N)

export BENCH_WORK=$WORK BENCH_PORT=$port BENCH_MEM_PORT=$mem_port BENCH_RATES=$RATES
export BENCH_COUNT=$COUNT BENCH_REPEAT=$REPEAT BENCH_USERS=$USERS BENCH_MEM_AORS=$MEM_AORS BENCH_TIMEOUT=$RUN_TIMEOUT
export BENCH_SIPREG=$SIPREG BENCH_SIPP=$SIPP BENCH_CHILDREN=$CHILDREN
export BENCH_KAM_START=$(python3 -c "print(f'{$t1-$t0:.2f} s for $USERS users' + ('' if not '$mem_port' else f', {$t2-$t1:.2f} s for $MEM_AORS users'))")
python3 - <<'PY' &
import csv, glob, json, math, os, signal, subprocess, sys, tempfile, time

work = os.environ["BENCH_WORK"]
port = os.environ["BENCH_PORT"]
mem_port = os.environ["BENCH_MEM_PORT"]
rates = [int(r) for r in os.environ["BENCH_RATES"].split()]
count = int(os.environ["BENCH_COUNT"])
repeat = int(os.environ["BENCH_REPEAT"])
mem_aors = int(os.environ["BENCH_MEM_AORS"])
tmo = float(os.environ["BENCH_TIMEOUT"])
sipreg, sipp = os.environ["BENCH_SIPREG"], os.environ["BENCH_SIPP"]
registrar = f"sip:127.0.0.1:{port}"
SIPREG_LOCAL = "127.0.0.1:27461"
SIPP_PORT = "27462"
population = ["--aor", "sip:bench{n:04}@sipreg.test", "--password-template", "pw{n:04}"]

scenario = os.path.join(work, "register.xml")
with open(scenario, "w") as f:
    f.write("""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register with digest authentication">
  <send retrans="500" start_rtd="1">
    <![CDATA[

REGISTER sip:[field1] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:[field0]@[field1]>;tag=[pid]-[call_number]
To: <sip:[field0]@[field1]>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
Expires: 3600
Content-Length: 0

    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[

REGISTER sip:[field1] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:[field0]@[field1]>;tag=[pid]-[call_number]
To: <sip:[field0]@[field1]>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
Expires: 3600
[field2]
Content-Length: 0

    ]]>
  </send>
  <recv response="200" rtd="1"/>
</scenario>
""")
injection = os.path.join(work, "users.csv")
with open(injection, "w") as f:
    f.write("SEQUENTIAL\n")
    for n in range(1, count + 1):
        f.write(f"bench{n:04d};sipreg.test;[authentication username=bench{n:04d} password=pw{n:04d}]\n")

def run(cmd, cwd=None):
    """Runs cmd; returns (exit status, stdout text, CPU seconds of the process)."""
    out_path = os.path.join(work, "out.txt")
    with open(out_path, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + tmo
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                sys.exit(f"bench-bulk.sh: killed after {tmo:g} s: {' '.join(cmd)}")
            time.sleep(0.005)
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as f:
        text = f.read()
    return p.returncode, text, ru.ru_utime + ru.ru_stime

def reset():
    code, text, _ = run([sipreg, "bulk", "unregister", *population, "--count", str(count),
                         "-r", registrar, "--rate", "4000", "-q"])
    if code != 0:
        sys.exit(f"bench-bulk.sh: could not clear the bindings (exit {code})")

def pct(sorted_xs, p):
    return sorted_xs[max(0, math.ceil(p * len(sorted_xs)) - 1)] if sorted_xs else float("nan")

def run_sipreg(rate):
    cmd = [sipreg, "bulk", "register", "--once", *population, "--count", str(count), "-r", registrar,
           "--local", SIPREG_LOCAL, "--rate", str(rate), "--concurrency", str(count), "--json"]
    code, text, cpu = run(cmd)
    try:
        s = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.exit(f"bench-bulk.sh: sipreg printed no summary (exit {code}):\n{text}")
    lat = s.get("latency_ms") or {}
    return dict(ok=s["succeeded"], failed=s["attempted"] - s["succeeded"] + s["not_started"],
                retrans=s["retransmissions"], rate=s["rate"] or float("nan"),
                p50=lat.get("p50", float("nan")), p99=lat.get("p99", float("nan")),
                cpu_us=cpu / count * 1e6, own_cpu_us=s["cpu_us_per_aor"], exit=code), cmd

def run_sipp(rate):
    # a directory of its own per run: SIPp names its files after its pid and appends
    d = tempfile.mkdtemp(prefix=f"sipp-{rate}-", dir=work)
    cmd = [sipp, f"127.0.0.1:{port}", "-sf", scenario, "-inf", injection, "-m", str(count),
           "-r", str(rate), "-rp", "1000", "-l", str(count), "-t", "u1", "-i", "127.0.0.1", "-p", SIPP_PORT,
           "-nostdin", "-trace_stat", "-stf", "stat.csv", "-trace_rtt", "-rtt_freq", "1",
           "-timeout", str(int(tmo)), "-timeout_error"]
    code, text, cpu = run(cmd, cwd=d)
    rows = list(csv.reader(open(os.path.join(d, "stat.csv")), delimiter=";"))
    head, last = rows[0], rows[-1]
    col = lambda k: int(last[head.index(k)])
    rtts = []
    for path in glob.glob(os.path.join(d, "*_rtt.csv")):
        for line in open(path).read().splitlines()[1:]:
            date_ms, rtt_ms, _ = line.split(";")
            rtts.append((float(date_ms), float(rtt_ms)))
    starts = sorted(date - rtt for date, rtt in rtts)
    lats = sorted(rtt for _, rtt in rtts)
    rate_done = (len(starts) - 1) / ((starts[-1] - starts[0]) / 1000) if len(starts) > 1 and starts[-1] > starts[0] else float("nan")
    return dict(ok=col("SuccessfulCall(C)"), failed=count - col("SuccessfulCall(C)"),
                retrans=col("Retransmissions(C)"), rate=rate_done, p50=pct(lats, 0.5), p99=pct(lats, 0.99),
                cpu_us=cpu / count * 1e6, own_cpu_us=float("nan"), exit=code), cmd

def clean(r, rate):
    return r["ok"] == count and r["failed"] == 0 and r["retrans"] == 0 and r["rate"] >= 0.95 * rate

def version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=5).stdout.decode()
        return next(l.strip() for l in out.splitlines() if l.strip())
    except Exception as e:
        return f"? ({e})"

runs = {}
commands = {}
for i, rate in enumerate(rates):
    for k in range(repeat):
        # alternate which tool goes first, so that drift hits both alike
        order = ["sipp", "sipreg"] if (i + k) % 2 == 0 else ["sipreg", "sipp"]
        for tool in order:
            reset()
            r, commands[tool] = (run_sipp if tool == "sipp" else run_sipreg)(rate)
            runs.setdefault((tool, rate), []).append(r)
            print(f"  {tool:<6} {rate:>6}/s: {r['ok']} ok, {r['failed']} failed, {r['retrans']} retransmissions, "
                  f"{r['rate']:.0f}/s, {r['cpu_us']:.1f} us CPU per registration", file=sys.stderr)
reset()

def median(xs):
    xs = sorted(x for x in xs if not math.isnan(x))
    if not xs:
        return float("nan")
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2

def combine(rs, rate):
    """Worst counts, median figures; clean only if every run was."""
    out = dict(ok=min(r["ok"] for r in rs), failed=max(r["failed"] for r in rs),
               retrans=max(r["retrans"] for r in rs), clean=all(clean(r, rate) for r in rs))
    for k in ("rate", "p50", "p99", "cpu_us", "own_cpu_us"):
        out[k] = median([r[k] for r in rs])
    return out

results = {key: combine(rs, key[1]) for key, rs in runs.items()}

print(f"sipreg  : {version([sipreg, '--version'])}")
print(f"sipp    : {version([sipp, '-v'])}")
print(f"machine : {os.cpu_count()} CPUs, Linux {os.uname().release}")
print(f"registrar: Kamailio on udp {registrar}, {os.environ['BENCH_CHILDREN']} UDP workers, "
      f"{os.environ['BENCH_USERS']} db_text users, TLSF memory managers (started in {os.environ['BENCH_KAM_START']})")
print(f"runs    : {repeat} x {count} registrations per tool and rate, bindings cleared before each run;")
print("          counts are the worst run's, figures the median; clean = every run clean")
print()
print("  sipreg " + " ".join(commands["sipreg"][1:]).replace(str(rates[-1]), "RATE", 1))
print("  sipp   " + " ".join(commands["sipp"][1:]).replace(f"-r {rates[-1]}", "-r RATE"))
print()
hdr = f"{'rate/s':>7}  {'tool':<6} {'ok':>6} {'failed':>6} {'retrans':>7} {'achieved/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/reg':>10}  clean"
print(hdr)
print("-" * len(hdr))
for rate in rates:
    for tool in ("sipp", "sipreg"):
        r = results[(tool, rate)]
        own = "" if math.isnan(r["own_cpu_us"]) else f"  (own count {r['own_cpu_us']:.1f})"
        print(f"{rate:>7}  {tool:<6} {r['ok']:>6} {r['failed']:>6} {r['retrans']:>7} {r['rate']:>10.0f} "
              f"{r['p50']:>8.3f} {r['p99']:>8.3f} {r['cpu_us']:>10.1f}  {'yes' if r['clean'] else 'no'}{own}")
print()
best = {t: max([r for r in rates if results[(t, r)]["clean"]], default=0) for t in ("sipp", "sipreg")}
print(f"highest clean rate: sipp {best['sipp']}/s, sipreg {best['sipreg']}/s"
      + (f", ratio {best['sipreg'] / best['sipp']:.2f} (goal >= 1.25)" if best["sipp"] else ""))
cpus = [results[("sipreg", r)]["cpu_us"] for r in rates if results[("sipreg", r)]["clean"]]
if cpus:
    print(f"sipreg CPU per registration at clean rates: {min(cpus):.1f} to {max(cpus):.1f} us (goal <= 20)")
sipp_cpus = [results[("sipp", r)]["cpu_us"] for r in rates if results[("sipp", r)]["clean"]]
if sipp_cpus:
    print(f"SIPp CPU per registration at clean rates: {min(sipp_cpus):.1f} to {max(sipp_cpus):.1f} us")
if best["sipreg"] == rates[-1]:
    print("(sipreg was clean at the highest rate tried: add higher RATES to find its limit)")

# --- sharding: 2 processes at half the rate each, merged
SHARD_LOCALS = ["127.0.0.1:27463", "127.0.0.1:27464"]

def run_shards(rate):
    """The population as 2 shards in 2 processes with a shared --start-at, merged."""
    start_at = int(time.time()) + 3   # 2 to 3 s ahead
    procs = []
    for i, local in enumerate(SHARD_LOCALS, 1):
        cmd = [sipreg, "bulk", "register", "--once", *population, "--count", str(count), "--shard", f"{i}/2",
               "-r", registrar, "--local", local, "--rate", f"{rate / 2:g}", "--concurrency", str(count),
               "--start-at", str(start_at), "--json"]
        path = os.path.join(work, f"shard{i}.json")
        out = open(path, "w")
        procs.append((subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT), out, path, cmd))
    cpu, codes = 0.0, []
    deadline = time.monotonic() + tmo + 3
    for p, out, _, cmd in procs:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                for q, *_ in procs:
                    q.kill()
                sys.exit(f"bench-bulk.sh: killed after {tmo:g} s: {' '.join(cmd)}")
            time.sleep(0.005)
        out.close()
        codes.append(os.waitstatus_to_exitcode(status))
        cpu += ru.ru_utime + ru.ru_stime
    paths = [path for _, _, path, _ in procs]
    merge = [sipreg, "bulk", "merge", *paths, "--json"]
    m = subprocess.run(merge, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=tmo)
    try:
        s = json.loads(m.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.exit(f"bench-bulk.sh: bulk merge printed no summary (exit {m.returncode}):\n{m.stdout.decode()}\n"
                 + "\n".join(open(p).read() for p in paths))
    lat = s.get("latency_ms") or {}
    return dict(ok=s["succeeded"], failed=s["attempted"] - s["succeeded"] + s["not_started"],
                retrans=s["retransmissions"], rate=s["rate"] or float("nan"),
                p50=lat.get("p50", float("nan")), p99=lat.get("p99", float("nan")),
                cpu_us=cpu / count * 1e6, own_cpu_us=s["cpu_ms"] * 1e3 / s["attempted"] if s["attempted"] else float("nan"),
                exit=max(codes + [m.returncode])), [procs[0][3], merge]

shard_rate = best["sipreg"] or rates[0]
shard_runs = []
for k in range(repeat):
    reset()
    r, shard_cmds = run_shards(shard_rate)
    shard_runs.append(r)
    print(f"  2 shards {shard_rate:>6}/s: {r['ok']} ok, {r['failed']} failed, {r['retrans']} retransmissions, "
          f"{r['rate']:.0f}/s, {r['cpu_us']:.1f} us CPU per registration", file=sys.stderr)
reset()
sh = combine(shard_runs, shard_rate)
print()
print(f"sharding at {shard_rate}/s ({'the highest clean sipreg rate' if best['sipreg'] else 'no clean sipreg rate: the lowest rate'}): "
      f"{count} registrations as 2 processes at {shard_rate / 2:g}/s each, shared --start-at, merged:")
print("  sipreg " + " ".join(shard_cmds[0][1:]).replace("--shard 1/2", "--shard I/2")
      .replace(SHARD_LOCALS[0], "127.0.0.1:2746(2+I)").replace(f"--rate {shard_rate / 2:g}", "--rate RATE/2")
      .rsplit("--start-at ", 1)[0] + "--start-at NOW+2s --json")
print("  sipreg " + " ".join(shard_cmds[1][1:]).replace(work + "/", ""))
hdr2 = f"{'rate/s':>7}  {'tool':<16} {'ok':>6} {'failed':>6} {'retrans':>7} {'achieved/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/reg':>10}  clean"
print(hdr2)
print("-" * len(hdr2))
for label, r in (("sipp", results[("sipp", shard_rate)]), ("sipreg", results[("sipreg", shard_rate)]), ("sipreg 2 shards", sh)):
    own = "" if math.isnan(r["own_cpu_us"]) else f"  (own count {r['own_cpu_us']:.1f})"
    print(f"{shard_rate:>7}  {label:<16} {r['ok']:>6} {r['failed']:>6} {r['retrans']:>7} {r['rate']:>10.0f} "
          f"{r['p50']:>8.3f} {r['p99']:>8.3f} {r['cpu_us']:>10.1f}  {'yes' if r['clean'] else 'no'}{own}")

if mem_aors > 1:
    def rss_kib(pid):
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def idle_rss(n):
        rate = 2000
        cmd = [sipreg, "bulk", "register", *population, "--count", str(n), "-r", f"sip:127.0.0.1:{mem_port}",
               "--rate", str(rate), "--concurrency", "1000", "--json"]
        out_path = os.path.join(work, f"mem-{n}.json")
        with open(out_path, "w") as out:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
        # registered and idle: the expected time, then until RSS stops moving
        time.sleep(n / rate + 2)
        last, deadline = -1, time.monotonic() + tmo
        while (now := rss_kib(p.pid)) != last and time.monotonic() < deadline:
            last = now
            time.sleep(1)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=tmo)
        s = json.loads(open(out_path).read().strip().splitlines()[-1])
        if p.returncode != 0 or s["registered"] != n or s["unregistered"] != n:
            sys.exit(f"bench-bulk.sh: memory run with {n} AORs did not register and remove all: {s}")
        return last, cmd

    base, _ = idle_rss(1)
    full, cmd = idle_rss(mem_aors)
    per = (full - base) * 1024 / (mem_aors - 1)
    print()
    print(f"memory  : sipreg " + " ".join(cmd[1:]) + "   (staying mode, SIGTERM after)")
    print(f"  VmRSS idle with 1 AOR {base} KiB, with {mem_aors} AORs {full} KiB: "
          f"{per:.0f} bytes ({per / 1024:.2f} KiB) per registration beyond start-up (goal < 2 KiB)")
PY
pypid=$!
wait "$pypid"
pypid=""
