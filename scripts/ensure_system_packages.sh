#!/usr/bin/env bash
# Debian packages the test suite needs: PostgreSQL's server binaries (the warehouse tests
# start and stop their own server on a free loopback port). Installs only what is missing;
# needs root, as on the project's machines and CI.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "PostgreSQL server binaries are missing: run 'sudo apt-get install -y postgresql'" >&2
  exit 1
fi
echo "== apt-get install postgresql (server binaries for the warehouse tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends postgresql
# Debian starts a cluster on install; the tests run their own server, so stop the default one.
if command -v pg_ctlcluster >/dev/null; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
