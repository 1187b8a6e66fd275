#!/usr/bin/env bash
# The whole suite: once on SQLite, once on a throwaway PostgreSQL cluster started here and
# stopped by pid; one throwaway RabbitMQ node serves both passes (the queue tests). pytest's
# "no tests collected" (exit 5) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
run() {
  "$PY" -m pytest -q -p no:cacheprovider "$@"
  rc=$?
  if [ $rc -eq 5 ]; then echo "no tests were collected: failing" >&2; exit 1; fi
  if [ $rc -ne 0 ]; then exit $rc; fi
}
source scripts/pg-throwaway.sh
source scripts/rabbitmq-throwaway.sh
trap 'pg_stop; amqp_stop' EXIT
amqp_start || { echo "RabbitMQ did not start" >&2; exit 1; }
export SINGLEWINDOW_TEST_AMQP_URL="$AMQP_URL"
echo "== suite on SQLite =="
run -n 2
echo "== suite on PostgreSQL =="
pg_start
SINGLEWINDOW_TEST_DATABASE_URL="$PG_URL" run -n 2 -m postgres
