#!/usr/bin/env bash
# Until the first release, the schema lives in one initial migration, regenerated from the
# models whenever they change (a fixed revision id, so regenerating is repeatable).
# It is generated against an empty PostgreSQL database (REGEN_DATABASE_URL, re-created here):
# SQLite cannot reflect expression indexes, so Alembic would leave out e.g. lower(name).
set -euo pipefail
cd "$(dirname "$0")/.."
url=${REGEN_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/coprod_regen}
db=${url##*/}
psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
rm -f migrations/versions/*_initial_schema.py
DATABASE_URL="$url" .venv/bin/alembic -c migrations/alembic.ini \
  revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null
.venv/bin/ruff format -q migrations/versions || true
psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS $db" 2>/dev/null
ls migrations/versions
