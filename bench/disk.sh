#!/usr/bin/env bash
# Disk: the embedded H2 file of one server running BENCH_RENTALS (100,000) rent + cancel cycles
# without a restart, sampled every BENCH_SAMPLE seconds (10): the file's bytes per rental while
# it runs. Then the server is killed (SIGKILL) and started again on the file, which it reads whole
# to recover and rewrites compacted (timed), stopped, and the file compacted offline (H2's
# SHUTDOWN COMPACT), which writes its live data and nothing else: the bytes per rental the data
# needs. Target: the file while running holds at most about three times what its data needs.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RENTALS="${BENCH_RENTALS:-100000}"
SAMPLE="${BENCH_SAMPLE:-10}"
THREADS=16
bench_build
need_wrk
echo "disk: $(machine), $RENTALS rent + cancel cycles, $THREADS clients"
start_server h2
# Fifty services over 10,000 numbers: 500,000 fresh (number, service) pairs.
keys="$(setup_customer Cycle0 10000 100000000)"
for c in $(seq 2 "$THREADS"); do
  keys="$keys $(admin POST /api/admin/accounts "{\"email\":\"disk$c-$$@example.com\",\"balance\":100000000}" | jq -r .api_key)"
done
for s in $(seq 1 49); do
  admin POST /api/admin/services "{\"name\":\"Cycle$s\",\"category\":\"Bench\",\"price\":0.25,\"source\":\"gateway\"}" >/dev/null
done
file="$SERVER_DATA/ohmyotp.mv.db"
rentals() { admin GET /api/admin/stats "" | jq -r .rentals_total; }
size() { stat -c %s "$file"; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1e6}'; }
per() { awk -v b="$1" -v n="$2" 'BEGIN {printf "%.2f KB", (n > 0 ? b / n / 1000 : 0)}'; }
peak=0
peak_at=0
started=$SECONDS
while :; do
  # shellcheck disable=SC2086 # one argument per key
  wrk -t"$THREADS" -c"$THREADS" -d"${SAMPLE}s" -s bench/rent-cancel.lua "$(base)" -- Cycle 50 $keys >/dev/null
  n="$(rentals)"
  b="$(size)"
  if [ "$b" -gt "$peak" ]; then peak="$b"; peak_at="$n"; fi
  printf 'disk     %7d rentals after %4d s: file %10s, %s a rental\n' "$n" $((SECONDS - started)) "$(mb "$b")" "$(per "$b" "$n")"
  [ "$n" -ge "$RENTALS" ] && break
done
live="$(size)"
# Killed, and started again on the same folder: the start reads the whole file to recover it.
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
started_ns="$(date +%s%N)"
launch_node "$SERVER_PORT" "$SERVER_DATA" ""
SERVER_PID=$!
await_ready "$SERVER_PORT" "$SERVER_PID" "$SERVER_DATA"
ready_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
recovered="$(grep -o 'recovered at version [0-9]* and compacted to [0-9]* MB in [0-9]* ms' "$SERVER_DATA/server.log" | tail -1 || true)"
after_kill="$(rentals)"
# Stopped as an operator stops it, then compacted offline; the folder is kept until then.
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
stopped="$(size)"
"$JAVA_HOME/bin/java" -cp server/target/ohmyotp-server.jar org.h2.tools.Shell \
  -url "jdbc:h2:file:$SERVER_DATA/ohmyotp" -sql "SHUTDOWN COMPACT" >/dev/null
compacted="$(size)"
printf 'disk     running: %s, %s a rental (largest: %s at %d rentals); after a stop: %s\n' \
  "$(mb "$live")" "$(per "$live" "$n")" "$(mb "$peak")" "$peak_at" "$(mb "$stopped")"
printf 'disk     after SIGKILL: ready in %d ms, %s (%s; %d rentals before the kill, %d after)\n' \
  "$ready_ms" "${recovered:-no recovery logged}" "$(mb "$live")" "$n" "$after_kill"
printf 'disk     compacted: %s, %s a rental; running / compacted: %.1fx, largest / compacted: %.1fx (target: about 3x)\n' \
  "$(mb "$compacted")" "$(per "$compacted" "$n")" \
  "$(awk -v a="$live" -v b="$compacted" 'BEGIN {print a / b}')" \
  "$(awk -v a="$peak" -v b="$compacted" 'BEGIN {print a / b}')"
