# A throwaway PostgreSQL cluster for tests and benchmarks: `source` it, then pg_start / pg_stop.
# initdb refuses root, so it runs as the postgres user; the socket lives in the temp directory.
pg_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PGTMP=$(mktemp -d /tmp/swpg.XXXXXX)
  PGPORT=${PGPORT:-$((54300 + RANDOM % 500))}
  local as=()
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$PGTMP"; as=(runuser -u postgres --); fi
  "${as[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log" 2>&1 || { cat "$PGTMP/initdb.log"; return 1; }
  "${as[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$PGTMP/server.log"; return 1; }
  "$PGBIN/createdb" -h "$PGTMP" -p "$PGPORT" -U postgres singlewindow
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/singlewindow"
  export PGTMP PGPORT PGBIN PG_URL
}
pg_stop() {
  [ -n "${PGTMP:-}" ] || return 0
  local as=()
  [ "$(id -u)" = "0" ] && as=(runuser -u postgres --)
  "${as[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
