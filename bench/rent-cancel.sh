#!/usr/bin/env bash
# Rent + cancel cycle (charge, allocate, refund) through the HTTP API, on H2 and on PostgreSQL,
# against pgbench running the same cycle as hand-written SQL (bench/rent-cancel.sql) on the same
# PostgreSQL in the same run. Target: >= 50% of pgbench's cycles per second on PostgreSQL, >= 25%
# on H2 (which forces every group of commits to the disk, BENCHMARKS.md). BENCH_DATABASES=h2 runs
# one of the two.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_EACH="${BENCH_SECONDS:-15}"
THREADS="${BENCH_THREADS:-16}"
# The server's JIT compilers work through about 40-55 s of CPU time under this load before they
# are done, most of it in the first 40-50 s (jstat -compiler, every 10 s); on two cores that
# is a core taken from the server it warms up. pgbench, compiled C, needs no warm-up.
WARM_UP="${BENCH_WARM_UP:-60}"
# Every rental takes a number never rented for its service before, and the 50 services share the
# numbers: 2,000 ran out on a machine cycling 1,300 times a second for 75 s (the rents answered
# 409), and fewer left make each claim walk further. 10,000 leave two thirds unused there.
NUMBERS="${BENCH_NUMBERS:-10000}"
# pgbench and the server take turns (BENCH_ROUNDS rounds of BENCH_SECONDS / BENCH_ROUNDS seconds
# each, after the server's warm-up): measured minutes apart, the machine's drift went into the
# ratio (pgbench 1,859 and 2,183 cycles/s in two runs of the same script on one machine).
ROUNDS="${BENCH_ROUNDS:-3}"
each=$(( (SECONDS_EACH + ROUNDS - 1) / ROUNDS ))
bench_build
need_wrk
pg_ensure_running || die "this benchmark needs PostgreSQL"
echo "rent-cancel: $(machine), $THREADS clients, $ROUNDS rounds of ${each} s each, taking turns with pgbench"

# pgbench runs on a database of its own.
pgdb="ohmyotp_pgbench_$$"
pg_sql "CREATE DATABASE $pgdb"
trap '[ -n "$pgdb" ] && pg_sql "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"; bench_cleanup' EXIT
psql -XAtq -d "$pgdb" <<'SQL' >/dev/null
CREATE TABLE b_accounts (id BIGINT PRIMARY KEY, balance NUMERIC(19,4) NOT NULL CHECK (balance >= 0));
CREATE TABLE b_numbers (id BIGINT PRIMARY KEY, held_by BIGINT);
CREATE INDEX b_numbers_free ON b_numbers (id) WHERE held_by IS NULL;
CREATE TABLE b_rentals (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, number_id BIGINT NOT NULL,
  status VARCHAR(12) NOT NULL, cost NUMERIC(19,4) NOT NULL);
CREATE TABLE b_transactions (id BIGSERIAL PRIMARY KEY, account_id BIGINT NOT NULL, type VARCHAR(20) NOT NULL,
  amount NUMERIC(19,4) NOT NULL, rental_id BIGINT);
INSERT INTO b_accounts SELECT g, 1000000 FROM generate_series(1, 100) g;
INSERT INTO b_numbers SELECT g, NULL FROM generate_series(1, 1000) g;
SQL
# pgbench_round SECONDS: pgbench's cycles per second over that long.
pgbench_round() {
  local out
  out="$(mktemp)"
  pgbench -n -c "$THREADS" -j 2 -T "$1" -f bench/rent-cancel.sql "$pgdb" >"$out" 2>&1 \
    || { cat "$out" >&2; rm -f "$out"; die "pgbench failed"; }
  awk '/^tps = / {printf "%.1f\n", $3}' "$out"
  rm -f "$out"
}

for db in ${BENCH_DATABASES:-postgres h2}; do
  start_server "$db"
  # One account per client, as pgbench's clients spread over accounts too. wrk runs one thread
  # per client, each with one connection and one account (bench/rent-cancel.lua).
  keys="$(setup_customer Cycle0 "$NUMBERS" 1000000)"
  for c in $(seq 2 "$THREADS"); do
    keys="$keys $(admin POST /api/admin/accounts "{\"email\":\"cycle$c-$$@example.com\",\"balance\":1000000}" | jq -r .api_key)"
  done
  for s in $(seq 1 49); do
    admin POST /api/admin/services "{\"name\":\"Cycle$s\",\"category\":\"Bench\",\"price\":0.25,\"source\":\"gateway\"}" >/dev/null
  done
  # shellcheck disable=SC2086 # one argument per key
  wrk -t"$THREADS" -c"$THREADS" -d"${WARM_UP}s" -s bench/rent-cancel.lua "$(base)" -- Cycle 50 $keys >/dev/null
  all=""
  for round in $(seq 1 "$ROUNDS"); do
    pg="$(pgbench_round "$each")"
    # shellcheck disable=SC2086
    read -r cps p50 p99 failed what < <(wrk -t"$THREADS" -c"$THREADS" -d"${each}s" -s bench/rent-cancel.lua \
      "$(base)" -- Cycle 50 $keys | tail -1)
    printf 'round %d  pgbench %8.1f cycles/s, ohmyotp on %-8s %8.1f cycles/s: %.0f%%\n' "$round" "$pg" "$db" "$cps" \
      "$(awk -v c="$cps" -v pg="$pg" 'BEGIN {print 100*c/pg}')"
    all="$all $pg $cps $p50 $p99 $failed ${what:--}"
  done
  # Over the rounds: mean cycles/s and p50, the highest p99, every failure.
  echo "$all" | awk -v db="$db" -v target="$([ "$db" = h2 ] && echo 25 || echo 50)" '{
    for (i = 1; i <= NF; i += 6) { pg += $i; c += $(i+1); p50 += $(i+2); if ($(i+3) > p99) p99 = $(i+3); f += $(i+4)
      if ($(i+5) != "-") what = what (what == "" ? "" : ",") $(i+5) }
    n = NF / 6; pg /= n; c /= n
    printf "pgbench  hand-written SQL cycle on PostgreSQL        %8.1f cycles/s\n", pg
    printf "ohmyotp  HTTP rent + cancel on %-10s           %8.1f cycles/s  request p50 %.1f ms  p99 %.1f ms  failed %d%s  = %.0f%% of pgbench (target >= %d%%)\n",
      db, c, p50 / n, p99, f, (what == "" ? "" : " (" what ")"), 100 * c / pg, target }'
  stop_server
done
