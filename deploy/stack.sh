#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis, the qlvb-api workers and nginx, all
# private to this checkout under $QLVB_VAR (./var), on loopback ports.
#
#   deploy/stack.sh start   start what is not running, migrate, seed the demo
#   deploy/stack.sh stop    stop all of it
#   deploy/stack.sh env     print the environment the stack's programs use
#
# Ports: nginx on QLVB_PORT (8080), PostgreSQL on QLVB_PORT+10, Redis on
# QLVB_PORT+11, unless QLVB_PG_PORT / QLVB_REDIS_PORT say otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${QLVB_VAR:-$ROOT/var}
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
PORT=${QLVB_PORT:-8080}
PG_PORT=${QLVB_PG_PORT:-$((PORT + 10))}
REDIS_PORT=${QLVB_REDIS_PORT:-$((PORT + 11))}
BIN=${QLVB_BIN:-$ROOT/bin}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
RUNAS=qlvb
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

log() { printf 'stack: %s\n' "$*"; }
as_user() { setpriv --reuid="$RUNAS" --regid="$RUNAS" --init-groups -- "$@"; }

export_env() {
    export QLVB_DATABASE_URL="postgresql://qlvb_app@/qlvb?host=$VAR/run&port=$PG_PORT"
    export QLVB_ADMIN_DATABASE_URL="postgresql://qlvb@/qlvb?host=$VAR/run&port=$PG_PORT"
    export QLVB_REDIS_URL="unix:$VAR/run/redis.sock"
    export QLVB_JWT_KEYS_FILE="$VAR/keys/jwt.keys"
    export QLVB_SOCKET="$VAR/run/api.sock"
    export QLVB_PIDFILE="$VAR/run/api.pid"
    export QLVB_STORE_DIR="$VAR/store"
    export QLVB_MIGRATIONS_DIR="$ROOT/sql/migrations"
    export QLVB_FUNCTIONS_DIR="$ROOT/sql/functions"
    export QLVB_SEED_DIR="$ROOT/sql/seed"
    export QLVB_WORKERS=${QLVB_WORKERS:-2}
    export QLVB_THREADS=${QLVB_THREADS:-8}
    # QLVB_BODY_MAX, QLVB_FILE_MAX and QLVB_ARENA_MAX pass through as they are:
    # the workers read them, and nginx's body limits are rendered from the
    # same ones by qlvb-admin nginx-conf (start_nginx).
}

alive() { [ -f "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null; }

# The daemons run as $RUNAS (PostgreSQL refuses root), and read and write
# $VAR and run $BIN: every folder above them must let $RUNAS through. A
# folder that does not is opened to $RUNAS alone (an ACL entry, search only:
# it may pass, not list), never to every user; each is named as it is done.
ensure_traversable() {
    local d
    for d in "$VAR" "$BIN"; do
        while [ "$d" != / ]; do
            if ! as_user test -x "$d" 2>/dev/null; then
                log "letting the user $RUNAS (only) pass through $d: setfacl -m u:$RUNAS:x"
                setfacl -m "u:$RUNAS:x" "$d"
            fi
            d=$(dirname "$d")
        done
    done
    as_user test -x "$BIN/qlvb-api" || { log "$RUNAS cannot run $BIN/qlvb-api"; exit 1; }
}

start_pg() {
    if [ ! -f "$VAR/pg/PG_VERSION" ]; then
        log "initdb $VAR/pg"
        mkdir -p "$VAR/pg" && chown "$RUNAS:" "$VAR/pg" && chmod 700 "$VAR/pg"
        as_user "$PGBIN/initdb" -D "$VAR/pg" -U qlvb -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=reject >"$VAR/log/initdb.log" 2>&1 ||
            { cat "$VAR/log/initdb.log"; exit 1; }
        cat >>"$VAR/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$VAR/run'
unix_socket_permissions = 0700
max_connections = 100
shared_buffers = 256MB
timezone = 'Asia/Ho_Chi_Minh'
log_timezone = 'UTC'
log_min_duration_statement = 1000
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
log_error_verbosity = terse
CONF
        if [ -n "${QLVB_PG_FAST:-}" ]; then
            printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$VAR/pg/postgresql.conf"
        fi
    fi
    if as_user "$PGBIN/pg_ctl" -D "$VAR/pg" status >/dev/null 2>&1; then
        log "postgresql already running on 127.0.0.1:$PG_PORT"
    else
        log "postgresql on 127.0.0.1:$PG_PORT"
        as_user "$PGBIN/pg_ctl" -D "$VAR/pg" -l "$VAR/log/postgresql.log" -w -t 60 start >/dev/null
    fi
    # statements are logged when slow, never with their parameters (the
    # subjects and contents of documents), on error neither, and an error's
    # DETAIL (a failing row's values) is not logged (terse); also for a
    # cluster made by an earlier version of this script
    as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d postgres -Atq \
        -c "ALTER SYSTEM SET log_parameter_max_length = 0" \
        -c "ALTER SYSTEM SET log_parameter_max_length_on_error = 0" \
        -c "ALTER SYSTEM SET log_error_verbosity = terse" -c "SELECT pg_reload_conf()" >/dev/null
    if ! as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = 'qlvb'" | grep -q 1; then
        as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d postgres -qc "CREATE DATABASE qlvb" >/dev/null
    fi
}

start_redis() {
    if alive "$VAR/run/redis.pid"; then
        log "redis already running on 127.0.0.1:$REDIS_PORT"
        return
    fi
    log "redis on 127.0.0.1:$REDIS_PORT (no persistence)"
    cat >"$VAR/redis/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
unixsocket $VAR/run/redis.sock
unixsocketperm 700
daemonize yes
pidfile $VAR/run/redis.pid
logfile $VAR/log/redis.log
dir $VAR/redis
save ""
appendonly no
maxmemory 256mb
maxmemory-policy noeviction
CONF
    chown "$RUNAS:" "$VAR/redis/redis.conf"
    as_user redis-server "$VAR/redis/redis.conf"
    for _ in $(seq 50); do [ -S "$VAR/run/redis.sock" ] && return; sleep 0.1; done
    log "redis did not start; see $VAR/log/redis.log"; exit 1
}

make_keys() {
    if [ ! -f "$VAR/keys/jwt.keys" ]; then
        log "new JWT signing key in $VAR/keys/jwt.keys"
        (umask 077
         printf '# kid secret(base64); the first key signs, all verify\n%s %s\n' \
             "k$(date +%Y%m%d)-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')" \
             "$(head -c 48 /dev/urandom | base64 -w0)" >"$VAR/keys/jwt.keys")
    fi
    chown "$RUNAS:" "$VAR/keys" "$VAR/keys/jwt.keys"
    chmod 700 "$VAR/keys"
    chmod 600 "$VAR/keys/jwt.keys"
}

migrate_and_seed() {
    export_env
    "$BIN/qlvb-admin" migrate
    as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -qc "ALTER ROLE qlvb_app LOGIN" >/dev/null
    # test mode lets the one clock be moved (test_clock); nowhere else
    if [ "${QLVB_TEST_MODE:-0}" = 1 ]; then
        as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -qc "ALTER DATABASE qlvb SET qlvb.test_mode = on" >/dev/null
    else
        as_user psql -h "$VAR/run" -p "$PG_PORT" -U qlvb -d qlvb -qc "ALTER DATABASE qlvb RESET qlvb.test_mode" >/dev/null
    fi
    QLVB_DEMO=1 "$BIN/qlvb-admin" seed-demo >"$VAR/log/seed.log"
}

start_api() {
    if alive "$VAR/run/api.pid"; then
        log "qlvb-api already running"
        return
    fi
    export_env
    log "qlvb-api: $QLVB_WORKERS workers x $QLVB_THREADS threads on $QLVB_SOCKET"
    rm -f "$QLVB_SOCKET"
    setsid -f setpriv --reuid="$RUNAS" --regid="$RUNAS" --init-groups -- \
        "$BIN/qlvb-api" >>"$VAR/log/api.log" 2>&1 </dev/null
    for _ in $(seq 100); do [ -S "$QLVB_SOCKET" ] && alive "$QLVB_PIDFILE" && return; sleep 0.1; done
    log "qlvb-api did not start; the end of $VAR/log/api.log:"; tail -n 5 "$VAR/log/api.log"; exit 1
}

# qlvb-notify, the push daemon: its master restarts its worker when it dies.
# The providers come from the environment (README: QLVB_FCM_*, QLVB_APNS_*);
# without them the history is kept and no push leaves.
start_notify() {
    if alive "$VAR/run/notify.pid"; then
        log "qlvb-notify already running"
        return
    fi
    export_env
    log "qlvb-notify"
    touch "$VAR/log/notify.log" && chown "$RUNAS:" "$VAR/log/notify.log"
    QLVB_NOTIFY_PIDFILE="$VAR/run/notify.pid" setsid -f setpriv --reuid="$RUNAS" --regid="$RUNAS" --init-groups -- \
        "$BIN/qlvb-notify" >>"$VAR/log/notify.log" 2>&1 </dev/null
    for _ in $(seq 100); do alive "$VAR/run/notify.pid" && return; sleep 0.1; done
    log "qlvb-notify did not start; the end of $VAR/log/notify.log:"; tail -n 5 "$VAR/log/notify.log"; exit 1
}

start_nginx() {
    if alive "$VAR/run/nginx.pid"; then
        log "nginx already running on 127.0.0.1:$PORT"
        return
    fi
    log "nginx on 127.0.0.1:$PORT"
    export_env
    mkdir -p "$VAR/nginx/tmp"
    cp "$ROOT/nginx/fastcgi_params" "$VAR/nginx/fastcgi_params"
    sed -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$ROOT|g" \
        -e "s|@KEEPALIVE@|${QLVB_NGINX_KEEPALIVE:-4}|g" -e "s|@KEEPCONN@|${QLVB_NGINX_KEEPCONN:-off}|g" \
        "$ROOT/nginx/nginx.conf.template" >"$VAR/nginx/nginx.conf.in"
    "$BIN/qlvb-admin" nginx-conf "$VAR/nginx/nginx.conf.in" >"$VAR/nginx/nginx.conf"
    chown -R "$RUNAS:" "$VAR/nginx"
    as_user nginx -q -p "$VAR/nginx" -e "$VAR/log/nginx-error.log" -c "$VAR/nginx/nginx.conf"
}

wait_healthy() {
    for _ in $(seq 100); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health")" = 200 ]; then
            return
        fi
        sleep 0.1
    done
    log "the stack does not answer http://127.0.0.1:$PORT/api/v1/health"; exit 1
}

cmd_start() {
    id "$RUNAS" >/dev/null 2>&1 || { log "user $RUNAS is missing: run deploy/install-deps.sh"; exit 1; }
    mkdir -p "$VAR"/{run,log,redis,keys,store,nginx}
    chown "$RUNAS:" "$VAR" "$VAR"/{run,log,redis,store,nginx}
    chmod 755 "$VAR"
    chmod 700 "$VAR/run"
    touch "$VAR/log/api.log" && chown "$RUNAS:" "$VAR/log/api.log"
    ensure_traversable
    make_keys
    start_pg
    start_redis
    migrate_and_seed
    start_api
    start_notify
    start_nginx
    wait_healthy
    echo
    echo "QLVB is running at http://127.0.0.1:$PORT  (try: curl http://127.0.0.1:$PORT/api/v1/health)"
    echo "Demo accounts, all with the password demo123:"
    sed -n 's/^  /  /p' "$VAR/log/seed.log"
    if [ "$VAR" = "$ROOT/var" ]; then
        echo "Logs are in $VAR/log; stop everything with: make stop"
    else
        echo "Logs are in $VAR/log; stop everything with: QLVB_VAR=$VAR QLVB_PORT=$PORT bash deploy/stack.sh stop"
    fi
}

stop_pid() {   # name pidfile signal
    local name=$1 pidfile=$2 sig=$3 pid
    alive "$pidfile" || return 0
    pid=$(head -n 1 "$pidfile")
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || { log "$name stopped"; return 0; }; sleep 0.1; done
    log "$name did not stop in 30 s; killing it"
    kill -9 "$pid" 2>/dev/null || true
}

cmd_stop() {
    stop_pid nginx "$VAR/run/nginx.pid" QUIT
    stop_pid qlvb-notify "$VAR/run/notify.pid" TERM
    stop_pid qlvb-api "$VAR/run/api.pid" TERM
    stop_pid redis "$VAR/run/redis.pid" TERM
    if [ -f "$VAR/pg/PG_VERSION" ] && as_user "$PGBIN/pg_ctl" -D "$VAR/pg" status >/dev/null 2>&1; then
        as_user "$PGBIN/pg_ctl" -D "$VAR/pg" -m fast -w stop >/dev/null && log "postgresql stopped"
    fi
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    # single services, for the fault tests and for operators
    pg-stop) as_user "$PGBIN/pg_ctl" -D "$VAR/pg" -m fast -w stop >/dev/null ;;
    pg-start) as_user "$PGBIN/pg_ctl" -D "$VAR/pg" -l "$VAR/log/postgresql.log" -w -t 60 start >/dev/null ;;
    redis-stop) stop_pid redis "$VAR/run/redis.pid" TERM ;;
    redis-start) start_redis ;;
    api-stop) stop_pid qlvb-api "$VAR/run/api.pid" TERM ;;
    api-start) start_api ;;
    notify-stop) stop_pid qlvb-notify "$VAR/run/notify.pid" TERM ;;
    notify-start) start_notify ;;
    # as export lines a shell can eval: eval "$(deploy/stack.sh env)"
    env) export_env; for v in $(compgen -e | grep '^QLVB_' | sort); do printf 'export %s=%q\n' "$v" "${!v}"; done ;;
    *) echo "usage: $0 start|stop|env|pg-stop|pg-start|redis-stop|redis-start|api-stop|api-start|notify-stop|notify-start" >&2; exit 2 ;;
esac
