#!/usr/bin/env bash
# make run: local PostgreSQL + Redis (unless DATABASE_URL / CELERY_BROKER_URL are set), migrate,
# demo data once, then web + Celery worker + beat until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOCAL=.local
mkdir -p "$LOCAL"

if [ -z "${DATABASE_URL:-}" ] || [ -z "${CELERY_BROKER_URL:-}" ]; then
  scripts/services.sh start "$LOCAL" "${CASEWORK_PG_PORT:-54329}" "${CASEWORK_REDIS_PORT:-63799}"
  export DATABASE_URL="${DATABASE_URL:-postgres://casework:casework@127.0.0.1:${CASEWORK_PG_PORT:-54329}/casework}"
  export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:${CASEWORK_REDIS_PORT:-63799}/0}"
fi
export DEBUG="${DEBUG:-1}"
# make run WEBHOOK_LISTEN=1: a local receiver (manage.py webhook_listen) registered as an
# endpoint for every event; the worker may then send to loopback, for this run only.
WEBHOOK_LISTEN="${WEBHOOK_LISTEN:-}"
WEBHOOK_LISTEN_PORT="${WEBHOOK_LISTEN_PORT:-8765}"
if [ -n "$WEBHOOK_LISTEN" ]; then export WEBHOOK_ALLOW_LOOPBACK=1; fi

$PY manage.py migrate --noinput
$PY manage.py load_demo   # idempotent: does nothing when the demo data is already there

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/services.sh stop "$LOCAL"
}
trap stop_all INT TERM EXIT

$PY manage.py runserver 127.0.0.1:8000 --noreload >"$LOCAL/web.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 >"$LOCAL/worker.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=INFO --schedule "$LOCAL/celerybeat-schedule" \
  >"$LOCAL/beat.log" 2>&1 &
pids+=($!)
# Mail to the support address: point the company's mail server (or swaks/smtplib) here.
MAIL_GATEWAY_PORT="${MAIL_GATEWAY_PORT:-2525}"
$PY -u manage.py mail_gateway --port "$MAIL_GATEWAY_PORT" >"$LOCAL/mail_gateway.log" 2>&1 &
pids+=($!)
if [ -n "$WEBHOOK_LISTEN" ]; then
  $PY -u manage.py webhook_listen --port "$WEBHOOK_LISTEN_PORT" --register \
    >"$LOCAL/webhooks.log" 2>&1 &
  pids+=($!)
fi
echo "${pids[*]}" >"$LOCAL/run.pids"

# Wait for the web server (Python, not curl: a fresh machine may not have curl).
$PY - <<'PY'
import time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen("http://127.0.0.1:8000/admin/login/", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY

cat <<MSG

Casework is running (logs in $LOCAL/*.log; Ctrl-C or 'make stop' to stop).
  Admin:     http://127.0.0.1:8000/admin/
  API docs:  http://127.0.0.1:8000/api/docs/
  Mail in:   smtp://127.0.0.1:$MAIL_GATEWAY_PORT/ takes mail for the support address
             (${SUPPORT_EMAIL:-support@casework.local}); each message opens or continues a case.
  Logins (password = demo1234 for all):
    agent        (agent)
    partnersup   (partner support)
    finance      (finance)
    supervisor   (supervisor)
    admin        (superuser)
MSG
if [ -n "$WEBHOOK_LISTEN" ]; then
  echo "  Webhooks:  every event is POSTed to http://127.0.0.1:$WEBHOOK_LISTEN_PORT/ and printed,"
  echo "             verified, in $LOCAL/webhooks.log (tail -f it)."
else
  echo "  Webhooks:  'make run WEBHOOK_LISTEN=1' also runs a local receiver that prints each event."
fi
wait
