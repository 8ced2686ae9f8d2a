#!/usr/bin/env bash
# The whole suite: C unit tests, the OpenAPI lint, then API and fault tests
# through nginx against a private stack under var/test on other ports.
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

bash deploy/stack.sh stop >/dev/null 2>&1
rm -rf "$QLVB_VAR"
trap 'bash deploy/stack.sh stop >/dev/null 2>&1' EXIT
tmp=$(mktemp -d)

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
    echo "== API and fault tests (through nginx)"
    PYTHONPATH=tests/api:tests/fault:tests/static "$PY" tests/api/runner.py test_structure test_request_schemas test_foundation test_documents test_faults test_zz_logs \
        2>&1 | tee "$tmp/api"
    count "$tmp/api" "API tests"
    bash deploy/stack.sh stop >/dev/null 2>&1
    one "no sanitizer report in the worker log" \
        bash -c "! grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$QLVB_VAR/log/api.log'"
fi
rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
