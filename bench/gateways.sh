#!/usr/bin/env bash
# SMS through a gateway's own webhook: the Android gateway app's signed posts (sms:received, with
# X-Signature and X-Timestamp) accepted per second, on PostgreSQL and on H2, against pgbench
# storing an SMS the same way by hand (bench/gateway-sms.sql) on the same PostgreSQL in the same
# run, taking turns. Every post is a new SMS for one of BENCH_RENTALS (200) rentals. Then a burst
# of BENCH_REPEATS (10,000) posts of SMS already stored, re-signed as the app signs its retries:
# every one must answer 200 "duplicate", and the SMS stored must not change.
# Targets: >= 50% of pgbench's transactions per second, p99 < 20 ms, nothing stored twice.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_EACH="${BENCH_SECONDS:-21}"
THREADS="${BENCH_THREADS:-16}"
RENTALS="${BENCH_RENTALS:-200}"
REPEATS="${BENCH_REPEATS:-10000}"
WARM_UP="${BENCH_WARM_UP:-30}"
ROUNDS="${BENCH_ROUNDS:-3}"
# Posts made for each phase: more than the fastest server here takes in it, so none is sent twice.
PER_SECOND_MAX="${BENCH_POSTS_PER_SECOND:-5000}"
each=$(( (SECONDS_EACH + ROUNDS - 1) / ROUNDS ))
KEY="bench-android-signing-key"
bench_build
need_wrk
pg_ensure_running || die "this benchmark needs PostgreSQL"
echo "gateways: $(machine), $THREADS connections, $ROUNDS rounds of ${each} s each, taking turns with pgbench"

pgdb="ohmyotp_pgbench_$$"
pg_sql "CREATE DATABASE $pgdb"
trap '[ -n "$pgdb" ] && pg_sql "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"; bench_cleanup' EXIT
psql -XAtq -d "$pgdb" <<SQL >/dev/null
CREATE TABLE b_seen (dedup_key VARCHAR(120) PRIMARY KEY, seen_at BIGINT NOT NULL);
CREATE TABLE b_rentals (id BIGINT PRIMARY KEY, number_id BIGINT NOT NULL UNIQUE, last_sms_id BIGINT,
  sms_count INT NOT NULL DEFAULT 0);
CREATE TABLE b_sms (id BIGSERIAL PRIMARY KEY, rental_id BIGINT NOT NULL, sender VARCHAR(100) NOT NULL,
  message VARCHAR(2000) NOT NULL, code VARCHAR(32), received_at BIGINT NOT NULL);
CREATE INDEX b_sms_rental ON b_sms (rental_id, id);
CREATE TABLE b_events (id BIGSERIAL PRIMARY KEY, account_id BIGINT NOT NULL, rental_id BIGINT,
  type VARCHAR(24) NOT NULL, sms_id BIGINT, created_at BIGINT NOT NULL);
CREATE INDEX b_events_account ON b_events (account_id, id);
CREATE INDEX b_events_rental ON b_events (rental_id, id);
CREATE TABLE b_endpoints (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL);
CREATE INDEX b_endpoints_account ON b_endpoints (account_id);
CREATE TABLE b_deliveries (id BIGSERIAL PRIMARY KEY, endpoint_id BIGINT NOT NULL, event_id BIGINT);
INSERT INTO b_rentals (id, number_id) SELECT g, g FROM generate_series(1, $RENTALS) g;
SQL
# pgbench_round SECONDS: pgbench's transactions per second and the p99 of their latency (ms), from
# its log of every transaction: the ceiling's own tail on this machine, beside ours.
pgbench_round() {
  local out logs
  out="$(mktemp)"
  logs="$(mktemp -d)"
  pgbench -n -c "$THREADS" -j 2 -T "$1" -l --log-prefix="$logs/tx" -f bench/gateway-sms.sql "$pgdb" >"$out" 2>&1 \
    || { cat "$out" >&2; rm -rf "$out" "$logs"; die "pgbench failed"; }
  printf '%s %s\n' "$(awk '/^tps = / {printf "%.1f", $3}' "$out")" \
    "$(cat "$logs"/tx.* | awk '{print $3}' | sort -n | awk '{v[NR] = $1} END {printf "%.2f", v[int(NR * 0.99)] / 1000}')"
  rm -rf "$out" "$logs"
}

# make_posts FILE COUNT FIRST_ID [REPEAT_OF]: signed posts, one a line, for the rentals' numbers in
# turn; event ids from FIRST_ID. Signed now: the server takes a timestamp up to 5 minutes old.
make_posts() {
  python3 - "$1" "$2" "$3" "$KEY" "$SERVER_DATA/phones" <<'PY'
import hashlib, hmac, json, sys, time
path, count, first, key, phones_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5]
phones = [p.strip() for p in open(phones_file) if p.strip()]
now = str(int(time.time()))
with open(path, "w") as out:
    for i in range(first, first + count):
        body = json.dumps({"deviceId": "bench-device", "event": "sms:received", "id": f"e{i}",
            "payload": {"messageId": f"m{i}", "message": f"Your Uber code is {1000 + i % 9000}",
                "sender": "Uber", "recipient": "+1" + phones[i % len(phones)], "simNumber": 1,
                "receivedAt": None}, "webhookId": "bench"}, separators=(",", ":"))
        sig = hmac.new(key, (body + now).encode(), hashlib.sha256).hexdigest()
        out.write(f"{now}\t{sig}\t{body}\n")
PY
}

# stored KEY: the SMS stored for the customer's rentals, from their history.
stored() {
  curl -sf "$(base)/api/v1/rentals/history?status=all&limit=200" -H "Authorization: Bearer $1" \
    | jq '[.rentals[].sms_count] | add'
}

for db in ${BENCH_DATABASES:-postgres h2}; do
  start_server "$db"
  key="$(setup_customer Uber "$((RENTALS + 50))" 100000)"
  admin POST /api/admin/gateways "{\"name\":\"phones\",\"kind\":\"android\",\"secret\":\"$KEY\"}" >/dev/null
  : >"$SERVER_DATA/phones"
  for _ in $(seq 1 "$RENTALS"); do
    curl -sf -X POST "$(base)/api/v1/rentals" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      -d '{"service_id":"Uber"}' | jq -r .phone_number >>"$SERVER_DATA/phones"
  done
  next=1
  posts="$SERVER_DATA/posts"
  make_posts "$posts" "$((PER_SECOND_MAX * WARM_UP))" "$next"
  next=$((next + PER_SECOND_MAX * WARM_UP))
  wrk -t2 -c"$THREADS" -d"${WARM_UP}s" -s bench/gateway-sms.lua "$(base)" -- "$posts" phones 2 >/dev/null
  all=""
  for round in $(seq 1 "$ROUNDS"); do
    read -r pg pg_p99 < <(pgbench_round "$each")
    make_posts "$posts" "$((PER_SECOND_MAX * each))" "$next"
    next=$((next + PER_SECOND_MAX * each))
    read -r rps p50 p99 bad < <(wrk_run "$(base)" "$each" "$THREADS" -s bench/gateway-sms.lua -- "$posts" phones 2)
    printf 'round %d  pgbench %8.1f SMS/s (p99 %.2f ms), ohmyotp on %-8s %8.0f SMS/s: %.0f%%  p99 %.2f ms  non-2xx %s\n' \
      "$round" "$pg" "$pg_p99" "$db" "$rps" "$(awk -v c="$rps" -v pg="$pg" 'BEGIN {print 100*c/pg}')" "$p99" "$bad"
    all="$all $pg $rps $p50 $p99 $bad $pg_p99"
  done
  echo "$all" | awk -v db="$db" '{
    for (i = 1; i <= NF; i += 6) { pg += $i; c += $(i+1); p50 += $(i+2); if ($(i+3) > p99) p99 = $(i+3); bad += $(i+4); if ($(i+5) > pgp99) pgp99 = $(i+5) }
    n = NF / 6; pg /= n; c /= n
    printf "pgbench  an SMS stored by hand on PostgreSQL           %8.1f SMS/s  p99 %.2f ms\n", pg, pgp99
    printf "ohmyotp  Android-format SMS on %-10s             %8.1f SMS/s  p50 %.2f ms  p99 %.2f ms  non-2xx %d  = %.0f%% of pgbench (target >= 50%%, p99 < 20 ms): %s\n",
      db, c, p50 / n, p99, bad, 100 * c / pg,
      100 * c / pg < 50 ? "MISSED" : p99 < 20 ? "met" : pgp99 >= 20 ? "rate met; p99 missed, as by pgbench itself on this machine" : "MISSED" }'

  # The app retries a post it heard no 2xx for, re-signed: the same SMS again, REPEATS times.
  before="$(stored "$key")"
  make_posts "$posts" "$REPEATS" 1
  answers="$(mktemp)"
  python3 - "$(base)" "$posts" "$answers" <<'PY'
import concurrent.futures, sys, urllib.request
base, posts, out = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [l.rstrip("\n").split("\t", 2) for l in open(posts)]
def post(line):
    ts, sig, body = line
    req = urllib.request.Request(base + "/api/v1/inbound/phones", data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Timestamp": ts, "X-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return f"{r.status} {r.read().decode()}"
    except urllib.error.HTTPError as e:
        return f"{e.code} {e.read().decode()}"
with concurrent.futures.ThreadPoolExecutor(16) as pool, open(out, "w") as f:
    for answer in pool.map(post, lines):
        f.write(answer + "\n")
PY
  after="$(stored "$key")"
  dupes="$(grep -c '^200 .*"duplicate"' "$answers" || true)"
  # A post never sent before (wrk's last requests of a run may not go out) is stored now, once.
  firsts="$(grep -c '^200 .*"accepted"' "$answers" || true)"
  printf 'repeats  %d posts of SMS sent before on %-8s: %d answered 200 duplicate, %d 200 accepted (not sent before); SMS stored %d before, %d after: %s\n' \
    "$REPEATS" "$db" "$dupes" "$firsts" "$before" "$after" \
    "$([ $((dupes + firsts)) = "$REPEATS" ] && [ $((after - before)) = "$firsts" ] && echo "nothing stored twice" || echo "MISSED")"
  rm -f "$answers"
  stop_server
done
