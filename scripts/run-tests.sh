#!/usr/bin/env bash
# The whole suite: once on SQLite, once on a throwaway PostgreSQL cluster started here and
# stopped by pid. pytest's "no tests collected" (exit 5) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
run() {
  "$PY" -m pytest -q -p no:cacheprovider "$@"
  rc=$?
  if [ $rc -eq 5 ]; then echo "no tests were collected: failing" >&2; exit 1; fi
  if [ $rc -ne 0 ]; then exit $rc; fi
}
echo "== suite on SQLite =="
run -n 2
echo "== suite on PostgreSQL =="
source scripts/pg-throwaway.sh
pg_start
trap pg_stop EXIT
SINGLEWINDOW_TEST_DATABASE_URL="$PG_URL" run -n 2 -m postgres
