#!/usr/bin/env bash
# The whole suite: C unit tests, the OpenAPI lint, then against a private
# stack under var/test on other ports the SQL tests (pgTAP) in its database
# and the API and fault tests through nginx.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${1:-bin}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
export QLVB_VAR=${QLVB_TEST_VAR:-$ROOT/var/test}
export QLVB_PORT=${QLVB_TEST_PORT:-18080}
export QLVB_BIN=$BIN
export QLVB_PG_FAST=1
export QLVB_TEST_MODE=1          # the one clock may be moved (tests/api/lib.py clock_offset)
export QLVB_FILE_MAX=$((2 << 20))
PY=/usr/bin/python3
passed=0
failed=0

count() {   # adds the "N passed, N failed" of a part to the totals
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        echo "run: $2 printed no result line"; failed=$((failed + 1)); return
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
    passed=$((passed + p)); failed=$((failed + f))
}
one() {     # one check that is a test of its own: name, then the command
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok    $name"
    else failed=$((failed + 1)); echo "FAIL  $name"; fi
}
as_qlvb() { setpriv --reuid=qlvb --regid=qlvb --init-groups -- "$@"; }

# pg_prove's verbose TAP (the file) to a line per test file, each failed
# assertion with pgTAP's diagnostics, and "N passed, N failed" counting
# every assertion; a file that stopped before its plan counts the rest as
# failed. $2: pg_prove's exit status.
tap_count() {
    awk -v rc="$2" '
    BEGIN { P = F = files = 0; file = "" }
    function close_file(  missing, bad) {
        if (file == "") return
        missing = plan < 0 ? 1 : plan - ok - nok
        if (missing < 0) missing = 0
        bad = nok + missing
        if (bad == 0 && !file_ok) bad = 1            # more than planned, or an odd exit
        if (bad == 0) printf "ok    %s (%d assertions)\n", file, ok
        else {
            printf "FAIL  %s: %d passed, %d failed\n%s", file, ok, bad, fails
            if (plan < 0) printf "    stopped before its plan: see the errors below\n"
            else if (missing > 0) printf "    stopped after %d of %d assertions: see the errors below\n", ok + nok, plan
        }
        P += ok; F += bad; files++; file = ""
    }
    /^[^ #].*\.sql \.+ ?$/  { close_file(); file = $1; plan = -1; ok = nok = 0; file_ok = 0; fails = ""; diag = 0; next }
    file == ""              { next }
    /^1\.\.[0-9]+/          { plan = substr($1, 4) + 0; next }
    /^ok [0-9]/             { ok++; diag = 0; next }
    /^not ok [0-9]/         { if ($0 ~ /# TODO/) { ok++; next }
                              nok++; diag = 1; fails = fails "    " $0 "\n"; next }
    /^#/                    { if (diag) fails = fails "    " $0 "\n"; next }
    /^ok$/                  { file_ok = 1; diag = 0; next }
                            { diag = 0 }
    END {
        close_file()
        if (files == 0) { print "FAIL  no SQL test file ran"; F++ }
        else if (rc != 0 && F == 0) { print "FAIL  pg_prove exited with status " rc; F++ }
        print P " passed, " F " failed"
    }' "$1"
}

# The SQL tests, tests/sql/*.sql: pgTAP files run by pg_prove against the
# test stack's database as its owner role, over the stack's socket. pgTAP is
# created here, in the test database only: no migration names it.
sql_tests() {
    local pg=(-h "$QLVB_VAR/run" -p "${QLVB_PG_PORT:-$((QLVB_PORT + 10))}" -U qlvb -d qlvb) rc
    if ! as_qlvb test -r tests/sql -a -x tests/sql; then
        echo "FAIL  user qlvb cannot read tests/sql/: let it through $ROOT"; failed=$((failed + 1)); return
    fi
    if ! as_qlvb psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -c "CREATE EXTENSION IF NOT EXISTS pgtap" >"$tmp/sql.err" 2>&1; then
        cat "$tmp/sql.err"; echo "FAIL  CREATE EXTENSION pgtap in the test database"; failed=$((failed + 1)); return
    fi
    as_qlvb pg_prove --verbose --nocolor "${pg[@]}" tests/sql/*.sql >"$QLVB_VAR/log/pgtap.log" 2>"$tmp/sql.err"
    rc=$?
    tap_count "$QLVB_VAR/log/pgtap.log" "$rc" >"$tmp/sql"
    head -n -1 "$tmp/sql"
    if [ -s "$tmp/sql.err" ]; then echo "psql said:"; sed 's/^/    /' "$tmp/sql.err"; fi
    echo "pg_prove: $(grep -oE '^Files=[0-9]+, Tests=[0-9]+' "$QLVB_VAR/log/pgtap.log"), $(grep -E '^Result:' "$QLVB_VAR/log/pgtap.log"); the TAP is in $QLVB_VAR/log/pgtap.log"
    tail -n 1 "$tmp/sql"
    count "$tmp/sql" "SQL tests"
}

# The client generated from the spec: current, compiled with tsc --strict,
# and its journey run against the stack (every response checked against
# the spec there too).
client_tests() {
    local c=mobile-spec/client
    if [ ! -x $c/node_modules/.bin/tsc ]; then
        (cd $c && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || echo "npm ci failed in $c"
    fi
    one "the client's types are generated from the spec as it is" \
        bash -c "cd $c && node_modules/.bin/openapi-typescript ../openapi.yaml -o '$tmp/schema.d.ts' >/dev/null 2>&1 &&
                 diff -q src/schema.d.ts '$tmp/schema.d.ts'"
    one "the client compiles with tsc --strict" bash -c "cd $c && node_modules/.bin/tsc -p tsconfig.json"
    one "the client's journey runs against the stack" \
        bash -c "cd $c && QLVB_URL=http://127.0.0.1:$QLVB_PORT node build/journey.js"
}

bash deploy/stack.sh stop >/dev/null 2>&1
rm -rf "$QLVB_VAR"
trap 'bash deploy/stack.sh stop >/dev/null 2>&1; bash tests/fake/start.sh stop' EXIT
tmp=$(mktemp -d)
# the fake FCM and APNs the push daemon sends to (tests/fake); short sweeps
# and leases, so that the push tests wait seconds, not minutes
mkdir -p "$QLVB_VAR"
eval "$(bash tests/fake/start.sh)"
export QLVB_NOTIFY_SWEEP_MS=500 QLVB_NOTIFY_LEASE_S=3 QLVB_NOTIFY_TIMEOUT_MS=2000 QLVB_NOTIFY_MAX_TRIES=6

echo "== unit tests (C)"
"$BIN/unit-tests" >"$tmp/unit" 2>&1
urc=$?
cat "$tmp/unit"
# one PASSED (and FAILED) line per group of tests: their sums
up=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$tmp/unit" | awk '{ n += $1 } END { if (NR) print n }')
uf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$tmp/unit" | awk '{ n += $1 } END { if (NR) print n }')
if [ -z "$up$uf" ]; then echo "unit tests did not finish"; uf=1; fi
if [ "$urc" -ne 0 ] && [ "${uf:-0}" -eq 0 ]; then echo "unit tests exited with status $urc"; uf=1; fi
passed=$((passed + ${up:-0})); failed=$((failed + ${uf:-0}))

echo "== structure"
one "the runtime (fcgi/) includes nothing outside itself" bash tests/check-layers.sh

echo "== OpenAPI lint"
if [ ! -x tools/node_modules/.bin/redocly ]; then
    (cd tools && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || echo "npm ci failed"
fi
one "mobile-spec/openapi.yaml passes redocly lint (recommended-strict)" \
    tools/node_modules/.bin/redocly lint --config mobile-spec/redocly.yaml mobile-spec/openapi.yaml

echo "== stack on 127.0.0.1:$QLVB_PORT"
if ! bash deploy/stack.sh start; then
    failed=$((failed + 1))
    echo "FAIL  the test stack did not start"
    tail -n 20 "$QLVB_VAR"/log/*.log
else
    echo "== SQL tests (pgTAP: tests/sql)"
    sql_tests
    echo "== the TypeScript client (mobile-spec/client) against the stack"
    client_tests
    echo "== API and fault tests (through nginx)"
    # QLVB_TEST_MODULES: some modules only (make soak)
    PYTHONPATH=tests/api:tests/fault:tests/static "$PY" tests/api/runner.py ${QLVB_TEST_MODULES:-test_structure test_request_schemas test_foundation test_documents test_sync test_calendar test_tasks test_directives test_notices test_push test_faults test_zz_logs} \
        2>&1 | tee "$tmp/api"
    count "$tmp/api" "API tests"
    bash deploy/stack.sh stop >/dev/null 2>&1
    one "no sanitizer report in the worker log" \
        bash -c "! grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$QLVB_VAR/log/api.log' '$QLVB_VAR/log/notify.log'"
fi
rm -rf "$tmp"
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
    # make reports the failed recipe after this script ends; the summary is
    # said again once make has exited, so that it stays the last line
    pid=$PPID
    while [ "${pid:-1}" -gt 1 ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" != make ]; do
        pid=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')
    done
    if [ "${pid:-1}" -gt 1 ]; then
        (while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; echo "$passed passed, $failed failed") &
    fi
fi
[ "$failed" -eq 0 ]
