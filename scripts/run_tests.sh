#!/usr/bin/env bash
# The whole suite against real PostgreSQL and a real Redis-backed Celery worker, then a smoke run
# on the embedded SQLite default. With DATABASE_URL / REDIS_URL unset, throwaway servers are
# started in a temporary folder and stopped afterwards.
set -euo pipefail
PY=${PY:-.venv/bin/python}
work=$(mktemp -d /tmp/kaoping-test.XXXXXX)
chmod 755 "$work"
pg_data=""
redis_pid=""

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  if [ -n "$pg_data" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  port=$(free_port)
  pg_data="$work/pg"
  mkdir -p "$pg_data"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_data" "$work"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/server.log" \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
  "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres kaoping
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/kaoping"
  echo "Throwaway PostgreSQL on port $port"
fi
if [ -z "${REDIS_URL:-}" ]; then
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$work/redis.pid" --dir "$work" >/dev/null
  for _ in $(seq 50); do [ -s "$work/redis.pid" ] && break; sleep 0.1; done
  redis_pid=$(cat "$work/redis.pid")
  export REDIS_URL="redis://127.0.0.1:$rport/0"
  echo "Throwaway Redis on port $rport"
fi

export DJANGO_ALLOW_ASYNC_UNSAFE=true
export KAOPING_VAR_DIR="$work/var"
echo "== Full suite on PostgreSQL ($DATABASE_URL) with Celery on Redis ($REDIS_URL)"
"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run manage.py makemigrations"; exit 1; }
"$PY" -m pytest "$@"

echo "== The benchmark's generator and measures on a small campaign (bench settings, PostgreSQL)"
"$PY" -m pytest bench/tests -q -p no:cacheprovider --ds bench.settings

echo "== Smoke run on the embedded SQLite default (Celery in-process)"
env -u DATABASE_URL -u REDIS_URL KAOPING_VAR_DIR="$work/var-sqlite" "$PY" -m pytest -m smoke -q -p no:cacheprovider
