#!/usr/bin/env bash
# Makes the fake push providers' keys (a service account with its RSA key,
# an APNs .p8 key, a test CA and the APNs server's certificate) under
# $QLVB_VAR/push, starts tests/fake/providers.mjs on QLVB_PORT+20..22, and
# prints the environment qlvb-notify reads to use them (eval it before
# starting the stack). stop: tests/fake/start.sh stop
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$QLVB_VAR/push
FCM=$((QLVB_PORT + 20)) APNS=$((QLVB_PORT + 21)) CONTROL=$((QLVB_PORT + 22))
if [ "${1:-}" = stop ]; then
    [ -f "$D/fake.pid" ] && kill "$(cat "$D/fake.pid")" 2>/dev/null || true
    rm -f "$D/fake.pid"
    exit 0
fi
mkdir -p "$D"
if [ ! -f "$D/apns-server-cert.pem" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/fcm-key.pem" 2>/dev/null
    openssl pkey -in "$D/fcm-key.pem" -pubout -out "$D/fcm-public.pem"
    python3 - "$D" "$FCM" <<'PY'
import json, sys
d, port = sys.argv[1], sys.argv[2]
json.dump({"type": "service_account", "project_id": "qlvb-test", "client_email": "qlvb-push@qlvb-test.iam.gserviceaccount.com",
           "private_key": open(f"{d}/fcm-key.pem").read(), "token_uri": f"http://127.0.0.1:{port}/token"},
          open(f"{d}/service-account.json", "w"))
PY
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/apns-key.p8" 2>/dev/null
    openssl pkey -in "$D/apns-key.p8" -pubout -out "$D/apns-public.pem"
    echo ABC123DEFG >"$D/apns-key-id"; echo TEAM123456 >"$D/apns-team"; echo vn.gov.dongnai.qlvb >"$D/apns-topic"
    openssl rand -hex 32 >"$D/webhook-secret"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/ca-key.pem" -out "$D/ca.pem" -days 30 -subj "/CN=QLVB test CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$D/apns-server-key.pem" -out "$D/apns-server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' >"$D/san.ext"
    openssl x509 -req -in "$D/apns-server.csr" -CA "$D/ca.pem" -CAkey "$D/ca-key.pem" -CAcreateserial \
        -out "$D/apns-server-cert.pem" -days 30 -extfile "$D/san.ext" 2>/dev/null
    chmod 755 "$D"; chmod 644 "$D"/*
fi
if ! { [ -f "$D/fake.pid" ] && kill -0 "$(cat "$D/fake.pid")" 2>/dev/null; }; then
    FAKE_DIR=$D FAKE_FCM_PORT=$FCM FAKE_APNS_PORT=$APNS FAKE_CONTROL_PORT=$CONTROL \
        setsid node "$ROOT/tests/fake/providers.mjs" >"$D/fake.log" 2>&1 </dev/null &
    echo $! >"$D/fake.pid"
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$CONTROL/log" && break; sleep 0.1; done
fi
cat <<ENV
export QLVB_FCM_URL=http://127.0.0.1:$FCM
export QLVB_FCM_CREDENTIALS=$D/service-account.json
export QLVB_APNS_URL=https://127.0.0.1:$APNS
export QLVB_APNS_CA=$D/ca.pem
export QLVB_APNS_KEY=$D/apns-key.p8
export QLVB_APNS_KEY_ID=$(cat "$D/apns-key-id")
export QLVB_APNS_TEAM_ID=$(cat "$D/apns-team")
export QLVB_APNS_TOPIC=$(cat "$D/apns-topic")
export QLVB_WEBHOOK_URL=http://127.0.0.1:$FCM/webhook
export QLVB_WEBHOOK_SECRET_FILE=$D/webhook-secret
export QLVB_FAKE_CONTROL=http://127.0.0.1:$CONTROL
ENV
