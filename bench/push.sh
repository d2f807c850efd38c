#!/usr/bin/env bash
# Codes pushed. (1) From an SMS posted to the webhook until the customer has it: read from an open
# account stream (GET /api/v1/events), and delivered to a webhook endpoint on this machine; p50
# and p99 over BENCH_COUNT (300) rentals, on H2, on PostgreSQL and across two nodes on PostgreSQL
# (the SMS to one node, the stream on the other). Targets: the stream p99 < 20 ms on one node and
# < 100 ms across two; the webhook p99 < 250 ms. (2) BENCH_ENDPOINTS (1,000) accounts with one
# endpoint each, one of which never answers, and SMS posted at BENCH_RATE (1,000) a second for
# BENCH_FANOUT_SECONDS (10) to their rentals in turn: how late each delivery to the others arrives
# after its SMS was accepted. Target: none more than 1 s late.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT="${BENCH_COUNT:-300}"
ENDPOINTS="${BENCH_ENDPOINTS:-1000}"
RATE="${BENCH_RATE:-1000}"
FANOUT_SECONDS="${BENCH_FANOUT_SECONDS:-10}"
ALLOW="OHMYOTP_WEBHOOK_ALLOW_HOSTS=127.0.0.1"
bench_build
echo "push: $(machine), $COUNT SMS each; fan-out $ENDPOINTS endpoints at $RATE SMS/s for $FANOUT_SECONDS s"
verdict() { awk -v p="$1" -v t="$2" 'BEGIN {print (p < t) ? "met" : "MISSED"}'; }
for setup in h2 postgres "postgres, 2 nodes"; do
  start_server "${setup%%,*}" "$ALLOW"
  reader="$(base)"
  target=20
  if [ "$setup" != "${setup%2 nodes}" ]; then
    start_second_node "$ALLOW"
    reader="$(base2)"
    target=100
  fi
  key="$(setup_customer Uber $((2 * COUNT + 100)) 100000)"
  read -r p50 p99 < <("$JAVA_HOME/bin/java" bench/Push.java sse "$(base)" "$key" Uber "$BENCH_SECRET" "$COUNT" "$reader")
  printf 'sse      webhook -> sms event read from a stream on %-17s  p50 %6.2f ms  p99 %6.2f ms (target < %d ms): %s\n' \
    "$setup" "$p50" "$p99" "$target" "$(verdict "$p99" "$target")"
  read -r p50 p99 < <("$JAVA_HOME/bin/java" bench/Push.java webhook "$(base)" "$key" Uber "$BENCH_SECRET" "$COUNT")
  printf 'webhook  webhook -> sms.received delivered, %-24s  p50 %6.2f ms  p99 %6.2f ms (target < 250 ms): %s\n' \
    "$setup" "$p50" "$p99" "$(verdict "$p99" 250)"
  stop_server
done

for db in ${BENCH_FANOUT_DATABASES:-postgres h2}; do
  # The ceiling: the same accounts, rentals and SMS posted the same way, with no endpoints.
  start_server "$db" "$ALLOW"
  setup_customer Uber $((ENDPOINTS + 50)) 10 >/dev/null
  read -r ceiling _ < <("$JAVA_HOME/bin/java" bench/Push.java fanout "$(base)" "$BENCH_ADMIN" Uber "$BENCH_SECRET" "$ENDPOINTS" "$RATE" "$FANOUT_SECONDS" no-endpoints)
  stop_server
  start_server "$db" "$ALLOW"
  setup_customer Uber $((ENDPOINTS + 50)) 10 >/dev/null
  read -r achieved accepted refused delivered p50 p99 latest over < <("$JAVA_HOME/bin/java" bench/Push.java fanout "$(base)" "$BENCH_ADMIN" Uber "$BENCH_SECRET" "$ENDPOINTS" "$RATE" "$FANOUT_SECONDS")
  printf 'fanout   %s: %.0f SMS/s posted (%d accepted, %d refused; with no endpoints %.0f SMS/s) to %d endpoints, one hanging; %d delivered to the others: late by p50 %.1f ms, p99 %.1f ms, at most %.1f ms; %d more than 1 s late or not delivered (target 0): %s\n' \
    "$db" "$achieved" "$accepted" "$refused" "$ceiling" "$ENDPOINTS" "$delivered" "$p50" "$p99" "$latest" "$over" "$([ "$over" = 0 ] && echo met || echo MISSED)"
  stop_server
done
