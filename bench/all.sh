#!/usr/bin/env bash
# Every benchmark, one after the other, each printing its own ratios and the seconds it took.
#
#   bench/all.sh          shorter runs (5-6 s measurements, shorter warm-ups, fewer starts) of
#                         every scenario with a target: about eleven minutes on 2 cores, for a
#                         check that every target still holds
#   bench/all.sh --full   each script at its own defaults, as BENCHMARKS.md's figures were
#                         taken, the choice of garbage collector (gc.sh) and 200 kills of the
#                         crash test (crash.sh, about an hour alone): about an hour and a half
#
# Most of either is the scale scenario (its million-row generator) and the JIT warm-ups that
# steady-state figures need on two cores. Results go into BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
full=""
case "${1:-}" in
  --full) full=1 ;;
  "") ;;
  *) echo "usage: bench/all.sh [--full]" >&2; exit 2 ;;
esac

# step "VAR=value ..." SCRIPT [ARG]: runs the script, with the shorter settings unless --full.
step() {
  local settings="$1" started=$SECONDS
  shift
  if [ -n "$full" ] || [ -z "$settings" ]; then "$@"; else env $settings "$@"; fi
  echo "(${*#./}: $((SECONDS - started)) s)"
  echo
}
total=$SECONDS
step "" ./extraction.sh
step "BENCH_STARTS=5" ./footprint.sh
# The collector was chosen once (BENCHMARKS.md); it is not a target to check on every run.
if [ -n "$full" ]; then step "" ./gc.sh; fi
step "BENCH_SECONDS=6 BENCH_WARM_UP=15" ./poll.sh h2
step "BENCH_SECONDS=6 BENCH_WARM_UP=15" ./poll.sh postgres
step "BENCH_SECONDS=6 BENCH_WARM_UP=15 BENCH_POLL=protocol" ./poll.sh h2
step "BENCH_SECONDS=6 BENCH_WARM_UP=15 BENCH_POLL=protocol" ./poll.sh postgres
step "BENCH_COUNT=200" ./sms-latency.sh
step "BENCH_COUNT=100 BENCH_HOLD=5000" ./longpoll.sh
step "BENCH_COUNT=100 BENCH_FANOUT_SECONDS=5 BENCH_FANOUT_DATABASES=postgres" ./push.sh
step "" ./upstream.sh postgres
step "BENCH_SECONDS=9 BENCH_WARM_UP=15" ./gateways.sh
step "BENCH_SECONDS=9" ./rent-cancel.sh
step "BENCH_RENTALS=30000" ./disk.sh
step "BENCH_SECONDS=5" ./fsync.sh
step "BENCH_SECONDS=5 BENCH_WARM_UP=10 BENCH_REWARM=3" ./scale.sh
# Two hundred kills take about an hour; the suite runs twenty on every test run.
if [ -n "$full" ]; then step "" ./crash.sh; fi
echo "all: $(( (SECONDS - total) / 60 )) min $(( (SECONDS - total) % 60 )) s"
