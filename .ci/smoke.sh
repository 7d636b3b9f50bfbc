#!/usr/bin/env bash
# Production smoke test: the site deployed as docs/deployment.md says, on loopback.
#
# A fresh PostgreSQL database and a Redis key prefix of its own; the documented install, release,
# first-run, health, backup and restore commands run exactly as written in docs/deployment.md
# (.ci/doc_blocks.py extracts them); the systemd units checked with systemd-analyze; gunicorn,
# a task worker and the scheduler started with the Procfile's commands and production settings.
# .ci/smoke.py then checks each page type in both languages through Varnish (status, security headers, cache
# headers, the second request served from the page cache), what must never be cached, static
# files and /healthz, and publishes and unpublishes a change from another process and sees it on
# the next anonymous request. gunicorn is reloaded as an upgrade would, the backup is restored into
# a second database and compared, and everything started here is stopped and removed.
#
#   bash .ci/smoke.sh        (CI_DATABASE_URL and SMOKE_REDIS_URL override the servers)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

PG_URL="${CI_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_SERVER="${PG_URL%/*}"
RUN="smoke$$"
WORK="$(mktemp -d)"
DB="bwb_$RUN"
RESTORED_DB="bwb_${RUN}_restored"
PY=.venv/bin/python
pids=()
export SMOKE_TALLY="$WORK/tally"
touch "$SMOKE_TALLY"

database() {  # database create|drop NAME
    "$PY" - "$PG_URL" "$1" "$2" <<'PY'
import sys

import psycopg

url, action, name = sys.argv[1].replace("postgres://", "postgresql://", 1), *sys.argv[2:]
with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
    if action == "create":
        conn.execute(f'CREATE DATABASE "{name}"')
    else:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PY
}

cleanup() {
    status=$?
    [ -z "${scheduler:-}" ] || pkill -TERM -P "$scheduler" 2>/dev/null || true  # its sleep
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ] && [ -f "$WORK/gunicorn.log" ]; then
        echo "-- last lines of gunicorn's log"
        tail -n 30 "$WORK/gunicorn.log"
    fi
    database drop "$DB" || true
    database drop "$RESTORED_DB" || true
    "$PY" -c 'import os, redis
r = redis.Redis.from_url(os.environ["REDIS_URL"])
for key in r.scan_iter(os.environ["CACHE_KEY_PREFIX"] + ":*"):
    r.delete(key)' || true
    read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$SMOKE_TALLY")
    rm -rf "$WORK"
    echo "Smoke test took $(($(date +%s) - started)) s"
    [ "$status" -eq 0 ] || failed=$((failed > 0 ? failed : 1))
    echo "smoke: $passed passed, $failed failed"
    exit "$status"
}
trap cleanup EXIT

doc_block() {  # run the shell block of docs/deployment.md marked <!-- ci: NAME -->
    local commands log="$WORK/doc-$1.log" since=$SECONDS
    commands="$("$PY" .ci/doc_blocks.py docs/deployment.md "$1")"
    echo "-- docs/deployment.md, block \"$1\":"
    sed 's/^/     $ /' <<<"$commands"
    if ! bash -euo pipefail -c "$commands" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "FAIL: the documented commands of \"$1\" failed"
        return 1
    fi
    echo "   ok ($((SECONDS - since)) s)"
}

procfile() { sed -n "s/^$1: //p" Procfile; }

# The environment of /etc/betterwork/env, with throwaway values.
export DJANGO_SETTINGS_MODULE=website.settings.production
SECRET_KEY="smoke-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECRET_KEY
export ALLOWED_HOSTS=betterwork.test
export BASE_URL=https://betterwork.test
# The sender on the site's own domain (check --deploy refuses example.org senders, newsletter.E101).
export DEFAULT_FROM_EMAIL="Better Work Bangladesh <newsletter@betterwork.test>"
export DATABASE_URL="$PG_SERVER/$DB"
export REDIS_URL="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/0}"
export CACHE_KEY_PREFIX="$RUN"
export MEDIA_ROOT="$WORK/media" STATIC_ROOT="$WORK/static" VAR_DIR="$WORK/var"
export BACKUP_DIR="$WORK/backup"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export GUNICORN_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2
# Varnish in front of gunicorn (deploy/varnish/betterwork.vcl); publishing purges it over HTTP.
VARNISH_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:$VARNISH_PORT"
export DEMO_PASSWORD="smoke-$RUN-password" DJANGO_SUPERUSER_PASSWORD="smoke-$RUN-admin"
mkdir -p "$VAR_DIR"

echo "== Production smoke test: PostgreSQL database $DB, Redis prefix $RUN, port $PORT =="
database create "$DB"
doc_block install
doc_block release
doc_block first-run
echo "-- load_demo"
.venv/bin/python manage.py load_demo >"$WORK/load_demo.log" 2>&1 || { cat "$WORK/load_demo.log"; exit 1; }

echo "-- docs/deployment.md, block \"systemd\": the units it installs, checked offline"
mkdir -p "$WORK/systemd"
touch "$WORK/env"
for unit in deploy/systemd/*; do
    sed -e "s#/srv/betterwork#$PWD#g" -e "s#/etc/betterwork/env#$WORK/env#g" "$unit" \
        >"$WORK/systemd/$(basename "$unit")"
done
(cd "$WORK/systemd" && systemd-analyze verify betterwork-web.service betterwork-worker@1.service \
    betterwork-publish.service betterwork-publish.timer betterwork-sweep.service \
    betterwork-sweep.timer)

echo "-- Procfile: web, worker, scheduler"
bash -c "exec $(procfile web)" >"$WORK/gunicorn.log" 2>&1 &
gunicorn=$!
pids+=("$gunicorn")
bash -c "exec $(procfile worker)" >"$WORK/worker.log" 2>&1 &
worker=$!
pids+=("$worker")
bash -c "$(procfile scheduler)" >"$WORK/scheduler.log" 2>&1 &
scheduler=$!
pids+=("$scheduler")

for _ in $(seq 60); do
    curl --silent --fail "http://$GUNICORN_BIND/healthz" >/dev/null && break
    sleep 0.5
done
doc_block health
cat "$WORK/doc-health.log"
echo

echo "-- Varnish on port $VARNISH_PORT in front of gunicorn (deploy/varnish/betterwork.vcl)"
sed -e "s/\.port = \"8000\"/.port = \"$PORT\"/" deploy/varnish/betterwork.vcl >"$WORK/betterwork.vcl"
# As the user running the test (-j none), in its own working directory, on loopback.
VARNISHD=$(command -v varnishd || echo /usr/sbin/varnishd)
"$VARNISHD" -F -j none -n "$WORK/varnish" -a "127.0.0.1:$VARNISH_PORT" -f "$WORK/betterwork.vcl" \
    -s malloc,64m >"$WORK/varnish.log" 2>&1 &
pids+=("$!")
for _ in $(seq 40); do
    curl --silent --fail -H "Host: betterwork.test" "http://127.0.0.1:$VARNISH_PORT/healthz" \
        >/dev/null && break
    sleep 0.25
done

"$PY" .ci/smoke.py pages "$VARNISH_PORT" betterwork.test
"$PY" .ci/smoke.py publish "$VARNISH_PORT" betterwork.test
"$PY" .ci/smoke.py varnish "$VARNISH_PORT" betterwork.test

echo "-- the task worker ran tasks and runs on; the scheduler ran publish_scheduled without error"
kill -0 "$worker" && kill -0 "$scheduler"
grep -q 'state=SUCCESSFUL' "$WORK/worker.log" || { tail -n 20 "$WORK/worker.log"; exit 1; }
if grep -q Traceback "$WORK/scheduler.log"; then
    cat "$WORK/scheduler.log"
    exit 1
fi

echo "-- docs/deployment.md, block \"reload\": gunicorn's graceful reload, as systemctl does it"
kill -HUP "$gunicorn"
sleep 2
kill -0 "$gunicorn"
doc_block health
grep -q '"logger": "gunicorn.access"' "$WORK/gunicorn.log" || {
    echo "gunicorn's access log is not JSON"
    exit 1
}

doc_block backup
database create "$RESTORED_DB"
DATABASE_URL="$PG_SERVER/$RESTORED_DB" MEDIA_ROOT="$WORK/restored-media" doc_block restore
MEDIA_ROOT_A="$MEDIA_ROOT" MEDIA_ROOT_B="$WORK/restored-media" \
    "$PY" .ci/smoke.py compare "$DATABASE_URL" "$PG_SERVER/$RESTORED_DB"

echo "-- stop gunicorn"
kill -TERM "$gunicorn"
wait "$gunicorn"
echo "-- gunicorn stopped cleanly"
