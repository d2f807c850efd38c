#!/usr/bin/env bash
# Choice of garbage collector: the same server (H2, -Xmx256m) under the poll-path ceiling load
# (GET /healthz, wrk -c64) with each collector in turn, in one run. Decides OHMYOTP_JVM_DEFAULTS.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_EACH="${BENCH_SECONDS:-10}"
need_wrk
bench_build
echo "gc: $(machine), GET /healthz at 64 connections, ${SECONDS_EACH} s each after 5 s of warm-up"
for gc in -XX:+UseG1GC -XX:+UseParallelGC -XX:+UseSerialGC -XX:+UseZGC; do
  OHMYOTP_JVM_DEFAULTS="$gc" start_server h2
  wrk_run "$(base)/healthz" 5 64 >/dev/null
  read -r rps p50 p99 bad < <(wrk_run "$(base)/healthz" "$SECONDS_EACH" 64)
  printf '%-22s %7d req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s\n' "$gc" "$rps" "$p50" "$p99" "$bad"
  stop_server
done
