#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing QLVB need,
# only those that are missing. Safe to run again. Needs root (apt-get).
set -euo pipefail

pkgs=(
  gcc make pkg-config ca-certificates curl      # build and fetch
  libfcgi-dev                                   # FastCGI accept loop of the workers
  libpq-dev                                     # PostgreSQL client
  libhiredis-dev                                # Redis client
  libjansson-dev                                # JSON
  libjwt-dev                                    # JWT: access tokens (HS256), the FCM assertion (RS256), the APNs provider token (ES256)
  libcurl4-openssl-dev                          # qlvb-notify: FCM and APNs (HTTP/2), many sends at once
  openssl                                       # the tests' keys and certificates for the fake push providers
  libsodium-dev                                 # argon2id, randomness, hashes
  libmagic-dev                                  # file type sniffing of uploads
  libxlsxwriter-dev                             # registers exported as XLSX
  libcmocka-dev                                 # C unit tests
  postgresql postgresql-contrib                 # database (+ unaccent, pg_trgm)
  pgtap                                         # SQL tests: pgTAP for PostgreSQL 15 and pg_prove
  redis-server                                  # cache
  nginx-light                                   # HTTP front
  libnginx-mod-http-js                          # njs: nginx's own refusals weigh Accept-Language as the workers do
  wrk                                           # load generator (make bench)
  python3 python3-jsonschema python3-yaml       # API tests and spec checks
  procps psmisc                                 # ps, pkill, fuser for the stack scripts
  acl                                           # setfacl: the stack's user, alone, through the checkout's folders
)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node/npm may come from elsewhere than Debian; only their commands matter.
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postinst scripts would start system-wide services; the stack runs its own.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The stack's daemons run as this unprivileged user (PostgreSQL refuses root).
if ! id qlvb >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin qlvb
fi
