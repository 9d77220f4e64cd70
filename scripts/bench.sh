#!/usr/bin/env bash
# make bench: local PostgreSQL + Redis, a casework_bench database with 1,000,000 cases
# (generated once, skipped when they are there), then bench/bench_cases.py, which writes
# bench/RESULTS.md. Extra arguments go to bench_cases.py, e.g. `scripts/bench.sh --skip-http`.
#   BENCH_DATABASE_URL  use this database instead of the local casework_bench
#   BENCH_CASES         how many cases the database should hold (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOCAL=.local
PG_PORT="${CASEWORK_PG_PORT:-54329}"
REDIS_PORT="${CASEWORK_REDIS_PORT:-63799}"
BENCH_DB=casework_bench
BENCH_CASES="${BENCH_CASES:-1000000}"
mkdir -p "$LOCAL"

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$BENCH_DATABASE_URL"
else
  scripts/services.sh start "$LOCAL" "$PG_PORT" "$REDIS_PORT"
  admin=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  if [ "$("${admin[@]}" -c "select 1 from pg_database where datname='$BENCH_DB'")" != 1 ]; then
    "${admin[@]}" -c "create database $BENCH_DB owner casework"
  fi
  export DATABASE_URL="postgres://casework:casework@127.0.0.1:$PG_PORT/$BENCH_DB"
fi
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:$REDIS_PORT/0}"
export DEBUG=0 PYTHONWARNINGS="ignore::UserWarning" DB_STATEMENT_TIMEOUT_MS=0
# A benchmark measures speed, not the rate limits: one user sends thousands of requests.
export API_THROTTLE_USER=1000000/minute API_THROTTLE_ANON=1000000/minute

echo "== migrate $BENCH_DB"
$PY manage.py migrate --noinput -v0

have=$(psql "$DATABASE_URL" -qAtc "select count(*) from cases_case")
if [ "$have" -lt "$BENCH_CASES" ]; then
  missing=$((BENCH_CASES - have))
  echo "== generate_load --cases $missing (the database has $have)"
  $PY manage.py generate_load --cases "$missing" | tee bench/generate.log
  # Set hint bits and the visibility map now, so the first benchmark reads do not.
  psql "$DATABASE_URL" -qc \
    "VACUUM (ANALYZE) cases_case, cases_booking, cases_customer, partners_partner"
else
  echo "== $have cases already there; generation skipped (bench/generate.log has the last run)"
fi

echo "== bench/bench_cases.py"
export BENCH_COMMAND="make bench${*:+ (scripts/bench.sh $*)}"
$PY bench/bench_cases.py "$@"

echo "== bench/bench_payouts.py"
$PY bench/bench_payouts.py | tee bench/payouts.log
{
  echo
  echo "## Payout run: 50,000 partners, 2,000,000 ledger entries"
  echo
  echo 'Command: `make bench` (runs `bench/bench_payouts.py` on the same database; data loaded'
  echo 'once with COPY into its own region "ZZ"). Last lines of its output:'
  echo
  echo '```'
  tail -n 4 bench/payouts.log
  echo '```'
} >> bench/RESULTS.md

echo "== bench/bench_sweeps.py"
$PY bench/bench_sweeps.py | tee bench/sweeps.log
{
  echo
  echo "## SLA sweep: 10,000 due cases among 100,000 and 1,000,000 on running clocks"
  echo
  echo 'Command: `make bench` (runs `bench/bench_sweeps.py` on the same database: it arms the'
  echo 'clocks of the first 100,000, then all 1,000,000 cases with one UPDATE, 10,000 of them'
  echo 'already due, runs one `sweep_sla` and disarms them). Its output:'
  echo
  echo '```'
  grep -E "RESULT|swept|Batch query|Index Scan|Index Cond|Execution Time" bench/sweeps.log
  echo '```'
} >> bench/RESULTS.md

echo "== bench/bench_webhooks.py"
$PY bench/bench_webhooks.py | tee bench/webhooks.log
{
  echo
  echo "## Events out: webhook dispatch, drain, claim plan, latency, transition overhead"
  echo
  echo 'Command: `make bench` (runs `bench/bench_webhooks.py` on the same database; a receiver'
  echo 'process on 127.0.0.1, 1,000,000 delivered rows written once with SQL). Its output:'
  echo
  echo '```'
  grep -E "RESULT|Index|Execution Time" bench/webhooks.log
  echo '```'
} >> bench/RESULTS.md

echo "== bench/bench_console.py"
$PY bench/bench_console.py | tee bench/console.log
{
  echo
  sed -n '/^## Console pages/,$p' bench/console.log
} >> bench/RESULTS.md

echo "== bench/bench_backtests.py"
$PY bench/bench_backtests.py | tee bench/backtests.log
{
  echo
  echo "## Policy backtest: 100,000 and 1,000,000 stored decisions"
  echo
  echo 'Command: `make bench` (runs `bench/bench_backtests.py` on the same database: every flow'
  echo "walked once in a rolled-back transaction gives the template decisions, written with COPY"
  echo 'until the last 29 days hold 1,000,000; then one backtest over 3 days and over 30). Output:'
  echo
  echo '```'
  grep -E "RESULT|templates|template decisions" bench/backtests.log
  echo '```'
} >> bench/RESULTS.md

echo "== bench/bench_conversations.py"
$PY bench/bench_conversations.py | tee bench/conversations.log
{
  echo
  echo "## Conversations: mail in through the gateway, threading at 1,000,000 messages, case page"
  echo
  echo 'Command: `make bench` (runs `bench/bench_conversations.py` on the same database: 1,000,000'
  echo 'stored messages written once with COPY; 10,000 mails sent by 4 SMTP clients to'
  echo '`manage.py mail_gateway --processes 2`; a case with 200 messages timed as the agent). Output:'
  echo
  echo '```'
  grep -E "RESULT|Index Scan|Index Cond|Execution Time" bench/conversations.log
  echo '```'
} >> bench/RESULTS.md
