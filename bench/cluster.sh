#!/usr/bin/env bash
# The production shape on one machine, on loopback: two gunicorn instances (ports A and B)
# behind nginx (port LB), exactly one scheduler, PostgreSQL, Redis for the rate limits.
# Checks: sessions shared across instances, login rate limit shared, a second scheduler exits
# without running jobs, and the load test through nginx. Stops everything it started.
#
#   bench/cluster.sh                      # a small generated world in coprod_cluster
#   SIZE=medium bench/cluster.sh          # the README's figures
#   DATABASE_URL=postgresql://… SKIP_GENERATE=1 bench/cluster.sh   # reuse a generated world
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
A=${PORT_A:-5112}
B=${PORT_B:-5113}
LB=${PORT_LB:-5119}
SIZE=${SIZE:-small}
DURATION=${DURATION:-10}
PG=${PG:-postgresql://postgres@127.0.0.1:5432}
export DATABASE_URL=${DATABASE_URL:-$PG/coprod_cluster}
# A Redis database of its own, emptied at the start, so other users of the server are untouched.
export RATELIMIT_STORAGE_URI=${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/3}
export COPROD_ENV=production
export SECRET_KEY=${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_hex(32))')}
export SESSION_COOKIE_SECURE=0 PROXY_FIX_X_FOR=1 PYTHONPATH=$ROOT
RUN=$(mktemp -d /tmp/coprod-cluster.XXXXXX)
PIDS=()

log() { printf '\n== %s\n' "$*"; }
need() {  # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
  echo "$1 is missing: apt-get install $2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
cleanup() {
  log "stopping what this script started (${PIDS[*]:-nothing})"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "logs kept in $RUN"
}
trap cleanup EXIT
wait_http() {  # wait_http URL
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "$1 does not answer"; return 1
}

need nginx nginx-light
need wrk wrk
need redis-server redis-server
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log "Redis on 127.0.0.1:6379"
if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
  redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no >"$RUN/redis.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -n "${RATELIMIT_STORAGE_URI##*/}" flushdb >/dev/null

log "PostgreSQL: $DATABASE_URL"
if [ -z "${SKIP_GENERATE:-}" ]; then
  db=${DATABASE_URL##*/}
  psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql "$PG/postgres" -qc "CREATE DATABASE $db"
  $PY -m bench.generate --size "$SIZE" --url "$DATABASE_URL" 2>/dev/null
else
  .venv/bin/flask --app coprod migrate
fi

log "two gunicorn instances (1 worker each) on :$A and :$B"
for port in "$A" "$B"; do
  PORT=$port WEB_CONCURRENCY=${WEB_CONCURRENCY:-1} .venv/bin/gunicorn -c deploy/gunicorn.conf.py \
    'coprod:create_app()' >"$RUN/web-$port.log" 2>&1 &
  PIDS+=($!)
done
wait_http "http://127.0.0.1:$A/tasks"
wait_http "http://127.0.0.1:$B/tasks"

log "nginx on :$LB (deploy/nginx.conf, ports and paths rewritten)"
mkdir -p "$RUN/nginx/logs" "$RUN/nginx/tmp"
sed -e "s#127.0.0.1:8001#127.0.0.1:$A#; s#127.0.0.1:8002#127.0.0.1:$B#" \
    -e "s#listen 80;#listen 127.0.0.1:$LB;#; s#/srv/coprod/static/#$ROOT/static/#" \
    deploy/nginx.conf >"$RUN/nginx/coprod.conf"
cat >"$RUN/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $RUN/nginx/nginx.pid;
error_log $RUN/nginx/logs/error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $RUN/nginx/tmp/body;
  proxy_temp_path $RUN/nginx/tmp/proxy;
  fastcgi_temp_path $RUN/nginx/tmp/fastcgi;
  uwsgi_temp_path $RUN/nginx/tmp/uwsgi;
  scgi_temp_path $RUN/nginx/tmp/scgi;
  include $RUN/nginx/coprod.conf;
}
EOF
"$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -t 2>&1 | tail -1
"$NGINX" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" >"$RUN/nginx/stdout.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$LB/tasks"
curl -s -o /dev/null -w "static file through nginx: %{http_code}\n" "http://127.0.0.1:$LB/static/app.css"

log "one scheduler"
.venv/bin/flask --app coprod scheduler >"$RUN/scheduler-1.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do grep -q "started" "$RUN/scheduler-1.log" && break; sleep 0.2; done
cat "$RUN/scheduler-1.log" | head -3
sleep 2  # the jobs that run at start
log "a second scheduler, started by mistake"
set +e
timeout 20 .venv/bin/flask --app coprod scheduler >"$RUN/scheduler-2.log" 2>&1
second=$?
set -e
cat "$RUN/scheduler-2.log"
echo "second scheduler exit status: $second (1 expected)"

log "checks"
set +e
$PY -m bench.cluster_checks --a "http://127.0.0.1:$A" --b "http://127.0.0.1:$B" \
  --lb "http://127.0.0.1:$LB" --url "$DATABASE_URL"
checks=$?
set -e
[ "$second" = 1 ] && echo "check 4 (a second scheduler exits, 1): ok" \
  || { echo "check 4 (a second scheduler exits, 1): FAILED"; checks=1; }

log "load test through nginx (${DURATION}s per endpoint; baseline served directly on :5111)"
$PY -m bench.load --url "$DATABASE_URL" --app-url "http://127.0.0.1:$LB" \
  --duration "$DURATION" ${LOAD_ARGS:-}

exit "$checks"
