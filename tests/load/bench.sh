#!/usr/bin/env bash
# make bench: a private stack under var/bench loaded with a province-sized
# data set, driven by wrk on the same machine. Figures are printed as ratios
# against the stack's own ceilings measured in the same run: nginx alone
# (it answers /nginx-ping itself), a worker that touches nothing (an unknown
# path: routing and a problem+json 404), PostgreSQL (pgbench SELECT 1) and
# Redis (redis-benchmark PING).
#
# BENCH_SECONDS (5) per run, BENCH_CONNS (64) connections.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export QLVB_VAR=$ROOT/var/bench QLVB_PORT=${BENCH_PORT:-28080}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-64}
URL=http://127.0.0.1:$QLVB_PORT
PG_PORT=$((QLVB_PORT + 10))
trap 'bash deploy/stack.sh stop >/dev/null 2>&1' EXIT

bash deploy/stack.sh stop >/dev/null 2>&1 || true
rm -rf "$QLVB_VAR"                     # every run from an empty database
echo "bench: starting the stack under var/bench"
bash deploy/stack.sh start >/dev/null
echo "bench: loading 25,000 accounts"
cp sql/bench/province.sql "$QLVB_VAR/province.sql" && chown qlvb: "$QLVB_VAR/province.sql"
t0=$(date +%s)
setpriv --reuid=qlvb --regid=qlvb --init-groups -- \
    psql -q -v ON_ERROR_STOP=1 -h "$QLVB_VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -f "$QLVB_VAR/province.sql"
echo "bench: loaded in $(( $(date +%s) - t0 )) s"
users=$(setpriv --reuid=qlvb --regid=qlvb --init-groups -- \
    psql -Atq -h "$QLVB_VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -c "SELECT count(*) FROM users")
echo "bench: $users accounts"

rps() {   # wrk output -> requests/s
    awk '/Requests\/sec/ {print int($2)}'
}
p99() {
    awk '/ 99%/ {print $2}'
}
run_wrk() {   # label, then wrk arguments
    local label=$1; shift
    local out
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@")
    local r p errs
    r=$(printf '%s\n' "$out" | rps)
    p=$(printf '%s\n' "$out" | p99)
    errs=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $NF}')
    printf '%-34s %8s req/s   p99 %-9s non-2xx %s\n' "$label" "$r" "$p" "${errs:-0}" >&2
    echo "$r"
}

# the bench account with the fullest inbox
busiest=$(setpriv --reuid=qlvb --regid=qlvb --init-groups -- psql -Atq -h "$QLVB_VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -c \
    "SELECT u.username, count(*) FROM inbox_items i JOIN users u ON u.id = i.user_id
      WHERE u.username LIKE 'bench.%' GROUP BY u.username ORDER BY 2 DESC LIMIT 1")
echo "bench: signing in as ${busiest%%|*}, whose inbox holds ${busiest##*|} items"
token=$(curl -s -H 'Content-Type: application/json' -H 'X-Forwarded-For: 10.98.0.1' \
    -d "{\"username\":\"${busiest%%|*}\",\"password\":\"demo123\",\"device_name\":\"bench\"}" "$URL/api/v1/auth/login" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: cannot sign in"; exit 1; }

echo "bench: $SECS s per run, $CONNS connections, wrk on the same 2 cores"
echo "-- ceilings"
c_nginx=$(run_wrk "nginx alone (/nginx-ping)" "$URL/nginx-ping")
c_noop=$(run_wrk "worker, no I/O (404)" "$URL/api/v1/no-such-endpoint")
echo 'SELECT 1;' >"$QLVB_VAR/select1.sql"
chown qlvb: "$QLVB_VAR/select1.sql"
c_pg=$(setpriv --reuid=qlvb --regid=qlvb --init-groups -- \
    pgbench -n -c 8 -j 2 -T "$SECS" -f "$QLVB_VAR/select1.sql" -h "$QLVB_VAR/run" -p "$PG_PORT" -U qlvb qlvb \
    2>/dev/null | awk '/^tps/ {print int($3)}')
printf '%-34s %8s tps\n' "PostgreSQL SELECT 1 (pgbench -c8)" "$c_pg" >&2
c_redis=$(redis-benchmark -s "$QLVB_VAR/run/redis.sock" -t ping -n 200000 -c 50 --csv 2>/dev/null |
    awk -F'"' '/PING_MBULK/ {print int($4)}')
printf '%-34s %8s req/s\n' "Redis PING (redis-benchmark)" "$c_redis" >&2
echo "-- API"
health=$(run_wrk "GET /api/v1/health" "$URL/api/v1/health")
me=$(run_wrk "GET /api/v1/me (signed in)" -H "Authorization: Bearer $token" "$URL/api/v1/me")
inbox=$(run_wrk "GET /api/v1/inbox (20 items)" -H "Authorization: Bearer $token" "$URL/api/v1/inbox")
etag=$(curl -s -o /dev/null -D - -H "Authorization: Bearer $token" "$URL/api/v1/inbox" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
inbox304=$(run_wrk "GET /api/v1/inbox (304, If-None-Match)" -H "Authorization: Bearer $token" -H "If-None-Match: $etag" "$URL/api/v1/inbox")
docid=$(curl -s -H "Authorization: Bearer $token" "$URL/api/v1/inbox?limit=1" | sed -n 's/.*"document" *: *{"id" *: *\([0-9]*\).*/\1/p')
detail=$(run_wrk "GET /api/v1/documents/{id}" -H "Authorization: Bearer $token" "$URL/api/v1/documents/$docid")
search=$(run_wrk "GET /api/v1/documents?q=ke hoach" -H "Authorization: Bearer $token" "$URL/api/v1/documents?q=ke%20hoach")
CONNS=8 login=$(run_wrk "POST /api/v1/auth/login (8 conns)" -s tests/load/login.lua "$URL")

# The office's dashboard at 10,000 and at 1,000,000 (directive, agency)
# pairs, 16 connections: its answer comes from counts kept per agency, state
# and deadline day and month, so its p99 must not grow with the tasks.
cp sql/bench/directives.sql "$QLVB_VAR/directives.sql" && chown qlvb: "$QLVB_VAR/directives.sql"
tracker=$(curl -s -H 'Content-Type: application/json' -H 'X-Forwarded-For: 10.98.0.2' \
    -d '{"username":"vp.chuyenvien","password":"demo123","device_name":"bench"}' "$URL/api/v1/auth/login" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$tracker" ] || { echo "bench: cannot sign in as the office's tracker"; exit 1; }
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
                 else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }
as_owner() { setpriv --reuid=qlvb --regid=qlvb --init-groups -- psql -Atq -h "$QLVB_VAR/run" -p "$PG_PORT" -U qlvb -d qlvb "$@"; }
load_pairs() {   # pairs: the database holds at least that many
    local t0=$(date +%s) have
    as_owner -v target="$1" -f "$QLVB_VAR/directives.sql" >/dev/null
    have=$(as_owner -c "SELECT count(*) FROM tasks WHERE directive_id IS NOT NULL AND parent_id IS NULL AND user_id IS NULL")
    echo "bench: $have pairs in the database (loaded in $(( $(date +%s) - t0 )) s)" >&2
    [ "$have" -ge "$1" ] || { echo "bench: the load fell short of $1 pairs" >&2; exit 1; }
}
dashboard() {   # label -> p99 in ms of the dashboard at 16 connections
    # the database at rest: written pages flushed, no autovacuum at work
    as_owner -c "CHECKPOINT" >/dev/null
    for _ in $(seq 120); do
        [ "$(as_owner -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
        sleep 1
    done
    # warm: every worker's connection plans its statements once, and the
    # period's figures are made once and kept
    wrk -t2 -c16 -d2s -H "Authorization: Bearer $tracker" "$URL/api/v1/directives/stats?from=2026-01-01&to=2027-12-31" >/dev/null
    # five runs; their median p99 (one run on two shared cores is noisy)
    local out runs=()
    for _ in 1 2 3 4 5; do
        out=$(wrk -t2 -c16 -d"${SECS}s" --latency -H "Authorization: Bearer $tracker" \
            "$URL/api/v1/directives/stats?from=2026-01-01&to=2027-12-31")
        printf '%-34s %8s req/s   p99 %s\n' "GET /directives/stats ($1)" "$(printf '%s\n' "$out" | rps)" \
            "$(printf '%s\n' "$out" | p99)" >&2
        runs+=("$(printf '%s\n' "$out" | p99 | to_ms)")
    done
    printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
timed_sweep() {   # label, arguments: qlvb-notify's sweep, run here a batch a call until none is left, timed
    local t n tasks=0 before after
    before=$(as_owner -c "SELECT count(*) FROM notifications")
    t=$(date +%s%N)
    while n=$(as_owner -c "SELECT notify_sweep(qlvb_now()${2:-})") && [ "$n" != 0 ]; do tasks=$((tasks + n)); done
    after=$(as_owner -c "SELECT count(*) FROM notifications")
    printf '%-34s %8s tasks, %s warnings written, in %s ms\n' "$1" "$tasks" "$((after - before))" "$(ms_since "$t")" >&2
}
echo "-- the office's dashboard, 16 connections"
# the dashboard alone first: the push daemon is stopped while the tasks are
# loaded and measured; its sweep is timed here, run by this script. At
# 10,000 pairs the first sweep writes a warning for every threshold already
# passed, to every clerk and leader of each agency (the burst of a day's
# 08:00), and the next finds nothing new (its cost every 30 s). At a
# million that burst would be a hundred times larger (hours of writing on
# two cores): the tasks are marked as a running daemon would have left them
# (what qlvb-admin tasks-mark-warned does), and the next sweep is timed
bash deploy/stack.sh notify-stop >/dev/null
load_pairs 10000
dash_small=$(dashboard "10000 pairs")
timed_sweep "first sweep (10000 pairs)"
timed_sweep "next sweep (10000 pairs)"
load_pairs 1000000
dash_large=$(dashboard "1000000 pairs")
timed_sweep "marking (1000000 pairs)" ", false, 2000"
as_owner -c "VACUUM ANALYZE tasks" >/dev/null
timed_sweep "next sweep (1000000 pairs)"
# and the dashboard again with the daemon running, sweeping every 2 s, once
# it has packed the burst's warnings (no phones here: nothing to send)
QLVB_NOTIFY_SWEEP_MS=2000 bash deploy/stack.sh notify-start >/dev/null
t=$(date +%s%N)
for _ in $(seq 900); do
    [ "$(as_owner -c "SELECT count(*) FROM notifications WHERE push_state = 'pending'")" = 0 ] && break
    sleep 1
done
echo "bench: qlvb-notify packed the burst's warnings in $(ms_since "$t") ms" \
     "($(as_owner -c "SELECT count(*) FROM notifications WHERE push_state = 'pending'") left)"
dash_busy=$(dashboard "1000000 pairs, qlvb-notify on")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "-- ratios"
echo "worker no-op / nginx alone:        $(ratio "$c_noop" "$c_nginx")"
echo "health / worker no-op:             $(ratio "$health" "$c_noop")"
echo "me / worker no-op:                 $(ratio "$me" "$c_noop")"
echo "me / PostgreSQL SELECT 1:          $(ratio "$me" "$c_pg")"
echo "inbox page / worker no-op:         $(ratio "$inbox" "$c_noop")"
echo "inbox 304 / worker no-op:          $(ratio "$inbox304" "$c_noop")"
echo "document detail / worker no-op:    $(ratio "$detail" "$c_noop")"
echo "search / worker no-op:             $(ratio "$search" "$c_noop")"
echo "login / worker no-op:              $(ratio "$login" "$c_noop")  (argon2id by design)"
verdict=$(awk -v s="$dash_small" -v l="$dash_large" 'BEGIN { print (l <= 1.25 * s && l < 50) ? "holds" : "FAILS" }')
echo "dashboard p99, 1M / 10k pairs:     $(ratio "$dash_large" "$dash_small")  (${dash_large} ms / ${dash_small} ms; within 1.25 and under 50 ms: $verdict)"
verdict=$(awk -v s="$dash_small" -v l="$dash_busy" 'BEGIN { print (l <= 1.25 * s && l < 50) ? "holds" : "FAILS" }')
echo "the same, qlvb-notify sweeping:    $(ratio "$dash_busy" "$dash_small")  (${dash_busy} ms / ${dash_small} ms; within 1.25 and under 50 ms: $verdict)"
