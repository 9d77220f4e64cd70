#!/usr/bin/env bash
# make stop: stop what make run started, from another shell.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -s .local/run.pids ]; then
  kill $(cat .local/run.pids) 2>/dev/null || true
  rm -f .local/run.pids
fi
scripts/services.sh stop .local
echo "Stopped."
