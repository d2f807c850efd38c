#!/usr/bin/env bash
# Crash safety, the long form of CrashSafetyTest: one server on one embedded H2 file, killed with
# SIGKILL BENCH_KILLS (200) times at random moments under mixed traffic (rent, cancel, re-rent,
# SMS, expiry, deposits) and started again on the same file. After every kill the data as the
# kill left it must hold invariants.sql and every rental and deposit answered 201; after every
# restart the server must answer for the rentals of the round before. The suite runs 20 kills.
#
#   BENCH_KILLS=200          how many kills
#   BENCH_ROUND_REQUESTS=2000 the most requests answered in a round before its kill (the moment
#                            is random, from 50 up to this); more grows the file faster
#   BENCH_KEEP_GOING=1       after a finding, go on to the end and count them all
#   BENCH_KEEP_FILE=PATH     keep a copy of the file as the kill that first broke it left it
#
# Prints one line per kill and a summary: kills, rentals answered, the file's size, findings.
# Takes about 25 minutes on 2 cores. The whole output is kept in target/crash.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
mkdir -p target
log=target/crash.log
echo "crash: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
status=0
"${MVN[@]}" test -pl server -am -Dtest=CrashSafetyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dohmyotp.crash.kills="${BENCH_KILLS:-200}" \
  -Dohmyotp.crash.roundRequests="${BENCH_ROUND_REQUESTS:-2000}" \
  -Dohmyotp.crash.keepGoing="$([ "${BENCH_KEEP_GOING:-0}" = 1 ] && echo true || echo false)" \
  ${BENCH_KEEP_FILE:+-Dohmyotp.crash.keepFile="$BENCH_KEEP_FILE"} 2>&1 \
  | tee "$log" | { grep --line-buffered '^crash safety' || true; } || status=$?
if [ "$status" -ne 0 ]; then
  grep -E 'AssertionError|Tests run:.*Fail|ERROR\]' "$log" | head -20 >&2 || true
  echo "crash: FAILED (the whole output is in $log)" >&2
fi
exit "$status"
