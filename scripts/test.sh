#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit tests, then the HTTP integration tests against real
# servers twice, on the embedded database and on PostgreSQL (with the tests only PostgreSQL can
# run: several nodes on one database, the database stopped under traffic). The website tests
# drive a real headless Chromium.
#
# PostgreSQL: the local server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 as postgres) is
# started when it is down, a fresh database is created for the run and dropped afterwards.
# OHMYOTP_TEST_POSTGRES=off runs the embedded pass only. Extra arguments go to Maven.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
# shellcheck source=scripts/postgres.sh
. "$ROOT/scripts/postgres.sh"

# Commands the tests drive, and the Debian package of each: curl and jq run the reference's
# scripts; Chromium and its driver run the website tests.
missing=()
for pair in curl:curl jq:jq chromium:chromium chromedriver:chromium-driver; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ohmyotp: installing ${missing[*]} for the tests" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "the tests need: ${missing[*]} (sudo apt-get install ${missing[*]})"
  fi
fi

postgres_args=()
if [ "${OHMYOTP_TEST_POSTGRES:-on}" = off ]; then
  echo "ohmyotp: OHMYOTP_TEST_POSTGRES=off: running the suite on the embedded database only" >&2
else
  pg_ensure_running || die "the PostgreSQL pass needs a PostgreSQL server at $PGHOST:$PGPORT (user $PGUSER).
  Start it (Debian: sudo pg_ctlcluster <version> main start), point PGHOST/PGPORT/PGUSER at one,
  or run the embedded pass only with OHMYOTP_TEST_POSTGRES=off."
  db="ohmyotp_test_$(date +%s)_$$"
  pg_sql "CREATE DATABASE $db" || die "cannot create the test database $db on $PGHOST:$PGPORT as $PGUSER"
  trap 'pg_cleanup "$db"' EXIT
  postgres_args=("-Dohmyotp.test.postgres=$(pg_jdbc_url "$db")")
  # The fault test stops and restarts the server; it can only when the cluster is a local one.
  if [ "$(id -u)" = 0 ] && stop="$(pg_cluster_command stop)" && start="$(pg_cluster_command start)"; then
    postgres_args+=("-Dohmyotp.test.postgres.stop=$stop" "-Dohmyotp.test.postgres.start=$start")
  fi
  echo "ohmyotp: PostgreSQL pass on database $db at $PGHOST:$PGPORT" >&2
fi

"${MVN[@]}" verify ${postgres_args[@]+"${postgres_args[@]}"} "$@"
