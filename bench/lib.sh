# Shared by the benchmark scripts: the JDK, a built server jar, wrk, a server to measure and its
# clean-up. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"

BENCH_ADMIN="bench-admin-token-$$-0123456789"
BENCH_SECRET="bench-gateway-secret-$$"
SERVER_PID=""
SERVER_DATA=""
SERVER_DB=""
SERVER_PORT=""
SECOND_PID=""
SECOND_DATA=""
SECOND_PORT=""

# Builds the server when its sources changed, then starts it once, as any machine that has run
# this build before would have: that start writes the class cache later starts map
# (scripts/env.sh, class_archive_opts), so no measured run pays for recording it.
bench_build() {
  local jar=server/target/ohmyotp-server.jar
  if stale "$jar" server/src server/pom.xml client/src client/pom.xml; then
    "${MVN[@]}" -q -DskipTests package -pl server -am >/dev/null 2>&1 || die "the build failed: run ./ohmyotp build"
  fi
  # shellcheck disable=SC2086
  case "$(class_archive_opts "$jar" -Xmx256m $OHMYOTP_JVM_DEFAULTS ${BENCH_JAVA_OPTS:-})" in
    *AOTCacheOutput*) start_server h2; stop_server ;;
  esac
}

# wrk from Debian, installed when missing (root only).
need_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing wrk" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  fi
  command -v wrk >/dev/null 2>&1 || die "the benchmarks need wrk: sudo apt-get install wrk"
}

machine() {
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(java -version 2>&1 | head -1), $(scheduling)"
}

# The kernel's autogroups (kernel.sched_autogroup_enabled) share the CPU between sessions rather
# than between processes, and every PostgreSQL backend starts a session of its own (setsid): on
# two cores each of the eight busy backends then weighs as much as the whole server JVM, and a
# backend that has had its share waits for the others, up to 91 ms at a time (perf sched
# timehist). Database hosts turn them off (docs/production.md); the benchmarks do too, for their
# run, before they start the server whose connections are measured, and put the setting back at
# the end. BENCH_AUTOGROUP=keep leaves the machine's setting alone. See BENCHMARKS.md, Scale.
AUTOGROUP_SETTING=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_BEFORE=""
if [ "${BENCH_AUTOGROUP:-off}" = off ] && [ "$(cat "$AUTOGROUP_SETTING" 2>/dev/null)" = 1 ] \
    && echo 0 2>/dev/null >"$AUTOGROUP_SETTING"; then
  AUTOGROUP_BEFORE=1
fi

scheduling() {
  case "$(cat "$AUTOGROUP_SETTING" 2>/dev/null || echo none)" in
    0) echo "autogroups off${AUTOGROUP_BEFORE:+ (on again after the run)}" ;;
    1) echo "autogroups on" ;;
    *) echo "no autogroups" ;;
  esac
}

# start_server h2|postgres [extra VAR=value ...]: starts the server jar with -Xmx256m on a free
# port and waits until /readyz answers. BENCH_JAVA_OPTS adds JVM options (a profiler agent, say).
start_server() {
  local db="$1"; shift
  SERVER_DATA="$(mktemp -d)"
  SERVER_PORT="$(free_port)"
  local url=""
  if [ "$db" = postgres ]; then
    pg_ensure_running || die "this benchmark needs PostgreSQL at $PGHOST:$PGPORT"
    SERVER_DB="ohmyotp_bench_$(date +%s)_$$"
    pg_sql "CREATE DATABASE $SERVER_DB"
    url="$(pg_jdbc_url "$SERVER_DB")"
  fi
  SERVER_LAUNCHED_NS="$(date +%s%N)"
  launch_node "$SERVER_PORT" "$SERVER_DATA" "$url" "$@"
  SERVER_PID=$!
  await_ready "$SERVER_PORT" "$SERVER_PID" "$SERVER_DATA"
  SERVER_READY_NS="$(date +%s%N)"
}

# start_second_node [VAR=value ...]: another server on the first one's PostgreSQL database, as a
# second node behind a load balancer would be; base2 is its address.
start_second_node() {
  [ -n "$SERVER_DB" ] || die "a second node shares the first one's PostgreSQL database"
  SECOND_DATA="$(mktemp -d)"
  SECOND_PORT="$(free_port)"
  launch_node "$SECOND_PORT" "$SECOND_DATA" "$(pg_jdbc_url "$SERVER_DB")" "$@"
  SECOND_PID=$!
  await_ready "$SECOND_PORT" "$SECOND_PID" "$SECOND_DATA"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# launch_node PORT DATA_DIR JDBC_URL [extra VAR=value ...]: the server jar in the background.
launch_node() {
  local port="$1" data="$2" url="$3"; shift 3
  env OHMYOTP_PORT="$port" OHMYOTP_DATA_DIR="$data" ${url:+OHMYOTP_DB_URL="$url"} \
    OHMYOTP_ADMIN_TOKEN="$BENCH_ADMIN" OHMYOTP_GATEWAY_SECRET="$BENCH_SECRET" OHMYOTP_SEED_DEMO=false \
    OHMYOTP_SIMULATOR_DELAY=off OHMYOTP_LOG_LEVEL=WARN OHMYOTP_RATE_LIMIT_PER_SECOND=1000000 \
    OHMYOTP_RATE_LIMIT_BURST=1000000 OHMYOTP_WEBHOOK_RATE_PER_SECOND=1000000 "$@" \
    "$JAVA_HOME/bin/java" -Xmx256m $OHMYOTP_JVM_DEFAULTS ${BENCH_JAVA_OPTS:-} \
    $(class_archive_opts server/target/ohmyotp-server.jar -Xmx256m $OHMYOTP_JVM_DEFAULTS ${BENCH_JAVA_OPTS:-}) \
    -jar server/target/ohmyotp-server.jar >"$data/server.log" 2>&1 &
}

# await_ready PORT PID DATA_DIR: until /readyz answers, or the process has died.
await_ready() {
  # One process polls, every 5 ms: a curl started every 20 ms took 25 ms of CPU each on the
  # twelfth round's machine, half a core taken from the server whose start is measured.
  local status=0
  python3 - "$1" "$2" <<'PY' || status=$?
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(2)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            if s.recv(12)[9:12] == b"200":
                sys.exit(0)
    except OSError:
        pass  # not listening yet, or not answering yet: try again
    time.sleep(0.005)
sys.exit(1)
PY
  case "$status" in
    0) return 0 ;;
    2) cat "$3/server.log" >&2; die "the server did not start" ;;
    *) die "the server did not become ready" ;;
  esac
}

stop_server() {
  for pid in ${SECOND_PID:-} ${SERVER_PID:-}; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  SERVER_PID=""
  SECOND_PID=""
  for data in ${SERVER_DATA:-} ${SECOND_DATA:-}; do
    rm -rf "$data"
  done
  SERVER_DATA=""
  SECOND_DATA=""
  if [ -n "$SERVER_DB" ]; then
    pg_sql "DROP DATABASE IF EXISTS $SERVER_DB WITH (FORCE)" || true
    SERVER_DB=""
  fi
}
# Everything a benchmark changed, undone: its servers and databases, and the scheduler setting.
bench_cleanup() {
  stop_server
  if [ -n "$AUTOGROUP_BEFORE" ]; then
    echo "$AUTOGROUP_BEFORE" >"$AUTOGROUP_SETTING" || true
  fi
}
trap bench_cleanup EXIT

base() { echo "http://127.0.0.1:$SERVER_PORT"; }
base2() { echo "http://127.0.0.1:$SECOND_PORT"; }

# server_buckets METHOD ROUTE: the server's own histogram of one route's request durations, from
# its /metrics (counts by bucket bound, over every status), on one line for server_p99.
server_buckets() {
  curl -sf "$(base)/metrics" | python3 -c '
import re, sys
method, route = sys.argv[1], sys.argv[2]
counts = {}
for line in sys.stdin:
    if line.startswith("http_server_requests_seconds_bucket{"):
        labels, value = line.rsplit(" ", 1)
        label = dict(re.findall(r"(\w+)=\"([^\"]*)\"", labels))
        if label.get("method") == method and label.get("route") == route:
            counts[label["le"]] = counts.get(label["le"], 0) + float(value)
print(" ".join(f"{le}={n:.0f}" for le, n in counts.items()))
' "$1" "$2"
}

# server_p99 BEFORE AFTER: the 99th percentile, as the server timed them, of the requests between
# two server_buckets: the bound in ms of the bucket it falls in.
server_p99() {
  python3 -c '
import sys
def parse(line): return {le: float(n) for le, n in (pair.split("=") for pair in line.split())}
before, after = parse(sys.argv[1]), parse(sys.argv[2])
counts = sorted((float(le), n - before.get(le, 0)) for le, n in after.items())
total = counts[-1][1] if counts else 0
print(next((f"{le * 1000:.1f}" for le, n in counts if total and n >= 0.99 * total), "-"))
' "$1" "$2"
}

admin() { # admin METHOD PATH BODY
  curl -sf -X "$1" "$(base)$2" -H "Authorization: Bearer $BENCH_ADMIN" -H 'Content-Type: application/json' -d "$3"
}

# A customer with a balance, a service and numbers; prints the API key.
setup_customer() { # setup_customer SERVICE NUMBERS BALANCE
  admin POST /api/admin/services "{\"name\":\"$1\",\"category\":\"Bench\",\"price\":0.25,\"source\":\"gateway\"}" >/dev/null
  python3 - "$2" > "$SERVER_DATA/numbers.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"source": "gateway", "numbers": [{"phone_number": "212%03d%04d" % (200 + i // 10000, i % 10000)} for i in range(n)]}))
PY
  curl -sf -X POST "$(base)/api/admin/numbers" -H "Authorization: Bearer $BENCH_ADMIN" \
    -H 'Content-Type: application/json' --data-binary @"$SERVER_DATA/numbers.json" >/dev/null
  admin POST /api/admin/accounts "{\"email\":\"bench$$-$RANDOM@example.com\",\"balance\":$3}" | jq -r .api_key
}

# WRK_REALTIME=1 runs wrk at real-time priority where the kernel allows it. wrk shares the two
# cores with the server and PostgreSQL's backends; at ordinary priority a response can wait in
# wrk's socket for the scheduler to give wrk a turn, and that wait counts into the latency it
# reports. Scenarios judged by their p99 set it; those judged by a ratio of two loads do not.
wrk_cmd() {
  if [ "${WRK_REALTIME:-0}" = 1 ] && chrt -f 10 true 2>/dev/null; then
    echo "chrt -f 10 wrk"
  else
    echo "wrk"
  fi
}

# wrk_run URL SECONDS CONNECTIONS [wrk options...] [-- script args...]: prints "<requests/s> <p50 ms> <p99 ms> <non-2xx>".
wrk_run() {
  local url="$1" seconds="$2" connections="$3"; shift 3
  $(wrk_cmd) -t2 -c"$connections" -d"${seconds}s" --latency "$url" "$@" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=ms($2)}
    /^ +99%/ {p99=ms($2)}
    /Non-2xx/ {non2xx=$NF}
    END {printf "%.0f %.2f %.2f %s\n", rps, p50, p99, (non2xx == "" ? 0 : non2xx)}'
}
