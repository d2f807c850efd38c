#!/usr/bin/env bash
# Long-polls of /code (?wait=60&after=0). (1) From an SMS accepted by the webhook to the answer of
# the long-poll waiting for it: p50 and p99 over BENCH_COUNT (300) rentals, on H2, on PostgreSQL,
# and across two nodes on PostgreSQL (the SMS to one, the poll on the other, told by the change
# feed). Targets: p99 < 20 ms on one node, < 100 ms across two. (2) BENCH_HOLD (10,000) long-polls
# held at once by one node on H2 with -Xmx256m: the server's resident memory and its heap after a
# full collection while they wait, then every one answered by its SMS: none dropped.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT="${BENCH_COUNT:-300}"
HOLD="${BENCH_HOLD:-10000}"
bench_build
echo "longpoll: $(machine), $COUNT SMS each, $HOLD held at once"
for setup in h2 postgres "postgres, 2 nodes"; do
  start_server "${setup%%,*}"
  reader="$(base)"
  target=20
  if [ "$setup" != "${setup%2 nodes}" ]; then
    start_second_node
    reader="$(base2)"
    target=100
  fi
  key="$(setup_customer Uber $((COUNT + 100)) 100000)"
  read -r p50 p99 < <("$JAVA_HOME/bin/java" bench/LongPoll.java latency "$(base)" "$key" Uber "$BENCH_SECRET" "$COUNT" "$reader")
  printf 'sms      webhook -> waiting long-poll answered on %-17s  p50 %6.2f ms  p99 %6.2f ms (target < %d ms): %s\n' \
    "$setup" "$p50" "$p99" "$target" "$(awk -v p="$p99" -v t="$target" 'BEGIN {print (p < t) ? "met" : "MISSED"}')"
  stop_server
done

start_server h2
key="$(setup_customer Uber 200 100000)"
coproc HOLDER { "$JAVA_HOME/bin/java" -Xss256k bench/LongPoll.java hold "$(base)" "$key" Uber "$BENCH_SECRET" "$HOLD"; }
read -r _ held <&"${HOLDER[0]}"
rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")"
"$JAVA_HOME/bin/jcmd" "$SERVER_PID" GC.run >/dev/null
# The young and old generations' "used" (ParallelGC's lines "PSYoungGen total …, used 1234K").
heap_kb="$("$JAVA_HOME/bin/jcmd" "$SERVER_PID" GC.heap_info | awk '/Gen +total/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i+1); sub("K.*", "", v); sum += v}} END {print sum + 0}')"
echo go >&"${HOLDER[1]}"
read -r _ answered _ dropped _ reconnects <&"${HOLDER[0]}"
printf 'hold     %d long-polls waiting at once on h2 (-Xmx256m): RSS %d MB, heap after a full GC %d MB; then %d answered with their code, %d dropped (target 0), %d connections opened again in the burst: %s\n' \
  "$held" "$((rss_kb / 1024))" "$((heap_kb / 1024))" "$answered" "$dropped" "$reconnects" "$([ "$dropped" = 0 ] && echo met || echo MISSED)"
stop_server
