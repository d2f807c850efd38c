#!/usr/bin/env bash
# Footprint: time from process start to /readyz on H2 (target < 2 s), next to the floor of any
# Java service (java -version on the same JDK, measured in the same run), and the server's RSS
# with -Xmx256m at idle and under the poll load.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_wrk
bench_build
echo "footprint: $(machine)"
ms() { date +%s%N | awk '{printf "%d", $1/1000000}'; }
floor=0; startup=0; runs="${BENCH_STARTS:-10}"; each=""
for i in $(seq 1 $runs); do
  t0=$(ms); "$JAVA_HOME/bin/java" -version >/dev/null 2>&1; t1=$(ms); floor=$((floor + t1 - t0))
  start_server h2
  took=$(((SERVER_READY_NS - SERVER_LAUNCHED_NS) / 1000000)); startup=$((startup + took)); each="$each $took"
  [ "$i" -lt "$runs" ] && stop_server
done
printf 'start    process start to /readyz on H2: %d ms (mean of %d; target < 2000 ms); java -version alone: %d ms\n' \
  $((startup / runs)) "$runs" $((floor / runs))
echo "start    each start, ms:$each"
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER_PID/status"; }
sleep 2
echo "rss      idle after start: $(rss)"
key="$(setup_customer Uber 10 100)"
id="$(curl -sf -X POST "$(base)/api/v1/rentals" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{"service_id":"Uber"}' | jq -r .id)"
wrk_run "$(base)/api/v1/rentals/$id/code" 20 64 -H "Authorization: Bearer $key" >/dev/null &
load=$!
sleep 15
echo "rss      under the poll load (64 connections): $(rss)"
wait "$load"
