#!/usr/bin/env bash
# make test: throwaway PostgreSQL + Redis on free loopback ports, ruff, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

WITH_BROWSER=1 scripts/services.sh ensure-packages

owns_services=0
if [ -z "${DATABASE_URL:-}" ] || [ -z "${CELERY_BROKER_URL:-}" ]; then
  owns_services=1
  TMP=$(mktemp -d /tmp/casework-test.XXXXXX)
  chmod 755 "$TMP"
  PG_PORT=$($PY scripts/free_port.py)
  REDIS_PORT=$($PY scripts/free_port.py)
  cleanup() { scripts/services.sh stop "$TMP"; rm -rf "$TMP"; }
  trap cleanup EXIT
  scripts/services.sh start "$TMP" "$PG_PORT" "$REDIS_PORT" throwaway
  export DATABASE_URL="postgres://casework:casework@127.0.0.1:$PG_PORT/casework"
  export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi
export SECRET_KEY="${SECRET_KEY:-test-only-secret}"

echo "== ruff check"
.venv/bin/ruff check .
echo "== ruff format --check"
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check . ; exit 1; }
echo "== import layers (lint-imports)"
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
echo "== migrations are up to date"
$PY manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest"
set +e
$PY -m pytest "$@"
rc=$?
set -e
exit $rc
