#!/usr/bin/env bash
# Soak: SOAK_MINUTES (10) of mixed traffic at SOAK_RATE (50) requests/s against one server on
# PostgreSQL, started with -Xmx256m. Every minute: heap used right after a full GC and the RSS of
# the server. At the end: the 5xx count, ERROR lines in the server's log and the money
# invariants (server/src/test/resources/invariants.sql) checked on the database.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MINUTES="${SOAK_MINUTES:-10}"
RATE="${SOAK_RATE:-50}"
bench_build
start_server postgres
echo "soak: $(machine), PostgreSQL $(psql -XAtqc 'SHOW server_version' -d postgres)"
heap_after_gc() {
  "$JAVA_HOME/bin/jcmd" "$SERVER_PID" GC.run >/dev/null
  # The whole heap's "used": G1 prints it on one line, the generational collectors per generation.
  "$JAVA_HOME/bin/jcmd" "$SERVER_PID" GC.heap_info | awk '
    /garbage-first heap|PSYoungGen|ParOldGen|def new generation|tenured generation/ {
      for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K.*/, "", v); sum += v } }
    END { printf "%dK\n", sum }'
}
rss() { awk '/VmRSS/ {print $2 " " $3}' "/proc/$SERVER_PID/status"; }
(
  for m in $(seq 1 "$MINUTES"); do
    sleep 60
    echo "memory   minute $m: heap after full GC $(heap_after_gc), RSS $(rss)"
  done
) &
sampler=$!
status=0
"$JAVA_HOME/bin/java" bench/Soak.java "$(base)" "$BENCH_ADMIN" "$BENCH_SECRET" "$MINUTES" "$RATE" || status=$?
wait "$sampler" 2>/dev/null || true

violations=0
while IFS= read -r -d ';' sql; do
  [ -z "$(printf '%s' "$sql" | tr -d '[:space:]')" ] && continue
  rows="$(psql -XAtq -v ON_ERROR_STOP=1 -d "$SERVER_DB" -c "$sql" | wc -l)"
  violations=$((violations + rows))
done < <(sed '/^--/d' server/src/test/resources/invariants.sql)
rentals="$(psql -XAtq -d "$SERVER_DB" -c 'SELECT COUNT(*) FROM rentals')"
echo "invariants: $violations violating rows over $rentals rentals"
errors="$(grep -c 'level=ERROR' "$SERVER_DATA/server.log" || true)"
echo "server log: $errors ERROR lines"
[ "$status" -eq 0 ] && [ "$violations" -eq 0 ] && [ "$errors" -eq 0 ]
