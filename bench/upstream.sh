#!/usr/bin/env bash
# Renting through an upstream provider, and polling many provider rentals.
# 1. POST /rentals of a service sold through a provider (bench/FakeUpstream.java) that takes
#    BENCH_PROVIDER_MS (50) to sell a number: the p99 a customer sees against the provider's own
#    p99 over the same requests. Target: at most 10 ms added at p99. The ceilings: a rent of a
#    number of our own, as fast as it goes and paced like the provider's (the same request rate,
#    without the provider): what one rent's own transaction costs at p99 on this machine.
# 2. BENCH_RENTALS (10,000) provider rentals held at once, left to the poller for BENCH_SECONDS
#    (30): provider requests per rental per 2 s (target at most 1) and the server's CPU per 1,000
#    rentals, with the provider offering getActiveActivations (BENCH_MODE=list) or not (status).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PROVIDER_MS="${BENCH_PROVIDER_MS:-50}"
RENTALS="${BENCH_RENTALS:-10000}"
SECONDS_EACH="${BENCH_SECONDS:-30}"
MODE="${BENCH_MODE:-list}"
need_wrk
bench_build
FAKE_PORT="$(free_port)"
"$JAVA_HOME/bin/java" -Xmx256m bench/FakeUpstream.java "$FAKE_PORT" "$PROVIDER_MS" "$MODE" >/dev/null 2>&1 &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$FAKE_PORT/stats" >/dev/null && break; sleep 0.1; done
start_server "${1:-h2}"
fake_stats() { curl -sf "http://127.0.0.1:$FAKE_PORT/stats${1:-}"; }
echo "upstream: $(machine), ${1:-h2}, provider answers getNumber in $PROVIDER_MS ms, mode $MODE"

# The ceiling: the same rent of a number of our own (a gateway service), in the same run.
local_key="$(setup_customer Local 10000 100000)"
admin POST /api/admin/services '{"name":"Resold","category":"Bench","price":1,"source":"upstream"}' >/dev/null
admin POST /api/admin/providers "{\"name\":\"fake\",\"url\":\"http://127.0.0.1:$FAKE_PORT/stubs/handler_api.php\",\"api_key\":\"bench-provider-key\",\"services\":{\"Resold\":\"ub\"}}" >/dev/null
keys=""
for _ in $(seq 1 8); do
  keys="$keys $(admin POST /api/admin/accounts "{\"email\":\"bench$$-$RANDOM@example.com\",\"balance\":100000}" | jq -r .api_key)"
done
# shellcheck disable=SC2086 # one argument per key
wrk_run "$(base)" 10 8 -s bench/rent.lua -- Resold $keys >/dev/null
wrk_run "$(base)" 3 8 -s bench/rent.lua -- Local "$local_key" >/dev/null
read -r q_rps q_p50 q_p99 q_bad < <(BENCH_PACE_MS="$PROVIDER_MS" wrk_run "$(base)" 10 8 -s bench/rent.lua -- Local "$local_key")
read -r l_rps l_p50 l_p99 l_bad < <(wrk_run "$(base)" 5 8 -s bench/rent.lua -- Local "$local_key")
fake_stats "?reset=1" >/dev/null
# shellcheck disable=SC2086
read -r rps p50 p99 bad < <(wrk_run "$(base)" 20 8 -s bench/rent.lua -- Resold $keys)
read -r sold _ _ _ _ own50 own99 < <(fake_stats)
printf 'provider getNumber, its own time       %6d sold    p50 %6.2f ms  p99 %6.2f ms\n' "$sold" "$own50" "$own99"
printf 'POST /rentals through it       %7d req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s\n' "$rps" "$p50" "$p99" "$bad"
printf 'ceiling: POST /rentals, own number %6d req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s\n' "$l_rps" "$l_p50" "$l_p99" "$l_bad"
printf 'ceiling: the same, paced at %s ms %6d req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s\n' "$PROVIDER_MS" "$q_rps" "$q_p50" "$q_p99" "$q_bad"
awk -v ours="$p99" -v theirs="$own99" -v own="$q_p99" 'BEGIN { d = ours - theirs;
  printf "added    %.2f ms at p99 over the provider'"'"'s own (target <= 10 ms): %s; a rent of our own at the same rate takes %.2f ms at p99%s\n",
    d, (d <= 10) ? "met" : "MISSED", own, (own > 10) ? ", itself above the target on this machine" : "" }'

# Up to BENCH_RENTALS held at once, then nothing but the poller for BENCH_SECONDS.
read -r _ _ _ _ held _ _ < <(fake_stats)
while [ "$held" -lt "$RENTALS" ]; do
  # shellcheck disable=SC2086
  wrk_run "$(base)" 5 64 -s bench/rent.lua -- Resold $keys >/dev/null
  read -r _ _ _ _ held _ _ < <(fake_stats)
done
sleep 5
fake_stats "?reset=1" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
t0="$(ticks)"
sleep "$SECONDS_EACH"
t1="$(ticks)"
read -r _ statuses listings other held _ _ < <(fake_stats)
hz="$(getconf CLK_TCK)"
awk -v s="$statuses" -v l="$listings" -v o="$other" -v n="$held" -v secs="$SECONDS_EACH" -v cpu="$(( t1 - t0 ))" -v hz="$hz" 'BEGIN {
  req = s + l + o; per = req / n / (secs / 2); cpu_ms = cpu * 1000 / hz / secs;
  printf "poller   %d rentals held, %d s: %d getStatus, %d getActiveActivations, %d other; %.3f provider requests per rental per 2 s (target <= 1): %s\n", n, secs, s, l, o, per, (per <= 1) ? "met" : "MISSED";
  printf "cpu      the server used %.1f ms of CPU a second while polling: %.2f ms a second per 1,000 rentals\n", cpu_ms, cpu_ms / (n / 1000) }'
