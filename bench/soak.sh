#!/usr/bin/env bash
# Soak: SOAK_MINUTES (10) of mixed traffic at SOAK_RATE (50) requests/s against one server on
# PostgreSQL, started with -Xmx256m. Every minute: heap used right after a full GC and the RSS of
# the server. At the end: the 5xx count and the money invariants (server/src/test/resources/
# invariants.sql) checked on the database. Creates its database and drops it afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"

MINUTES="${SOAK_MINUTES:-10}"
RATE="${SOAK_RATE:-50}"
PORT="${SOAK_PORT:-8181}"
ADMIN="soak-admin-$(date +%s)-$$-token"
SECRET="soak-gateway-secret-$$"

"${MVN[@]}" -q -DskipTests package -pl server -am >/dev/null 2>&1
pg_ensure_running || die "the soak needs PostgreSQL at $PGHOST:$PGPORT"
db="ohmyotp_soak_$(date +%s)_$$"
pg_sql "CREATE DATABASE $db"
data="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$data"
  pg_cleanup "$db"
}
trap cleanup EXIT

OHMYOTP_PORT="$PORT" OHMYOTP_DATA_DIR="$data" OHMYOTP_DB_URL="$(pg_jdbc_url "$db")" \
  OHMYOTP_ADMIN_TOKEN="$ADMIN" OHMYOTP_GATEWAY_SECRET="$SECRET" OHMYOTP_SEED_DEMO=false \
  OHMYOTP_SIMULATOR_DELAY=off OHMYOTP_LOG_LEVEL=WARN OHMYOTP_RATE_LIMIT_PER_SECOND=100000 \
  OHMYOTP_RATE_LIMIT_BURST=100000 \
  "$JAVA_HOME/bin/java" -Xmx256m -jar server/target/ohmyotp-server.jar >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

echo "soak: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1), PostgreSQL $(psql -XAtqc 'SHOW server_version' -d postgres)"
heap_after_gc() {
  "$JAVA_HOME/bin/jcmd" "$server_pid" GC.run >/dev/null
  "$JAVA_HOME/bin/jcmd" "$server_pid" GC.heap_info | awk '/garbage-first heap|def new generation|PSYoungGen|total/ {for (i=1;i<=NF;i++) if ($i=="used") {print $(i+1); exit}}'
}
rss() { awk '/VmRSS/ {print $2 " " $3}' "/proc/$server_pid/status"; }
(
  for m in $(seq 1 "$MINUTES"); do
    sleep 60
    echo "memory   minute $m: heap after full GC $(heap_after_gc), RSS $(rss)"
  done
) &
sampler=$!
status=0
"$JAVA_HOME/bin/java" bench/Soak.java "http://127.0.0.1:$PORT" "$ADMIN" "$SECRET" "$MINUTES" "$RATE" || status=$?
wait "$sampler" 2>/dev/null || true

violations=0
while IFS= read -r -d ';' sql; do
  [ -z "$(printf '%s' "$sql" | tr -d '[:space:]')" ] && continue
  rows="$(psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$sql" | wc -l)"
  violations=$((violations + rows))
done < <(sed '/^--/d' server/src/test/resources/invariants.sql)
rentals="$(psql -XAtq -d "$db" -c 'SELECT COUNT(*) FROM rentals')"
echo "invariants: $violations violating rows over $rentals rentals"
errors="$(grep -c 'level=ERROR' "$data/server.log" || true)"
echo "server log: $errors ERROR lines"
[ "$status" -eq 0 ] && [ "$violations" -eq 0 ] && [ "$errors" -eq 0 ]
