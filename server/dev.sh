#!/bin/bash
# server/dev.sh up|down|status - local PostgreSQL 15 + Kinto on 127.0.0.1 for development and demos.
#   make server        (= bash server/dev.sh up)      make server-stop   (= bash server/dev.sh down)
# Environment (all optional):
#   PLCS_SERVER_DIR      data folder (default /tmp/plcs-server: the postgres user can always enter it, also
#                        when the repository sits under /root in CI; choose a persistent folder to keep data
#                        across reboots, e.g. PLCS_SERVER_DIR=/var/tmp/plcs-server; its parents must be
#                        traversable by the postgres user when running as root)
#   PLCS_KINTO_PORT      Kinto port (default 8888)          PLCS_PG_PORT   PostgreSQL port (default 55432)
#   PLCS_PROVINCE        province bootstrapped (default 22) PLCS_COMMUNES  comma-separated codes (default: all)
#   PLCS_ADMIN_PASSWORD  admin password (default: generated once, kept in $PLCS_SERVER_DIR/admin-password)
#   PLCS_DEMO_PASSWORD   password of the demo accounts (default demo-plcs-2026; loopback only)
# Idempotent: `up` on a running server only re-runs the (idempotent, fast) bootstrap.
# Runs as root (initdb/postgres through `runuser -u postgres`) or as an ordinary user. fsync stays on here.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
D=${PLCS_SERVER_DIR:-/tmp/plcs-server}
KPORT=${PLCS_KINTO_PORT:-8888}
PGPORT=${PLCS_PG_PORT:-55432}
PGBIN=${PLCS_PG_BIN:-/usr/lib/postgresql/15/bin}
KINTO=$REPO/.venv/bin/kinto
PY=$REPO/.venv/bin/python
INI=$REPO/server/kinto.ini
URL=http://127.0.0.1:$KPORT/v1
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); PGUSER_OS=postgres; else AS_PG=(); PGUSER_OS=$(id -un); fi

kinto_pid() { [ -f "$D/kinto.pid" ] && kill -0 "$(cat "$D/kinto.pid")" 2>/dev/null && cat "$D/kinto.pid"; }
pg_running() { [ -f "$D/pgdata/PG_VERSION" ] && "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$D/pgdata" status >/dev/null 2>&1; }
answers() { curl -s --noproxy '*' -o /dev/null -m 2 -w '%{http_code}' "$URL/__heartbeat__" 2>/dev/null | grep -q 200; }
secret() { "$PY" -c 'import secrets; print("a" + secrets.token_urlsafe(18))'; }   # never starts with "-"

up() {
  [ -x "$KINTO" ] || { echo "missing $KINTO: run 'make run' or 'make test' once to create .venv" >&2; exit 1; }
  mkdir -p "$D/run"
  chmod 700 "$D"; [ -f "$D/pg-password" ] || { secret >"$D/pg-password"; chmod 600 "$D/pg-password"; }
  if [ -z "${PLCS_ADMIN_PASSWORD:-}" ] && [ ! -f "$D/admin-password" ]; then
    secret >"$D/admin-password"; chmod 600 "$D/admin-password"
  fi
  ADMIN_PW=${PLCS_ADMIN_PASSWORD:-$(cat "$D/admin-password")}
  PGPW=$(cat "$D/pg-password")
  # The postgres user must own the data folder and be able to enter $D (mode 711 below, files stay 600).
  chmod 711 "$D"; chown "$PGUSER_OS" "$D/run"
  if [ ! -f "$D/pgdata/PG_VERSION" ]; then
    mkdir -p "$D/pgdata"; chown "$PGUSER_OS" "$D/pgdata"; chmod 700 "$D/pgdata"
    "${AS_PG[@]}" "$PGBIN/initdb" -D "$D/pgdata" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$D/initdb.log"
  fi
  if ! pg_running; then
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$D/pgdata" -l "$D/run/pg.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $D/run -c timezone=UTC" >/dev/null
  fi
  SQL=("${AS_PG[@]}" "$PGBIN/psql" -X -q -h "$D/run" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tAc)
  [ "$("${SQL[@]}" "SELECT 1 FROM pg_roles WHERE rolname='kinto'")" = 1 ] || "${SQL[@]}" "CREATE ROLE kinto LOGIN"
  "${SQL[@]}" "ALTER ROLE kinto PASSWORD '$PGPW'"
  [ "$("${SQL[@]}" "SELECT 1 FROM pg_database WHERE datname='kinto'")" = 1 ] || "${SQL[@]}" "CREATE DATABASE kinto OWNER kinto"

  export KINTO_INI=$INI PYTHONWARNINGS=ignore PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH}
  export KINTO_STORAGE_URL=postgresql://kinto:$PGPW@127.0.0.1:$PGPORT/kinto
  export KINTO_PERMISSION_URL=$KINTO_STORAGE_URL KINTO_CACHE_URL=$KINTO_STORAGE_URL
  if ! kinto_pid >/dev/null; then
    if answers; then echo "another server already answers on port $KPORT; set PLCS_KINTO_PORT" >&2; exit 1; fi
    "$KINTO" migrate --ini "$INI" -q
    "$KINTO" create-user --ini "$INI" -q -u admin -p "$ADMIN_PW" >/dev/null
    setsid "$KINTO" start --ini "$INI" --port "$KPORT" >>"$D/kinto.log" 2>&1 </dev/null &
    echo $! >"$D/kinto.pid"
    ok=0; for _ in $(seq 300); do answers && { ok=1; break; }; kill -0 "$(cat "$D/kinto.pid")" 2>/dev/null || break; sleep 0.1; done
    [ $ok = 1 ] || { echo "Kinto did not start:" >&2; tail -20 "$D/kinto.log" >&2; exit 1; }
  fi
  (cd "$REPO" && "$PY" -m server.bootstrap "$URL" --admin-password "$ADMIN_PW" \
      --province "${PLCS_PROVINCE:-22}" ${PLCS_COMMUNES:+--communes "$PLCS_COMMUNES"} --demo)
  # maintenance (idempotent): strip record-level permissions set before server/kinto_guard.py refused them
  (cd "$REPO" && "$PY" -m server.bootstrap --strip-record-permissions --database-url "$KINTO_PERMISSION_URL")
  echo "Kinto: $URL  (admin password: ${PLCS_ADMIN_PASSWORD:+\$PLCS_ADMIN_PASSWORD}${PLCS_ADMIN_PASSWORD:-$D/admin-password})"
  echo "PostgreSQL: 127.0.0.1:$PGPORT  data: $D  logs: $D/kinto.log $D/run/pg.log"
}

down() {
  if P=$(kinto_pid); then
    kill -TERM -- "-$P" 2>/dev/null || kill -TERM "$P"
    for _ in $(seq 100); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$P" 2>/dev/null && kill -KILL -- "-$P" 2>/dev/null
  fi
  rm -f "$D/kinto.pid"
  if pg_running; then "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$D/pgdata" -m fast -w -t 60 stop >/dev/null; fi
  echo "stopped (data kept in $D)"
}

status() {
  if P=$(kinto_pid); then echo "Kinto: running (pid $P) at $URL"; else echo "Kinto: stopped"; fi
  if pg_running; then echo "PostgreSQL: running on 127.0.0.1:$PGPORT ($D/pgdata)"; else echo "PostgreSQL: stopped"; fi
  kinto_pid >/dev/null && pg_running
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
