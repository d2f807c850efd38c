#!/usr/bin/env bash
# SMS to client: webhook accepted -> GET /rentals/:id/code returns the code, p50 and p99 over
# BENCH_COUNT (500) rentals, on H2 and PostgreSQL, and on two nodes sharing PostgreSQL (the SMS
# accepted by one, the code polled from the other), next to two bare round trips to /healthz.
# Every rental is polled once before its SMS arrives, as a waiting customer's would be.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT="${BENCH_COUNT:-500}"
bench_build
echo "sms-latency: $(machine), $COUNT SMS each"
for setup in h2 postgres "postgres, 2 nodes"; do
  start_server "${setup%%,*}"
  reader="$(base)"
  if [ "$setup" != "${setup%2 nodes}" ]; then
    start_second_node
    reader="$(base2)"
  fi
  key="$(setup_customer Uber $((COUNT + 100)) 100000)"
  read -r p50 p99 f50 f99 < <("$JAVA_HOME/bin/java" bench/SmsLatency.java "$(base)" "$key" Uber "$BENCH_SECRET" "$COUNT" "$reader")
  printf 'sms      webhook -> /code on %-17s  p50 %6.2f ms  p99 %6.2f ms   (two /healthz round trips: p50 %.2f ms, p99 %.2f ms)\n' \
    "$setup" "$p50" "$p99" "$f50" "$f99"
  stop_server
done
