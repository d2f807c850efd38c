#!/usr/bin/env bash
# SMS to client: webhook accepted -> GET /rentals/:id/code returns the code, p50 and p99 over
# BENCH_COUNT (500) rentals, on H2 and PostgreSQL, next to two bare round trips to /healthz.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT="${BENCH_COUNT:-500}"
bench_build
echo "sms-latency: $(machine), $COUNT SMS each"
for db in h2 postgres; do
  start_server "$db"
  key="$(setup_customer Uber $((COUNT + 100)) 100000)"
  read -r p50 p99 f50 f99 < <("$JAVA_HOME/bin/java" bench/SmsLatency.java "$(base)" "$key" Uber "$BENCH_SECRET" "$COUNT")
  printf 'sms      webhook -> /code on %-9s  p50 %6.2f ms  p99 %6.2f ms   (two /healthz round trips: p50 %.2f ms, p99 %.2f ms)\n' \
    "$db" "$p50" "$p99" "$f50" "$f99"
  stop_server
done
