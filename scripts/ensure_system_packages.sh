#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL's server binaries (the warehouse tests
# start and stop their own server on a free loopback port) and Chromium (a headless
# screenshot of make demo's page). Installs only what is missing; needs root, as on the
# project's machines and CI.
set -euo pipefail
missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
  missing+=(postgresql)
fi
if ! command -v chromium >/dev/null; then
  missing+=(chromium)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing Debian packages: run 'sudo apt-get install -y ${missing[*]}'" >&2
  exit 1
fi
echo "== apt-get install ${missing[*]} (for the warehouse and demo-page tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts a cluster on install; the tests run their own server, so stop the default one.
if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
