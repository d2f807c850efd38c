# PostgreSQL for the test suite and the benchmarks: make sure the local server is up, and create
# and drop a database of the run's own. Sourced, not run; uses die() from env.sh.
#
# Connection: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust or ~/.pgpass auth.

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
PG_STARTED_BY_US=""

# The Debian cluster on this machine (newest version), if there is one we can start and stop.
pg_local_cluster() {
  command -v pg_ctlcluster >/dev/null 2>&1 || return 1
  [ -d /etc/postgresql ] || return 1
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  [ -n "$version" ] && [ -d "/etc/postgresql/$version/main" ] || return 1
  echo "$version main"
}

pg_cluster_command() { # start|stop
  local cluster; cluster="$(pg_local_cluster)" || return 1
  # shellcheck disable=SC2086
  echo "pg_ctlcluster --skip-systemctl-redirect $cluster $1$([ "$1" = stop ] && echo ' -m fast')"
}

pg_is_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

# Starts the local cluster when it is down; waits until it accepts connections.
pg_ensure_running() {
  command -v pg_isready >/dev/null 2>&1 || return 1
  pg_is_up && return 0
  local start; start="$(pg_cluster_command start)" || return 1
  echo "ohmyotp: starting PostgreSQL ($start)" >&2
  $start >/dev/null || return 1
  PG_STARTED_BY_US=1
  for _ in $(seq 1 60); do
    pg_is_up && return 0
    sleep 0.5
  done
  return 1
}

pg_sql() { psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "$1" >/dev/null; }

pg_jdbc_url() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1?user=$PGUSER"; }

# Drops the run's database and stops the server again if this run started it. The cluster is
# started first in case a test that stops it on purpose was interrupted.
pg_cleanup() {
  local db="$1"
  pg_is_up || { local start; start="$(pg_cluster_command start)" && $start >/dev/null 2>&1; }
  for _ in $(seq 1 60); do pg_is_up && break; sleep 0.5; done
  pg_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" || echo "ohmyotp: could not drop database $db" >&2
  if [ -n "$PG_STARTED_BY_US" ]; then
    local stop; stop="$(pg_cluster_command stop)" && $stop >/dev/null 2>&1 || true
  fi
}
