#!/usr/bin/env bash
# Power loss: how often the embedded H2 server forces its file to the disk. strace counts the
# server's fsync and fdatasync calls while rent + cancel cycles run for BENCH_SECONDS (10), with
# one client (every commit alone) and with 16 (commits grouped); each cycle is two commits.
# Prints forced writes per commit: one or less means no answered commit waits in memory alone.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_EACH="${BENCH_SECONDS:-10}"
bench_build
need_wrk
if ! command -v strace >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null; }
  fi
  command -v strace >/dev/null 2>&1 || die "this benchmark needs strace: sudo apt-get install strace"
fi
echo "fsync: $(machine)"
start_server h2
keys="$(setup_customer Cycle0 10000 100000000)"
for c in $(seq 2 16); do
  keys="$keys $(admin POST /api/admin/accounts "{\"email\":\"fsync$c-$$@example.com\",\"balance\":100000000}" | jq -r .api_key)"
done
for s in $(seq 1 49); do
  admin POST /api/admin/services "{\"name\":\"Cycle$s\",\"category\":\"Bench\",\"price\":0.25,\"source\":\"gateway\"}" >/dev/null
done
for clients in 1 16; do
  out="$(mktemp)"
  strace -f -c -e trace=fsync,fdatasync -p "$SERVER_PID" -o "$out" 2>/dev/null &
  tracer=$!
  sleep 1
  # shellcheck disable=SC2086 # one argument per key
  read -r cps _ < <(wrk -t"$clients" -c"$clients" -d"${SECONDS_EACH}s" -s bench/rent-cancel.lua "$(base)" -- Cycle 50 $keys | tail -1)
  kill -INT "$tracer"
  wait "$tracer" 2>/dev/null || true
  forced="$(awk '$NF == "fsync" || $NF == "fdatasync" {n += $4} END {print n + 0}' "$out")"
  rm -f "$out"
  awk -v c="$clients" -v cps="$cps" -v s="$SECONDS_EACH" -v f="$forced" 'BEGIN {
    commits = 2 * cps * s
    printf "fsync    %2d clients: %.1f cycles/s, %d commits, %d fsync/fdatasync calls: %.2f per commit\n", c, cps, commits, f, f / commits }'
done
