#!/usr/bin/env bash
# The measurement behind fcgi/README.md: the same stack under several worker
# models (processes x threads, nginx fastcgi_keep_conn on/off), driven by wrk.
# Usage: tests/load/models.sh [seconds]   (uses var/bench on port 28080)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export QLVB_VAR=$ROOT/var/bench QLVB_PORT=${BENCH_PORT:-28080}
SECS=${1:-5}
URL=http://127.0.0.1:$QLVB_PORT
trap 'bash deploy/stack.sh stop >/dev/null 2>&1' EXIT
bash deploy/stack.sh start >/dev/null
token=$(curl -s -H 'Content-Type: application/json' -H 'X-Forwarded-For: 10.97.0.1' \
    -d '{"username":"stp.chuyenvien","password":"demo123","device_name":"bench"}' "$URL/api/v1/auth/login" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
printf '%-30s %-6s %18s %18s %18s\n' model conns "no-op req/s p99" "health req/s p99" "me req/s p99"
for model in "1 16 on 4" "2 8 on 4" "2 8 off 0" "2 16 on 4" "2 32 on 16" "4 8 on 4" "16 1 off 0"; do
    set -- $model
    bash deploy/stack.sh api-stop >/dev/null; bash deploy/stack.sh stop >/dev/null 2>&1 || true
    QLVB_WORKERS=$1 QLVB_THREADS=$2 QLVB_NGINX_KEEPCONN=$3 QLVB_NGINX_KEEPALIVE=$([ "$4" = 0 ] && echo 1 || echo "$4") \
        bash deploy/stack.sh start >/dev/null
    for c in 64 256; do
        line=""
        for path in /api/v1/no-such-endpoint /api/v1/health /api/v1/me; do
            out=$(wrk -t2 -c$c -d${SECS}s --latency -H "Authorization: Bearer $token" "$URL$path")
            line+=$(printf '%8s %-9s' "$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")" "$(awk '/ 99%/ {print $2}' <<<"$out")")
        done
        printf '%-30s %-6s %s\n' "${1}p x ${2}t keep_conn=$3 ka=$4" "$c" "$line"
    done
done
